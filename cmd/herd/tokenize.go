package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/herdllm/herd/tokenizer"
	"github.com/spf13/cobra"
)

// tokenizeFlags are the options of `herd tokenize`.
var tokenizeFlags struct {
	json    bool
	noBOS   bool
	special bool
}

var tokenizeCmd = &cobra.Command{
	Use:   "tokenize MODEL [TEXT]",
	Short: "Show the token ids and pieces of a text",
	Long: `Tokenize TEXT (or standard input when TEXT is absent) with the tokenizer of
MODEL: a GGUF file, a SentencePiece tokenizer.model, a llama2.c tokenizer.bin,
a Hugging Face tokenizer.json, or a directory holding one of them.

Standard input is used as it is, a final newline included.

Each line of output is a token id and the text it stands for (quoted). With
--json the output is {"ids":[...],"pieces":[...]}, pieces being the raw
vocabulary entries.`,
	Args: cobra.RangeArgs(1, 2),
	RunE: runTokenize,
}

func init() {
	f := tokenizeCmd.Flags()
	f.BoolVar(&tokenizeFlags.json, "json", false, `print {"ids":[…],"pieces":[…]}`)
	f.BoolVar(&tokenizeFlags.noBOS, "no-bos", false, "leave out BOS (and EOS) that the vocabulary adds")
	f.BoolVar(&tokenizeFlags.special, "special", false, "parse special tokens such as <|eot_id|> written in the text")
	rootCmd.AddCommand(tokenizeCmd)
}

func runTokenize(cmd *cobra.Command, args []string) error {
	tok, err := tokenizer.Load(args[0])
	if err != nil {
		return err
	}
	var text string
	if len(args) == 2 {
		text = args[1]
	} else {
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return fmt.Errorf("tokenize: reading standard input: %w", err)
		}
		text = string(b)
	}
	ids := tok.Encode(text, !tokenizeFlags.noBOS, tokenizeFlags.special)
	out := cmd.OutOrStdout()
	if tokenizeFlags.json {
		pieces := make([]string, len(ids))
		for i, id := range ids {
			pieces[i] = tok.Piece(id)
		}
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			IDs    []int    `json:"ids"`
			Pieces []string `json:"pieces"`
		}{ids, pieces})
	}
	for _, id := range ids {
		if _, err := fmt.Fprintf(out, "%6d %q\n", id, tok.TokenBytes(id)); err != nil {
			return err
		}
	}
	return nil
}
