package weights

import "math"

// Llama3Scaling is Llama 3.1's RoPE frequency scaling (rope_scaling type
// "llama3"): long wavelengths are stretched by Factor, short ones kept, and
// those between blended smoothly.
type Llama3Scaling struct {
	Factor          float32 // stretch of the longest wavelengths
	LowFreqFactor   float32 // wavelengths above OriginalContext/LowFreqFactor get Factor
	HighFreqFactor  float32 // wavelengths below OriginalContext/HighFreqFactor are kept
	OriginalContext float32 // the context length the model was first trained at
}

// RopeFreqs returns the divisor of each rotated pair's angle (the GGUF
// rope_freqs tensor) for RoPE base and dims rotated dimensions, in float32
// arithmetic as convert_hf_to_gguf computes it.
func (s Llama3Scaling) RopeFreqs(base float32, dims int) []float32 {
	lowWavelen := s.OriginalContext / s.LowFreqFactor
	highWavelen := s.OriginalContext / s.HighFreqFactor
	out := make([]float32, dims/2)
	for i := range out {
		exp := float32(2*i) / float32(dims)
		freq := 1 / float32(math.Pow(float64(base), float64(exp)))
		wavelen := float32(2*math.Pi) / freq
		switch {
		case wavelen < highWavelen:
			out[i] = 1
		case wavelen > lowWavelen:
			out[i] = s.Factor
		default:
			smooth := (s.OriginalContext/wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
			out[i] = 1 / ((1-smooth)/s.Factor + smooth)
		}
	}
	return out
}
