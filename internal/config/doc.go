// Package config reads a function's settings from its environment, the way Lambda passes
// them (template.yaml sets every variable), and loads the AWS SDK configuration once.
// Errors name the variable so that a misconfigured deployment says what to fix.
package config
