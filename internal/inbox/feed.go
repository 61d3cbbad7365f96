package inbox

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// SubjectRoot is the root of the inbox subjects, one per user: herald.inbox.<token>.
// They are Herald's own, on core NATS (nothing is stored): the NATS user of nats actions
// may neither publish nor subscribe there.
const SubjectRoot = "herald.inbox"

// Subjects matches every inbox subject.
const Subjects = SubjectRoot + ".>"

// Subject returns the subject on which changes to user's inbox are announced. The token
// is the user id in unpadded base64url: user ids are any UTF-8, and every id needs a
// token of its own made only of characters a subject token may hold (no ".", "*", ">",
// white space); "a.b" and "a_b" must not share one.
func Subject(user string) string {
	return SubjectRoot + "." + base64.RawURLEncoding.EncodeToString([]byte(user))
}

// Change is one change to a user's inbox, as announced on its Subject: a notification
// written, or notifications acknowledged. Exactly one of the fields is set.
type Change struct {
	Notification *Notification    `json:"notification,omitempty"`
	Acknowledged *Acknowledgement `json:"acknowledged,omitempty"`
}

// Acknowledgement says which notifications were acknowledged: the ids listed, or every
// notification up to and including Before (All when the request was for all of them
// and nothing is left).
type Acknowledgement struct {
	IDs    []string `json:"ids,omitempty"`
	Before string   `json:"before,omitempty"`
	All    bool     `json:"all,omitempty"`
}

// ReadChange decodes a change as Feed announces it.
func ReadChange(data []byte) (Change, error) {
	var c Change
	if err := json.Unmarshal(data, &c); err != nil {
		return Change{}, fmt.Errorf("inbox: reading an announced change: %w", err)
	}
	if (c.Notification == nil) == (c.Acknowledged == nil) {
		return Change{}, errors.New("inbox: an announced change must be a notification or an acknowledgement")
	}
	return c, nil
}

// DefaultFlushTimeout bounds the wait for the server to have taken the announcements of
// one write: a function may be frozen once it answers, and what its connection still
// buffers would leave only when it thaws.
const DefaultFlushTimeout = time.Second

// SubscriptionBuffer is how many announcements a subscription holds for its reader;
// past it the server's messages are dropped and the subscription reports it.
const SubscriptionBuffer = 256

// Feed announces the changes of inboxes on core NATS and subscribes to them. It does
// not store anything: a subscriber that was away reads what it missed from the table.
type Feed struct {
	NC           *nats.Conn
	FlushTimeout time.Duration // zero means DefaultFlushTimeout
}

// NewFeed returns a feed on nc; nil when nc is nil (a Store without a feed announces
// nothing).
func NewFeed(nc *nats.Conn) *Feed {
	if nc == nil {
		return nil
	}
	return &Feed{NC: nc}
}

// publish hands c to the connection for user's subject. It does not wait for the
// server; flush does.
func (f *Feed) publish(user string, c Change) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return f.NC.Publish(Subject(user), data)
}

// flush waits until the server has what was published, for at most FlushTimeout. A
// connection that is down is not waited for: it keeps what it buffers and sends it when
// it is back, if the function is still running then.
func (f *Feed) flush(ctx context.Context) error {
	if !f.NC.IsConnected() {
		return errors.New("inbox: the NATS connection is down; the announcements wait in its buffer")
	}
	return f.flushWithin(ctx)
}

// flushWithin waits for the server's answer to a ping, for at most FlushTimeout.
func (f *Feed) flushWithin(ctx context.Context) error {
	timeout := f.FlushTimeout
	if timeout <= 0 {
		timeout = DefaultFlushTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return f.NC.FlushWithContext(ctx)
}

// Subscription receives the changes of one user's inbox.
type Subscription struct {
	nc         *nats.Conn
	sub        *nats.Subscription
	c          chan *nats.Msg
	reconnects uint64 // the connection's count when subscribed
}

// Subscribe starts receiving the changes of user's inbox, and returns once the server
// has the subscription: a change announced after Subscribe returns is received.
func (f *Feed) Subscribe(ctx context.Context, user string) (*Subscription, error) {
	c := make(chan *nats.Msg, SubscriptionBuffer)
	sub, err := f.NC.ChanSubscribe(Subject(user), c)
	if err != nil {
		return nil, fmt.Errorf("inbox: subscribing to the changes of %s: %w", user, err)
	}
	if err := f.flushWithin(ctx); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("inbox: subscribing to the changes of %s: %w", user, err)
	}
	return &Subscription{nc: f.NC, sub: sub, c: c, reconnects: f.NC.Stats().Reconnects}, nil
}

// C delivers the announcements; decode each with ReadChange.
func (s *Subscription) C() <-chan *nats.Msg { return s.c }

// Err is non-nil once the subscription may have missed a change: its reader fell so far
// behind that the buffer overflowed, or the connection to NATS broke (core NATS keeps
// nothing for a subscriber while it is away). Reading the table again is then the only
// way to be sure.
func (s *Subscription) Err() error {
	n, err := s.sub.Dropped()
	switch {
	case err != nil:
		return errors.New("inbox: the subscription ended")
	case n > 0:
		return fmt.Errorf("inbox: %d announcements were dropped", n)
	}
	if !s.nc.IsConnected() || s.nc.Stats().Reconnects != s.reconnects {
		return errors.New("inbox: the connection to NATS broke")
	}
	return nil
}

// Close ends the subscription.
func (s *Subscription) Close() { _ = s.sub.Unsubscribe() }

// announce publishes c on user's subject and reports whether it was handed to the
// connection. A failure is logged, never returned: the change is stored, and a stream
// that missed it reads it from the table when it reconnects.
func (s *Store) announce(ctx context.Context, user string, c Change) bool {
	if s.Feed == nil {
		return false
	}
	err := s.Feed.publish(user, c)
	if err == nil {
		return true
	}
	if c.Notification != nil {
		slog.WarnContext(ctx, "announcing a notification failed", "uuid", c.Notification.EventUUID, "id", c.Notification.ID, "user", user, "error", err.Error())
	} else {
		slog.WarnContext(ctx, "announcing an acknowledgement failed", "user", user, "error", err.Error())
	}
	return false
}

// flush waits for the server to have the announcements made, logging a failure.
func (s *Store) flush(ctx context.Context) {
	if err := s.Feed.flush(ctx); err != nil {
		slog.WarnContext(ctx, "the announcements of inbox changes may not have reached NATS", "error", err.Error())
	}
}
