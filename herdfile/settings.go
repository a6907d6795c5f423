package herdfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/herdllm/herd/sample"
)

// Settings are the generation settings of a chat: the sampler's options,
// the answer length and stop strings, and the context length. PARAMETER
// lines and herd chat's /set change them by name.
type Settings struct {
	Temperature      float32  `json:"temperature"`
	TopK             int      `json:"top_k"`
	TopP             float32  `json:"top_p"`
	MinP             float32  `json:"min_p"`
	RepeatPenalty    float32  `json:"repeat_penalty"`
	RepeatLastN      int      `json:"repeat_last_n"`
	PresencePenalty  float32  `json:"presence_penalty"`
	FrequencyPenalty float32  `json:"frequency_penalty"`
	Seed             int64    `json:"seed"`        // -1: a new seed for each answer
	NumPredict       int      `json:"num_predict"` // most tokens per answer; -1: no limit
	Stop             []string `json:"stop,omitempty"`
	NumCtx           int      `json:"num_ctx,omitempty"` // context length; 0: the model's
}

// DefaultSettings returns sample.Defaults with a random seed, no answer
// limit and no stop strings.
func DefaultSettings() Settings {
	d := sample.Defaults()
	return Settings{
		Temperature:      d.Temperature,
		TopK:             d.TopK,
		TopP:             d.TopP,
		MinP:             d.MinP,
		RepeatPenalty:    d.RepeatPenalty,
		RepeatLastN:      d.RepeatLastN,
		PresencePenalty:  d.PresencePenalty,
		FrequencyPenalty: d.FrequencyPenalty,
		Seed:             -1,
		NumPredict:       -1,
	}
}

// Sampling returns the sampler options with the given seed (used when the
// settings' Seed is -1).
func (s Settings) Sampling(randomSeed uint64) sample.Options {
	seed := randomSeed
	if s.Seed >= 0 {
		seed = uint64(s.Seed)
	}
	return sample.Options{
		Temperature:      s.Temperature,
		TopK:             s.TopK,
		TopP:             s.TopP,
		MinP:             s.MinP,
		RepeatPenalty:    s.RepeatPenalty,
		RepeatLastN:      s.RepeatLastN,
		PresencePenalty:  s.PresencePenalty,
		FrequencyPenalty: s.FrequencyPenalty,
		Seed:             seed,
	}
}

// Names lists the canonical setting names in display order.
var Names = []string{"temperature", "top_k", "top_p", "min_p", "repeat_penalty", "repeat_last_n",
	"presence_penalty", "frequency_penalty", "seed", "num_predict", "stop", "num_ctx"}

// aliases maps other spellings to canonical names.
var aliases = map[string]string{
	"temp":       "temperature",
	"max_tokens": "num_predict",
	"n_predict":  "num_predict",
	"ctx":        "num_ctx",
}

// Canonical returns the canonical name of a setting (case, '-' for '_' and
// aliases such as temp or max_tokens accepted), or an error naming the
// known settings.
func Canonical(name string) (string, error) {
	n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
	if a, ok := aliases[n]; ok {
		n = a
	}
	for _, k := range Names {
		if k == n {
			return n, nil
		}
	}
	return "", fmt.Errorf("unknown parameter %s (known: %s)", excerpt(name), strings.Join(Names, ", "))
}

// Set changes the setting called name to value. For "stop" it adds value
// to the stop strings (ResetStop clears them).
func (s *Settings) Set(name, value string) error {
	canon, err := Canonical(name)
	if err != nil {
		return err
	}
	value = strings.TrimSpace(value)
	bad := func(want string) error {
		return fmt.Errorf("parameter %s: %s is not %s", canon, excerpt(value), want)
	}
	f32 := func(dst *float32) error {
		v, err := strconv.ParseFloat(value, 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("a number")
		}
		*dst = float32(v)
		return nil
	}
	integer := func(dst *int, lo int) error {
		v, err := strconv.Atoi(value)
		if err != nil || v < lo {
			return bad(fmt.Sprintf("a whole number of at least %d", lo))
		}
		*dst = v
		return nil
	}
	switch canon {
	case "temperature":
		return f32(&s.Temperature)
	case "top_k":
		return integer(&s.TopK, 0)
	case "top_p":
		return f32(&s.TopP)
	case "min_p":
		return f32(&s.MinP)
	case "repeat_penalty":
		return f32(&s.RepeatPenalty)
	case "repeat_last_n":
		return integer(&s.RepeatLastN, -1)
	case "presence_penalty":
		return f32(&s.PresencePenalty)
	case "frequency_penalty":
		return f32(&s.FrequencyPenalty)
	case "seed":
		v, err := strconv.ParseInt(value, 10, 64)
		if err != nil || v < -1 {
			return bad("a whole number (-1: random)")
		}
		s.Seed = v
	case "num_predict":
		return integer(&s.NumPredict, -1)
	case "num_ctx":
		return integer(&s.NumCtx, 0)
	case "stop":
		if value == "" {
			return fmt.Errorf("parameter stop: empty stop string")
		}
		s.Stop = append(s.Stop, value)
	}
	return nil
}

// ResetStop removes every stop string.
func (s *Settings) ResetStop() { s.Stop = nil }

// Get returns the value of the setting called name as text (stop strings
// quoted, separated by spaces).
func (s *Settings) Get(name string) (string, error) {
	canon, err := Canonical(name)
	if err != nil {
		return "", err
	}
	f := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
	switch canon {
	case "temperature":
		return f(s.Temperature), nil
	case "top_k":
		return strconv.Itoa(s.TopK), nil
	case "top_p":
		return f(s.TopP), nil
	case "min_p":
		return f(s.MinP), nil
	case "repeat_penalty":
		return f(s.RepeatPenalty), nil
	case "repeat_last_n":
		return strconv.Itoa(s.RepeatLastN), nil
	case "presence_penalty":
		return f(s.PresencePenalty), nil
	case "frequency_penalty":
		return f(s.FrequencyPenalty), nil
	case "seed":
		return strconv.FormatInt(s.Seed, 10), nil
	case "num_predict":
		return strconv.Itoa(s.NumPredict), nil
	case "num_ctx":
		return strconv.Itoa(s.NumCtx), nil
	}
	q := make([]string, len(s.Stop))
	for i, x := range s.Stop {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, " "), nil
}

// Apply sets every parameter in order, onto s.
func (s *Settings) Apply(params []Parameter) error {
	for _, p := range params {
		if err := s.Set(p.Name, p.Value); err != nil {
			return &Error{Line: p.Line, Msg: err.Error()}
		}
	}
	return nil
}

// checkParameter validates a PARAMETER line and returns its canonical name.
func checkParameter(name, value string) (string, error) {
	var s Settings
	if err := s.Set(name, value); err != nil {
		return "", err
	}
	return Canonical(name)
}
