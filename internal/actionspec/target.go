package actionspec

import (
	"net/url"
	"regexp"
	"strings"
)

// The shapes of the AWS names an action may give. A function must be named by its ARN:
// the ARN says the account and region, which the operator's allow-list is written in.
var (
	topicARN    = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):sns:([a-z]{2}(-[a-z]+)+-[0-9]+):([0-9]{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$`)
	functionARN = regexp.MustCompile(`^(arn:(aws|aws-cn|aws-us-gov):lambda:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64})(:[A-Za-z0-9$_-]{1,128})?$`)
	queueName   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,75}(\.fifo)?$|^[A-Za-z0-9_-]{1,80}$`)
	account     = regexp.MustCompile(`^[0-9]{12}$`)
	// sqs.<region>.amazonaws.com[.cn], and the legacy <region>.queue.amazonaws.com.
	queueHost = regexp.MustCompile(`^(?:sqs\.([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.amazonaws\.com(\.cn)?|([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.queue\.amazonaws\.com(\.cn)?)$`)
	groupID   = regexp.MustCompile("^[!-~]{1,128}$")
)

// target is the AWS resource an sqs, sns or lambda action reaches.
type target struct {
	field string // the action field that names it
	arn   string // its ARN, without a function's qualifier
	fifo  bool   // a FIFO queue or topic
}

// target returns what c's action reaches, or the field at fault and why.
func (p *Policy) target(c *Config) (target, string) {
	switch c.Type {
	case "sqs":
		t := target{field: "queue_url"}
		arn, msg := p.queueARN(c.QueueURL)
		t.arn, t.fifo = arn, strings.HasSuffix(arn, ".fifo")
		return t, msg
	case "sns":
		t := target{field: "topic_arn", arn: c.TopicARN, fifo: strings.HasSuffix(c.TopicARN, ".fifo")}
		if !topicARN.MatchString(c.TopicARN) {
			return t, "must be a topic ARN, arn:aws:sns:<region>:<account>:<name>"
		}
		return t, ""
	case "lambda":
		t := target{field: "function"}
		m := functionARN.FindStringSubmatch(c.Function)
		if m == nil {
			return t, "must be a function ARN, arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]"
		}
		t.arn = m[1]
		return t, ""
	}
	return target{}, ""
}

// queueARN returns the ARN of the queue a queue URL names, or why it names none.
func (p *Policy) queueARN(raw string) (string, string) {
	const shape = "must be a queue URL, https://sqs.<region>.amazonaws.com/<account>/<name>"
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", shape
	}
	parts := strings.Split(u.Path, "/")
	if len(parts) != 3 || parts[0] != "" || !account.MatchString(parts[1]) || !queueName.MatchString(parts[2]) {
		return "", shape
	}
	region, partition := p.Region, p.Partition
	if m := queueHost.FindStringSubmatch(u.Hostname()); m != nil {
		region = m[1] + m[3]
		if m[2]+m[4] != "" {
			partition = "aws-cn"
		}
	}
	if partition == "" {
		partition = "aws"
	}
	return "arn:" + partition + ":sqs:" + region + ":" + parts[1] + ":" + parts[2], ""
}

// CheckTarget returns the field of an sqs, sns or lambda action that names a target the
// policy refuses, and why; "" for other types and allowed targets. Herald's own
// resources are refused even where an allow pattern matches them.
func (p *Policy) CheckTarget(c *Config) (field, msg string) {
	t, msg := p.target(c)
	if t.field == "" || msg != "" {
		return t.field, msg
	}
	for _, own := range p.Own {
		if ownMatch(own, t.arn) {
			return t.field, "is one of Herald's own resources; actions may not reach them"
		}
	}
	for _, allow := range p.Targets {
		if globMatch(allow, t.arn) {
			return "", ""
		}
	}
	if len(p.Targets) == 0 {
		return t.field, "is not allowed: the operator allows no " + c.Type + " targets (ActionTargets is empty)"
	}
	return t.field, "is not allowed by the operator's ActionTargets (" + strings.Join(p.Targets, ", ") + ")"
}

// globMatch reports whether s matches pattern, where "*" stands for any run of
// characters and "?" for any one, as in IAM resource ARNs.
func globMatch(pattern, s string) bool {
	// Iterative matching with one backtrack point: linear in practice, never exponential.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// CheckSend returns the field of c that names a target the policy refuses now, and why;
// "" when it may be sent. Deliver asks it before every send: a trigger stored before
// the policy changed must not reach what the policy now refuses.
func (p *Policy) CheckSend(c *Config) (field, msg string) {
	switch c.Type {
	case "nats":
		if !p.NATS {
			return "type", "nats actions are not enabled here"
		}
		if msg := p.CheckSubject(c.Subject); msg != "" {
			return "subject", msg
		}
	case "sqs", "sns", "lambda":
		return p.CheckTarget(c)
	}
	return "", ""
}

// ownMatch reports whether arn names the resource of one of Herald's own ARN patterns,
// by service and name alone: an endpoint that routes by name (a local emulator, say)
// must not reach Herald's RouteQueue because an action wrote another account into the
// ARN, and a name of Herald's is never a third party's in practice.
func ownMatch(pattern, arn string) bool {
	ps, pn, ok1 := serviceAndName(pattern)
	as, an, ok2 := serviceAndName(arn)
	if !ok1 || !ok2 {
		return globMatch(pattern, arn)
	}
	return globMatch(ps, as) && globMatch(pn, an)
}

// serviceAndName splits arn:partition:service:region:account:name into service and name
// (everything after the account, "function:x" for a function).
func serviceAndName(arn string) (service, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", "", false
	}
	return parts[2], parts[5], true
}
