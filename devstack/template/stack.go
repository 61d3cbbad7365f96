package template

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Values of the pseudo parameters in a local stack. The account id is the one the
// emulators put into the ARNs they make.
const (
	StackName = "herald-local"
	AccountID = "000000000000"
	Partition = "aws"
	URLSuffix = "amazonaws.com"
)

// Resource types with a local counterpart.
const (
	TypeTable        = "AWS::DynamoDB::Table"
	TypeTopic        = "AWS::SNS::Topic"
	TypeSubscription = "AWS::SNS::Subscription"
	TypeQueue        = "AWS::SQS::Queue"
	TypeFunction     = "AWS::Serverless::Function"
)

// Stack is a template provisioned into the local emulators: the physical resources
// behind the logical ids, and what is needed to resolve intrinsic functions against them.
// Its methods may be called concurrently; its fields must not change after Provision.
type Stack struct {
	Template  *Template
	Name      string // the stack name, StackName
	Region    string
	AccountID string

	// Params holds the value of every template parameter: the one given to Provision,
	// else the parameter's default.
	Params map[string]string

	// Resources holds the physical resource behind each logical id that has one locally:
	// the tables, topics, queues and subscriptions Provision created or found, and the
	// functions (which the local stack runs itself, under their logical ids).
	Resources map[string]Physical

	// Skipped lists the resources Provision did not create, sorted by logical id.
	Skipped []Skipped

	conds map[string]*condState
}

// Physical is the local resource behind a logical id.
type Physical struct {
	LogicalID string
	Type      string
	Name      string            // table, topic, queue or function name; empty for subscriptions
	ARN       string            // the resource's ARN
	URL       string            // queues only
	Attrs     map[string]string // further Fn::GetAtt attributes, such as a table's StreamArn
}

// Skipped is a resource that Provision did not create, and why.
type Skipped struct {
	LogicalID string
	Type      string
	Reason    string
}

type condState struct {
	value    bool
	done     bool
	visiting bool
}

// Check does what CloudFormation does with a template and parameters before it creates
// or changes anything: it checks the parameters against their constraints, decides the
// conditions and evaluates the rules. The error names what fails.
func Check(t *Template, params map[string]string) error {
	_, err := newStack(t, "", params)
	return err
}

// Evaluate returns the stack of t and params as Check makes it, with nothing
// provisioned: it resolves what depends on the parameters and conditions alone (a Ref to
// a parameter, Fn::If, Fn::Split, …), and fails on a reference to a resource.
func Evaluate(t *Template, params map[string]string) (*Stack, error) {
	return newStack(t, "", params)
}

// newStack returns a stack with parameters checked and defaulted and conditions
// evaluated, but nothing provisioned yet.
func newStack(t *Template, region string, params map[string]string) (*Stack, error) {
	if region == "" {
		region = "us-east-1"
	}
	s := &Stack{
		Template:  t,
		Name:      StackName,
		Region:    region,
		AccountID: AccountID,
		Params:    map[string]string{},
		Resources: map[string]Physical{},
		conds:     map[string]*condState{},
	}
	var errs fieldErrors
	for name := range params {
		if _, ok := t.Parameters[name]; !ok {
			errs.addf("parameter %s: the template declares no such parameter", name)
		}
	}
	for name, p := range t.Parameters {
		v, given := params[name]
		if !given {
			if p.Default == nil {
				errs.addf("parameter %s: no value given and no default", name)
				continue
			}
			d, ok := scalarString(p.Default)
			if !ok {
				if l, isList := p.Default.([]any); isList {
					d, ok = joinScalars(l, ",")
				}
			}
			if !ok {
				errs.addf("parameter %s: default is %s, want a string", name, describe(p.Default))
				continue
			}
			v = d
		}
		if err := p.check(v); err != nil {
			errs.addf("parameter %s: %v", name, err)
			continue
		}
		s.Params[name] = v
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	// Conditions depend on parameters only, so they are decided here, once: a broken
	// condition fails Provision before anything is created, as in CloudFormation, and
	// resolving afterwards only reads them, so a Stack is safe for concurrent use.
	names := make([]string, 0, len(t.Conditions))
	for name := range t.Conditions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := s.condition(name); err != nil {
			errs.addf("%v", err)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if err := s.checkRules(); err != nil {
		return nil, err
	}
	return s, nil
}

// check validates a parameter value against the constraints CloudFormation enforces.
func (p Parameter) check(v string) error {
	if len(p.AllowedValues) > 0 {
		found := false
		for _, a := range p.AllowedValues {
			if s, ok := scalarString(a); ok && s == v {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%q is not one of the allowed values", v)
		}
	}
	if p.AllowedPattern != "" {
		// CloudFormation matches the whole value.
		re, err := regexp.Compile("^(?:" + p.AllowedPattern + ")$")
		if err != nil {
			return fmt.Errorf("AllowedPattern: %v", err)
		}
		if !re.MatchString(v) {
			return fmt.Errorf("%q does not match %s", v, p.AllowedPattern)
		}
	}
	if p.Type == "Number" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		if min, ok := toFloat(p.MinValue); ok && n < min {
			return fmt.Errorf("%v is below MinValue %v", n, min)
		}
		if max, ok := toFloat(p.MaxValue); ok && n > max {
			return fmt.Errorf("%v is above MaxValue %v", n, max)
		}
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	s, ok := scalarString(v)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// isList reports whether parameters of this type resolve to a list.
func (p Parameter) isList() bool {
	return p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<")
}

func (s *Stack) skip(id, typ, reason string) {
	s.Skipped = append(s.Skipped, Skipped{LogicalID: id, Type: typ, Reason: reason})
	sort.Slice(s.Skipped, func(i, j int) bool { return s.Skipped[i].LogicalID < s.Skipped[j].LogicalID })
}

// Ref returns what {"Ref": name} resolves to: a parameter's value, a pseudo parameter, or
// a resource's physical id (table name, topic ARN, queue URL, function name).
// A list parameter comes back comma-joined.
func (s *Stack) Ref(name string) (string, error) {
	v, err := s.ref(name)
	if err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	if l, ok := v.([]any); ok {
		j, _ := joinScalars(l, ",")
		return j, nil
	}
	str, _ := scalarString(v)
	return str, nil
}

func (s *Stack) ref(name string) (any, error) {
	switch name {
	case "AWS::Region":
		return s.Region, nil
	case "AWS::AccountId":
		return s.AccountID, nil
	case "AWS::StackName":
		return s.Name, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000",
			Partition, s.Region, s.AccountID, s.Name), nil
	case "AWS::Partition":
		return Partition, nil
	case "AWS::URLSuffix":
		return URLSuffix, nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if p, ok := s.Template.Parameters[name]; ok {
		v, ok := s.Params[name]
		if !ok {
			return nil, fmt.Errorf("Ref %s: parameter has no value", name)
		}
		if p.isList() {
			var l []any
			for _, part := range strings.Split(v, ",") {
				l = append(l, strings.TrimSpace(part))
			}
			return l, nil
		}
		return v, nil
	}
	if r, ok := s.Resources[name]; ok {
		switch r.Type {
		case TypeTopic, TypeSubscription:
			return r.ARN, nil
		case TypeQueue:
			return r.URL, nil
		default:
			return r.Name, nil
		}
	}
	return nil, s.unknown("Ref "+name, name)
}

// unknown explains why a logical id has no local physical resource.
func (s *Stack) unknown(what, id string) error {
	r, ok := s.Template.Resources[id]
	if !ok {
		return fmt.Errorf("%s: no parameter or resource %s in the template", what, id)
	}
	for _, sk := range s.Skipped {
		if sk.LogicalID == id {
			return fmt.Errorf("%s: %s is a %s, which is not provisioned locally (%s)", what, id, r.Type, sk.Reason)
		}
	}
	return fmt.Errorf("%s: %s (%s) is not provisioned (yet)", what, id, r.Type)
}

// GetAtt returns what {"Fn::GetAtt": [logicalID, attr]} resolves to. Supported: Arn of
// tables, topics, queues and functions; QueueName, QueueUrl; TopicName, TopicArn; a
// table's StreamArn when it has a stream.
func (s *Stack) GetAtt(logicalID, attr string) (string, error) {
	v, err := s.getAtt(logicalID, attr)
	if err != nil {
		return "", fmt.Errorf("template: %w", err)
	}
	return v, nil
}

func (s *Stack) getAtt(id, attr string) (string, error) {
	what := "Fn::GetAtt " + id + "." + attr
	r, ok := s.Resources[id]
	if !ok {
		return "", s.unknown(what, id)
	}
	var v string
	switch {
	case attr == "Arn" && r.ARN != "":
		v = r.ARN
	case r.Type == TypeQueue && attr == "QueueName", r.Type == TypeTopic && attr == "TopicName":
		v = r.Name
	case r.Type == TypeQueue && attr == "QueueUrl":
		v = r.URL
	case r.Type == TypeTopic && attr == "TopicArn":
		v = r.ARN
	default:
		v = r.Attrs[attr]
	}
	if v == "" {
		return "", fmt.Errorf("%s: attribute not available locally for a %s", what, r.Type)
	}
	return v, nil
}

// FunctionEnv returns the environment variables fn runs with: Globals and the function's
// own merged (see Function.Properties) and every value resolved. Variables that resolve
// to AWS::NoValue are left out.
func (s *Stack) FunctionEnv(fn Function) (map[string]string, error) {
	env := map[string]string{}
	raw, ok := fn.Properties["Environment"]
	if !ok {
		return env, nil
	}
	v, err := s.resolve(raw)
	if err != nil {
		return nil, fmt.Errorf("template: %s: Environment: %w", fn.LogicalID, err)
	}
	e, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template: %s: Environment: is %s, want a mapping", fn.LogicalID, describe(v))
	}
	vars, ok := e["Variables"].(map[string]any)
	if !ok {
		if e["Variables"] == nil {
			return env, nil
		}
		return nil, fmt.Errorf("template: %s: Environment.Variables: is %s, want a mapping", fn.LogicalID, describe(e["Variables"]))
	}
	for k, x := range vars {
		str, ok := scalarString(x)
		if !ok {
			return nil, fmt.Errorf("template: %s: Environment.Variables.%s: resolves to %s, want a string", fn.LogicalID, k, describe(x))
		}
		env[k] = str
	}
	return env, nil
}
