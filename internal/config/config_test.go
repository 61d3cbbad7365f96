package config

import (
	"strings"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", 5 * time.Minute, false},
		{"168h", 168 * time.Hour, false},
		{" 90s ", 90 * time.Second, false},
		{"7d", 0, true},
		{"-1h", 0, true},
		{"0s", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			t.Setenv("HERALD_TEST_DURATION", tt.value)
			got, err := Duration("HERALD_TEST_DURATION", 5*time.Minute)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRequiredNamesVariable(t *testing.T) {
	t.Setenv("HERALD_TEST_REQUIRED", "")
	_, err := Required("HERALD_TEST_REQUIRED")
	if err == nil || !strings.Contains(err.Error(), "HERALD_TEST_REQUIRED") {
		t.Fatalf("err = %v, want it to name the variable", err)
	}
	t.Setenv("HERALD_TEST_REQUIRED", "x")
	if v, err := Required("HERALD_TEST_REQUIRED"); err != nil || v != "x" {
		t.Fatalf("got %q, %v", v, err)
	}
}

func TestInt(t *testing.T) {
	t.Setenv("HERALD_TEST_INT", "")
	if n, err := Int("HERALD_TEST_INT", 7); err != nil || n != 7 {
		t.Fatalf("default: got %d, %v", n, err)
	}
	t.Setenv("HERALD_TEST_INT", "42")
	if n, err := Int("HERALD_TEST_INT", 7); err != nil || n != 42 {
		t.Fatalf("got %d, %v", n, err)
	}
	t.Setenv("HERALD_TEST_INT", "x")
	if _, err := Int("HERALD_TEST_INT", 7); err == nil {
		t.Fatal("want an error for a non-integer")
	}
}
