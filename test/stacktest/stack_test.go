package stacktest

import "testing"

// TestBannerLine checks which of herald-local's lines give the banner's URLs.
func TestBannerLine(t *testing.T) {
	tests := []struct {
		line, name, url string // name "": not a banner line
	}{
		{"  HTTP API      http://127.0.0.1:41234", "HTTP API", "http://127.0.0.1:41234"},
		{"  NATS          nats://127.0.0.1:4222", "NATS", "nats://127.0.0.1:4222"},
		{"  SNS/SQS       http://127.0.0.1:4566", "SNS/SQS", "http://127.0.0.1:4566"},
		{"  Events topic  arn:aws:sns:us-east-1:000000000000:EventsTopic", "Events topic", "arn:aws:sns:us-east-1:000000000000:EventsTopic"},
		{"  Usage         http://127.0.0.1:41234/local/usage   (the billable calls counted so far; make cost reads it)", "Usage", "http://127.0.0.1:41234/local/usage"},
		{"  JWT secret    herald-local-development-secret   (HS256, development only)", "", ""},
		{"Router | HTTP API http://example.org", "", ""},
	}
	for _, tt := range tests {
		m := bannerLine.FindStringSubmatch(tt.line)
		switch {
		case tt.name == "" && m != nil:
			t.Errorf("%q taken as the banner's %s", tt.line, m[1])
		case tt.name != "" && (m == nil || m[1] != tt.name || m[2] != tt.url):
			t.Errorf("%q: got %q, want %s %s", tt.line, m, tt.name, tt.url)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"too long", 3, "too…"},
	}
	for _, tt := range tests {
		if got := Truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
