package reply

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldhq/herald/internal/config"
)

// KeyringFromEnv reads the reply keys in the form ParseKeyring takes, from the Secrets
// Manager secret whose ARN is in HERALD_REPLY_KEYS_SECRET (fetched now, as bus does
// with the NATS credentials, so that the keys never show in the function's
// configuration), or else from HERALD_REPLY_KEYS (the local stack and tests). Setting
// both is an error, since it is unclear which was meant. loadAWS gives the AWS
// configuration, and is called only for the secret.
func KeyringFromEnv(ctx context.Context, loadAWS config.AWSLoader) (*Keyring, error) {
	arn := config.String("HERALD_REPLY_KEYS_SECRET", "")
	keys := config.String("HERALD_REPLY_KEYS", "")
	from := "HERALD_REPLY_KEYS"
	switch {
	case arn != "" && keys != "":
		return nil, errors.New("config: set HERALD_REPLY_KEYS_SECRET or HERALD_REPLY_KEYS, not both")
	case arn == "" && keys == "":
		return nil, errors.New("config: neither HERALD_REPLY_KEYS_SECRET nor HERALD_REPLY_KEYS is set")
	case arn != "":
		from = "the secret in HERALD_REPLY_KEYS_SECRET"
		cfg, err := loadAWS(ctx)
		if err != nil {
			return nil, err
		}
		if keys, err = config.Secret(ctx, cfg, arn); err != nil {
			return nil, err
		}
	}
	k, err := ParseKeyring(keys)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", from, err)
	}
	return k, nil
}
