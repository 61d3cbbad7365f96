package repo

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/heraldhq/herald/devstack/template"
)

// The checks in this file hold the template to what a real deploy needs, beyond what
// sam validate --lint sees: each one stands for a way a valid template still breaks or
// endangers an AWS account.

// apiTimeout is the HTTP API's integration timeout: a function behind it must answer
// sooner, or the caller gets the gateway's bare 503.
const apiTimeout = 30

// The defaults of what a template leaves out: Lambda's timeout, SQS's visibility timeout.
const (
	lambdaDefaultTimeout = 3
	sqsDefaultVisibility = 30
)

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
		timeout := template.Int(fn.Properties["Timeout"], lambdaDefaultTimeout)
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "SQS" {
				continue
			}
			q := template.ArnOf(ev.Properties["Queue"])
			vis := template.Int(tmpl.Resources[q].Properties["VisibilityTimeout"], sqsDefaultVisibility)
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
		timeout := template.Int(fn.Properties["Timeout"], lambdaDefaultTimeout)
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

// CheckIAM reports what grants more than the code needs: a function without a role of
// the template (SAM then makes one, with managed policies the template does not show:
// for an SQS event source one that reads and deletes on every queue, for VpcConfig, even
// one an Fn::If leaves out, one that makes network interfaces anywhere), SAM policy
// templates (each grants a family of actions: DynamoDBCrudPolicy every write and a Scan),
// managed policies but X-Ray's and, in a VPC only, the network interfaces', and
// statements on every resource ("*") but the documented exception: reading secrets,
// which are optional parameters, by the tag an operator puts on them.
func CheckIAM(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		if template.ArnOf(fn.Properties["Role"]) == "" {
			problems = append(problems, fn.LogicalID+": no Role of the template: SAM makes one, with policies the template does not show")
		}
		if _, ok := fn.Properties["Policies"]; ok {
			problems = append(problems, fn.LogicalID+": Policies (SAM policy templates or statements) beside or instead of a Role of the template")
		}
	}
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		managed, _ := r.Properties["ManagedPolicyArns"].([]any)
		for _, m := range managed {
			if !allowedManagedPolicy(m) {
				problems = append(problems, fmt.Sprintf("%s: managed policy %v: only X-Ray's and, under the InVpc condition, the network interfaces'", id, m))
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

// allowedManagedPolicy reports whether a role's managed policy ARN is X-Ray's write
// access, or the VPC access policy behind the InVpc condition.
func allowedManagedPolicy(v any) bool {
	sub := func(v any) string {
		m, _ := v.(map[string]any)
		s, _ := m["Fn::Sub"].(string)
		return s
	}
	if strings.HasSuffix(sub(v), ":iam::aws:policy/AWSXRayDaemonWriteAccess") {
		return true
	}
	m, _ := v.(map[string]any)
	args, _ := m["Fn::If"].([]any)
	return len(args) == 3 && args[0] == "InVpc" &&
		strings.HasSuffix(sub(args[1]), ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole") && isRef(args[2], "AWS::NoValue")
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

// GrantedDynamoDBActions returns the dynamodb: actions the template grants each function,
// through its Policies or its role (Role: !GetAtt <role>.Arn), sorted.
func GrantedDynamoDBActions(tmpl *template.Template) map[string][]string {
	granted := map[string][]string{}
	all := Statements(tmpl)
	for _, fn := range tmpl.Functions() {
		owners := []string{fn.LogicalID}
		if role := template.ArnOf(fn.Properties["Role"]); role != "" {
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

// Grants returns, for each function, the grants of its role as "action resource" (the
// resource by logical id, "Table/index/name" for an index, "*" for every resource),
// sorted: what a reviewed list can be compared with. Explicit Denies, and statements
// behind a condition (Fn::If), are left out.
func Grants(tmpl *template.Template) map[string][]string {
	out := map[string][]string{}
	for _, fn := range tmpl.Functions() {
		role := template.ArnOf(fn.Properties["Role"])
		policies, _ := tmpl.Resources[role].Properties["Policies"].([]any)
		var grants []string
		for _, p := range policies {
			doc, _ := p.(map[string]any)["PolicyDocument"].(map[string]any)
			list, _ := doc["Statement"].([]any)
			for _, x := range list {
				st, _ := x.(map[string]any)
				if st["Effect"] != "Allow" {
					continue
				}
				for _, a := range scalars(st["Action"]) {
					for _, r := range resourceNames(st["Resource"]) {
						grants = append(grants, a+" "+r)
					}
				}
			}
		}
		sort.Strings(grants)
		out[fn.LogicalID] = grants
	}
	return out
}

// resourceNames names a statement's resources: a logical id for !GetAtt X.Arn and
// !Ref X, "X/index/name" for !Sub "${X.Arn}/index/name", the string itself otherwise.
func resourceNames(v any) []string {
	if l, ok := v.([]any); ok {
		var out []string
		for _, x := range l {
			out = append(out, resourceNames(x)...)
		}
		return out
	}
	if id := template.ArnOf(v); id != "" {
		return []string{id}
	}
	m, _ := v.(map[string]any)
	if id, ok := m["Ref"].(string); ok {
		return []string{id}
	}
	if sub, ok := m["Fn::Sub"].(string); ok {
		if rest, ok := strings.CutPrefix(sub, "${"); ok {
			if id, tail, ok := strings.Cut(rest, ".Arn}"); ok {
				return []string{id + tail}
			}
		}
		return []string{sub}
	}
	return scalars(v)
}

// requiredPairs are the settings of which a deploy needs exactly one: without either,
// Herald deploys but cannot work.
var requiredPairs = [][2]string{{"JwtSecret", "JwksUrl"}, {"ReplyKeys", "ReplyKeysSecretArn"}}

// CheckRequiredSettings reports each of requiredPairs that a deploy may leave out: the
// template's rules must refuse a deploy with neither, naming both, before anything is
// created. The deploys tried set every other pair, and NatsUrl and alarms where the
// template has them.
func CheckRequiredSettings(tmpl *template.Template) []string {
	full := map[string]string{
		"NatsUrl": "tls://nats.example.com:4222", "JwksUrl": "https://id.example.com/jwks.json",
		"ReplyKeysSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:reply-keys-AbCdEf",
		"AlarmEmail":         "ops@example.com",
	}
	var problems []string
	for _, pair := range requiredPairs {
		params := map[string]string{}
		for k, v := range full {
			if _, declared := tmpl.Parameters[k]; declared && k != pair[0] && k != pair[1] {
				params[k] = v
			}
		}
		err := template.Check(tmpl, params)
		switch {
		case err == nil:
			problems = append(problems, fmt.Sprintf("a deploy without %s or %s is accepted", pair[0], pair[1]))
		case !strings.Contains(err.Error(), pair[0]) || !strings.Contains(err.Error(), pair[1]):
			problems = append(problems, fmt.Sprintf("a deploy without %s or %s is refused with %q, which does not name both", pair[0], pair[1], err))
		}
	}
	return problems
}

// CheckNatsReachable reports what keeps the functions from a NATS that is not public:
// the private CA must come from a secret (HERALD_NATS_CA_SECRET from NatsCaSecretArn),
// and the functions must be able to run in a VPC (Globals VpcConfig from SubnetIds and
// SecurityGroupIds).
func CheckNatsReachable(tmpl *template.Template) []string {
	var problems []string
	fn, _ := tmpl.Globals["Function"].(map[string]any)
	env, _ := fn["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	if !isRef(vars["HERALD_NATS_CA_SECRET"], "NatsCaSecretArn") {
		problems = append(problems, "Globals: HERALD_NATS_CA_SECRET is not !Ref NatsCaSecretArn: a private NATS CA cannot be given")
	}
	vpc := fmt.Sprint(fn["VpcConfig"])
	for _, p := range []string{"SubnetIds", "SecurityGroupIds"} {
		if _, ok := tmpl.Parameters[p]; !ok || !strings.Contains(vpc, "map[Ref:"+p+"]") {
			problems = append(problems, fmt.Sprintf("Globals: VpcConfig does not take %s: the functions cannot reach a NATS inside a VPC", p))
		}
	}
	return problems
}

// CheckStreamsBounded reports open streams left unbounded: each is a Stream invocation
// of up to 15 minutes, so the Stream function must be told a limit for all users
// together (HERALD_MAX_OPEN_STREAMS from a MaxOpenStreams parameter with a default).
func CheckStreamsBounded(tmpl *template.Template) []string {
	fn, ok := tmpl.Function("Stream")
	if !ok {
		return []string{"no function Stream"}
	}
	env, _ := fn.Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	if !isRef(vars["HERALD_MAX_OPEN_STREAMS"], "MaxOpenStreams") || tmpl.Parameters["MaxOpenStreams"].Default == nil {
		return []string{"Stream: open streams are not bounded across users (HERALD_MAX_OPEN_STREAMS from MaxOpenStreams, with a default)"}
	}
	return nil
}

// CheckSamConfig reports samconfig.toml settings (data) that endanger a deploy or slow
// a build: sam sync, which replaces code without a changeset, must target a stack of
// its own, and sam build must build in the source tree instead of copying it (build/,
// local/node_modules) per function.
func CheckSamConfig(data []byte) []string {
	var cfg map[string]map[string]map[string]map[string]any
	if err := toml.Unmarshal(data, &cfg); err != nil {
		return []string{"samconfig.toml: " + err.Error()}
	}
	var problems []string
	env := cfg["default"]
	deployed, _ := env["global"]["parameters"]["stack_name"].(string)
	synced, _ := env["sync"]["parameters"]["stack_name"].(string)
	if synced == "" {
		synced = deployed
	}
	if synced == deployed {
		problems = append(problems, fmt.Sprintf("sam sync targets %q, the stack sam deploy makes", synced))
	}
	if env["build"]["parameters"]["build_in_source"] != true {
		problems = append(problems, "sam build copies the whole tree per function: build_in_source is not true")
	}
	return problems
}

// samCorsKeys are the members of an HttpApi's CorsConfiguration. Given an intrinsic
// (an Fn::If, say), SAM renames them to the OpenAPI extension's by replacing every
// occurrence in the intrinsic's JSON text, in names as well as members.
var samCorsKeys = []string{"AllowOrigins", "AllowHeaders", "AllowMethods", "ExposeHeaders", "MaxAge", "AllowCredentials"}

// CheckCorsNames reports a name inside an intrinsic HttpApi CorsConfiguration (a
// parameter, a condition) that holds one of samCorsKeys: SAM would rename it too, and
// the deploy would refer to something that does not exist (CorsAllowOrigins becomes
// CorsallowOrigins).
func CheckCorsNames(tmpl *template.Template) []string {
	var problems []string
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(where, x)
				if !slices.Contains(samCorsKeys, k) {
					walk(where, k)
				}
			}
		case []any:
			for _, x := range v {
				walk(where, x)
			}
		case string:
			for _, key := range samCorsKeys {
				if strings.Contains(v, key) {
					problems = append(problems, fmt.Sprintf("%s: %q holds %s, which SAM renames in an intrinsic CorsConfiguration", where, v, key))
				}
			}
		}
	}
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		c, ok := r.Properties["CorsConfiguration"].(map[string]any)
		if r.Type != "AWS::Serverless::HttpApi" || !ok {
			continue
		}
		for k := range c {
			if strings.HasPrefix(k, "Fn::") || k == "Ref" {
				walk(id+".CorsConfiguration", c)
				break
			}
		}
	}
	sort.Strings(problems)
	return problems
}
