package main

import "github.com/heraldhq/herald/internal/config"

// region reads a variable through the config package under its own name.
func region() (string, error) {
	return config.Required("HERALD_APP_REGION")
}

// unused reads a variable, but nothing calls it.
func unused() string {
	return config.String("HERALD_APP_UNUSED", "")
}

// describe mentions a variable without reading it.
func describe() string {
	return "HERALD_APP_DESCRIBED"
}
