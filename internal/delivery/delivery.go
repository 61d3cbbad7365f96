package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/store"
)

// DefaultRetention is how long delivery records are kept (the template's
// DeliveryLogRetentionDays).
const DefaultRetention = 30 * 24 * time.Hour

// Statuses of a delivery.
const (
	StatusQueued    = "queued"    // recorded; its task is on the deliveries queue
	StatusRetrying  = "retrying"  // an attempt failed; the next one is scheduled
	StatusSucceeded = "succeeded" // the action succeeded
	StatusExhausted = "exhausted" // every attempt failed, or one failed for good; in the DLQ
	StatusSkipped   = "skipped"   // not run: the trigger was disabled or deleted
	// A sync trigger's verdict on an event about to be published: its action ran once,
	// while the publisher waited, and is never retried.
	StatusApproved = "approved"
	StatusDenied   = "denied"
)

// Statuses lists the statuses, for validating a filter on them.
var Statuses = []string{StatusQueued, StatusRetrying, StatusSucceeded, StatusExhausted, StatusSkipped, StatusApproved, StatusDenied}

// Task is the body of a message on the deliveries queue: one action to run for one
// event.
type Task struct {
	TriggerID  string          `json:"trigger_id"`
	DeliveryID string          `json:"delivery_id"`
	EventUUID  string          `json:"event_uuid"`
	Event      json.RawMessage `json:"event"`
	// Trace is the X-Ray trace header of the invocation that published the event, when
	// there was one: Deliver logs its trace id, and the task's message carries it as
	// AWSTraceHeader, by which X-Ray links the delivery to the publishing.
	Trace string `json:"trace,omitempty"`
}

// ID returns the id of the delivery of the event eventUUID, which happened at t, to the
// trigger triggerID: the same pair always gives the same id.
func ID(eventUUID, triggerID string, t time.Time) string {
	return store.DerivedID(eventUUID, triggerID, t)
}

// Attribute names in the Deliveries table.
const (
	attrTrigger   = "trigger_id"
	attrID        = "id"
	attrEventUUID = "event_uuid"
	attrStatus    = "status"
	attrTaskSent  = "task_sent"
	attrCreatedAt = "created_at"
	attrExpiresAt = store.TTLAttribute
	attrEvent     = "event"       // the event JSON, for retrying and replaying
	attrAttempts  = "attempts"    // attempts made, over every round
	attrRound     = "round_start" // attempts made before the current round (a retry starts one)
	attrLog       = "log"         // the attempts, oldest first
	attrUpdatedAt = "updated_at"
	attrNextAt    = "next_attempt_at"
)

// Store keeps delivery records in the Deliveries table.
type Store struct {
	DB        *dynamodb.Client
	Table     string
	Retention time.Duration
	Now       func() time.Time // time.Now when nil
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Store) key(t *Task) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrTrigger: &types.AttributeValueMemberS{Value: t.TriggerID},
		attrID:      &types.AttributeValueMemberS{Value: t.DeliveryID},
	}
}

// Claim records the delivery of t unless it is recorded already, and reports whether
// its task still has to be sent: true for a new delivery, and for one recorded before
// whose task was never marked sent (the router that recorded it failed before).
func (s *Store) Claim(ctx context.Context, t *Task) (bool, error) {
	created, sent, err := s.claim(ctx, t)
	return created || !sent, err
}

// claim records the delivery of t unless it is recorded already; it reports whether it
// did, and otherwise whether the recorded delivery's task was marked sent.
func (s *Store) claim(ctx context.Context, t *Task) (created, sent bool, err error) {
	it := s.item(t, StatusQueued, s.now())
	it[attrTaskSent] = &types.AttributeValueMemberBOOL{Value: false}
	it[attrAttempts] = &types.AttributeValueMemberN{Value: "0"}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     it,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	})
	var exists *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, false, nil
	case !errors.As(err, &exists):
		return false, false, fmt.Errorf("delivery: recording %s of trigger %s: %w", t.DeliveryID, t.TriggerID, err)
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: s.key(t), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, false, fmt.Errorf("delivery: reading %s of trigger %s: %w", t.DeliveryID, t.TriggerID, err)
	}
	flag, _ := out.Item[attrTaskSent].(*types.AttributeValueMemberBOOL)
	return false, flag != nil && flag.Value, nil
}

// MarkQueued records that the task of t was sent.
func (s *Store) MarkQueued(ctx context.Context, t *Task) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       s.key(t),
		UpdateExpression:          aws.String("SET #sent = :true"),
		ExpressionAttributeNames:  map[string]string{"#sent": attrTaskSent},
		ExpressionAttributeValues: map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if err != nil {
		return fmt.Errorf("delivery: marking %s of trigger %s queued: %w", t.DeliveryID, t.TriggerID, err)
	}
	return nil
}

// Verdict records a sync trigger's verdict on the event of t as a delivery of one
// attempt, approved or denied. Vetting the same event again overwrites it.
func (s *Store) Verdict(ctx context.Context, t *Task, a Attempt, approved bool) error {
	now := s.now()
	a.Response = truncate(a.Response, MaxLogPrefix)
	entry, err := attemptValue(a)
	if err != nil {
		return err
	}
	status := StatusDenied
	if approved {
		status = StatusApproved
	}
	it := s.item(t, status, now)
	it[attrTaskSent] = &types.AttributeValueMemberBOOL{Value: true}
	it[attrAttempts] = &types.AttributeValueMemberN{Value: "1"}
	it[attrLog] = &types.AttributeValueMemberL{Value: []types.AttributeValue{entry}}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: it}); err != nil {
		return fmt.Errorf("delivery: recording the verdict of trigger %s on %s: %w", t.TriggerID, t.EventUUID, err)
	}
	return nil
}

// item returns a new delivery record of t with status, made at now, kept for the
// retention: what Claim and Verdict write before their own attributes.
func (s *Store) item(t *Task, status string, now time.Time) map[string]types.AttributeValue {
	it := s.key(t)
	it[attrEventUUID] = &types.AttributeValueMemberS{Value: t.EventUUID}
	it[attrStatus] = &types.AttributeValueMemberS{Value: status}
	it[attrCreatedAt] = &types.AttributeValueMemberS{Value: now.Format(time.RFC3339Nano)}
	it[attrUpdatedAt] = it[attrCreatedAt]
	it[attrEvent] = &types.AttributeValueMemberS{Value: string(t.Event)}
	it[attrRound] = &types.AttributeValueMemberN{Value: "0"}
	it[attrExpiresAt] = store.TTL(now.Add(s.Retention))
	return it
}
