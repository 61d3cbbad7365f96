package localnats

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/bus"
)

// HeraldUser is Herald's own user, with every permission; connections without
// credentials are taken to be it.
const HeraldUser = "herald"

// ActionsUser is the user nats actions publish as.
const ActionsUser = "herald-actions"

// ReservedSubjects are refused to the actions user whatever its namespace says: the
// JetStream and system APIs, Herald's own subjects, and reply inboxes. They guard
// against a namespace written too wide (">" or "herald.>").
var ReservedSubjects = []string{"$JS.>", "$KV.>", "$O.>", "$SYS.>", "herald.events.>", "herald.deadletter.>", "herald.inbox.>", "_INBOX.>"}

// Actions says how the actions user is confined.
type Actions struct {
	Password string   // the actions user's password
	Subjects []string // the subject patterns it may publish on (the action namespace)
}

// ActionsSubscribe is all the actions user may subscribe to: the replies to its own
// publishes (a stream's acknowledgement, the server's "no responders"), never another
// connection's inbox nor any subject of the namespace.
var ActionsSubscribe = []string{bus.ActionsInboxPrefix + ".>"}

// Configure adds the two users to o: Herald's, which connections without credentials are
// taken to be, and the actions user, who may publish only on a.Subjects (never on
// ReservedSubjects) and subscribe only to ActionsSubscribe. It fails when a has no
// password or no subject.
func Configure(o *server.Options, a Actions) error {
	if a.Password == "" {
		return errors.New("localnats: the actions user needs a password")
	}
	if len(a.Subjects) == 0 {
		return errors.New("localnats: the actions user needs at least one subject")
	}
	// Herald's user is reached through NoAuthUser only; its password is never used, so
	// a fresh random one keeps anybody from logging in as it by name.
	heraldPassword, err := NewPassword()
	if err != nil {
		return err
	}
	o.Users = []*server.User{
		{Username: HeraldUser, Password: heraldPassword},
		{Username: ActionsUser, Password: a.Password, Permissions: &server.Permissions{
			Publish: &server.SubjectPermission{Allow: a.Subjects, Deny: ReservedSubjects},
			// A publish with a reply subject is all a JetStream publish is: the stream
			// answers on the reply subject, which the user must be able to read.
			Subscribe: &server.SubjectPermission{Allow: ActionsSubscribe},
		}},
	}
	o.NoAuthUser = HeraldUser
	return nil
}

// SplitSubjects reads a comma-separated list of subject patterns, as the NatsActionSubjects
// parameter holds them.
func SplitSubjects(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// NewPassword returns 32 random bytes in hex.
func NewPassword() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("localnats: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// LoadPassword reads the actions user's password from path, or makes one and writes it
// there (readable by its owner only) when the file does not exist yet, so that a
// restarted stack keeps the password its functions were given.
func LoadPassword(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if p := strings.TrimSpace(string(b)); p != "" {
			return p, nil
		}
		return "", fmt.Errorf("localnats: %s is empty", path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("localnats: %w", err)
	}
	p, err := NewPassword()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(p+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("localnats: %w", err)
	}
	return p, nil
}

// ActionsURL returns clientURL (nats://host:port) with the actions user's credentials in
// it, for HERALD_ACTIONS_NATS_URL.
func ActionsURL(clientURL, password string) (string, error) {
	u, err := url.Parse(clientURL)
	if err != nil {
		return "", fmt.Errorf("localnats: %w", err)
	}
	u.User = url.UserPassword(ActionsUser, password)
	return u.String(), nil
}

// TemplateSubjects returns the action namespace template.yaml declares: the default of its
// NatsActionSubjects parameter, which the local stack and the tests leave as it is.
func TemplateSubjects(t *template.Template) ([]string, error) {
	def, _ := t.Parameters["NatsActionSubjects"].Default.(string)
	subjects := SplitSubjects(def)
	if len(subjects) == 0 {
		return nil, errors.New("localnats: the template's NatsActionSubjects parameter has no default")
	}
	return subjects, nil
}
