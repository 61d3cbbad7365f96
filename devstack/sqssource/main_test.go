package sqssource

import (
	"os"
	"testing"

	"github.com/heraldhq/herald/devstack/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }
