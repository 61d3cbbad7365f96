package bus

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/internal/config"
)

// The variables that say how nats actions reach NATS. They name a NATS user of its own,
// whose permissions allow publishing only in the action namespace, so that the server
// itself refuses a publish anywhere else (the JetStream API, Herald's own subjects).
const (
	envActionsURL    = "HERALD_ACTIONS_NATS_URL"
	envActionsSecret = "HERALD_ACTIONS_NATS_CREDS_SECRET"
	envActionsFile   = "HERALD_ACTIONS_NATS_CREDS_FILE"
)

// ActionsConfigured reports whether the environment gives nats actions a connection of
// their own (any of HERALD_ACTIONS_NATS_URL, HERALD_ACTIONS_NATS_CREDS_SECRET and
// HERALD_ACTIONS_NATS_CREDS_FILE set). Without one, nats actions are refused.
func ActionsConfigured() bool {
	return config.String(envActionsURL, "") != "" || config.String(envActionsSecret, "") != "" || config.String(envActionsFile, "") != ""
}

// ActionsOptionsFromEnv reads how nats actions reach NATS: HERALD_ACTIONS_NATS_URL (which
// may carry user:password), HERALD_ACTIONS_NATS_CREDS_SECRET (a Secrets Manager ARN of a
// .creds file, fetched now with the AWS configuration from loadAWS) and
// HERALD_ACTIONS_NATS_CREDS_FILE. The URL defaults to HERALD_NATS_URL when a .creds file
// or secret is given; the NATS CA (HERALD_NATS_CA_SECRET or _FILE) applies as for Herald's
// own connection. ok is
// false when none of the three is set.
//
// It refuses settings that would publish with Herald's own authority: a URL that names
// no user and comes with no .creds, or the same secret or file as Herald's connection.
func ActionsOptionsFromEnv(ctx context.Context, loadAWS config.AWSLoader, name string) (o Options, ok bool, err error) {
	if !ActionsConfigured() {
		return Options{}, false, nil
	}
	secret := config.String(envActionsSecret, "")
	o = Options{
		URL:       config.String(envActionsURL, ""),
		CredsFile: config.String(envActionsFile, ""),
		Name:      name,
	}
	hasCreds := secret != "" || o.CredsFile != ""
	if o.URL == "" {
		// Only with credentials of its own: the same URL alone would be Herald's login.
		if !hasCreds {
			return Options{}, false, fmt.Errorf("bus: %s is empty", envActionsURL)
		}
		if o.URL, err = config.Required("HERALD_NATS_URL"); err != nil {
			return Options{}, false, err
		}
	}
	if !hasCreds && !urlsNameUser(o.URL) {
		return Options{}, false, fmt.Errorf("bus: %s names no user and no .creds are given: nats actions need a NATS user of their own", envActionsURL)
	}
	if secret != "" && secret == config.String("HERALD_NATS_CREDS_SECRET", "") {
		return Options{}, false, fmt.Errorf("bus: %s is Herald's own secret: nats actions need a NATS user of their own", envActionsSecret)
	}
	if o.CredsFile != "" && o.CredsFile == config.String("HERALD_NATS_CREDS_FILE", "") {
		return Options{}, false, fmt.Errorf("bus: %s is Herald's own .creds file: nats actions need a NATS user of their own", envActionsFile)
	}
	if o.Creds, err = secretFromEnv(ctx, loadAWS, envActionsSecret); err != nil {
		return Options{}, false, err
	}
	if err := o.readCA(ctx, loadAWS); err != nil {
		return Options{}, false, err
	}
	return o, true, nil
}

// urlsNameUser reports whether every URL of a comma-separated list carries a user (or a
// token) to log in with.
func urlsNameUser(list string) bool {
	for _, s := range strings.Split(list, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.User == nil || u.User.Username() == "" {
			return false
		}
	}
	return true
}

// ActionsInboxPrefix is where the answers to nats actions' publishes come back: a
// stream's acknowledgement, or the server's "no responders". The actions user may
// subscribe to ActionsInboxPrefix.> and to nothing else; publishing there is refused to
// it (and to every action) with the rest of _INBOX.>, so no action can forge an answer.
// No other connection's inbox is under it: nats.go names inboxes _INBOX.<22 letters and
// digits>, and "herald-actions" holds a hyphen.
const ActionsInboxPrefix = "_INBOX.herald-actions"

// ActionsInbox returns a fresh reply subject under ActionsInboxPrefix.
func ActionsInbox() string {
	return ActionsInboxPrefix + strings.TrimPrefix(nats.NewInbox(), "_INBOX")
}

// OpenActions connects as ActionsOptionsFromEnv says: a plain core connection, with no
// JetStream context, which publishes and subscribes only to the replies of its own
// publishes (ActionsInbox). It returns
// nil and no error when the environment configures none; nats actions are then refused.
// loadAWS gives the AWS configuration if a secret is to be read; name labels the
// connection.
func OpenActions(ctx context.Context, loadAWS config.AWSLoader, name string) (*nats.Conn, error) {
	o, ok, err := ActionsOptionsFromEnv(ctx, loadAWS, name)
	if err != nil || !ok {
		return nil, err
	}
	nc, err := Connect(o)
	if err != nil {
		// The URL may hold a password: say where without it.
		return nil, fmt.Errorf("bus: the nats actions' connection to %s: %w", redactURLs(o.URL), err)
	}
	return nc, nil
}

// redactURLs returns a comma-separated list of URLs with their passwords masked.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, s := range parts {
		if u, err := url.Parse(strings.TrimSpace(s)); err == nil {
			parts[i] = u.Redacted()
		} else {
			parts[i] = "(an unreadable URL)"
		}
	}
	return strings.Join(parts, ",")
}
