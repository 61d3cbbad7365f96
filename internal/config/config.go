package config

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// String returns the variable's value, or def when it is unset or empty.
func String(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

// Required returns the variable's value or an error naming it.
func Required(name string) (string, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return "", fmt.Errorf("config: %s is not set", name)
	}
	return v, nil
}

// Duration parses the variable as a Go duration ("168h"), or returns def when unset.
func Duration(name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("config: %s=%q is not a positive duration such as 168h", name, v)
	}
	return d, nil
}

// Int parses the variable as a decimal integer, or returns def when unset.
func Int(name string, def int) (int, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("config: %s=%q is not an integer", name, v)
	}
	return n, nil
}

// AWS loads the SDK configuration from the environment. Endpoints for local emulators
// come from the standard AWS_ENDPOINT_URL_<SERVICE> variables, so no code here knows
// whether it talks to AWS or to the local stack.
func AWS(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("config: loading AWS configuration: %w", err)
	}
	return cfg, nil
}

// Secret returns the string value of a Secrets Manager secret. Functions fetch secrets at
// cold start rather than through environment variables so that they never show in the
// function's configuration.
func Secret(ctx context.Context, cfg aws.Config, arn string) (string, error) {
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("config: reading secret %s: %w", arn, err)
	}
	if out.SecretString != nil {
		return *out.SecretString, nil
	}
	return string(out.SecretBinary), nil
}

// Days reads the environment variable name as a whole number of days, at least 1, or
// returns def when it is unset.
func Days(name string, def time.Duration) (time.Duration, error) {
	n, err := Int(name, int(def/(24*time.Hour)))
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("%s must be at least 1 day, not %d", name, n)
	}
	return time.Duration(n) * 24 * time.Hour, nil
}
