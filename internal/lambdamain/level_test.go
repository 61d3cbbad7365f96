package lambdamain

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestWithLevel checks that the functions' own filter drops records below the
// LogLevel parameter's level, whatever the handler beneath lets through.
func TestWithLevel(t *testing.T) {
	tests := []struct {
		level   string
		logged  []string
		wantErr bool
	}{
		{"", []string{"debug", "info", "warn", "error"}, false},
		{"DEBUG", []string{"debug", "info", "warn", "error"}, false},
		{"INFO", []string{"info", "warn", "error"}, false},
		{"warn", []string{"warn", "error"}, false},
		{"ERROR", []string{"error"}, false},
		{"LOUD", []string{"debug", "info", "warn", "error"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			h, err := withLevel(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), tt.level)
			if (err != nil) != tt.wantErr {
				t.Fatalf("withLevel(%q) error = %v", tt.level, err)
			}
			log := slog.New(h).With("fn", "test")
			log.Debug("debug")
			log.Info("info")
			log.Warn("warn")
			log.Error("error")
			var got []string
			for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
				if i := strings.Index(line, `"msg":"`); i >= 0 {
					got = append(got, strings.SplitN(line[i+7:], `"`, 2)[0])
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.logged, ",") {
				t.Errorf("logged %v, want %v", got, tt.logged)
			}
		})
	}
}
