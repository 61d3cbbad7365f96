package reply_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/reply"
)

func TestKeyringFromEnv(t *testing.T) {
	keys := "k2:" + base64.StdEncoding.EncodeToString(secret("k2", "live")) + ",k1:" + base64.StdEncoding.EncodeToString(secret("k1", "live"))
	tests := []struct {
		name    string
		keys    string // HERALD_REPLY_KEYS
		secret  string // the value of the secret HERALD_REPLY_KEYS_SECRET names; "" for none
		wantIDs []string
		wantErr string
	}{
		{"from the variable", keys, "", []string{"k2", "k1"}, ""},
		{"from Secrets Manager", "", keys, []string{"k2", "k1"}, ""},
		{"neither", "", "", nil, "neither HERALD_REPLY_KEYS_SECRET nor HERALD_REPLY_KEYS is set"},
		{"both", keys, keys, nil, "not both"},
		{"malformed variable", "k1:c2hvcnQ=", "", nil, `config: HERALD_REPLY_KEYS: reply: key "k1": the secret must be at least 32 bytes`},
		{"malformed secret", "", "k1:c2hvcnQ=", nil, `config: the secret in HERALD_REPLY_KEYS_SECRET: reply: key "k1": the secret must be at least 32 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_REPLY_KEYS", tt.keys)
			t.Setenv("HERALD_REPLY_KEYS_SECRET", "")
			if tt.secret != "" {
				t.Setenv("HERALD_REPLY_KEYS_SECRET", fakeSecretsManager(t, tt.secret))
			}
			k, err := reply.KeyringFromEnv(context.Background(), config.AWS)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("KeyringFromEnv = %v, %v; want an error containing %q", k, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("KeyringFromEnv: %v", err)
			}
			if got := k.IDs(); !slices.Equal(got, tt.wantIDs) {
				t.Errorf("IDs = %v, want %v", got, tt.wantIDs)
			}
		})
	}
}

// TestKeyringFromEnvLoadsAWSOnlyForTheSecret checks that the keyring gets the AWS
// configuration from the loader it is given, which a cold start shares between its
// parts, and only when the keys are in Secrets Manager.
func TestKeyringFromEnvLoadsAWSOnlyForTheSecret(t *testing.T) {
	errNoAWS := errors.New("no AWS configuration here")
	keys := "k1:" + base64.StdEncoding.EncodeToString(secret("k1", "live"))
	tests := []struct {
		name      string
		keys      string // HERALD_REPLY_KEYS
		arn       string // HERALD_REPLY_KEYS_SECRET
		wantLoads int
	}{
		{"from the variable", keys, "", 0},
		{"from Secrets Manager", "", "arn:aws:secretsmanager:eu-west-1:1:secret:reply", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_REPLY_KEYS", tt.keys)
			t.Setenv("HERALD_REPLY_KEYS_SECRET", tt.arn)
			loads := 0
			_, err := reply.KeyringFromEnv(t.Context(), func(context.Context) (aws.Config, error) {
				loads++
				return aws.Config{}, errNoAWS
			})
			if loads != tt.wantLoads {
				t.Errorf("loaded the AWS configuration %d times, want %d", loads, tt.wantLoads)
			}
			switch {
			case tt.wantLoads > 0 && !errors.Is(err, errNoAWS):
				t.Errorf("err = %v, want the loader's %v", err, errNoAWS)
			case tt.wantLoads == 0 && err != nil:
				t.Errorf("err = %v, want none", err)
			}
		})
	}
}

// fakeSecretsManager serves GetSecretValue on a loopback port, returning value for
// one secret ARN, points the AWS SDK at it with credentials of its own, and returns the
// ARN.
func fakeSecretsManager(t *testing.T, value string) string {
	t.Helper()
	const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:herald-reply-keys"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ SecretId string }
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || json.NewDecoder(r.Body).Decode(&in) != nil || in.SecretId != arn {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"no such secret"}`))
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(map[string]string{"ARN": arn, "Name": "herald-reply-keys", "SecretString": value})
	}))
	t.Cleanup(srv.Close)
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": srv.URL,
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                "test",
		"AWS_SECRET_ACCESS_KEY":            "test",
		"AWS_SESSION_TOKEN":                "",
		"AWS_PROFILE":                      "",
		"AWS_CONFIG_FILE":                  none,
		"AWS_SHARED_CREDENTIALS_FILE":      none,
		"AWS_EC2_METADATA_DISABLED":        "true",
	} {
		t.Setenv(k, v)
	}
	return arn
}
