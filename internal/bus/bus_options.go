package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/config"
)

// Options say how to reach NATS.
type Options struct {
	URL       string // one or more server URLs, comma-separated
	Creds     []byte // a NATS .creds file's content (user JWT and seed); empty for none
	CredsFile string // path to a .creds file, used when Creds is empty
	CA        []byte // root CAs of tls:// servers with a private CA, PEM; empty for the system's
	CAFile    string // path to such a PEM bundle, used when CA is empty
	Name      string // the connection name shown by the server's monitoring
}

// StreamOptions shape the HERALD_EVENTS stream.
type StreamOptions struct {
	ShelfLife    time.Duration // MaxAge: how long events stay readable
	DedupeWindow time.Duration // the Nats-Msg-Id duplicate window
	Replicas     int           // 1 locally; 3 on a production cluster
	// MaxBytes bounds the stream's storage (each replica's), discarding the oldest
	// events past it; 0 or less for no bound, which only tests use.
	MaxBytes int64
}

// Defaults: a week of shelf life, JetStream's own two-minute window, and 4 GiB of
// events: a week of about five 1 KiB events a second, the pace of a small deployment
// (the template's StreamMaxBytes; docs/deploy.md says how to size it).
const (
	DefaultShelfLife      = 168 * time.Hour
	DefaultDedupeWindow   = 2 * time.Minute
	DefaultStreamMaxBytes = 4 << 30
)

// MinStreamMaxBytes is the smallest StreamMaxBytes taken: room for a few largest
// events, so that a bound set too small still stores every event it accepts.
const MinStreamMaxBytes = 1 << 20

// OptionsFromEnv reads HERALD_NATS_URL, HERALD_NATS_CREDS_SECRET and HERALD_NATS_CA_SECRET
// (Secrets Manager ARNs of a .creds file and of a PEM bundle of root CAs, fetched now
// with the AWS configuration from loadAWS), and HERALD_NATS_CREDS_FILE and
// HERALD_NATS_CA_FILE, their local forms. name labels the connection.
func OptionsFromEnv(ctx context.Context, loadAWS config.AWSLoader, name string) (Options, error) {
	url, err := config.Required("HERALD_NATS_URL")
	if err != nil {
		return Options{}, err
	}
	o := Options{
		URL:       url,
		CredsFile: config.String("HERALD_NATS_CREDS_FILE", ""),
		Name:      name,
	}
	if err := o.readCA(ctx, loadAWS); err != nil {
		return Options{}, err
	}
	if o.Creds, err = secretFromEnv(ctx, loadAWS, "HERALD_NATS_CREDS_SECRET"); err != nil {
		return Options{}, err
	}
	return o, nil
}

// readCA sets the root CAs from HERALD_NATS_CA_SECRET or HERALD_NATS_CA_FILE: a private
// NATS's CA applies to Herald's connection and the actions' alike.
func (o *Options) readCA(ctx context.Context, loadAWS config.AWSLoader) error {
	o.CAFile = config.String("HERALD_NATS_CA_FILE", "")
	var err error
	o.CA, err = secretFromEnv(ctx, loadAWS, "HERALD_NATS_CA_SECRET")
	return err
}

// secretFromEnv fetches the secret whose ARN the variable env holds; nil when it is empty.
func secretFromEnv(ctx context.Context, loadAWS config.AWSLoader, env string) ([]byte, error) {
	arn := config.String(env, "")
	if arn == "" {
		return nil, nil
	}
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	v, err := config.Secret(ctx, cfg, arn)
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

// StreamOptionsFromEnv reads HERALD_SHELF_LIFE, HERALD_DEDUPE_WINDOW,
// HERALD_STREAM_REPLICAS and HERALD_STREAM_MAX_BYTES (at least MinStreamMaxBytes).
func StreamOptionsFromEnv() (StreamOptions, error) {
	shelf, err := config.Duration("HERALD_SHELF_LIFE", DefaultShelfLife)
	if err != nil {
		return StreamOptions{}, err
	}
	dedupe, err := config.Duration("HERALD_DEDUPE_WINDOW", DefaultDedupeWindow)
	if err != nil {
		return StreamOptions{}, err
	}
	replicas, err := config.Int("HERALD_STREAM_REPLICAS", 1)
	if err != nil {
		return StreamOptions{}, err
	}
	maxBytes, err := config.Int("HERALD_STREAM_MAX_BYTES", DefaultStreamMaxBytes)
	if err != nil {
		return StreamOptions{}, err
	}
	if maxBytes < MinStreamMaxBytes {
		return StreamOptions{}, fmt.Errorf("config: HERALD_STREAM_MAX_BYTES=%d is below the least, %d (1 MiB)", maxBytes, MinStreamMaxBytes)
	}
	return StreamOptions{ShelfLife: shelf, DedupeWindow: dedupe, Replicas: replicas, MaxBytes: int64(maxBytes)}, nil
}

// Open connects to NATS as the environment says (OptionsFromEnv) and makes sure the
// streams exist as it says (StreamOptionsFromEnv): what every function that uses the bus
// does once per cold start. loadAWS gives the AWS configuration if a secret is to be
// read; name labels the connection.
func Open(ctx context.Context, loadAWS config.AWSLoader, name string) (jetstream.JetStream, error) {
	opts, err := OptionsFromEnv(ctx, loadAWS, name)
	if err != nil {
		return nil, err
	}
	streamOpts, err := StreamOptionsFromEnv()
	if err != nil {
		return nil, err
	}
	nc, err := Connect(opts)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	if _, err := EnsureStreams(ctx, js, streamOpts); err != nil {
		nc.Close()
		return nil, err
	}
	return js, nil
}
