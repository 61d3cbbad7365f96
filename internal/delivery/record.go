package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/store"
)

// MaxLogPrefix bounds the response prefix kept per attempt.
const MaxLogPrefix = 256

// Attempt is one run of a delivery's action.
type Attempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"` // the HTTP status, for http actions
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
	Response   string    `json:"response,omitempty"` // the beginning of the response body
}

// Record is a delivery as the delivery log shows it.
type Record struct {
	TriggerID     string          `json:"trigger_id"`
	ID            string          `json:"id"`
	EventUUID     string          `json:"event_uuid"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	RoundStart    int             `json:"-"`
	Log           []Attempt       `json:"log"`
	NextAttemptAt *time.Time      `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	Event         json.RawMessage `json:"-"`
}

// RoundAttempts returns the attempts made since the delivery was last (re)queued.
func (r *Record) RoundAttempts() int { return r.Attempts - r.RoundStart }

// Task returns the task that runs r again.
func (r *Record) Task() *Task {
	return &Task{TriggerID: r.TriggerID, DeliveryID: r.ID, EventUUID: r.EventUUID, Event: r.Event}
}

// Get returns the delivery id of triggerID.
func (s *Store) Get(ctx context.Context, triggerID, id string) (*Record, error) {
	if !store.ValidULID(id) {
		return nil, fault.New(fault.NotFound, "no such delivery")
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: s.key(&Task{TriggerID: triggerID, DeliveryID: id}), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("delivery: reading %s of trigger %s: %w", id, triggerID, err)
	}
	if out.Item == nil || store.Expired(num(out.Item[attrExpiresAt]), s.now()) {
		return nil, fault.New(fault.NotFound, "no such delivery")
	}
	return fromItem(out.Item)
}

// List returns up to limit deliveries of triggerID, newest first, with status (any when
// ""), after cursor.
func (s *Store) List(ctx context.Context, triggerID, status string, limit int, cursor string) ([]*Record, string, error) {
	start, err := store.DecodeCursor(cursor, "deliveries", []string{attrTrigger, attrID}, map[string]string{attrTrigger: triggerID})
	if err != nil {
		return nil, "", err
	}
	filter := "#exp > :now"
	values := map[string]types.AttributeValue{
		":t":   &types.AttributeValueMemberS{Value: triggerID},
		":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(s.now().Unix(), 10)},
	}
	names := map[string]string{"#t": attrTrigger, "#exp": attrExpiresAt}
	if status != "" {
		filter += " AND #status = :status"
		values[":status"] = &types.AttributeValueMemberS{Value: status}
		names["#status"] = attrStatus
	}
	var out []*Record
	for {
		res, err := s.DB.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(s.Table), KeyConditionExpression: aws.String("#t = :t"), FilterExpression: aws.String(filter),
			ExpressionAttributeNames: names, ExpressionAttributeValues: values, ScanIndexForward: aws.Bool(false),
			Limit: aws.Int32(int32(limit - len(out))), ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, "", fmt.Errorf("delivery: listing the deliveries of %s: %w", triggerID, err)
		}
		for _, it := range res.Items {
			r, err := fromItem(it)
			if err != nil {
				return nil, "", err
			}
			out = append(out, r)
		}
		if res.LastEvaluatedKey == nil || len(out) == limit {
			next, err := store.EncodeCursor("deliveries", res.LastEvaluatedKey)
			return out, next, err
		}
		start = res.LastEvaluatedKey
	}
}

// Record appends attempt a to the delivery's log and sets its status (and when the next
// attempt is due, for StatusRetrying).
func (s *Store) Record(ctx context.Context, r *Record, a Attempt, status string, next time.Time) error {
	now := s.now()
	a.Response = truncate(a.Response, MaxLogPrefix)
	entry, err := attemptValue(a)
	if err != nil {
		return err
	}
	expr := "SET #status = :status, #attempts = #attempts + :one, #log = list_append(if_not_exists(#log, :empty), :entry), #updated = :now"
	values := map[string]types.AttributeValue{
		":status": &types.AttributeValueMemberS{Value: status}, ":one": &types.AttributeValueMemberN{Value: "1"},
		":entry": &types.AttributeValueMemberL{Value: []types.AttributeValue{entry}}, ":empty": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		":now": &types.AttributeValueMemberS{Value: now.Format(time.RFC3339Nano)},
	}
	names := map[string]string{"#status": attrStatus, "#attempts": attrAttempts, "#log": attrLog, "#updated": attrUpdatedAt, "#next": attrNextAt}
	if status == StatusRetrying {
		expr += ", #next = :next"
		values[":next"] = &types.AttributeValueMemberS{Value: next.UTC().Format(time.RFC3339Nano)}
	} else {
		expr += " REMOVE #next"
	}
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: s.key(r.Task()), UpdateExpression: aws.String(expr),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	if err != nil {
		return fmt.Errorf("delivery: recording an attempt of %s: %w", r.ID, err)
	}
	r.Attempts++
	r.Status = status
	r.Log = append(r.Log, a)
	return nil
}

// SetStatus sets the delivery's status without an attempt (skipped).
func (s *Store) SetStatus(ctx context.Context, r *Record, status string) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: s.key(r.Task()),
		UpdateExpression:          aws.String("SET #status = :status, #updated = :now"),
		ExpressionAttributeNames:  map[string]string{"#status": attrStatus, "#updated": attrUpdatedAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{":status": &types.AttributeValueMemberS{Value: status}, ":now": &types.AttributeValueMemberS{Value: s.now().Format(time.RFC3339Nano)}},
	})
	if err != nil {
		return fmt.Errorf("delivery: setting the status of %s: %w", r.ID, err)
	}
	r.Status = status
	return nil
}

// Requeue starts a new round of attempts for the delivery: its status becomes queued and
// its schedule starts over. The caller then sends r.Task(). A delivery that succeeded
// is requeued only when force is set (a manual retry); a replay leaves it alone and
// Requeue reports false.
func (s *Store) Requeue(ctx context.Context, r *Record, force bool) (bool, error) {
	cond := "attribute_exists(#id)"
	values := map[string]types.AttributeValue{
		":queued": &types.AttributeValueMemberS{Value: StatusQueued},
		":now":    &types.AttributeValueMemberS{Value: s.now().Format(time.RFC3339Nano)}, ":exp": store.TTL(s.now().Add(s.Retention)),
	}
	if !force {
		cond += " AND #status <> :succeeded"
		values[":succeeded"] = &types.AttributeValueMemberS{Value: StatusSucceeded}
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: s.key(r.Task()),
		UpdateExpression:    aws.String("SET #status = :queued, #round = #attempts, #updated = :now, #exp = :exp REMOVE #next"),
		ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: map[string]string{
			"#id": attrID, "#status": attrStatus, "#round": attrRound, "#attempts": attrAttempts, "#updated": attrUpdatedAt, "#exp": attrExpiresAt, "#next": attrNextAt,
		},
		ExpressionAttributeValues: values,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("delivery: requeuing %s: %w", r.ID, err)
	}
	r.Status, r.RoundStart = StatusQueued, r.Attempts
	return true, nil
}

func attemptValue(a Attempt) (types.AttributeValue, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	return &types.AttributeValueMemberS{Value: string(b)}, nil
}

func fromItem(it map[string]types.AttributeValue) (*Record, error) {
	get := func(name string) string {
		v, _ := it[name].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	r := &Record{
		TriggerID: get(attrTrigger), ID: get(attrID), EventUUID: get(attrEventUUID), Status: get(attrStatus),
		Attempts: int(num(it[attrAttempts])), RoundStart: int(num(it[attrRound])), Event: json.RawMessage(get(attrEvent)), Log: []Attempt{},
	}
	var err error
	if r.CreatedAt, err = time.Parse(time.RFC3339Nano, get(attrCreatedAt)); err != nil {
		return nil, fmt.Errorf("delivery: item %s: %s: %w", r.ID, attrCreatedAt, err)
	}
	r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, get(attrUpdatedAt))
	if next, err := time.Parse(time.RFC3339Nano, get(attrNextAt)); err == nil {
		r.NextAttemptAt = &next
	}
	if l, ok := it[attrLog].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			if sv, ok := v.(*types.AttributeValueMemberS); ok {
				var a Attempt
				if json.Unmarshal([]byte(sv.Value), &a) == nil {
					r.Log = append(r.Log, a)
				}
			}
		}
	}
	return r, nil
}

// num reads a number attribute; 0 when absent.
func num(v types.AttributeValue) int64 {
	n, _ := v.(*types.AttributeValueMemberN)
	if n == nil {
		return 0
	}
	i, _ := strconv.ParseInt(n.Value, 10, 64)
	return i
}

// ValidStatus reports whether s is one of Statuses.
func ValidStatus(s string) bool { return slices.Contains(Statuses, s) }

// truncate cuts s to at most n bytes, dropping a character cut in two at the end.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
