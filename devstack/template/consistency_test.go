package template_test

// The tests in this file check that template.yaml, the Makefile, the function folders
// and the code agree with each other: that SAM can build every function, that every
// reference names something the template defines, that every environment variable the
// code reads is set, and that queues, tables and SQS event sources follow Herald's rules.
// Each check is a function returning the problems it finds, so that it runs on the real
// template and, in the table tests, on small templates that break it on purpose.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/devstack/testenv"
)

// TestTemplateConsistency runs every template check on the repository's template.yaml.
func TestTemplateConsistency(t *testing.T) {
	tmpl, root := repoTemplate(t)
	dirs := repoMakefileFunctions(t, root)
	checks := []struct {
		name  string
		check func(*template.Template) []string
	}{
		{"functions build through the Makefile", func(tmpl *template.Template) []string { return checkBuilds(tmpl, root, dirs) }},
		{"references name what the template defines", checkRefs},
		{"SQS events report batch item failures", checkSQSEvents},
		{"tables expire items", checkTableTTL},
		{"queues redrive to a dead-letter queue", checkRedrive},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if problems := c.check(tmpl); len(problems) > 0 {
				t.Errorf("template.yaml:\n\t%s", strings.Join(problems, "\n\t"))
			}
		})
	}
}

// TestChecks proves that each check finds what it is meant to, on small templates.
func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		check func(*template.Template) []string
		yaml  string
		want  []string
	}{
		{
			name:  "references: every form resolves",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Ref AWS::Region
      KmsMasterKeyId: !GetAtt Queue.Arn
      TopicName: !Sub "${AWS::StackName}-${Stage}-${Queue.QueueName}-${!Literal}"
      Tags:
        - Key: local
          Value: !Sub ["${Local}-${AWS::AccountId}", {Local: !Ref Stage}]
        - Key: joined
          Value: !Join ["-", [!Ref Queue, !GetAtt [Queue, QueueName]]]
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
Globals:
  Function:
    Environment:
      Variables:
        QUEUE_URL: !Ref Queue
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
`,
		},
		{
			name:  "references: Ref to an unknown name",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Nope
`,
			want: []string{"Resources.Topic.Properties.TopicName: Ref Nope names no resource, parameter or pseudo parameter"},
		},
		{
			name:  "references: Ref inside Fn::Join",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Join ["-", [!Ref Queue, !Ref Nope]]
`,
			want: []string{"Resources.Topic.Properties.TopicName.Fn::Join[1][1]: Ref Nope names no resource, parameter or pseudo parameter"},
		},
		{
			name:  "references: GetAtt of an unknown resource",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: !GetAtt Nope.Arn
`,
			want: []string{"Resources.Topic.Properties.KmsMasterKeyId: Fn::GetAtt Nope.Arn: Nope is not a resource"},
		},
		{
			name:  "references: GetAtt of the Url SAM generates for a Function URL",
			check: checkRefs,
			yaml: refsBase + `
  Live:
    Type: AWS::Serverless::Function
    Properties:
      FunctionUrlConfig: {AuthType: NONE}
Outputs:
  LiveUrl:
    Value: !GetAtt LiveUrl.FunctionUrl
`,
		},
		{
			name:  "references: GetAtt of a Url without a Function URL",
			check: checkRefs,
			yaml: refsBase + `
  Live:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 5
Outputs:
  LiveUrl:
    Value: !GetAtt LiveUrl.FunctionUrl
`,
			want: []string{"Outputs.LiveUrl.Value: Fn::GetAtt LiveUrl.FunctionUrl: LiveUrl is not a resource"},
		},
		{
			name:  "references: GetAtt of a parameter",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: {"Fn::GetAtt": [Stage, Arn]}
`,
			want: []string{"Resources.Topic.Properties.KmsMasterKeyId: Fn::GetAtt Stage.Arn: Stage is not a resource"},
		},
		{
			name:  "references: unknown ${x} in Fn::Sub",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "herald-${x}"
`,
			want: []string{"Resources.Topic.Properties.TopicName: Fn::Sub ${x} names no resource, parameter, pseudo parameter or Sub variable"},
		},
		{
			name:  "references: unknown ${X.Attr} in Fn::Sub",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${Nope.QueueName}-${Queue.QueueName}"
`,
			want: []string{"Resources.Topic.Properties.TopicName: Fn::Sub ${Nope.QueueName}: Nope is not a resource"},
		},
		{
			name:  "references: Ref in an Fn::Sub variable",
			check: checkRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub ["${Local}", {Local: !Ref Nope}]
`,
			want: []string{"Resources.Topic.Properties.TopicName.Fn::Sub.Local: Ref Nope names no resource, parameter or pseudo parameter"},
		},
		{
			name:  "references: in Globals, Conditions and Outputs",
			check: checkRefs,
			yaml: refsBase + `
Globals:
  Function:
    Environment:
      Variables:
        TABLE: !Ref NoTable
Conditions:
  IsProd: !Equals [!Ref NoParameter, prod]
Outputs:
  Url:
    Value: !Sub "https://${NoApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
`,
			want: []string{
				"Conditions.IsProd.Fn::Equals[0]: Ref NoParameter names no resource, parameter or pseudo parameter",
				"Globals.Function.Environment.Variables.TABLE: Ref NoTable names no resource, parameter or pseudo parameter",
				"Outputs.Url.Value: Fn::Sub ${NoApi} names no resource, parameter, pseudo parameter or Sub variable",
			},
		},
		{
			name:  "SQS events: one with ReportBatchItemFailures, one without",
			check: checkSQSEvents,
			yaml: `
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Router:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Partial:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
        Whole:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(1 minute)
`,
			want: []string{"Router: event Whole (SQS): FunctionResponseTypes lacks ReportBatchItemFailures"},
		},
		{
			name:  "tables: missing, disabled and nameless TTL",
			check: checkTableTTL,
			yaml: `
Resources:
  Good:
    Type: AWS::DynamoDB::Table
    Properties:
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}
  NoTTL:
    Type: AWS::DynamoDB::Table
  Disabled:
    Type: AWS::DynamoDB::Table
    Properties:
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: false}
  Nameless:
    Type: AWS::DynamoDB::Table
    Properties:
      TimeToLiveSpecification: {Enabled: "true"}
`,
			want: []string{
				"Disabled: TimeToLiveSpecification.Enabled is false, want true",
				"Nameless: TimeToLiveSpecification has no AttributeName",
				"NoTTL: no TimeToLiveSpecification",
			},
		},
		{
			name:  "queues: without a redrive policy, or redriving elsewhere",
			check: checkRedrive,
			yaml: `
Resources:
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt WorkDeadLetterQueue.Arn, maxReceiveCount: 5}
  WorkDeadLetterQueue:
    Type: AWS::SQS::Queue
  BareQueue:
    Type: AWS::SQS::Queue
  TopicQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !Ref Topic, maxReceiveCount: 5}
  ElsewhereQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Topic.Arn, maxReceiveCount: 5}
  Topic:
    Type: AWS::SNS::Topic
`,
			want: []string{
				"BareQueue: no RedrivePolicy",
				"ElsewhereQueue: RedrivePolicy.deadLetterTargetArn: Topic is not a queue of the template (AWS::SNS::Topic)",
				"TopicQueue: RedrivePolicy.deadLetterTargetArn: want Fn::GetAtt <Queue>.Arn",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := template.Parse([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(tmpl); !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// refsBase starts the templates of the reference tests: a parameter and a queue to refer
// to. The tests append resources and further sections.
const refsBase = `
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Queue:
    Type: AWS::SQS::Queue`

// repoTemplate loads the repository's template.yaml and returns it with the repository
// root, the directory holding go.mod.
func repoTemplate(t *testing.T) (*template.Template, string) {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, root
}

// ---------------------------------------------------------------- builds

// TestMakeBuildTargets runs `make -n build-<LogicalId>` for every function, as SAM runs
// the target, and checks that the recipe builds ./functions/<dir> into
// $(ARTIFACTS_DIR)/bootstrap.
func TestMakeBuildTargets(t *testing.T) {
	tmpl, root := repoTemplate(t)
	dirs := repoMakefileFunctions(t, root)
	artifacts := t.TempDir()
	for _, fn := range tmpl.Functions() {
		t.Run(fn.LogicalID, func(t *testing.T) {
			dir, ok := dirs[fn.LogicalID]
			if !ok {
				t.Fatalf("the Makefile's FUNCTIONS has no %s:<dir> entry", fn.LogicalID)
			}
			target := "build-" + fn.LogicalID
			cmd := exec.Command("make", "--no-print-directory", "-n", target, "ARTIFACTS_DIR="+artifacts)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make -n %s: %v\n%s", target, err, out)
			}
			fields := strings.Fields(string(out))
			if pkg := "./functions/" + dir; !slices.Contains(fields, pkg) {
				t.Errorf("make -n %s does not build %s:\n%s", target, pkg, out)
			}
			if i := slices.Index(fields, "-o"); i < 0 || i+1 == len(fields) || fields[i+1] != filepath.Join(artifacts, "bootstrap") {
				t.Errorf("make -n %s does not write $(ARTIFACTS_DIR)/bootstrap:\n%s", target, out)
			}
		})
	}
}

// TestCheckBuilds proves checkBuilds on a made-up repository: a function with a wrong
// build method and code location and no main.go, one the Makefile does not list, a
// Makefile entry without a function and a folder without a function.
func TestCheckBuilds(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"functions/alpha/main.go", "functions/beta/handler.go", "functions/orphan/main.go"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := template.Parse([]byte(`
Globals:
  Function:
    Runtime: provided.al2023
Resources:
  Alpha:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
  Beta:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: functions/beta
  Gamma:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
`))
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"Alpha": "alpha", "Beta": "beta", "Delta": "delta"}
	want := []string{
		`Beta: CodeUri is "functions/beta", want "." (the Makefile builds from the repository root)`,
		`Beta: Metadata.BuildMethod is "go1.x", want makefile`,
		`Beta: functions/beta/main.go does not exist`,
		`Gamma: the Makefile's FUNCTIONS has no Gamma:<dir> entry, so there is no build-Gamma target`,
		`Makefile FUNCTIONS: Delta:delta is not a function of the template`,
		`functions/orphan: no function of the template is built from it`,
	}
	if got := checkBuilds(tmpl, root, dirs); !slices.Equal(got, want) {
		t.Errorf("problems:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestMakefileFunctions checks the parsing of the Makefile's FUNCTIONS list.
func TestMakefileFunctions(t *testing.T) {
	tests := []struct {
		name     string
		makefile string
		want     map[string]string
		wantErr  string
	}{
		{"one line", "GO ?= go\nFUNCTIONS := A:a B:bee\nIDS := $(FUNCTIONS)\n", map[string]string{"A": "a", "B": "bee"}, ""},
		{"continued, with a comment", "FUNCTIONS = A:a \\\n\tB:b # the rest later\n", map[string]string{"A": "a", "B": "b"}, ""},
		{"missing", "GO ?= go\n", nil, "no FUNCTIONS"},
		{"empty", "FUNCTIONS :=\n", nil, "FUNCTIONS is empty"},
		{"entry without a directory", "FUNCTIONS := A:a B\n", nil, `"B"`},
		{"listed twice", "FUNCTIONS := A:a A:b\n", nil, "A twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := makefileFunctions([]byte(tt.makefile))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// repoMakefileFunctions returns the repository Makefile's FUNCTIONS list.
func repoMakefileFunctions(t *testing.T, root string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := makefileFunctions(data)
	if err != nil {
		t.Fatalf("Makefile: %v", err)
	}
	return dirs
}

// functionsVar matches the Makefile's FUNCTIONS assignment.
var functionsVar = regexp.MustCompile(`(?m)^FUNCTIONS[ \t]*[:?+]?=(.*)$`)

// makefileFunctions parses the FUNCTIONS list of a Makefile, LogicalId:directory pairs
// from which the Makefile defines its build-<LogicalId> targets, into a map from logical
// id to directory under functions/.
func makefileFunctions(makefile []byte) (map[string]string, error) {
	text := strings.ReplaceAll(string(makefile), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\\\n", " ")
	m := functionsVar.FindStringSubmatch(text)
	if m == nil {
		return nil, errors.New("no FUNCTIONS := LogicalId:directory ... assignment")
	}
	value, _, _ := strings.Cut(m[1], "#")
	dirs := map[string]string{}
	for _, entry := range strings.Fields(value) {
		id, dir, ok := strings.Cut(entry, ":")
		if !ok || id == "" || dir == "" {
			return nil, fmt.Errorf("FUNCTIONS entry %q: want LogicalId:directory", entry)
		}
		if _, dup := dirs[id]; dup {
			return nil, fmt.Errorf("FUNCTIONS lists %s twice", id)
		}
		dirs[id] = dir
	}
	if len(dirs) == 0 {
		return nil, errors.New("FUNCTIONS is empty")
	}
	return dirs, nil
}

// checkBuilds reports functions SAM cannot build through the Makefile: without a
// FUNCTIONS entry (so without a build-<LogicalId> target), without functions/<dir>/main.go,
// with a Metadata.BuildMethod other than makefile, or with a CodeUri other than "." (the
// Makefile builds from the repository root). It also reports FUNCTIONS entries and folders
// under functions/ that belong to no function of the template.
func checkBuilds(tmpl *template.Template, root string, dirs map[string]string) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	isFunction := map[string]bool{}
	built := map[string]bool{}
	for _, fn := range tmpl.Functions() {
		id := fn.LogicalID
		isFunction[id] = true
		if m, _ := fn.Metadata["BuildMethod"].(string); m != "makefile" {
			add("%s: Metadata.BuildMethod is %q, want makefile", id, m)
		}
		if uri, _ := fn.Properties["CodeUri"].(string); uri != "." {
			add("%s: CodeUri is %q, want \".\" (the Makefile builds from the repository root)", id, uri)
		}
		dir, ok := dirs[id]
		if !ok {
			add("%s: the Makefile's FUNCTIONS has no %s:<dir> entry, so there is no build-%s target", id, id, id)
			continue
		}
		built[dir] = true
		if _, err := os.Stat(filepath.Join(root, "functions", dir, "main.go")); err != nil {
			add("%s: functions/%s/main.go does not exist", id, dir)
		}
	}
	for id, dir := range dirs {
		if !isFunction[id] {
			add("Makefile FUNCTIONS: %s:%s is not a function of the template", id, dir)
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		add("functions/: %v", err)
	}
	for _, e := range entries {
		if e.IsDir() && !built[e.Name()] {
			add("functions/%s: no function of the template is built from it", e.Name())
		}
	}
	sort.Strings(problems)
	return problems
}

// ---------------------------------------------------------------- references

// pseudoParameters are the names CloudFormation defines in every stack.
var pseudoParameters = map[string]bool{
	"AWS::AccountId":        true,
	"AWS::NoValue":          true,
	"AWS::NotificationARNs": true,
	"AWS::Partition":        true,
	"AWS::Region":           true,
	"AWS::StackId":          true,
	"AWS::StackName":        true,
	"AWS::URLSuffix":        true,
}

// checkRefs reports every Ref, Fn::GetAtt and Fn::Sub placeholder, in Globals,
// Conditions, resources and Outputs, that names something the template does not define:
// Ref and ${Name} must name a resource, a parameter or a pseudo parameter (or, in Fn::Sub,
// one of its own variables); Fn::GetAtt and ${Name.Attribute} must name a resource.
func checkRefs(tmpl *template.Template) []string {
	c := &refChecker{tmpl: tmpl}
	c.walk("Globals", tmpl.Globals)
	c.walk("Conditions", tmpl.Conditions)
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		c.walk("Resources."+id+".Properties", r.Properties)
		c.walk("Resources."+id+".Metadata", r.Metadata)
	}
	c.walk("Outputs", tmpl.Outputs)
	sort.Strings(c.problems)
	return c.problems
}

// refChecker walks template values for checkRefs.
type refChecker struct {
	tmpl     *template.Template
	problems []string
}

func (c *refChecker) addf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// walk checks the references in v, which is found at path.
func (c *refChecker) walk(path string, v any) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			if arg, ok := v["Ref"]; ok {
				c.ref(path, arg)
				return
			}
			if arg, ok := v["Fn::GetAtt"]; ok {
				c.getAtt(path, arg)
				return
			}
			if arg, ok := v["Fn::Sub"]; ok {
				c.sub(path, arg)
				return
			}
		}
		for k, x := range v {
			c.walk(path+"."+k, x)
		}
	case []any:
		for i, x := range v {
			c.walk(fmt.Sprintf("%s[%d]", path, i), x)
		}
	}
}

// defined reports whether Ref may name name.
func (c *refChecker) defined(name string) bool {
	_, isResource := c.tmpl.Resources[name]
	_, isParameter := c.tmpl.Parameters[name]
	return isResource || isParameter || pseudoParameters[name] || c.generated(name)
}

// generated reports whether name is a resource SAM generates from the template: the
// AWS::Lambda::Url <Function>Url of a function with a FunctionUrlConfig.
func (c *refChecker) generated(name string) bool {
	fn, ok := strings.CutSuffix(name, "Url")
	if !ok {
		return false
	}
	r, ok := c.tmpl.Resources[fn]
	if !ok || r.Type != "AWS::Serverless::Function" {
		return false
	}
	_, hasURL := r.Properties["FunctionUrlConfig"]
	return hasURL
}

func (c *refChecker) ref(path string, arg any) {
	name, ok := arg.(string)
	switch {
	case !ok:
		c.addf("%s: Ref takes a name, not %v", path, arg)
	case !c.defined(name):
		c.addf("%s: Ref %s names no resource, parameter or pseudo parameter", path, name)
	}
}

func (c *refChecker) getAtt(path string, arg any) {
	var id, attr string
	switch a := arg.(type) {
	case string:
		id, attr, _ = strings.Cut(a, ".")
	case []any:
		if len(a) == 2 {
			id, _ = a[0].(string)
			attr = fmt.Sprint(a[1])
			// The attribute name may be computed.
			c.walk(path+".Fn::GetAtt[1]", a[1])
		}
	}
	if id == "" {
		c.addf("%s: Fn::GetAtt %v: want [LogicalId, Attribute]", path, arg)
		return
	}
	if _, ok := c.tmpl.Resources[id]; !ok && !c.generated(id) {
		c.addf("%s: Fn::GetAtt %s.%s: %s is not a resource", path, id, attr, id)
	}
}

func (c *refChecker) sub(path string, arg any) {
	var text string
	var vars map[string]any
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		var ok bool
		if len(a) == 2 {
			text, ok = a[0].(string)
			vars, _ = a[1].(map[string]any)
		}
		if !ok || vars == nil {
			c.addf("%s: Fn::Sub takes a string or [string, variables], not %v", path, arg)
			return
		}
	default:
		c.addf("%s: Fn::Sub takes a string or [string, variables], not %v", path, arg)
		return
	}
	for k, x := range vars {
		c.walk(path+".Fn::Sub."+k, x)
	}
	for _, name := range subNames(text) {
		if _, local := vars[name]; local {
			continue
		}
		if id, _, isAttr := strings.Cut(name, "."); isAttr {
			if _, ok := c.tmpl.Resources[id]; !ok {
				c.addf("%s: Fn::Sub ${%s}: %s is not a resource", path, name, id)
			}
			continue
		}
		if !c.defined(name) {
			c.addf("%s: Fn::Sub ${%s} names no resource, parameter, pseudo parameter or Sub variable", path, name)
		}
	}
}

// subNames returns the names in the ${...} placeholders of an Fn::Sub string, leaving out
// the ${!Literal} escapes.
func subNames(text string) []string {
	var names []string
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return names
		}
		rest := text[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return names
		}
		if name := rest[:j]; !strings.HasPrefix(name, "!") {
			names = append(names, strings.TrimSpace(name))
		}
		text = rest[j+1:]
	}
}

// ---------------------------------------------------------------- environment

// TestFunctionEnvironment checks that template.yaml sets, for every function, each
// HERALD_ variable that the function's code can read: in its own package and in the
// packages of this module it depends on, as built for Lambda (see scanEnvReads).
func TestFunctionEnvironment(t *testing.T) {
	tmpl, root := repoTemplate(t)
	dirs := repoMakefileFunctions(t, root)
	module := repoModule(t, root)
	for _, fn := range tmpl.Functions() {
		t.Run(fn.LogicalID, func(t *testing.T) {
			t.Parallel()
			dir, ok := dirs[fn.LogicalID]
			if !ok {
				t.Fatalf("the Makefile's FUNCTIONS has no %s:<dir> entry", fn.LogicalID)
			}
			pkgs, err := modulePackages(root, module, dir)
			if err != nil {
				t.Fatal(err)
			}
			own := module + "/functions/" + dir
			if !slices.ContainsFunc(pkgs, func(p goPackage) bool { return p.ImportPath == own }) {
				t.Fatalf("go list -deps ./functions/%s does not list %s itself", dir, own)
			}
			reads, err := scanEnvReads(pkgs, own, envReaders(module))
			if err != nil {
				t.Fatal(err)
			}
			if missing := missingEnv(fn, reads, root); len(missing) > 0 {
				t.Errorf("%s reads variables that template.yaml does not set for it:\n\t%s", fn.LogicalID, strings.Join(missing, "\n\t"))
			}
		})
	}
}

// TestScanEnvReads runs the scanner on testdata/envscan, whose files read variables in
// each way the scanner recognises (literal and constant names, os and config readers,
// in functions, methods and package-level declarations), read others in code that never
// runs or in tests, and mention names they do not read at all.
func TestScanEnvReads(t *testing.T) {
	reads := scanTestdata(t)
	var got []string
	for _, r := range reads {
		got = append(got, fmt.Sprintf("%s %s:%d", r.Name, filepath.ToSlash(r.Pos.Filename), r.Pos.Line))
	}
	want := []string{
		"HERALD_APP_REGION app/config.go:7",
		"HERALD_APP_TOKEN app/main.go:24",
		"HERALD_APP_URL app/main.go:29",
		"HERALD_APP_MODE app/main.go:31",
		"HERALD_APP_TIMEOUT app/main.go:32",
		"HERALD_APP_LEVEL names/names.go:14",
	}
	if !slices.Equal(got, want) {
		t.Errorf("reads:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestMissingEnv checks missingEnv against the testdata reads and a function whose
// variables come partly from Globals.
func TestMissingEnv(t *testing.T) {
	reads := scanTestdata(t)
	tmpl, err := template.Parse([]byte(`
Globals:
  Function:
    Environment:
      Variables:
        HERALD_APP_URL: https://example.com
Resources:
  App:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          HERALD_APP_MODE: lambda
          HERALD_APP_TOKEN: ""
`))
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := tmpl.Function("App")
	if !ok {
		t.Fatal("no function App")
	}
	want := []string{
		"HERALD_APP_REGION, read at app/config.go:7",
		"HERALD_APP_TIMEOUT, read at app/main.go:32",
		"HERALD_APP_LEVEL, read at names/names.go:14",
	}
	if got := missingEnv(fn, reads, "."); !slices.Equal(got, want) {
		t.Errorf("missing:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// scanTestdata scans the packages under testdata/envscan, with every .go file, test
// files included, so that the scanner has to leave those out itself. Positions are
// relative to testdata/envscan.
func scanTestdata(t *testing.T) []envRead {
	t.Helper()
	base := filepath.Join("testdata", "envscan")
	var pkgs []goPackage
	for _, name := range []string{"app", "names"} {
		matches, err := filepath.Glob(filepath.Join(base, name, "*.go"))
		if err != nil || len(matches) == 0 {
			t.Fatalf("testdata package %s: no Go files (%v)", name, err)
		}
		p := goPackage{ImportPath: "example.com/envscan/" + name, Dir: filepath.Join(base, name)}
		for _, m := range matches {
			p.GoFiles = append(p.GoFiles, filepath.Base(m))
		}
		pkgs = append(pkgs, p)
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	reads, err := scanEnvReads(pkgs, "example.com/envscan/app", envReaders(repoModule(t, root)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range reads {
		rel, err := filepath.Rel(base, reads[i].Pos.Filename)
		if err != nil {
			t.Fatal(err)
		}
		reads[i].Pos.Filename = rel
	}
	return reads
}

// repoModule returns the module path declared in the repository's go.mod.
func repoModule(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	t.Fatal("go.mod declares no module")
	return ""
}

// goPackage is a package as go list describes it.
type goPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string // the non-test files of the build, relative to Dir
}

// modulePackages returns the packages of module that ./functions/<dir> is built from,
// itself included, for the platform and build tags the Makefile builds functions with.
func modulePackages(root, module, dir string) ([]goPackage, error) {
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "-json=ImportPath,Dir,GoFiles", "./functions/"+dir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps ./functions/%s: %v\n%s", dir, err, stderr.Bytes())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -deps ./functions/%s: %v", dir, err)
		}
		if p.ImportPath == module || strings.HasPrefix(p.ImportPath, module+"/") {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, nil
}

// envRead is a place where code reads an environment variable.
type envRead struct {
	Name string
	Pos  token.Position
}

// heraldVar matches the names of Herald's own environment variables.
var heraldVar = regexp.MustCompile(`^HERALD_[A-Z0-9_]+$`)

// envReaders returns the functions whose first argument is the name of the environment
// variable they read, by import path and function name: those of os, and those of the
// module's internal/config.
func envReaders(module string) map[string]map[string]bool {
	return map[string]map[string]bool{
		"os":                        {"Getenv": true, "LookupEnv": true},
		module + "/internal/config": {"String": true, "Required": true, "Duration": true, "Int": true},
	}
}

// scanEnvReads finds the HERALD_ variables that the program whose main package is
// mainPkg reads, given the non-test files of its packages pkgs: calls of readers whose
// first argument is a string literal, or a constant of one of pkgs holding one. Strings
// that merely look like variable names, such as the stream name HERALD_EVENTS, are not
// reads.
//
// Only code that can run counts: main, init functions and package-level declarations,
// and whatever they refer to, transitively. A package shared by several functions often
// has a read only one of them makes (auth.OptionsFromEnv, for the Authorizer). Without
// type information, references are followed by name: pkg.F and, inside F's package, F
// reach the function F; any other selector x.M reaches every method M of pkgs. That
// overestimates what runs, so no read is missed (short of reflection).
//
// The result is sorted by file and offset.
func scanEnvReads(pkgs []goPackage, mainPkg string, readers map[string]map[string]bool) ([]envRead, error) {
	// code is a function body or a package-level declaration, with what is needed to
	// resolve the names in it.
	type code struct {
		pkg     string
		imports map[string]string
		node    ast.Node
	}
	fset := token.NewFileSet()
	consts := map[string]map[string]string{} // import path -> constant -> value
	funcs := map[string]*code{}              // "importpath.Name" -> function
	methods := map[string][]*code{}          // method name -> methods of that name
	var roots []*code
	for _, p := range pkgs {
		consts[p.ImportPath] = map[string]string{}
		for _, name := range p.GoFiles {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			collectConsts(f, consts[p.ImportPath])
			imports := importNames(f)
			for _, decl := range f.Decls {
				c := &code{pkg: p.ImportPath, imports: imports, node: decl}
				fd, ok := decl.(*ast.FuncDecl)
				switch {
				case !ok:
					roots = append(roots, c)
				case fd.Recv != nil:
					methods[fd.Name.Name] = append(methods[fd.Name.Name], c)
				case fd.Name.Name == "init":
					roots = append(roots, c)
				default:
					funcs[p.ImportPath+"."+fd.Name.Name] = c
				}
			}
		}
	}
	entry, ok := funcs[mainPkg+".main"]
	if !ok {
		return nil, fmt.Errorf("no func main in %s", mainPkg)
	}
	queue := append(roots, entry)
	seen := map[*code]bool{}
	var reads []envRead
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil || seen[c] {
			continue
		}
		seen[c] = true
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if name, ok := envName(n, c.pkg, c.imports, readers, consts); ok {
					reads = append(reads, envRead{Name: name, Pos: fset.Position(n.Args[0].Pos())})
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && c.imports[x.Name] != "" {
					queue = append(queue, funcs[c.imports[x.Name]+"."+n.Sel.Name])
					return false
				}
				queue = append(queue, methods[n.Sel.Name]...)
				ast.Inspect(n.X, visit)
				return false
			case *ast.Ident:
				queue = append(queue, funcs[c.pkg+"."+n.Name])
			}
			return true
		}
		ast.Inspect(c.node, visit)
	}
	sort.Slice(reads, func(i, j int) bool {
		a, b := reads[i].Pos, reads[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Offset < b.Offset
	})
	return reads, nil
}

// envName returns the HERALD_ variable that call reads, if it is a call of one of
// readers with a constant first argument.
func envName(call *ast.CallExpr, pkg string, imports map[string]string, readers map[string]map[string]bool, consts map[string]map[string]string) (string, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || len(call.Args) == 0 {
		return "", false
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok || !readers[imports[x.Name]][sel.Sel.Name] {
		return "", false
	}
	name, ok := constString(call.Args[0], pkg, imports, consts)
	return name, ok && heraldVar.MatchString(name)
}

// collectConsts adds the package-level string constants of f to consts.
func collectConsts(f *ast.File, consts map[string]string) {
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					break
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						consts[name.Name] = s
					}
				}
			}
		}
	}
}

// importNames maps the names under which f refers to its imports to their paths.
func importNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := path.Base(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = p
	}
	return names
}

// constString returns the string e stands for when it is a string literal, a constant
// of package pkg, or a constant of another scanned package (names.Timeout).
func constString(e ast.Expr, pkg string, imports map[string]string, consts map[string]map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return constString(e.X, pkg, imports, consts)
	case *ast.Ident:
		s, ok := consts[pkg][e.Name]
		return s, ok
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		if !ok {
			return "", false
		}
		s, ok := consts[imports[x.Name]][e.Sel.Name]
		return s, ok
	}
	return "", false
}

// missingEnv returns the reads of variables that fn's environment, Globals included,
// does not set, as "NAME, read at file:line" with file relative to root.
func missingEnv(fn template.Function, reads []envRead, root string) []string {
	env, _ := fn.Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	var missing []string
	for _, r := range reads {
		if _, ok := vars[r.Name]; ok {
			continue
		}
		file := r.Pos.Filename
		if rel, err := filepath.Rel(root, file); err == nil {
			file = rel
		}
		missing = append(missing, fmt.Sprintf("%s, read at %s:%d", r.Name, filepath.ToSlash(file), r.Pos.Line))
	}
	return missing
}

// ---------------------------------------------------------------- queues and tables

// checkSQSEvents reports SQS event sources without ReportBatchItemFailures in their
// FunctionResponseTypes: without it one failed message makes Lambda retry the whole
// batch.
func checkSQSEvents(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "SQS" {
				continue
			}
			types, _ := ev.Properties["FunctionResponseTypes"].([]any)
			if !slices.Contains(types, any("ReportBatchItemFailures")) {
				problems = append(problems, fmt.Sprintf("%s: event %s (SQS): FunctionResponseTypes lacks ReportBatchItemFailures", fn.LogicalID, name))
			}
		}
	}
	return problems
}

// checkTableTTL reports DynamoDB tables without an enabled TimeToLiveSpecification
// naming its attribute: every item Herald stores expires.
func checkTableTTL(tmpl *template.Template) []string {
	var problems []string
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != template.TypeTable {
			continue
		}
		ttl, ok := r.Properties["TimeToLiveSpecification"].(map[string]any)
		if !ok {
			problems = append(problems, id+": no TimeToLiveSpecification")
			continue
		}
		if e := ttl["Enabled"]; e != true && e != "true" {
			problems = append(problems, fmt.Sprintf("%s: TimeToLiveSpecification.Enabled is %v, want true", id, e))
		}
		if a, _ := ttl["AttributeName"].(string); a == "" {
			problems = append(problems, id+": TimeToLiveSpecification has no AttributeName")
		}
	}
	sort.Strings(problems)
	return problems
}

// checkRedrive reports SQS queues, other than those whose logical id ends in
// DeadLetterQueue, without a RedrivePolicy whose deadLetterTargetArn is the Arn of a
// queue of the template.
func checkRedrive(tmpl *template.Template) []string {
	var problems []string
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != template.TypeQueue || strings.HasSuffix(id, "DeadLetterQueue") {
			continue
		}
		policy, ok := r.Properties["RedrivePolicy"].(map[string]any)
		if !ok {
			problems = append(problems, id+": no RedrivePolicy")
			continue
		}
		target := getAttArn(policy["deadLetterTargetArn"])
		switch {
		case target == "":
			problems = append(problems, id+": RedrivePolicy.deadLetterTargetArn: want Fn::GetAtt <Queue>.Arn")
		case tmpl.Resources[target].Type != template.TypeQueue:
			what := tmpl.Resources[target].Type
			if what == "" {
				what = "no such resource"
			}
			problems = append(problems, fmt.Sprintf("%s: RedrivePolicy.deadLetterTargetArn: %s is not a queue of the template (%s)", id, target, what))
		}
	}
	sort.Strings(problems)
	return problems
}

// getAttArn returns X when v is {"Fn::GetAtt": [X, "Arn"]} (or "X.Arn"), else "".
func getAttArn(v any) string {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return ""
	}
	switch a := m["Fn::GetAtt"].(type) {
	case []any:
		if len(a) == 2 && a[1] == "Arn" {
			id, _ := a[0].(string)
			return id
		}
	case string:
		if id, attr, _ := strings.Cut(a, "."); attr == "Arn" {
			return id
		}
	}
	return ""
}
