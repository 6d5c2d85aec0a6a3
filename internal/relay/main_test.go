package relay

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestMainProgram: the command line and settings of both entry points,
// and what Main answers for each.
func TestMainProgram(t *testing.T) {
	var (
		usage    *UsageError
		settings *SettingsError
	)
	isUsage := func(err error) bool { return errors.As(err, &usage) }
	isSettings := func(err error) bool { return errors.As(err, &settings) }
	isHelp := func(err error) bool { return errors.Is(err, flag.ErrHelp) }
	isNil := func(err error) bool { return err == nil }
	good := func(more ...string) map[string]string {
		m := goodEnv()
		for i := 0; i+1 < len(more); i += 2 {
			m[more[i]] = more[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(error) bool
		say  []string // in the error
		log  []string // in the log
	}{
		{"-h", []string{"-h"}, good(), isHelp, nil, nil},
		{"--help", []string{"--help"}, good(), isHelp, nil, nil},
		{"an argument", []string{"serve"}, good(), isUsage, []string{"takes no arguments"}, nil},
		{"an unknown flag", []string{"--port", "1"}, good(), isUsage, []string{"-port"}, nil},
		{"--addr without its value", []string{"--addr"}, good(), isUsage, []string{"-addr"}, nil},
		{"a malformed --addr", []string{"--addr", "Sm7pS3cret"}, good(), isSettings, []string{"--addr", "not a listen address"}, nil},
		{"no settings", nil, map[string]string{}, isSettings, []string{EnvWebhookSecret, EnvGitHubToken, EnvRepository}, nil},
		{"the settings", nil, good(EnvAddr, "127.0.0.1:0"), isNil, nil, []string{`"relay listening"`, `"url":"http://127.0.0.1:`, `"relay stopped"`}},
		{"--addr wins over the variable", []string{"--addr", "127.0.0.1:0"}, good(EnvAddr, "8080"), isNil, nil, []string{`"url":"http://127.0.0.1:`}},
		{"--addr=", []string{"--addr=127.0.0.1:0"}, good(EnvAddr, "8080"), isNil, nil, []string{`"url":"http://127.0.0.1:`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Cancelled at once: a relay that starts drains and stops.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var log lockedBuffer
			err := Main(ctx, tt.args, env(tt.env), &log)
			if !tt.want(err) {
				t.Fatalf("Main = %#v (%v)\nlog:\n%s", err, err, log.String())
			}
			for _, s := range tt.say {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("the error does not say %q: %v", s, err)
				}
			}
			if err != nil && strings.Contains(strings.ToLower(err.Error()), "s3cret") {
				t.Errorf("the error shows the value: %v", err)
			}
			for _, s := range tt.log {
				if !strings.Contains(log.String(), s) {
					t.Errorf("the log does not hold %s:\n%s", s, log.String())
				}
			}
			if err != nil && log.String() != "" {
				t.Errorf("a relay that did not start logged:\n%s", log.String())
			}
		})
	}
}
