package template

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// provisionTable creates an AWS::DynamoDB::Table, or finds the one of that name.
// Honoured: TableName, AttributeDefinitions, KeySchema, BillingMode,
// ProvisionedThroughput, GlobalSecondaryIndexes, LocalSecondaryIndexes (with
// projections), StreamSpecification and TimeToLiveSpecification. Settings that only
// matter in AWS (encryption, backups, tags) are ignored. dynalite has no streams, so a
// table's StreamArn stays unavailable there. An existing table is kept as it is:
// dynalite's tables are cheap to recreate when the key design changes.
func (s *Stack) provisionTable(ctx context.Context, db *dynamodb.Client, id string, m map[string]any) (Physical, error) {
	if db == nil {
		return Physical{}, errors.New("no DynamoDB client")
	}
	p := newProps(m)
	name := p.str("TableName")
	if name == "" {
		name = id
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		KeySchema:   keySchema(p.list("KeySchema")),
		BillingMode: types.BillingMode(p.str("BillingMode")),
	}
	for _, a := range p.list("AttributeDefinitions") {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.str("AttributeName")),
			AttributeType: types.ScalarAttributeType(a.str("AttributeType")),
		})
	}
	in.ProvisionedThroughput = throughput(p)
	for _, g := range p.list("GlobalSecondaryIndexes") {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:             aws.String(g.str("IndexName")),
			KeySchema:             keySchema(g.list("KeySchema")),
			Projection:            projection(g),
			ProvisionedThroughput: throughput(g),
		})
	}
	for _, l := range p.list("LocalSecondaryIndexes") {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(l.str("IndexName")),
			KeySchema:  keySchema(l.list("KeySchema")),
			Projection: projection(l),
		})
	}
	if ss, ok := p.sub("StreamSpecification"); ok {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewType(ss.str("StreamViewType")),
		}
	}
	var ttlAttr string
	if ttl, ok := p.sub("TimeToLiveSpecification"); ok && isTrue(ttl.m["Enabled"]) {
		ttlAttr = ttl.str("AttributeName")
	}
	if err := p.errs.err(); err != nil {
		return Physical{}, err
	}

	if _, err := db.CreateTable(ctx, in); err != nil {
		var inUse *types.ResourceInUseException
		if !errors.As(err, &inUse) {
			return Physical{}, fmt.Errorf("create table %s: %w", name, err)
		}
	}
	desc, err := waitActive(ctx, db, name)
	if err != nil {
		return Physical{}, err
	}
	if ttlAttr != "" {
		if err := enableTTL(ctx, db, name, ttlAttr); err != nil {
			return Physical{}, err
		}
	}
	phys := Physical{Name: name, ARN: aws.ToString(desc.TableArn)}
	if arn := aws.ToString(desc.LatestStreamArn); arn != "" {
		phys.Attrs = map[string]string{"StreamArn": arn}
	}
	return phys, nil
}

func keySchema(l []props) []types.KeySchemaElement {
	var ks []types.KeySchemaElement
	for _, k := range l {
		ks = append(ks, types.KeySchemaElement{
			AttributeName: aws.String(k.str("AttributeName")),
			KeyType:       types.KeyType(k.str("KeyType")),
		})
	}
	return ks
}

func projection(p props) *types.Projection {
	pr, ok := p.sub("Projection")
	if !ok {
		return nil
	}
	return &types.Projection{
		ProjectionType:   types.ProjectionType(pr.str("ProjectionType")),
		NonKeyAttributes: pr.strings("NonKeyAttributes"),
	}
}

func throughput(p props) *types.ProvisionedThroughput {
	t, ok := p.sub("ProvisionedThroughput")
	if !ok {
		return nil
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  t.int64("ReadCapacityUnits"),
		WriteCapacityUnits: t.int64("WriteCapacityUnits"),
	}
}

// waitActive polls until the table is ACTIVE. dynalite is started with no creation delay,
// so this is quick; the SDK's waiter would sleep 20 s before its second look.
func waitActive(ctx context.Context, db *dynamodb.Client, name string) (*types.TableDescription, error) {
	for delay := 10 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("describe table %s: %w", name, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return out.Table, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("table %s is still %s: %w", name, out.Table.TableStatus, ctx.Err())
		case <-time.After(delay):
		}
	}
}

// enableTTL switches on the table's time to live. dynalite does not implement the
// operation at all; items there simply never expire, which the code tolerates anyway
// because DynamoDB deletes expired items lazily and reads must filter them out.
func enableTTL(ctx context.Context, db *dynamodb.Client, table, attr string) error {
	_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attr),
			Enabled:       aws.Bool(true),
		},
	})
	switch {
	case err == nil:
		return nil
	case apiErrorCode(err) == "UnknownOperationException":
		return nil
	case apiErrorCode(err) == "ValidationException" && strings.Contains(err.Error(), "already enabled"):
		// AWS refuses to enable TTL twice; the second Provision finds it on.
		return nil
	}
	return fmt.Errorf("enable time to live on %s: %w", table, err)
}
