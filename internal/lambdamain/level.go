package lambdamain

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// levelHandler drops records below its level. The functions filter their own logs so
// that Lambda's filter can stay at INFO: it takes a line without a level, as the metrics'
// EMF lines are, for INFO, and would drop the metrics with the logs at WARN.
type levelHandler struct {
	slog.Handler
	level slog.Level
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelHandler{h.Handler.WithAttrs(attrs), h.level}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{h.Handler.WithGroup(name), h.level}
}

// withLevel returns h filtered at level, a LogLevel parameter value (DEBUG, INFO, WARN,
// ERROR, any case); empty leaves h as it is.
func withLevel(h slog.Handler, level string) (slog.Handler, error) {
	if level == "" {
		return h, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return h, fmt.Errorf("config: HERALD_LOG_LEVEL=%q: want DEBUG, INFO, WARN or ERROR", level)
	}
	return levelHandler{h, l}, nil
}
