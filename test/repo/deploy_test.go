package repo

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
)

// deployChecks are the checks that hold the template to what a real deploy needs, each
// with a problem it finds in the first version's template (testdata/template-v1.yaml,
// template.yaml as the first version shipped it, byte for byte).
var deployChecks = []struct {
	name  string
	check func(*template.Template) []string
	v1    string // a problem the check reports on the first version
}{
	{"no function reserves concurrency", CheckReservedConcurrency, "Bridge: ReservedConcurrentExecutions 1"},
	{"visibility timeouts are six times the function's", CheckVisibility, "RouteQueue: VisibilityTimeout 180 is below 6 × Router's Timeout 60"},
	{"functions behind the API answer before it gives up", CheckAPITimeouts, "TriggersApi: Timeout 30"},
	{"alarms notify someone, and watch the Bridge", CheckAlarms, "RouteDeadLetterAlarm: no AlarmActions"},
	{"state survives stack deletion and replacement", CheckRetain, "ConsumersTable: DeletionPolicy \"\", want Retain"},
	{"tables can be recovered", CheckPITR, "DeliveriesTable: no point-in-time recovery"},
	{"logs expire", CheckLogRetention, "Bridge: LoggingConfig.LogGroup is not a log group of the template"},
	{"IAM grants what the code calls", CheckIAM, "Router: no Role of the template"},
	{"a deploy without token verification is refused", CheckRequiredSettings, "a deploy without JwtSecret or JwksUrl is accepted"},
	{"a deploy without reply keys is refused", CheckRequiredSettings, "a deploy without ReplyKeys or ReplyKeysSecretArn is accepted"},
	{"a private NATS is reachable", CheckNatsReachable, "HERALD_NATS_CA_SECRET is not !Ref NatsCaSecretArn"},
	{"the functions can run in a VPC", CheckNatsReachable, "VpcConfig does not take SubnetIds"},
	{"open streams are bounded", CheckStreamsBounded, "Stream: open streams are not bounded"},
}

// TestDeployChecks runs each deploy check on template.yaml, which must pass, and on the
// first version's template, where it must find the defect it stands for.
func TestDeployChecks(t *testing.T) {
	tmpl, _ := repoTemplate(t)
	v1, err := template.Load(filepath.Join("testdata", "template-v1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range deployChecks {
		t.Run(c.name, func(t *testing.T) {
			if problems := c.check(tmpl); len(problems) > 0 {
				t.Errorf("template.yaml:\n\t%s", strings.Join(problems, "\n\t"))
			}
			problems := c.check(v1)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.v1) }) {
				t.Errorf("on the first version, the check reports %q, want one containing %q", problems, c.v1)
			}
		})
	}
}

// TestAlarmsWatchBridgeOnV1 pins the two alarms the first version lacked, which
// TestDeployChecks sees only as one problem of several.
func TestAlarmsWatchBridgeOnV1(t *testing.T) {
	v1, err := template.Load(filepath.Join("testdata", "template-v1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := CheckAlarms(v1)
	for _, want := range []string{"no alarm on the Bridge's Errors", "no alarm on the Bridge's lag (Herald BridgeLag)"} {
		if !slices.Contains(got, want) {
			t.Errorf("CheckAlarms(v1) = %q, want %q among them", got, want)
		}
	}
}

// TestDynamoDBGrantsMatchCode checks that no function is granted a DynamoDB action that
// the code it is built from never calls.
func TestDynamoDBGrantsMatchCode(t *testing.T) {
	tmpl, root := repoTemplate(t)
	calls, err := DynamoDBCalls(root, repoModule(t, root), repoMakefileFunctions(t, root))
	if err != nil {
		t.Fatal(err)
	}
	for id, granted := range GrantedDynamoDBActions(tmpl) {
		for _, a := range granted {
			if !slices.Contains(calls[id], a) {
				t.Errorf("%s is granted %s, which no code it is built from calls (it calls %v)", id, a, calls[id])
			}
		}
	}
	// The scan finds calls at all: Deliver records attempts.
	if !slices.Contains(calls["Deliver"], "dynamodb:UpdateItem") {
		t.Errorf("Deliver's calls %v lack dynamodb:UpdateItem: the scan finds nothing", calls["Deliver"])
	}
}

// TestRulesRefuseIncompleteDeploys checks the template's Rules: a deploy without a way
// to verify tokens, to sign replies or to send alarms, or with half a VPC, is refused
// before anything is created, with a message naming the parameter.
func TestRulesRefuseIncompleteDeploys(t *testing.T) {
	tmpl, _ := repoTemplate(t)
	complete := map[string]string{
		"NatsUrl":            "tls://nats.example.com:4222",
		"JwksUrl":            "https://id.example.com/.well-known/jwks.json",
		"ReplyKeysSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:herald-reply-keys-AbCdEf",
		"AlarmEmail":         "ops@example.com",
	}
	if err := template.Check(tmpl, complete); err != nil {
		t.Fatalf("a complete deploy is refused: %v", err)
	}
	tests := []struct {
		name   string
		change map[string]string // "" removes the parameter
		want   []string
	}{
		{"no token verification", map[string]string{"JwksUrl": ""}, []string{"JwtSecret", "JwksUrl"}},
		{"two token verifications", map[string]string{"JwtSecret": "s3cret-s3cret-s3cret-s3cret-s3cret"}, []string{"JwtSecret or JwksUrl, not both"}},
		{"no reply keys", map[string]string{"ReplyKeysSecretArn": ""}, []string{"ReplyKeys", "ReplyKeysSecretArn"}},
		{"no alarm destination", map[string]string{"AlarmEmail": ""}, []string{"AlarmTopicArn", "AlarmEmail"}},
		{"subnets without security groups", map[string]string{"SubnetIds": "subnet-1,subnet-2"}, []string{"SubnetIds is set without SecurityGroupIds"}},
		{"security groups without subnets", map[string]string{"SecurityGroupIds": "sg-1"}, []string{"SecurityGroupIds is set without SubnetIds"}},
		{"an alarm address that is none", map[string]string{"AlarmEmail": "ops-at-example"}, []string{"AlarmEmail"}},
		{"an alarm topic that is not an SNS ARN", map[string]string{"AlarmEmail": "", "AlarmTopicArn": "arn:aws:sqs:eu-west-1:123456789012:alarms"}, []string{"AlarmTopicArn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := maps.Clone(complete)
			for k, v := range tt.change {
				if v == "" {
					delete(params, k)
				} else {
					params[k] = v
				}
			}
			err := template.Check(tmpl, params)
			if err == nil {
				t.Fatal("the deploy is accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	t.Run("both VPC settings", func(t *testing.T) {
		params := maps.Clone(complete)
		params["SubnetIds"], params["SecurityGroupIds"] = "subnet-1,subnet-2", "sg-1"
		if err := template.Check(tmpl, params); err != nil {
			t.Errorf("a deploy in a VPC is refused: %v", err)
		}
	})
}

// TestSamConfig checks samconfig.toml, and that the check finds both defects of the
// first version's (testdata/samconfig-v1.toml).
func TestSamConfig(t *testing.T) {
	_, root := repoTemplate(t)
	for _, c := range []struct {
		file string
		want []string
	}{
		{filepath.Join(root, "samconfig.toml"), nil},
		{filepath.Join("testdata", "samconfig-v1.toml"), []string{
			`sam sync targets "herald", the stack sam deploy makes`,
			"sam build copies the whole tree per function: build_in_source is not true",
		}},
	} {
		data, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if got := CheckSamConfig(data); !slices.Equal(got, c.want) {
			t.Errorf("%s: problems %q, want %q", c.file, got, c.want)
		}
	}
}
