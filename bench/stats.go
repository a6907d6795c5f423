package bench

import "math"

// Stats summarises repeated measurements of one quantity.
type Stats struct {
	Mean    float64   `json:"mean"`
	StdDev  float64   `json:"stddev"`
	Samples []float64 `json:"samples"`
}

// Summarize returns the mean and sample standard deviation of xs.
func Summarize(xs []float64) Stats {
	s := Stats{Samples: xs}
	if len(xs) == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(len(xs))
	if len(xs) > 1 {
		var v float64
		for _, x := range xs {
			v += (x - s.Mean) * (x - s.Mean)
		}
		s.StdDev = math.Sqrt(v / float64(len(xs)-1))
	}
	return s
}
