package train

// scratch hands out temporary float32 buffers that live until reset.
type scratch struct {
	buf []float32
	off int
}

// get returns n zeroed floats.
func (s *scratch) get(n int) []float32 {
	if s.off+n > len(s.buf) {
		s.buf = make([]float32, max(2*len(s.buf), n+s.off, 1<<16))
		s.off = 0
	}
	b := s.buf[s.off : s.off+n : s.off+n]
	s.off += n
	clear(b)
	return b
}

func (s *scratch) reset() { s.off = 0 }
