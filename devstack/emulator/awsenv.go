package emulator

import "os"

// Region is the AWS region the emulators are used with.
const Region = "us-east-1"

// AWSEnv returns the environment that points the AWS SDK at the emulators: per-service
// endpoints, a region, and static credentials (the emulators accept any). A nil value
// means the variable must be unset, so that a developer's own AWS settings (profiles,
// session tokens, web identity, a global endpoint) cannot leak in.
func (e *Emulators) AWSEnv() map[string]*string {
	set := func(s string) *string { return &s }
	return map[string]*string{
		"AWS_ENDPOINT_URL_DYNAMODB": set(e.DynamoDB),
		"AWS_ENDPOINT_URL_SQS":      set(e.SQS),
		"AWS_ENDPOINT_URL_SNS":      set(e.SNS),
		"AWS_REGION":                set(Region),
		"AWS_ACCESS_KEY_ID":         set("local"),
		"AWS_SECRET_ACCESS_KEY":     set("local"),
		// Shared config files could name other endpoints or credential processes.
		"AWS_CONFIG_FILE":             set(os.DevNull),
		"AWS_SHARED_CREDENTIALS_FILE": set(os.DevNull),
		// Never wait for an instance metadata service that is not there.
		"AWS_EC2_METADATA_DISABLED": set("true"),

		"AWS_DEFAULT_REGION":                     nil,
		"AWS_PROFILE":                            nil,
		"AWS_DEFAULT_PROFILE":                    nil,
		"AWS_SESSION_TOKEN":                      nil,
		"AWS_SECURITY_TOKEN":                     nil,
		"AWS_ROLE_ARN":                           nil,
		"AWS_ROLE_SESSION_NAME":                  nil,
		"AWS_WEB_IDENTITY_TOKEN_FILE":            nil,
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     nil,
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": nil,
		"AWS_ENDPOINT_URL":                       nil,
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS":    nil,
	}
}

// Setenv applies vars to this process's environment (nil unsets) and returns a function
// that restores the previous values.
func Setenv(vars map[string]*string) (restore func()) {
	type prev struct {
		value string
		set   bool
	}
	saved := map[string]prev{}
	for k, v := range vars {
		old, ok := os.LookupEnv(k)
		saved[k] = prev{old, ok}
		if v == nil {
			os.Unsetenv(k)
		} else {
			os.Setenv(k, *v)
		}
	}
	return func() {
		for k, p := range saved {
			if p.set {
				os.Setenv(k, p.value)
			} else {
				os.Unsetenv(k)
			}
		}
	}
}
