package testenv

import (
	"os"
	"testing"
)

var env *Env

func TestMain(m *testing.M) { os.Exit(Main(m, &env)) }
