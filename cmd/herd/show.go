package main

import (
	"encoding/json"
	"fmt"

	"github.com/herdllm/herd/tokenizer"
	"github.com/herdllm/herd/weights"
	"github.com/spf13/cobra"
)

// showFlags are the options of herd show.
var showFlags struct {
	tensors   bool
	json      bool
	tokenizer string
}

// showCmd describes a model file.
var showCmd = &cobra.Command{
	Use:   "show FILE",
	Short: "Describe a model file: architecture, size, quantization, RoPE, vocabulary",
	Long: "Show describes a model file (GGUF, llama2.c checkpoint, or Hugging Face directory or .safetensors):\n" +
		"its architecture, parameter count, file type and tensor type mix, hyperparameters, RoPE settings,\n" +
		"vocabulary and special tokens, and its general.*, adapter.* and training.* metadata.",
	Args: cobra.ExactArgs(1),
	RunE: runShow,
}

func init() {
	showCmd.Flags().BoolVar(&showFlags.tensors, "tensors", false, "list every tensor's name, type, shape and bytes")
	showCmd.Flags().BoolVar(&showFlags.json, "json", false, "print one JSON object (always with the tensor list)")
	showCmd.Flags().StringVar(&showFlags.tokenizer, "tokenizer", "", "describe this tokenizer's vocabulary when the model file has none")
	rootCmd.AddCommand(showCmd)
}

func runShow(cmd *cobra.Command, args []string) error {
	f, err := weights.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	if err := addTokenizer(f, args[0], showFlags.tokenizer); err != nil {
		return err
	}
	s := weights.Describe(f)
	if showFlags.json {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return s.WriteText(cmd.OutOrStdout(), showFlags.tensors)
}

// addTokenizer gives a checkpoint without a vocabulary (llama2.c, Hugging
// Face) the tokenizer.* keys of the tokenizer named by tokPath or, failing
// that, of one found beside it (tokenizer.FindBeside, as the engine looks).
// Only a named tokenizer that fails to load is an error.
func addTokenizer(f *weights.File, path, tokPath string) error {
	if _, ok := f.Meta.Get("tokenizer.ggml.tokens"); ok && tokPath == "" {
		return nil
	}
	if tokPath != "" {
		tok, err := tokenizer.Load(tokPath)
		if err != nil {
			return fmt.Errorf("show: %w", err)
		}
		tok.WriteGGUF(f.Meta)
		return nil
	}
	if f.Format == "gguf" {
		return nil
	}
	if tok, err := tokenizer.FindBeside(path); err == nil {
		tok.WriteGGUF(f.Meta)
	}
	return nil
}
