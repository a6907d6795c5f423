// Command herd runs, serves, inspects and fine-tunes Llama-family language
// models from a single static binary.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is the herd release this binary reports.
const version = "0.1.0"

// rootCmd is the herd command line; each subcommand registers itself in its
// own file's init.
var rootCmd = &cobra.Command{
	Use:           "herd",
	Short:         "Run, serve, inspect and fine-tune Llama-family models",
	Version:       version,
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "herd:", err)
		os.Exit(1)
	}
}
