package main

import (
	"os"
	"testing"
)

// TestOnly reads a variable only a test uses, which the scanner must not report.
func TestOnly(t *testing.T) {
	_ = os.Getenv("HERALD_APP_TEST_ONLY")
}
