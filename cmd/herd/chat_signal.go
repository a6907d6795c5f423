package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

// signalContext returns the command's context, cancelled by Ctrl-C.
func signalContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return signal.NotifyContext(ctx, os.Interrupt)
}
