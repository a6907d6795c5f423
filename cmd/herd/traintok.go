package main

import (
	"fmt"
	"os"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/train"
	"github.com/spf13/cobra"
)

// trainTokFlags are the options of `herd train-tokenizer`.
var trainTokFlags struct {
	vocab int
	out   string
}

var trainTokCmd = &cobra.Command{
	Use:   "train-tokenizer CORPUS... -o tok.gguf",
	Short: "Learn a SentencePiece-style BPE vocabulary from text",
	Long: `Learn a BPE vocabulary with byte fallback (<unk>, <s>, </s>, 256 byte pieces,
then merged pieces with ▁ for spaces) from the corpus files and write it as a
vocabulary-only GGUF with llama.cpp's tokenizer.ggml.* keys (model "llama").`,
	Args: cobra.MinimumNArgs(1),
	RunE: runTrainTok,
}

func init() {
	f := trainTokCmd.Flags()
	f.IntVar(&trainTokFlags.vocab, "vocab", 512, "vocabulary size")
	f.StringVarP(&trainTokFlags.out, "output", "o", "tokenizer.gguf", "GGUF file to write")
	rootCmd.AddCommand(trainTokCmd)
}

func runTrainTok(cmd *cobra.Command, args []string) error {
	var corpus []byte
	for _, p := range args {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("train-tokenizer: %w", err)
		}
		corpus = append(append(corpus, b...), '\n')
	}
	v, err := train.TrainTokenizer(string(corpus), train.TokenizerOptions{VocabSize: trainTokFlags.vocab})
	if err != nil {
		return err
	}
	meta := gguf.NewMetadata()
	meta.Set("general.architecture", "llama")
	meta.Set("general.name", "herd-bpe")
	v.WriteGGUF(meta)
	if err := gguf.WriteFile(trainTokFlags.out, meta, nil); err != nil {
		return fmt.Errorf("train-tokenizer: %w", err)
	}
	sample := string(corpus[:min(len(corpus), 400)])
	ids := v.Encode(sample, false, false)
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d tokens; the first %d bytes of the corpus take %d tokens (%.2f bytes per token)\n",
		trainTokFlags.out, v.Size(), len(sample), len(ids), float64(len(sample))/float64(max(1, len(ids))))
	return nil
}
