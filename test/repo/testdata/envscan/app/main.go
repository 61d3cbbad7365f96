// Command app is scanned by TestScanEnvReads: it reads HERALD_ variables in each of the
// ways the scanner recognises, and mentions others that it does not read.
package main

import (
	"fmt"
	"os"

	"example.com/envscan/names"
	cfg "github.com/heraldhq/herald/internal/config"
)

// modeVar names a variable through a constant of this package.
const modeVar = "HERALD_APP_MODE"

// streamName is a HERALD_ name that is not an environment variable.
const streamName = "HERALD_APP_STREAM"

// settings has a method that main reaches through a method value.
type settings struct{}

// Token reads a variable with os.LookupEnv.
func (settings) Token() string {
	v, _ := os.LookupEnv("HERALD_APP_TOKEN")
	return v
}

func main() {
	url := os.Getenv("HERALD_APP_URL")
	token := settings{}.Token
	mode := cfg.String(modeVar, "lambda")
	timeout, _ := cfg.Duration(names.Timeout, 0)
	r, _ := region()
	aws := os.Getenv("AWS_REGION")
	fmt.Println(url, token(), mode, timeout, r, aws, streamName, names.Stream, names.Level)
}
