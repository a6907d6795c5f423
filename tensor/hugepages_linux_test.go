package tensor

import "testing"

// TestAdviseHugePages checks that the hint takes slices of any start and
// length and leaves their contents usable.
func TestAdviseHugePages(t *testing.T) {
	for _, b := range [][]byte{make([]byte, 100), make([]byte, 4<<20), make([]byte, 4<<20)[1:]} {
		adviseHugePages(b)
		for i := range b {
			b[i] = byte(i)
		}
		if b[len(b)-1] != byte(len(b)-1) {
			t.Fatal("slice unusable after the hint")
		}
	}
}
