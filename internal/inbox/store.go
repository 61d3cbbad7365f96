package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/store"
)

// The table's sparse indexes by state.
const (
	UnacknowledgedIndex = "unacknowledged"
	AcknowledgedIndex   = "acknowledged"
)

// Defaults of the retention periods (the template's UnackedRetentionDays and
// AckedRetentionDays). An unacknowledged notification is kept until it is acknowledged:
// it is something its user has yet to see, and nothing else brings it back.
const (
	DefaultUnackedRetention = 0
	DefaultAckedRetention   = 30 * 24 * time.Hour
)

// writeConcurrency bounds the writes one call has in flight: an event may name a
// thousand recipients.
const writeConcurrency = 16

// Store keeps the notifications of every user in the Notifications table.
type Store struct {
	DB    *dynamodb.Client
	Table string
	// UnackedRetention is how long an unacknowledged notification is kept (a safety
	// net), 0 for until it is acknowledged; AckedRetention how long after its
	// acknowledgement.
	UnackedRetention, AckedRetention time.Duration
	Now                              func() time.Time // time.Now when nil
	// Feed announces every notification written and every acknowledgement to the
	// user's live streams; nil announces nothing. A failed announcement is logged and
	// never fails the write.
	Feed *Feed
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// New returns the notification for recipient with content c, made from the event
// eventUUID that happened at eventTime, unacknowledged and created now. It expires
// UnackedRetention from now, or never while unacknowledged when UnackedRetention is 0.
func (s *Store) New(recipient string, c Content, eventUUID string, eventTime time.Time) *Notification {
	now := s.now()
	if c.Refs == nil {
		c.Refs = []Ref{}
	}
	n := &Notification{
		ID:        ID(eventUUID, recipient, eventTime),
		UserID:    recipient,
		Content:   c,
		EventUUID: eventUUID,
		CreatedAt: now,
	}
	if s.UnackedRetention > 0 {
		// The table keeps whole seconds (the TTL attribute).
		n.ExpiresAt = time.Unix(now.Add(s.UnackedRetention).Unix(), 0).UTC()
	}
	return n
}

// Put writes n unless a notification with its id exists for its user: the one made from
// the same event before, perhaps acknowledged since, which is left as it is. It reports
// whether n was written, and announces it on the Feed if it was.
func (s *Store) Put(ctx context.Context, n *Notification) (bool, error) {
	created, err := s.put(ctx, n)
	if created && s.announce(ctx, n.UserID, Change{Notification: n}) {
		s.flush(ctx)
	}
	return created, err
}

// put is Put without the announcement.
func (s *Store) put(ctx context.Context, n *Notification) (bool, error) {
	it, err := item(n)
	if err != nil {
		return false, err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     it,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	})
	var exists *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &exists):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("inbox: writing %s for %s: %w", n.ID, n.UserID, err)
	}
	return true, nil
}

// PutAll writes every one of ns as Put does, several at a time, and returns how many
// were new. On error some may have been written; writing them all again is safe.
func (s *Store) PutAll(ctx context.Context, ns []*Notification) (int, error) {
	var mu sync.Mutex
	var firstErr error
	created, announced := 0, false
	sem := make(chan struct{}, writeConcurrency)
	var wg sync.WaitGroup
	for _, n := range ns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ok, err := s.put(ctx, n)
			// Announced as each is written; the connection is flushed once, below.
			sent := ok && s.announce(ctx, n.UserID, Change{Notification: n})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if ok {
				created++
			}
			announced = announced || sent
		})
	}
	wg.Wait()
	if announced {
		s.flush(ctx)
	}
	return created, firstErr
}

// State selects notifications by whether they were acknowledged.
type State string

// The states a listing selects.
const (
	Unacknowledged State = "unacknowledged"
	Acknowledged   State = "acknowledged"
	All            State = "all"
)

// ParseState returns the state named s; "" is Unacknowledged.
func ParseState(s string) (State, bool) {
	switch State(s) {
	case "", Unacknowledged:
		return Unacknowledged, true
	case Acknowledged, All:
		return State(s), true
	}
	return "", false
}

// Page is one page of a listing.
type Page struct {
	Items []*Notification
	Next  string // the cursor of the next page; "" after the last
	// Read is how many items DynamoDB read to answer (expired ones included), for the
	// benchmark that checks listing costs the page, not the history.
	Read int
}

// MaxFilteredReads bounds how many notifications one filtered page reads: a filter that
// few notifications match would otherwise read a whole history for one page. A page
// that stops there holds what it found, perhaps nothing, and a cursor to go on.
const MaxFilteredReads = 1000

// filteredChunk is how many notifications one query of a filtered listing reads.
const filteredChunk = 100

// List returns up to limit of user's notifications in state that f selects, newest
// first, starting after cursor (from a previous Page.Next of the same user and state).
// Expired notifications are skipped. With a filter, a page reads at most
// MaxFilteredReads notifications and may hold fewer than limit with more to come.
func (s *Store) List(ctx context.Context, user string, state State, f Filter, limit int, cursor string) (Page, error) {
	index, keyAttr := s.indexOf(state)
	want := []string{attrUser, attrID}
	if index != "" {
		want = append(want, keyAttr)
	}
	listing := "notifications/" + string(state)
	start, err := store.DecodeCursor(cursor, listing, want, map[string]string{attrUser: user, keyAttr: user})
	if err != nil {
		return Page{}, err
	}
	keyOf := func(id string) map[string]types.AttributeValue {
		key := map[string]types.AttributeValue{attrUser: str(user), attrID: str(id)}
		if index != "" {
			key[keyAttr] = str(user)
		}
		return key
	}
	now := s.now()
	var page Page
	for {
		in := s.query(index, keyAttr, user, now)
		// One more than needed tells whether another page follows.
		n := limit - len(page.Items) + 1
		if !f.IsZero() {
			n = max(n, min(filteredChunk, MaxFilteredReads-page.Read))
		}
		in.Limit = aws.Int32(int32(n))
		in.ExclusiveStartKey = start
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return Page{}, fmt.Errorf("inbox: listing the notifications of %s: %w", user, err)
		}
		page.Read += int(out.ScannedCount)
		for _, it := range out.Items {
			n, err := fromItem(it)
			if err != nil {
				return Page{}, err
			}
			if !f.Match(n) {
				continue
			}
			if len(page.Items) == limit {
				// There is more: the next page starts after the last item returned.
				page.Next, err = store.EncodeCursor(listing, keyOf(page.Items[limit-1].ID))
				return page, err
			}
			page.Items = append(page.Items, n)
		}
		if out.LastEvaluatedKey == nil {
			return page, nil
		}
		if !f.IsZero() && page.Read >= MaxFilteredReads {
			page.Next, err = store.EncodeCursor(listing, out.LastEvaluatedKey)
			return page, err
		}
		start = out.LastEvaluatedKey
	}
}

// Count returns how many unacknowledged notifications user has that f selects, reading
// only the unacknowledged ones.
func (s *Store) Count(ctx context.Context, user string, f Filter) (n, read int, err error) {
	in := s.query(UnacknowledgedIndex, attrUnacked, user, s.now())
	if f.IsZero() {
		in.Select = types.SelectCount
	} else {
		in.ProjectionExpression = aws.String("#variant, #refs")
		in.ExpressionAttributeNames["#variant"] = attrVariant
		in.ExpressionAttributeNames["#refs"] = attrRefs
	}
	for {
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return 0, 0, fmt.Errorf("inbox: counting the notifications of %s: %w", user, err)
		}
		if f.IsZero() {
			n += int(out.Count)
		} else {
			for _, it := range out.Items {
				if f.matchItem(it) {
					n++
				}
			}
		}
		read += int(out.ScannedCount)
		if out.LastEvaluatedKey == nil {
			return n, read, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// UnacknowledgedIDs returns the ids of user's unacknowledged notifications, as the
// unacknowledged index lists them (newest first): what a live stream counts, with a Tally
// to correct for what the index does not show yet.
func (s *Store) UnacknowledgedIDs(ctx context.Context, user string) ([]string, error) {
	in := s.query(UnacknowledgedIndex, attrUnacked, user, s.now())
	in.ProjectionExpression = aws.String("#id")
	in.ExpressionAttributeNames["#id"] = attrID
	var ids []string
	for {
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("inbox: reading the unacknowledged notifications of %s: %w", user, err)
		}
		for _, it := range out.Items {
			if v, ok := it[attrID].(*types.AttributeValueMemberS); ok {
				ids = append(ids, v.Value)
			}
		}
		if out.LastEvaluatedKey == nil {
			return ids, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// indexOf returns the index listing state reads (none: the table) and its key attribute.
func (s *Store) indexOf(state State) (index, keyAttr string) {
	switch state {
	case Acknowledged:
		return AcknowledgedIndex, attrAcked
	case All:
		return "", attrUser
	}
	return UnacknowledgedIndex, attrUnacked
}

// notExpired is the condition of an item that has not expired: one without expires_at
// (unacknowledged, kept until acknowledged) or whose expires_at is after :nowSecs.
const notExpired = "(attribute_not_exists(#exp) OR #exp > :nowSecs)"

// query returns a query of user's items on index (the table when ""), newest first,
// without expired ones.
func (s *Store) query(index, keyAttr, user string, now time.Time) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.Table),
		KeyConditionExpression:   aws.String("#key = :user"),
		FilterExpression:         aws.String(notExpired),
		ExpressionAttributeNames: map[string]string{"#key": keyAttr, "#exp": attrExpiresAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":user":    str(user),
			":nowSecs": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
		ScanIndexForward: aws.Bool(false),
	}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	return in
}

// Acknowledge acknowledges user's notifications ids and returns which of them are now
// acknowledged (including those that already were, untouched: acknowledging is
// idempotent) and which user has not (missing, expired, or someone else's; these are
// not told apart). The key includes user, so nobody else's notification is ever read
// or changed. Those this call acknowledged are announced on the Feed.
func (s *Store) Acknowledge(ctx context.Context, user string, ids []string) (acknowledged, notFound []string, err error) {
	found := make([]bool, len(ids))
	changed := make([]bool, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, writeConcurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			found[i], changed[i], errs[i] = s.acknowledge(ctx, user, id)
		})
	}
	wg.Wait()
	var now []string
	for i, id := range ids {
		if changed[i] {
			now = append(now, id)
		}
	}
	// Announced even when another failed: those are acknowledged all the same.
	if len(now) > 0 && s.announce(ctx, user, Change{Acknowledged: &Acknowledgement{IDs: now}}) {
		s.flush(ctx)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	acknowledged, notFound = []string{}, []string{}
	for i, id := range ids {
		if found[i] {
			acknowledged = append(acknowledged, id)
		} else {
			notFound = append(notFound, id)
		}
	}
	return acknowledged, notFound, nil
}

// acknowledge acknowledges one notification and reports whether user has it, and
// whether this call acknowledged it (rather than an earlier one).
func (s *Store) acknowledge(ctx context.Context, user, id string) (found, changed bool, err error) {
	now := s.now()
	key := map[string]types.AttributeValue{attrUser: str(user), attrID: str(id)}
	changed, err = s.setAcknowledged(ctx, key, now)
	switch {
	case err != nil:
		return false, false, fmt.Errorf("inbox: acknowledging %s of %s: %w", id, user, err)
	case changed:
		return true, true, nil
	}
	// Not unacknowledged: acknowledged before (then this one is done), or not there.
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, false, fmt.Errorf("inbox: reading %s of %s: %w", id, user, err)
	}
	if out.Item == nil {
		return false, false, nil
	}
	n, err := fromItem(out.Item)
	if err != nil {
		return false, false, err
	}
	return n.Acknowledged() && !store.Expired(n.ExpiresAt.Unix(), now), false, nil
}

// setAcknowledged acknowledges the notification at key if it is unacknowledged and has
// not expired, and reports whether it did.
func (s *Store) setAcknowledged(ctx context.Context, key map[string]types.AttributeValue, now time.Time) (bool, error) {
	user := key[attrUser]
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 key,
		UpdateExpression:    aws.String("SET #acked = :user, #ackedAt = :now, #exp = :exp REMOVE #unacked"),
		ConditionExpression: aws.String("attribute_exists(#unacked) AND " + notExpired),
		ExpressionAttributeNames: map[string]string{
			"#acked": attrAcked, "#ackedAt": attrAcknowledgedAt, "#exp": attrExpiresAt, "#unacked": attrUnacked,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":user":    user,
			":now":     timeValue(now),
			":exp":     store.TTL(now.Add(s.AckedRetention)),
			":nowSecs": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &failed):
		return false, nil
	}
	return false, err
}
