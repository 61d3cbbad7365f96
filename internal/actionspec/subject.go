package actionspec

import (
	"strings"

	"github.com/heraldhq/herald/internal/event"
)

// MaxSubjectBytes bounds a nats action's subject.
const MaxSubjectBytes = 256

// reservedSubjects are the subjects Herald keeps for itself, as patterns: the event
// stream and the dead-letter stream capture the first two; herald.inbox carries the
// changes of personal inboxes to their live streams (inbox.Subjects; named here, as
// this package links no store); "$…" subjects are the server's APIs (JetStream's
// $JS.API, $SYS, $KV, $O …) and _INBOX the replies of other connections' requests. No
// action may publish on any of them, whatever the namespace.
var reservedSubjects = []string{event.StreamSubjects, "herald.deadletter.>", "herald.inbox.>", "_INBOX.>"}

// CheckSubject returns why a nats action may not publish on subject under p, or "".
// The subject must be a literal NATS subject (no wildcards) inside the action namespace
// and outside everything Herald keeps for itself.
func (p *Policy) CheckSubject(subject string) string {
	if msg := checkLiteral(subject); msg != "" {
		return msg
	}
	if reserved(subject) {
		return "is one of Herald's own subjects ($…, _INBOX.…, herald.events.…, herald.deadletter.…, herald.inbox.…)"
	}
	for _, ns := range p.subjects() {
		if subjectsOverlap(ns, subject) {
			return ""
		}
	}
	return "must lie in the action namespace " + strings.Join(p.subjects(), ", ")
}

// checkLiteral returns why s is not a subject one can publish on, or "".
func checkLiteral(s string) string {
	if s == "" || len(s) > MaxSubjectBytes {
		return "must be 1 to 256 bytes"
	}
	for _, tok := range strings.Split(s, ".") {
		switch {
		case tok == "":
			return "must not have empty tokens (a leading, trailing or doubled dot)"
		case tok == "*" || tok == ">":
			return "must not hold wildcards: an action publishes on one subject"
		}
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return "must not hold spaces or control characters"
		}
	}
	return ""
}

// checkPattern returns why s is not a namespace pattern an operator may set, or "".
func checkPattern(s string) string {
	if s == "" || len(s) > MaxSubjectBytes || strings.ContainsAny(s, " \t\r\n") {
		return "is not a NATS subject pattern"
	}
	toks := strings.Split(s, ".")
	for i, tok := range toks {
		if tok == "" || (tok == ">" && i != len(toks)-1) {
			return "is not a NATS subject pattern"
		}
	}
	if strings.HasPrefix(toks[0], "$") || toks[0] == "*" || toks[0] == ">" {
		return "overlaps Herald's own subjects"
	}
	for _, r := range reservedSubjects {
		if subjectsOverlap(s, r) {
			return "overlaps Herald's own subjects"
		}
	}
	return ""
}

// reserved reports whether the literal subject is one Herald keeps for itself.
func reserved(subject string) bool {
	if strings.HasPrefix(subject, "$") {
		return true
	}
	for _, r := range reservedSubjects {
		if subjectsOverlap(r, subject) {
			return true
		}
	}
	return false
}

// subjectsOverlap reports whether some literal subject matches both NATS patterns ("*"
// stands for one token, a final ">" for one or more); for a literal subject and a pattern,
// whether the subject matches.
func subjectsOverlap(a, b string) bool {
	at, bt := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; ; i++ {
		switch {
		case i == len(at) && i == len(bt):
			return true
		case i < len(at) && at[i] == ">":
			return i < len(bt)
		case i < len(bt) && bt[i] == ">":
			return i < len(at)
		case i == len(at) || i == len(bt):
			return false
		case at[i] != "*" && bt[i] != "*" && at[i] != bt[i]:
			return false
		}
	}
}
