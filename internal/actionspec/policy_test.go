package actionspec

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/inbox"
)

// TestInboxSubjectsReserved: the subjects of every user's inbox changes are Herald's
// own, whatever the namespace: an action publishing there would forge a notification on
// someone's live stream.
func TestInboxSubjectsReserved(t *testing.T) {
	if !reserved(inbox.Subject("u1")) || !reserved(inbox.Subjects) {
		t.Errorf("%s is not reserved", inbox.Subjects)
	}
	p := &Policy{Subjects: []string{"herald.actions.>"}}
	if msg := p.CheckSubject(inbox.Subject("someone")); msg == "" {
		t.Error("a nats action may publish on a user's inbox subject")
	}
}

func TestSubjectsOverlap(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"herald.actions.>", "herald.actions.x", true},
		{"herald.actions.>", "herald.actions", false},
		{"herald.*.x", "herald.events.x", true},
		{"herald.*", "herald.events.x", false},
		{"herald.>", "herald.events.>", true},
		{"a.b", "a.b", true},
		{"a.b", "a.c", false},
		{">", "anything.at.all", true},
	} {
		if got := subjectsOverlap(tt.a, tt.b); got != tt.want {
			t.Errorf("subjectsOverlap(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestPolicyFromEnv: a namespace that would reach Herald's own subjects is refused when
// the function starts; the function's own name joins Herald's resources.
func TestPolicyFromEnv(t *testing.T) {
	for _, ns := range []string{"herald.>", "herald.events.mine", "herald.inbox.>", "herald.*.x", "$JS.API.>", "_INBOX.>", ">", "*.x", "a..b"} {
		t.Run(ns, func(t *testing.T) {
			t.Setenv(EnvSubjects, "herald.actions.>,"+ns)
			if _, err := PolicyFromEnv(); err == nil {
				t.Errorf("namespace %q accepted", ns)
			}
		})
	}
	t.Setenv(EnvSubjects, " partner.>, herald.actions.> ")
	t.Setenv(EnvTargets, "arn:aws:sqs:*:*:partner-*")
	t.Setenv(EnvOwn, "")
	t.Setenv(EnvNATSURL, "")
	t.Setenv(EnvNATSCredsSecret, "")
	t.Setenv(EnvNATSCredsFile, "/run/actions.creds")
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "herald-Deliver-XYZ")
	p, err := PolicyFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Subjects) != 2 || p.Subjects[0] != "partner.>" || !p.NATS || len(p.Targets) != 1 {
		t.Errorf("policy %+v", p)
	}
	if _, msg := p.CheckTarget(&Config{Type: "lambda", Function: "arn:aws:lambda:eu-west-1:123456789012:function:herald-Deliver-XYZ"}); msg == "" {
		t.Error("the function itself is not among Herald's own resources")
	}
	t.Setenv(EnvNATSCredsFile, "")
	if p, _ := PolicyFromEnv(); p.NATS {
		t.Error("nats actions enabled without credentials")
	}
}

func TestQueueARN(t *testing.T) {
	p := Policy{Region: "us-east-1", Partition: "aws"}
	for _, tt := range []struct{ url, want string }{
		{"https://sqs.eu-west-1.amazonaws.com/123456789012/q", "arn:aws:sqs:eu-west-1:123456789012:q"},
		{"https://eu-west-1.queue.amazonaws.com/123456789012/q.fifo", "arn:aws:sqs:eu-west-1:123456789012:q.fifo"},
		{"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "arn:aws-cn:sqs:cn-north-1:123456789012:q"},
		{"http://127.0.0.1:4566/000000000000/RouteQueue", "arn:aws:sqs:us-east-1:000000000000:RouteQueue"},
	} {
		if got, msg := p.queueARN(tt.url); got != tt.want {
			t.Errorf("queueARN(%q) = %q %s, want %q", tt.url, got, msg, tt.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"arn:aws:sqs:*:*:partner-*", "arn:aws:sqs:eu-west-1:123456789012:partner-a", true},
		{"arn:aws:sqs:*:*:partner-*", "arn:aws:sqs:eu-west-1:123456789012:herald-a", false},
		{"arn:aws:sqs:eu-west-1:123456789012:q?", "arn:aws:sqs:eu-west-1:123456789012:q1", true},
		{"*", "", true},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
	} {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}

// TestOwnByName: Herald's own resources are refused by service and name even where the
// ARN says another account or region and an allow pattern matches everything.
func TestOwnByName(t *testing.T) {
	p := Policy{Targets: []string{"*"}, Region: "us-east-1", Own: []string{
		"arn:aws:sqs:us-east-1:000000000000:RouteQueue", "arn:aws:lambda:*:*:function:herald-local-*", "arn:aws:lambda:us-east-1:000000000000:function:EventsApi",
	}}
	for _, c := range []Config{
		{Type: "sqs", QueueURL: "http://127.0.0.1:4566/123456789012/RouteQueue"},
		{Type: "lambda", Function: "arn:aws:lambda:eu-west-1:123456789012:function:EventsApi"},
		{Type: "lambda", Function: "arn:aws:lambda:eu-west-1:123456789012:function:herald-local-Deliver:live"},
	} {
		if _, msg := p.CheckTarget(&c); !strings.Contains(msg, "Herald's own") {
			t.Errorf("%+v: %q, want refused as Herald's own", c, msg)
		}
	}
	if _, msg := p.CheckTarget(&Config{Type: "sqs", QueueURL: "http://127.0.0.1:4566/123456789012/PartnerQueue"}); msg != "" {
		t.Errorf("a partner queue is refused: %s", msg)
	}
}
