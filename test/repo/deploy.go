package repo

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/heraldhq/herald/devstack/template"
)

// The checks in this file hold the template to what a real deploy needs, beyond what
// sam validate --lint sees: each one stands for a way a valid template still breaks or
// endangers an AWS account.

// apiTimeout is the HTTP API's integration timeout: a function behind it must answer
// sooner, or the caller gets the gateway's bare 503.
const apiTimeout = 30

// visibilityFactor is AWS's advice for a queue a function reads: a visibility timeout of
// at least six times the function's timeout.
const visibilityFactor = 6

// UnrecoverableTables are the tables that need no point-in-time recovery, and why.
var UnrecoverableTables = map[string]string{
	"StreamsTable": "each lease lives a minute unless renewed: there is nothing to recover",
}

// CheckReservedConcurrency reports functions that reserve concurrency. A reservation
// must leave 10 of the account's concurrency unreserved, so on a new account (a quota of
// 10) the stack fails to create; an operator may opt in through a condition.
func CheckReservedConcurrency(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		v, ok := fn.Properties["ReservedConcurrentExecutions"]
		if !ok {
			continue
		}
		if m, isMap := v.(map[string]any); isMap && m["Fn::If"] != nil {
			continue
		}
		problems = append(problems, fmt.Sprintf("%s: ReservedConcurrentExecutions %v fails to deploy on accounts with the new-account concurrency quota", fn.LogicalID, v))
	}
	return problems
}

// CheckVisibility reports SQS event sources whose queue's VisibilityTimeout is below six
// times the function's Timeout.
func CheckVisibility(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		timeout, _ := toInt(fn.Properties["Timeout"])
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "SQS" {
				continue
			}
			q := getAttArn(ev.Properties["Queue"])
			vis, ok := toInt(tmpl.Resources[q].Properties["VisibilityTimeout"])
			if !ok {
				vis = 30 // SQS's default
			}
			if vis < visibilityFactor*timeout {
				problems = append(problems, fmt.Sprintf("%s: VisibilityTimeout %d is below %d × %s's Timeout %d", q, vis, visibilityFactor, fn.LogicalID, timeout))
			}
		}
	}
	return problems
}

// CheckAPITimeouts reports functions behind the HTTP API whose Timeout is not below the
// API's own 30 s.
func CheckAPITimeouts(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		timeout, _ := toInt(fn.Properties["Timeout"])
		for _, name := range fn.EventNames() {
			if fn.Events[name].Type == "HttpApi" && timeout >= apiTimeout {
				problems = append(problems, fmt.Sprintf("%s: Timeout %d is not below the HTTP API's %d s", fn.LogicalID, timeout, apiTimeout))
				break
			}
		}
	}
	return problems
}

// CheckAlarms reports alarms that notify nobody (no AlarmActions), and a template with
// no alarm on the Bridge's errors or on its lag (the BridgeLag metric): the Bridge is
// the only relay from the stream to SNS.
func CheckAlarms(tmpl *template.Template) []string {
	var problems []string
	bridgeErrors, bridgeLag := false, false
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		if actions, _ := r.Properties["AlarmActions"].([]any); len(actions) == 0 {
			problems = append(problems, id+": no AlarmActions: it notifies nobody")
		}
		dims, _ := r.Properties["Dimensions"].([]any)
		for _, d := range dims {
			dm, _ := d.(map[string]any)
			if dm["Name"] == "FunctionName" && isRef(dm["Value"], "Bridge") && r.Properties["MetricName"] == "Errors" {
				bridgeErrors = true
			}
		}
		if r.Properties["Namespace"] == "Herald" && r.Properties["MetricName"] == "BridgeLag" {
			bridgeLag = true
		}
	}
	if !bridgeErrors {
		problems = append(problems, "no alarm on the Bridge's Errors")
	}
	if !bridgeLag {
		problems = append(problems, "no alarm on the Bridge's lag (Herald BridgeLag)")
	}
	return problems
}

// CheckRetain reports tables, queues and the topics queues subscribe to that a stack
// deletion or a replacing change would destroy: each needs DeletionPolicy and
// UpdateReplacePolicy Retain.
func CheckRetain(tmpl *template.Template) []string {
	subscribed := map[string]bool{}
	for _, r := range tmpl.Resources {
		if r.Type == template.TypeSubscription {
			if m, ok := r.Properties["TopicArn"].(map[string]any); ok {
				if id, ok := m["Ref"].(string); ok {
					subscribed[id] = true
				}
			}
		}
	}
	var problems []string
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != template.TypeTable && r.Type != template.TypeQueue && !(r.Type == template.TypeTopic && subscribed[id]) {
			continue
		}
		if r.DeletionPolicy != "Retain" {
			problems = append(problems, fmt.Sprintf("%s: DeletionPolicy %q, want Retain", id, r.DeletionPolicy))
		}
		if r.UpdateReplacePolicy != "Retain" {
			problems = append(problems, fmt.Sprintf("%s: UpdateReplacePolicy %q, want Retain", id, r.UpdateReplacePolicy))
		}
	}
	return problems
}

// CheckPITR reports tables without point-in-time recovery, but UnrecoverableTables.
func CheckPITR(tmpl *template.Template) []string {
	var problems []string
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != template.TypeTable || UnrecoverableTables[id] != "" {
			continue
		}
		spec, _ := r.Properties["PointInTimeRecoverySpecification"].(map[string]any)
		if e := spec["PointInTimeRecoveryEnabled"]; e != true && e != "true" {
			problems = append(problems, id+": no point-in-time recovery")
		}
	}
	return problems
}

// CheckLogRetention reports functions whose logs never expire: each must log to a log
// group of the template (LoggingConfig.LogGroup) with a RetentionInDays.
func CheckLogRetention(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		cfg, _ := fn.Properties["LoggingConfig"].(map[string]any)
		ref, _ := cfg["LogGroup"].(map[string]any)
		id, _ := ref["Ref"].(string)
		lg, ok := tmpl.Resources[id]
		switch {
		case id == "" || !ok || lg.Type != "AWS::Logs::LogGroup":
			problems = append(problems, fn.LogicalID+": LoggingConfig.LogGroup is not a log group of the template, so its logs never expire")
		case lg.Properties["RetentionInDays"] == nil:
			problems = append(problems, fmt.Sprintf("%s: log group %s has no RetentionInDays", fn.LogicalID, id))
		}
	}
	return problems
}

// CheckIAM reports what grants more than the code needs: SAM policy templates (each
// grants a whole family of actions, DynamoDBCrudPolicy every write and a Scan), functions
// with an SQS event source left to SAM's own role (whose policy reads and deletes on every
// queue), and statements on every resource ("*") but the documented exception: reading
// secrets, which are optional parameters, by the tag an operator puts on them.
func CheckIAM(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		for _, name := range fn.EventNames() {
			if fn.Events[name].Type == "SQS" && fn.Properties["Role"] == nil {
				problems = append(problems, fn.LogicalID+": an SQS event source with SAM's role, which reads and deletes on every queue")
				break
			}
		}
		policies, _ := fn.Properties["Policies"].([]any)
		for _, p := range policies {
			m, ok := p.(map[string]any)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: policy %v: a managed policy, not statements", fn.LogicalID, p))
				continue
			}
			for k := range m {
				if k != "Statement" {
					problems = append(problems, fmt.Sprintf("%s: SAM policy template %s grants more than the code calls", fn.LogicalID, k))
				}
			}
		}
	}
	for _, s := range Statements(tmpl) {
		if !slices.Contains(s.Resources, "*") {
			continue
		}
		if slices.Equal(s.Actions, []string{"secretsmanager:GetSecretValue"}) && s.Tagged {
			continue
		}
		problems = append(problems, fmt.Sprintf("%s: %v on every resource", s.Where, s.Actions))
	}
	sort.Strings(problems)
	return problems
}

// A Statement is an IAM policy statement of the template, as written.
type Statement struct {
	Where     string // the function or role, and the statement's index
	Effect    string
	Actions   []string
	Resources []string // "*", or a description of each resource
	Tagged    bool     // has a secretsmanager:ResourceTag condition
}

// Statements returns every IAM statement of the template: those of the functions'
// Policies and of the roles' policies. A statement behind Fn::If counts in both branches.
func Statements(tmpl *template.Template) []Statement {
	var out []Statement
	add := func(where string, list []any) {
		for i, x := range list {
			for _, st := range ifBranches(x) {
				s := Statement{Where: fmt.Sprintf("%s statement %d", where, i)}
				s.Effect, _ = st["Effect"].(string)
				s.Actions = scalars(st["Action"])
				s.Resources = scalars(st["Resource"])
				cond, _ := st["Condition"].(map[string]any)
				eq, _ := cond["StringEquals"].(map[string]any)
				_, s.Tagged = eq["secretsmanager:ResourceTag/herald"]
				out = append(out, s)
			}
		}
	}
	for _, fn := range tmpl.Functions() {
		policies, _ := fn.Properties["Policies"].([]any)
		for _, p := range policies {
			if m, ok := p.(map[string]any); ok {
				list, _ := m["Statement"].([]any)
				add(fn.LogicalID, list)
			}
		}
	}
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		policies, _ := r.Properties["Policies"].([]any)
		for _, p := range policies {
			doc, _ := p.(map[string]any)["PolicyDocument"].(map[string]any)
			list, _ := doc["Statement"].([]any)
			add(id, list)
		}
	}
	return out
}

// ifBranches returns the statements x stands for: itself, or both branches of an Fn::If
// (leaving out AWS::NoValue).
func ifBranches(x any) []map[string]any {
	m, _ := x.(map[string]any)
	if m == nil {
		return nil
	}
	args, ok := m["Fn::If"].([]any)
	if !ok {
		return []map[string]any{m}
	}
	var out []map[string]any
	for _, b := range args[1:] {
		out = append(out, ifBranches(b)...)
	}
	return out
}

// scalars reads a string-or-list value; an intrinsic function is described, not resolved.
func scalars(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, scalars(x)...)
		}
		return out
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}

// isRef reports whether v is {"Ref": name}.
func isRef(v any, name string) bool {
	m, _ := v.(map[string]any)
	return m != nil && m["Ref"] == name
}

// toInt reads a template number.
func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), true
	}
	return 0, false
}

// GrantedDynamoDBActions returns the dynamodb: actions the template grants each function,
// through its Policies or its role (Role: !GetAtt <role>.Arn), sorted.
func GrantedDynamoDBActions(tmpl *template.Template) map[string][]string {
	granted := map[string][]string{}
	all := Statements(tmpl)
	for _, fn := range tmpl.Functions() {
		owners := []string{fn.LogicalID}
		if role := getAttArn(fn.Properties["Role"]); role != "" {
			owners = append(owners, role)
		}
		var actions []string
		for _, s := range all {
			owner, _, _ := strings.Cut(s.Where, " statement ")
			if s.Effect != "Allow" || !slices.Contains(owners, owner) {
				continue
			}
			for _, a := range s.Actions {
				if strings.HasPrefix(a, "dynamodb:") && !slices.Contains(actions, a) {
					actions = append(actions, a)
				}
			}
		}
		sort.Strings(actions)
		granted[fn.LogicalID] = actions
	}
	return granted
}
