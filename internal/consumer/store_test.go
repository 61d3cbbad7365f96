package consumer

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// clock is a settable time for Store.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newStore returns a Store on the template's Consumers table and a fresh JetStream
// server with Herald's stream, with its clock.
func newStore(t *testing.T) (*Store, *clock) {
	t.Helper()
	js, _ := newStream(t)
	table, err := env.Stack.Ref("ConsumersTable")
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().UTC()}
	return &Store{JS: js, DB: env.DynamoDB, Table: table, Now: c.now}, c
}

func resourceSpec(path string) Spec {
	return Spec{Target: Target{Resources: []ResourceTarget{{Path: path, IncludeSubresources: true}}}}
}

// consumerNames lists the consumers on HERALD_EVENTS.
func consumerNames(t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	s, err := js.Stream(t.Context(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	l := s.ConsumerNames(t.Context())
	for n := range l.Name() {
		names = append(names, n)
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestStoreCreateGetDelete checks that a consumer exists in JetStream and in the table
// once created, that only its owner gets it, and that Delete removes both.
func TestStoreCreateGetDelete(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-1")
	if err != nil {
		t.Fatal(err)
	}
	if !ValidID(r.ID) || r.DeliverPolicy != DeliverAll || r.IdleExpiry != "168h" {
		t.Fatalf("record %+v: want a ULID id and a normalized spec", r)
	}
	if want := r.CreatedAt.Add(DefaultIdleExpiry).Unix(); r.ExpiresAt.Unix() != want {
		t.Errorf("expires_at %v, want created_at + idle expiry", r.ExpiresAt)
	}
	c, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
	if err != nil {
		t.Fatalf("the JetStream consumer was not created: %v", err)
	}
	if got := c.CachedInfo().Config.InactiveThreshold; got != DefaultIdleExpiry {
		t.Errorf("InactiveThreshold %v, want %v", got, DefaultIdleExpiry)
	}

	got, err := s.Get(ctx, r.ID, "u-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Owner != "u-1" || got.Target.Resources[0].Path != "projects/p1" || len(got.FilterSubjects) != len(r.FilterSubjects) ||
		!got.CreatedAt.Equal(r.CreatedAt) || !got.ExpiresAt.Equal(r.ExpiresAt) {
		t.Errorf("read back %+v, want %+v", got, r)
	}
	for _, tt := range []struct{ name, id, owner string }{
		{"someone else's", r.ID, "u-2"},
		{"missing", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "u-1"},
		{"not an id", "../../x", "u-1"},
	} {
		if _, err := s.Get(ctx, tt.id, tt.owner); !fault.Is(err, fault.NotFound) {
			t.Errorf("Get %s = %v, want NotFound", tt.name, err)
		}
	}

	if err := s.Delete(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, r.ID, "u-1"); !fault.Is(err, fault.NotFound) {
		t.Errorf("Get after Delete = %v, want NotFound", err)
	}
	if names := consumerNames(t, s.JS); len(names) != 0 {
		t.Errorf("JetStream consumers after Delete: %v", names)
	}
}

// TestStoreCreateUndo checks that a failed record write leaves no JetStream consumer
// behind, and that a failed JetStream create writes no record.
func TestStoreCreateUndo(t *testing.T) {
	t.Run("record write fails", func(t *testing.T) {
		s, _ := newStore(t)
		s.Table = "no-such-table-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		if _, err := s.Create(t.Context(), resourceSpec("projects/p1"), "u-undo"); err == nil {
			t.Fatal("Create succeeded without a table")
		}
		if names := consumerNames(t, s.JS); len(names) != 0 {
			t.Errorf("JetStream consumers left after the failed write: %v", names)
		}
	})
	t.Run("JetStream create fails", func(t *testing.T) {
		s, _ := newStore(t)
		// A server without Herald's stream refuses the consumer.
		_, url := env.NewNATS(t)
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		if s.JS, err = jetstream.New(nc); err != nil {
			t.Fatal(err)
		}
		owner := "u-undo-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		if _, err := s.Create(t.Context(), resourceSpec("projects/p1"), owner); !fault.Is(err, fault.Unavailable) {
			t.Fatalf("Create = %v, want Unavailable", err)
		}
		records, _, err := s.List(t.Context(), owner, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != 0 {
			t.Errorf("records written after the failed JetStream create: %v", records)
		}
	})
}

// TestStoreExpired checks that a record past its expires_at is not found, even while
// DynamoDB still holds it.
func TestStoreExpired(t *testing.T) {
	s, c := newStore(t)
	spec := resourceSpec("projects/p1")
	spec.IdleExpiry = "1m"
	r, err := s.Create(t.Context(), spec, "u-exp")
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(2 * time.Minute)
	if _, err := s.Get(t.Context(), r.ID, "u-exp"); !fault.Is(err, fault.NotFound) {
		t.Errorf("Get of an expired consumer = %v, want NotFound", err)
	}
	records, _, err := s.List(t.Context(), "u-exp", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 0 {
		t.Errorf("List returned expired consumers: %v", records)
	}
}

// TestStoreTouch checks that Touch writes at most once per TouchEvery, pushes expires_at
// to the last use plus the idle expiry, and does not bring back a deleted record.
func TestStoreTouch(t *testing.T) {
	s, c := newStore(t)
	ctx := t.Context()
	r, err := s.Create(ctx, resourceSpec("projects/p1"), "u-touch")
	if err != nil {
		t.Fatal(err)
	}
	created := r.ExpiresAt

	c.t = c.t.Add(TouchEvery / 2)
	if err := s.Touch(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got := storedExpiry(t, s, r.ID); got != created.Unix() {
		t.Errorf("expires_at %d after a touch within %v, want it unchanged at %d", got, TouchEvery, created.Unix())
	}

	c.t = c.t.Add(TouchEvery)
	if err := s.Touch(ctx, r); err != nil {
		t.Fatal(err)
	}
	want := c.t.Add(DefaultIdleExpiry).Unix()
	if got := storedExpiry(t, s, r.ID); got != want {
		t.Errorf("expires_at %d after a touch, want %d", got, want)
	}
	if r.ExpiresAt.Unix() != want || !r.LastUsedAt.Equal(c.t) {
		t.Errorf("record not updated: last used %v, expires %v", r.LastUsedAt, r.ExpiresAt)
	}

	if err := s.Delete(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(2 * TouchEvery)
	if err := s.Touch(ctx, r); !fault.Is(err, fault.NotFound) {
		t.Errorf("Touch of a deleted consumer = %v, want NotFound", err)
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: r.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Item != nil {
		t.Error("Touch brought a deleted record back")
	}
}

// storedExpiry reads expires_at of the record id straight from the table.
func storedExpiry(t *testing.T, s *Store, id string) int64 {
	t.Helper()
	out, err := s.DB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, ok := out.Item["expires_at"].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("record %s has no numeric expires_at: %v", id, out.Item)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
