package template_test

// The tests in this file check that template.yaml confines trigger actions to what the
// operator allows: Deliver's role sends to nothing by default, never to Herald's own
// queues (but the dead-letter queue it writes), topic or functions; EventsApi's, which
// asks sync triggers' functions, invokes nothing by default and never Herald's own
// functions; and the functions that check actions are told every one of those resources.

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
)

// actionActions are the IAM actions sqs, sns and lambda actions need.
var actionActions = []string{"sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction"}

// statement is one resolved IAM policy statement.
type statement struct {
	Effect    string
	Actions   []string
	Resources []string
}

// deliverStatements resolves the statements of Deliver's role in s.
func deliverStatements(t *testing.T, s *template.Stack) []statement {
	t.Helper()
	return roleStatements(t, s, "Deliver")
}

// roleStatements resolves the statements of the role of function id (<id>Role, the role
// its Role names) in s.
func roleStatements(t *testing.T, s *template.Stack, id string) []statement {
	t.Helper()
	fn, ok := s.Template.Function(id)
	if !ok {
		t.Fatalf("template.yaml has no function %s", id)
	}
	if _, has := fn.Properties["Policies"]; has {
		t.Fatalf("%s has Policies, which SAM ignores beside a Role", id)
	}
	role, _ := fn.Properties["Role"].(map[string]any)
	if got := role["Fn::GetAtt"]; !reflect.DeepEqual(got, []any{id + "Role", "Arn"}) {
		t.Fatalf("%s's Role is %v, want !GetAtt %sRole.Arn", id, fn.Properties["Role"], id)
	}
	policies, _ := s.Template.Resources[id+"Role"].Properties["Policies"].([]any)
	var out []statement
	for _, p := range policies {
		doc, _ := p.(map[string]any)["PolicyDocument"].(map[string]any)
		list, _ := doc["Statement"].([]any)
		for _, x := range list {
			raw, _ := x.(map[string]any)
			if acts := strings1(raw["Action"]); len(acts) > 0 && strings.HasPrefix(acts[0], "logs:") {
				continue // its own log group, which the local stack does not create
			}
			v, err := s.Resolve(x)
			if err != nil {
				t.Fatalf("%sRole's statement %v: %v", id, x, err)
			}
			st, _ := v.(map[string]any)
			if st == nil {
				continue // a condition's AWS::NoValue
			}
			effect, _ := st["Effect"].(string)
			out = append(out, statement{Effect: effect, Actions: strings1(st["Action"]), Resources: strings1(st["Resource"])})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%sRole has no statements", id)
	}
	return out
}

// strings1 reads a policy's string-or-list value.
func strings1(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// iamMatch reports whether an IAM resource pattern ("*" any run, "?" one character)
// matches arn.
func iamMatch(pattern, arn string) bool {
	re := "^" + strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*"), `\?`, ".") + "$"
	return regexp.MustCompile(re).MatchString(arn)
}

// covered reports whether any of patterns matches arn.
func covered(patterns []string, arn string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return iamMatch(p, arn) })
}

// denied returns the resources of s's Deny statements on action.
func denied(sts []statement, action string) []string {
	var out []string
	for _, st := range sts {
		if st.Effect == "Deny" && slices.Contains(st.Actions, action) {
			out = append(out, st.Resources...)
		}
	}
	return out
}

// deployedFunctionARN is the ARN CloudFormation gives a function of s without a
// FunctionName: <stack>-<LogicalId>-<suffix>. Locally functions are named by logical id.
func deployedFunctionARN(s *template.Stack, id string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s-%s-AbC123dEf456", template.Partition, s.Region, s.AccountID, s.Name, id)
}

// ownResources lists Herald's queues, topics and functions in s, by type.
func ownResources(s *template.Stack) (queues, topics, functions []template.Physical) {
	for _, id := range s.Template.LogicalIDs() {
		p, ok := s.Resources[id]
		if !ok {
			continue
		}
		switch p.Type {
		case template.TypeQueue:
			queues = append(queues, p)
		case template.TypeTopic:
			topics = append(topics, p)
		case template.TypeFunction:
			functions = append(functions, p)
		}
	}
	return queues, topics, functions
}

// TestDeliverRoleDenies checks the explicit Deny statements of Deliver's role: every
// queue of the template but the dead-letter queue Deliver writes (HERALD_DELIVERIES_DLQ_URL),
// every topic, and every function, also when invoked by alias or version; Deliver itself,
// which its role cannot name, by the stack-name pattern CloudFormation's names follow.
func TestDeliverRoleDenies(t *testing.T) {
	sts := deliverStatements(t, env.Stack)
	fn, _ := env.Template.Function("Deliver")
	vars, err := env.Stack.FunctionEnv(fn)
	if err != nil {
		t.Fatal(err)
	}
	queues, topics, functions := ownResources(env.Stack)
	if len(queues) == 0 || len(topics) == 0 || len(functions) == 0 {
		t.Fatalf("the stack has %d queues, %d topics, %d functions", len(queues), len(topics), len(functions))
	}

	sendDenied := denied(sts, "sqs:SendMessage")
	for _, q := range queues {
		own := q.URL == vars["HERALD_DELIVERIES_DLQ_URL"]
		if got := covered(sendDenied, q.ARN); got == own {
			if own {
				t.Errorf("sqs:SendMessage is denied on %s, the dead-letter queue Deliver writes to", q.LogicalID)
			} else {
				t.Errorf("sqs:SendMessage is not denied on %s", q.LogicalID)
			}
		}
	}
	for _, tp := range topics {
		if !covered(denied(sts, "sns:Publish"), tp.ARN) {
			t.Errorf("sns:Publish is not denied on %s", tp.LogicalID)
		}
	}
	invokeDenied := denied(sts, "lambda:InvokeFunction")
	for _, f := range functions {
		arns := []string{f.ARN, f.ARN + ":live", f.ARN + ":7"}
		if f.LogicalID == "Deliver" {
			d := deployedFunctionARN(env.Stack, f.LogicalID)
			arns = []string{d, d + ":live"}
		}
		for _, arn := range arns {
			if !covered(invokeDenied, arn) {
				t.Errorf("lambda:InvokeFunction is not denied on %s (%s)", f.LogicalID, arn)
			}
		}
	}
	// The pattern is Herald's: a partner's function is not denied.
	if partner := "arn:aws:lambda:us-east-1:000000000000:function:partner-hook"; covered(invokeDenied, partner) {
		t.Errorf("lambda:InvokeFunction is denied on %s, which is not Herald's", partner)
	}
}

// TestActionTargetsDefault checks that ActionTargets defaults to empty, and that Deliver's
// role then allows no sqs, sns or lambda action (only the dead-letter queue Deliver
// writes); and that targets given are allowed exactly.
func TestActionTargetsDefault(t *testing.T) {
	if d := env.Template.Parameters["ActionTargets"].Default; d != "" {
		t.Fatalf("ActionTargets defaults to %#v, want \"\" (allow none)", d)
	}
	sts := deliverStatements(t, env.Stack)
	fn, _ := env.Template.Function("Deliver")
	vars, err := env.Stack.FunctionEnv(fn)
	if err != nil {
		t.Fatal(err)
	}
	dlq := ""
	for _, q := range env.Stack.Resources {
		if q.Type == template.TypeQueue && q.URL == vars["HERALD_DELIVERIES_DLQ_URL"] {
			dlq = q.ARN
		}
	}
	for _, st := range actionAllows(sts, dlq) {
		t.Errorf("with ActionTargets empty, Deliver's role allows %v on %q", st.Actions, st.Resources)
	}

	targets := "arn:aws:sqs:*:*:partner-*,arn:aws:lambda:*:*:function:partner-*"
	p := params()
	p["ActionTargets"] = targets
	s, err := template.Provision(t.Context(), env.Template, clients(), p)
	if err != nil {
		t.Fatal(err)
	}
	sts = deliverStatements(t, s)
	allowed := actionAllows(sts, dlq)
	if len(allowed) != 1 {
		t.Fatalf("with ActionTargets %q, %d statements allow actions: %+v", targets, len(allowed), allowed)
	}
	if got := allowed[0]; !slices.Equal(got.Resources, strings.Split(targets, ",")) || !slices.Equal(got.Actions, actionActions) {
		t.Errorf("with ActionTargets %q, the Allow is %+v", targets, got)
	}
}

// actionAllows returns the Allow statements of sts with an action's IAM action, but its
// one send of its own: tasks it cannot read, to its dead-letter queue (dlq).
func actionAllows(sts []statement, dlq string) []statement {
	var out []statement
	for _, st := range sts {
		if st.Effect != "Allow" || slices.Equal(st.Actions, []string{"sqs:SendMessage"}) && slices.Equal(st.Resources, []string{dlq}) {
			continue
		}
		if slices.ContainsFunc(st.Actions, func(a string) bool { return slices.Contains(actionActions, a) }) {
			out = append(out, st)
		}
	}
	return out
}

// TestOwnResourcesEnv checks that every function that checks actions is told, in
// HERALD_OWN_RESOURCES, every queue and topic of the template and every function: by its
// ARN, or, where the template cannot name it (itself, or a circular reference), by the
// stack-name pattern CloudFormation's names follow. The local stack adds the local
// functions' ARNs, named by logical id.
func TestOwnResourcesEnv(t *testing.T) {
	queues, topics, functions := ownResources(env.Stack)
	for _, id := range []string{"Deliver", "TriggersApi", "EventsApi"} {
		t.Run(id, func(t *testing.T) {
			fn, ok := env.Template.Function(id)
			if !ok {
				t.Fatalf("no function %s", id)
			}
			vars, err := env.Stack.FunctionEnv(fn)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"HERALD_ACTION_SUBJECTS", "HERALD_ACTION_TARGETS", "HERALD_OWN_RESOURCES"} {
				if _, ok := vars[k]; !ok {
					t.Errorf("%s is not set", k)
				}
			}
			own := strings.Split(vars["HERALD_OWN_RESOURCES"], ",")
			for _, r := range append(queues, topics...) {
				if !covered(own, r.ARN) {
					t.Errorf("HERALD_OWN_RESOURCES leaves out %s (%s)", r.LogicalID, r.ARN)
				}
			}
			for _, f := range functions {
				if !covered(own, f.ARN) && !covered(own, deployedFunctionARN(env.Stack, f.LogicalID)) {
					t.Errorf("HERALD_OWN_RESOURCES leaves out the function %s", f.LogicalID)
				}
			}
		})
	}
}

// TestEventsApiRoleDenies checks EventsApi's role, which invokes sync triggers' lambda
// actions: lambda:InvokeFunction is denied on every function of the template, also by
// alias or version, and also where CloudFormation shortened a long stack name in the
// names of the three it cannot name (itself, TriggersApi and Deliver). Its role is
// allowed nothing else of an action's.
func TestEventsApiRoleDenies(t *testing.T) {
	sts := roleStatements(t, env.Stack, "EventsApi")
	invokeDenied := denied(sts, "lambda:InvokeFunction")
	_, _, functions := ownResources(env.Stack)
	unnamed := []string{"EventsApi", "TriggersApi", "Deliver"}
	for _, f := range functions {
		arns := []string{f.ARN, f.ARN + ":live", f.ARN + ":7"}
		if slices.Contains(unnamed, f.LogicalID) {
			d := deployedFunctionARN(env.Stack, f.LogicalID)
			shortened := fmt.Sprintf("arn:%s:lambda:%s:%s:function:a-stack-name-CloudFormation-sh-%s-AbC123dEf456", template.Partition, env.Stack.Region, env.Stack.AccountID, f.LogicalID)
			arns = []string{d, d + ":live", shortened}
		}
		for _, arn := range arns {
			if !covered(invokeDenied, arn) {
				t.Errorf("lambda:InvokeFunction is not denied on %s (%s)", f.LogicalID, arn)
			}
		}
	}
	if partner := "arn:aws:lambda:us-east-1:000000000000:function:partner-judge"; covered(invokeDenied, partner) {
		t.Errorf("lambda:InvokeFunction is denied on %s, which is not Herald's", partner)
	}
	for _, a := range []string{"sqs:SendMessage", "sns:Publish"} {
		for _, st := range sts {
			if st.Effect == "Allow" && slices.Contains(st.Actions, a) {
				t.Errorf("EventsApi's role allows %s on %v: sync triggers neither send nor publish", a, st.Resources)
			}
		}
	}
}

// TestEventsApiTargetsDefault checks that EventsApi's role invokes no function while
// ActionTargets is empty, and exactly its patterns, and only to invoke, once it is set.
func TestEventsApiTargetsDefault(t *testing.T) {
	for _, st := range actionAllows(roleStatements(t, env.Stack, "EventsApi"), "") {
		t.Errorf("with ActionTargets empty, EventsApi's role allows %v on %q", st.Actions, st.Resources)
	}
	targets := "arn:aws:sqs:*:*:partner-*,arn:aws:lambda:*:*:function:partner-*"
	p := params()
	p["ActionTargets"] = targets
	s, err := template.Provision(t.Context(), env.Template, clients(), p)
	if err != nil {
		t.Fatal(err)
	}
	allowed := actionAllows(roleStatements(t, s, "EventsApi"), "")
	if len(allowed) != 1 || !slices.Equal(allowed[0].Actions, []string{"lambda:InvokeFunction"}) || !slices.Equal(allowed[0].Resources, strings.Split(targets, ",")) {
		t.Errorf("with ActionTargets %q, EventsApi's role allows %+v", targets, allowed)
	}
}
