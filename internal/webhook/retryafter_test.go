package webhook

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"99999999999", maxRetryAfter},
		{"999999999999999999999999", maxRetryAfter},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Sunday, 22-Nov-26 19:00:00 GMT", time.Hour},  // RFC 850
		{"Sun Nov 22 18:00:30 2026", 30 * time.Second}, // asctime
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.AddDate(5, 0, 0).Format(http.TimeFormat), maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
