package main

import (
	"encoding/json"

	"github.com/herdllm/herd/weights"
	"github.com/spf13/cobra"
)

// showFlags are the options of herd show.
var showFlags struct {
	tensors bool
	json    bool
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
	rootCmd.AddCommand(showCmd)
}

func runShow(cmd *cobra.Command, args []string) error {
	f, err := weights.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	s := weights.Describe(f)
	if showFlags.json {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return s.WriteText(cmd.OutOrStdout(), showFlags.tensors)
}
