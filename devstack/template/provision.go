package template

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// Clients are the AWS clients Provision creates resources with, normally pointed at the
// local emulators through AWS_ENDPOINT_URL_DYNAMODB, _SQS and _SNS. A client may be nil
// if the template has no resource of its service.
type Clients struct {
	DynamoDB *dynamodb.Client
	SQS      *sqs.Client
	SNS      *sns.Client
}

// region returns the region the clients sign for: the emulators put it into ARNs.
func (c Clients) region() string {
	switch {
	case c.SQS != nil && c.SQS.Options().Region != "":
		return c.SQS.Options().Region
	case c.SNS != nil && c.SNS.Options().Region != "":
		return c.SNS.Options().Region
	case c.DynamoDB != nil:
		return c.DynamoDB.Options().Region
	}
	return ""
}

// skipError is returned by a provisioner for a resource it leaves out on purpose.
type skipError struct{ reason string }

func (e skipError) Error() string { return e.reason }

// Provision creates in the emulators behind c every resource of t that has a local
// counterpart: DynamoDB tables, SNS topics, SQS queues and SNS subscriptions to SQS
// queues. params gives template parameter values; parameters not given take their
// defaults, and a parameter with neither is an error, as in CloudFormation.
//
// Resources are created after the resources they refer to, so a queue's dead-letter queue
// exists by the time its RedrivePolicy names the DLQ's ARN. Serverless functions are not
// created (the local stack runs them) but are resolvable under their logical ids; other
// types, such as IAM roles, queue policies, alarms and APIs, are listed in Stack.Skipped.
//
// Provision is idempotent: it reuses tables, topics, queues and subscriptions that exist
// under the same names, updating the queue and subscription attributes the template sets.
func Provision(ctx context.Context, t *Template, c Clients, params map[string]string) (*Stack, error) {
	s, err := newStack(t, c.region(), params)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	todo, err := s.plan()
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	order, err := t.order(todo)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	for _, id := range order {
		r := t.Resources[id]
		v, err := s.resolve(r.Properties)
		if err != nil {
			return nil, fmt.Errorf("template: %s: Properties: %w", id, err)
		}
		props, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("template: %s: Properties: resolve to %s, want a mapping", id, describe(v))
		}
		var p Physical
		switch r.Type {
		case TypeTable:
			p, err = s.provisionTable(ctx, c.DynamoDB, id, props)
		case TypeQueue:
			p, err = s.provisionQueue(ctx, c.SQS, id, props)
		case TypeTopic:
			p, err = s.provisionTopic(ctx, c.SNS, id, props)
		case TypeSubscription:
			p, err = s.provisionSubscription(ctx, c.SNS, id, props)
		}
		var skip skipError
		if errors.As(err, &skip) {
			s.skip(id, r.Type, skip.reason)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("template: %s (%s): %w", id, r.Type, err)
		}
		p.LogicalID, p.Type = id, r.Type
		s.Resources[id] = p
	}
	return s, nil
}

// plan sorts the template's resources into those to create, which it returns, and the
// rest. It registers the functions, whose names and ARNs need no emulator.
func (s *Stack) plan() ([]string, error) {
	var todo []string
	for _, id := range s.Template.LogicalIDs() {
		r := s.Template.Resources[id]
		if r.Condition != "" {
			ok, err := s.condition(r.Condition)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			if !ok {
				s.skip(id, r.Type, "condition "+r.Condition+" is false")
				continue
			}
		}
		switch r.Type {
		case TypeFunction:
			s.Resources[id] = Physical{
				LogicalID: id,
				Type:      r.Type,
				Name:      id,
				ARN:       fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", Partition, s.Region, s.AccountID, id),
			}
			s.skip(id, r.Type, "functions are run by the local stack")
		case TypeTable, TypeQueue, TypeTopic, TypeSubscription:
			todo = append(todo, id)
		default:
			s.skip(id, r.Type, "no local counterpart")
		}
	}
	return todo, nil
}

// props reads resolved resource properties, collecting every problem found.
type props struct {
	m    map[string]any
	path string
	errs *fieldErrors
}

func newProps(m map[string]any) props {
	return props{m: m, errs: &fieldErrors{}}
}

func (p props) at(key string) string {
	if p.path == "" {
		return key
	}
	return p.path + "." + key
}

func (p props) has(key string) bool {
	_, ok := p.m[key]
	return ok
}

func (p props) str(key string) string {
	return p.errs.str(p.m, key, p.at(key))
}

func (p props) int64(key string) *int64 {
	v, ok := p.m[key]
	if !ok {
		return nil
	}
	n, err := toInt64(v)
	if err != nil {
		p.errs.addf("%s: %v", p.at(key), err)
		return nil
	}
	return &n
}

// sub returns the mapping at key; a missing key yields ok false.
func (p props) sub(key string) (props, bool) {
	m := p.errs.mapping(p.m, key, p.at(key))
	return props{m: m, path: p.at(key), errs: p.errs}, m != nil
}

// list returns the mappings in the list at key.
func (p props) list(key string) []props {
	v, ok := p.m[key]
	if !ok {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		p.errs.addf("%s: is %s, want a list", p.at(key), describe(v))
		return nil
	}
	var out []props
	for i, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			p.errs.addf("%s[%d]: is %s, want a mapping", p.at(key), i, describe(x))
			continue
		}
		out = append(out, props{m: m, path: fmt.Sprintf("%s[%d]", p.at(key), i), errs: p.errs})
	}
	return out
}

// strings returns the strings in the list at key.
func (p props) strings(key string) []string {
	v, ok := p.m[key]
	if !ok {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		p.errs.addf("%s: is %s, want a list", p.at(key), describe(v))
		return nil
	}
	var out []string
	for i, x := range l {
		s, ok := scalarString(x)
		if !ok {
			p.errs.addf("%s[%d]: is %s, want a string", p.at(key), i, describe(x))
		}
		out = append(out, s)
	}
	return out
}

// jsonText returns the value at key as JSON text: policies are objects in templates and
// strings in the APIs. A string is taken to be JSON already.
func (p props) jsonText(key string) (string, bool) {
	v, ok := p.m[key]
	if !ok || v == nil {
		return "", false
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // filter policies hold ">" and "<"; keep them readable
	if err := enc.Encode(v); err != nil {
		p.errs.addf("%s: %v", p.at(key), err)
		return "", false
	}
	return strings.TrimSuffix(b.String(), "\n"), true
}

// apiErrorCode returns the error code of an AWS API error, or "".
func apiErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
