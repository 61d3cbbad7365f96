package browser

import (
	"os"
	"testing"

	"github.com/heraldhq/herald/test/stacktest"
)

// TestMain removes, after the tests, the binaries stacktest built for them, if it built any.
func TestMain(m *testing.M) { os.Exit(stacktest.Main(m)) }
