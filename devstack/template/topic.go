package template

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// provisionTopic creates an AWS::SNS::Topic (CreateTopic is idempotent) and sets its
// DisplayName. The name is TopicName, else the logical id (with ".fifo" for a FIFO topic).
// Inline Subscription entries with protocol sqs are subscribed too.
func (s *Stack) provisionTopic(ctx context.Context, c *sns.Client, id string, m map[string]any) (Physical, error) {
	if c == nil {
		return Physical{}, errors.New("no SNS client")
	}
	p := newProps(m)
	fifo := isTrue(m["FifoTopic"])
	name := p.str("TopicName")
	if name == "" {
		name = id
		if fifo {
			name += ".fifo"
		}
	}
	// Only immutable attributes go into CreateTopic, which fails when they differ from
	// the existing topic's; the mutable ones are set afterwards so that edits apply.
	create := map[string]string{}
	if fifo {
		create["FifoTopic"] = "true"
	}
	set := map[string]string{}
	for _, k := range []string{"DisplayName", "ContentBasedDeduplication"} {
		if p.has(k) {
			set[k] = p.str(k)
		}
	}
	type inline struct{ protocol, endpoint string }
	var subs []inline
	for _, sub := range p.list("Subscription") {
		subs = append(subs, inline{sub.str("Protocol"), sub.str("Endpoint")})
	}
	if err := p.errs.err(); err != nil {
		return Physical{}, err
	}

	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: create})
	if err != nil {
		return Physical{}, fmt.Errorf("create topic %s: %w", name, err)
	}
	arn := aws.ToString(out.TopicArn)
	for _, k := range sortedKeys(set) {
		_, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
			TopicArn:       aws.String(arn),
			AttributeName:  aws.String(k),
			AttributeValue: aws.String(set[k]),
		})
		if err != nil {
			return Physical{}, fmt.Errorf("set %s of topic %s: %w", k, name, err)
		}
	}
	for _, sub := range subs {
		if sub.protocol != "sqs" {
			continue // only SQS endpoints exist locally
		}
		if _, err := subscribe(ctx, c, arn, sub.protocol, sub.endpoint, nil); err != nil {
			return Physical{}, err
		}
	}
	return Physical{Name: name, ARN: arn}, nil
}

// provisionSubscription subscribes an SQS queue to a topic as an AWS::SNS::Subscription
// says: RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy and
// DeliveryPolicy. Other protocols have no local endpoint and are skipped.
func (s *Stack) provisionSubscription(ctx context.Context, c *sns.Client, id string, m map[string]any) (Physical, error) {
	if c == nil {
		return Physical{}, errors.New("no SNS client")
	}
	p := newProps(m)
	protocol := p.str("Protocol")
	if protocol != "sqs" {
		return Physical{}, skipError{fmt.Sprintf("protocol %q has no local endpoint", protocol)}
	}
	topicArn, endpoint := p.str("TopicArn"), p.str("Endpoint")
	if topicArn == "" || endpoint == "" {
		p.errs.addf("TopicArn and Endpoint are required")
	}
	// Set RawMessageDelivery either way, so that turning it off in the template applies
	// to an existing subscription too.
	attrs := map[string]string{"RawMessageDelivery": "false"}
	if isTrue(m["RawMessageDelivery"]) {
		attrs["RawMessageDelivery"] = "true"
	}
	for _, k := range []string{"FilterPolicy", "RedrivePolicy", "DeliveryPolicy"} {
		if j, ok := p.jsonText(k); ok {
			attrs[k] = j
		}
	}
	if v := p.str("FilterPolicyScope"); v != "" {
		attrs["FilterPolicyScope"] = v
	}
	if err := p.errs.err(); err != nil {
		return Physical{}, err
	}
	arn, err := subscribe(ctx, c, topicArn, protocol, endpoint, attrs)
	if err != nil {
		return Physical{}, err
	}
	return Physical{ARN: arn}, nil
}

// subscribe returns the subscription of endpoint to the topic, creating it if there is
// none and otherwise setting attrs on the existing one, so that running twice does not
// deliver every message twice.
func subscribe(ctx context.Context, c *sns.Client, topicArn, protocol, endpoint string, attrs map[string]string) (string, error) {
	var existing string
	pages := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicArn)})
	for pages.HasMorePages() && existing == "" {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list subscriptions of %s: %w", topicArn, err)
		}
		for _, sub := range page.Subscriptions {
			if aws.ToString(sub.Protocol) == protocol && aws.ToString(sub.Endpoint) == endpoint {
				existing = aws.ToString(sub.SubscriptionArn)
				break
			}
		}
	}
	if existing == "" {
		out, err := c.Subscribe(ctx, &sns.SubscribeInput{
			TopicArn:              aws.String(topicArn),
			Protocol:              aws.String(protocol),
			Endpoint:              aws.String(endpoint),
			Attributes:            attrs,
			ReturnSubscriptionArn: true,
		})
		if err != nil {
			return "", fmt.Errorf("subscribe %s to %s: %w", endpoint, topicArn, err)
		}
		return aws.ToString(out.SubscriptionArn), nil
	}
	for _, k := range sortedKeys(attrs) {
		_, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{
			SubscriptionArn: aws.String(existing),
			AttributeName:   aws.String(k),
			AttributeValue:  aws.String(attrs[k]),
		})
		if err != nil {
			return "", fmt.Errorf("set %s of subscription %s: %w", k, existing, err)
		}
	}
	return existing, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
