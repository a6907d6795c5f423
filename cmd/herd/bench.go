package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/herdllm/herd/bench"
	"github.com/herdllm/herd/synth"
)

// benchFlags are the settings of herd bench.
type benchFlags struct {
	prompt, gen, reps int
	threads           []int
	json              bool
	synthetic         string
	typ               string
	streams           []int
	cpuProfile        string
}

func init() { rootCmd.AddCommand(newBenchCmd()) }

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench [MODEL]",
		Short: "Measure prompt processing and decoding speed",
		Long: `Measure a model's prompt processing (-p tokens at once) and decoding
(-n tokens one by one) speed in tokens per second, over -r repetitions, for
each thread count. Decoding is also shown as a share of the ceiling this
machine's memory read bandwidth sets (weight bytes read per token).

With --streams it instead measures aggregate decoding speed of that many
concurrent generations through the continuous-batching scheduler (as
herd serve runs them), and the gain over a single stream.

Without MODEL it measures the built-in model. --synthetic SHAPE writes (once,
into the cache) a random-weight model of a real shape and --type, and
measures that. Shapes: ` + fmt.Sprint(synth.ShapeNames()) + `.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBench(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&f.prompt, "prompt", "p", 512, "prompt tokens to process (0: skip)")
	fl.IntVarP(&f.gen, "gen", "n", 128, "tokens to generate (0: skip)")
	fl.IntVarP(&f.reps, "reps", "r", 3, "repetitions of each test")
	fl.IntSliceVarP(&f.threads, "threads", "t", nil, "thread counts to measure, e.g. 1,2 (default: every CPU)")
	fl.BoolVar(&f.json, "json", false, "print the results as JSON")
	fl.StringVar(&f.synthetic, "synthetic", "", "benchmark a random-weight model of this shape")
	fl.IntSliceVar(&f.streams, "streams", nil, "instead of -p/-n tests, measure aggregate decoding of this many concurrent streams through the batching scheduler, e.g. 1,4,8,16 (-n tokens each)")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the measurements to this file (for go tool pprof)")
	fl.StringVar(&f.typ, "type", "Q4_0", "file type of the --synthetic model (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K_M, Q5_K_M, Q6_K)")
	return cmd
}

func runBench(cmd *cobra.Command, args []string, f *benchFlags) error {
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	if f.synthetic != "" {
		if path != "" {
			return fmt.Errorf("bench: give a MODEL or --synthetic, not both")
		}
		shape, err := synth.LookupShape(f.synthetic)
		if err != nil {
			return err
		}
		mix, err := synth.LookupMix(f.typ)
		if err != nil {
			return err
		}
		dir, err := synth.CacheDir()
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "synthetic %s %s in %s\n", shape.Name, mix.Name, dir)
		if path, err = synth.Cached(dir, shape, mix); err != nil {
			return err
		}
	}
	if f.cpuProfile != "" {
		out, err := os.Create(f.cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return fmt.Errorf("bench: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if len(f.streams) > 0 {
		return benchStreams(cmd, path, f)
	}
	results, err := bench.Run(cmd.Context(), path, bench.Options{Prompt: f.prompt, Gen: f.gen, Reps: f.reps, Threads: f.threads})
	if err != nil {
		return err
	}
	if f.json {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	writeBenchTable(cmd.OutOrStdout(), results)
	return nil
}

// writeBenchTable prints results as llama-bench does, with the bandwidth
// ceiling for decoding.
func writeBenchTable(w io.Writer, results []bench.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\ttype\tsize\tparams\tthreads\ttest\tt/s\tceiling t/s\tshare\t")
	for _, r := range results {
		ceiling, share := "", ""
		if r.Ceiling > 0 {
			ceiling = fmt.Sprintf("%.1f (%.1f GB/s)", r.Ceiling, r.Bandwidth/1e9)
			share = fmt.Sprintf("%.0f%%", 100*r.Share)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f GiB\t%.2f B\t%d\t%s\t%.2f ± %.2f\t%s\t%s\t\n",
			r.Model, r.Type, float64(r.Size)/(1<<30), float64(r.Params)/1e9, r.Threads, r.Test,
			r.TokensPerSecond.Mean, r.TokensPerSecond.StdDev, ceiling, share)
	}
	tw.Flush()
}

// benchStreams measures aggregate decoding over concurrent streams, once per
// thread count.
func benchStreams(cmd *cobra.Command, path string, f *benchFlags) error {
	threads := f.threads
	if len(threads) == 0 {
		threads = []int{0}
	}
	var all []bench.StreamResult
	for _, t := range threads {
		rs, err := bench.RunStreams(cmd.Context(), path, f.streams, f.gen, f.reps, t)
		if err != nil {
			return err
		}
		all = append(all, rs...)
	}
	if f.json {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tthreads\tstreams\ttokens each\taggregate t/s\tvs 1 stream\t")
	for _, r := range all {
		speedup := ""
		if r.Speedup > 0 {
			speedup = fmt.Sprintf("%.2fx", r.Speedup)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.2f ± %.2f\t%s\t\n", r.Model, r.Threads, r.Streams, r.Tokens,
			r.TokensPerSecond.Mean, r.TokensPerSecond.StdDev, speedup)
	}
	return tw.Flush()
}
