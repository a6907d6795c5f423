package bench

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/synth"
)

func TestRunBuiltin(t *testing.T) {
	rs, err := Run(context.Background(), "", Options{Prompt: 8, Gen: 4, Reps: 2, Threads: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Test != "pp8" || rs[1].Test != "tg4" {
		t.Fatalf("results %+v", rs)
	}
	for _, r := range rs {
		if r.TokensPerSecond.Mean <= 0 || len(r.TokensPerSecond.Samples) != 2 {
			t.Errorf("%s: speed %+v", r.Test, r.TokensPerSecond)
		}
	}
}

func TestBytesPerToken(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		shape string
		tied  bool
	}{{"stories260k", true}, {"tinyllama-1.1b", false}} {
		s := synth.Shapes[tc.shape]
		if !tc.tied {
			// A small untied shape: same rules, quick to write.
			s = synth.Shape{Name: "untied", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFN: 128, Vocab: 400, Context: 64, RopeBase: 10000}
		}
		path := filepath.Join(dir, s.Name+".gguf")
		if err := synth.WriteFile(path, s, synth.Mixes["F32"], 1); err != nil {
			t.Fatal(err)
		}
		info, err := describe(path)
		if err != nil {
			t.Fatal(err)
		}
		embd := int64(s.Vocab * s.Dim * 4)
		want := info.size
		if !tc.tied {
			want = info.size - embd + int64(s.Dim*4)
		}
		if info.bytesPerToken != want {
			t.Errorf("%s: %d bytes per token, want %d", s.Name, info.bytesPerToken, want)
		}
	}
}

func TestMemoryBandwidth(t *testing.T) {
	if bw := MemoryBandwidth(1); bw < 1e8 {
		t.Errorf("bandwidth %.3g bytes/s is implausibly low", bw)
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{1, 2, 3, 4})
	if s.Mean != 2.5 || math.Abs(s.StdDev-1.2909944) > 1e-6 {
		t.Errorf("%+v", s)
	}
	if s := Summarize(nil); s.Mean != 0 || s.StdDev != 0 {
		t.Errorf("empty: %+v", s)
	}
}

func TestRunStreams(t *testing.T) {
	rs, err := RunStreams(context.Background(), "", []int{1, 3}, 4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Streams != 1 || rs[1].Streams != 3 {
		t.Fatalf("results %+v", rs)
	}
	for _, r := range rs {
		if r.TokensPerSecond.Mean <= 0 || r.Speedup <= 0 {
			t.Errorf("%d streams: %+v", r.Streams, r)
		}
	}
	if rs[0].Speedup != 1 {
		t.Errorf("single-stream speedup %v", rs[0].Speedup)
	}
}
