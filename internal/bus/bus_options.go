package bus

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/config"
)

// Options say how to reach NATS.
type Options struct {
	URL       string // one or more server URLs, comma-separated
	Creds     []byte // a NATS .creds file's content (user JWT and seed); empty for none
	CredsFile string // path to a .creds file, used when Creds is empty
	CAFile    string // extra root CAs for tls:// servers, PEM
	Name      string // the connection name shown by the server's monitoring
}

// StreamOptions shape the HERALD_EVENTS stream.
type StreamOptions struct {
	ShelfLife    time.Duration // MaxAge: how long events stay readable
	DedupeWindow time.Duration // the Nats-Msg-Id duplicate window
	Replicas     int           // 1 locally; 3 on a production cluster
}

// Defaults: a week of shelf life and JetStream's own two-minute window.
const (
	DefaultShelfLife    = 168 * time.Hour
	DefaultDedupeWindow = 2 * time.Minute
)

// OptionsFromEnv reads HERALD_NATS_URL, HERALD_NATS_CREDS_SECRET (a Secrets Manager ARN,
// fetched now, with the AWS configuration from loadAWS), HERALD_NATS_CREDS_FILE and
// HERALD_NATS_CA_FILE. name labels the connection.
func OptionsFromEnv(ctx context.Context, loadAWS config.AWSLoader, name string) (Options, error) {
	url, err := config.Required("HERALD_NATS_URL")
	if err != nil {
		return Options{}, err
	}
	o := Options{
		URL:       url,
		CredsFile: config.String("HERALD_NATS_CREDS_FILE", ""),
		CAFile:    config.String("HERALD_NATS_CA_FILE", ""),
		Name:      name,
	}
	if arn := config.String("HERALD_NATS_CREDS_SECRET", ""); arn != "" {
		cfg, err := loadAWS(ctx)
		if err != nil {
			return Options{}, err
		}
		creds, err := config.Secret(ctx, cfg, arn)
		if err != nil {
			return Options{}, err
		}
		o.Creds = []byte(creds)
	}
	return o, nil
}

// StreamOptionsFromEnv reads HERALD_SHELF_LIFE, HERALD_DEDUPE_WINDOW and
// HERALD_STREAM_REPLICAS.
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
	return StreamOptions{ShelfLife: shelf, DedupeWindow: dedupe, Replicas: replicas}, nil
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
