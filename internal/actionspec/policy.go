package actionspec

import (
	"fmt"
	"os"
	"strings"

	"github.com/heraldhq/herald/internal/config"
)

// Policy says what actions may reach, as the operator configured it.
type Policy struct {
	// Subjects are the NATS subject patterns nats actions may publish on (the action
	// namespace); DefaultSubjects when empty.
	Subjects []string
	// NATS says whether nats actions can be sent at all: the operator gave the
	// credentials of a NATS user confined to Subjects. Without one they are refused.
	NATS bool
	// Targets are the ARN patterns ("*" matches any run of characters) that sqs, sns
	// and lambda actions may reach. Empty allows none.
	Targets []string
	// Own are the ARNs, or ARN patterns, of Herald's own queues, topics and functions:
	// refused even where Targets would allow them.
	Own []string
	// MaxHops bounds how deep a chain of events made by actions may go (DefaultMaxHops
	// when 0): an event whose origin says hop n makes events of hop n+1, refused past it.
	MaxHops int
	// Region and Partition complete the ARN of a queue named by a URL whose host does not
	// say them (a local endpoint).
	Region, Partition string
}

// DefaultMaxHops is the hop limit of events that actions make.
const DefaultMaxHops = 3

// Hops returns the hop limit.
func (p *Policy) Hops() int {
	if p.MaxHops > 0 {
		return p.MaxHops
	}
	return DefaultMaxHops
}

// DefaultSubjects is the action namespace when the operator sets none.
var DefaultSubjects = []string{"herald.actions.>"}

// Environment variables PolicyFromEnv reads.
const (
	EnvSubjects = "HERALD_ACTION_SUBJECTS"
	EnvTargets  = "HERALD_ACTION_TARGETS"
	EnvOwn      = "HERALD_OWN_RESOURCES"
	// The action NATS user's credentials: any of them set enables nats actions.
	EnvNATSURL         = "HERALD_ACTIONS_NATS_URL"
	EnvNATSCredsSecret = "HERALD_ACTIONS_NATS_CREDS_SECRET"
	EnvNATSCredsFile   = "HERALD_ACTIONS_NATS_CREDS_FILE"
)

// PolicyFromEnv reads the policy from HERALD_ACTION_SUBJECTS, HERALD_ACTION_TARGETS and
// HERALD_OWN_RESOURCES (comma-separated lists), and whether one of the HERALD_ACTIONS_NATS_*
// credentials is set. The function's own name (AWS_LAMBDA_FUNCTION_NAME) is added to
// Own, since a function cannot name its own ARN in its configuration. A namespace that
// overlaps Herald's own subjects is an error: it would let actions write Herald's events.
func PolicyFromEnv() (Policy, error) {
	p := Policy{
		Subjects:  list(config.String(EnvSubjects, "")),
		Targets:   list(config.String(EnvTargets, "")),
		Own:       list(config.String(EnvOwn, "")),
		Region:    config.String("AWS_REGION", config.String("AWS_DEFAULT_REGION", "")),
		Partition: "aws",
	}
	for _, k := range []string{EnvNATSURL, EnvNATSCredsSecret, EnvNATSCredsFile} {
		if config.String(k, "") != "" {
			p.NATS = true
		}
	}
	if name := os.Getenv("AWS_LAMBDA_FUNCTION_NAME"); name != "" {
		p.Own = append(p.Own, "arn:*:lambda:*:*:function:"+name)
	}
	if err := p.check(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// check refuses a namespace that would reach what Herald keeps for itself.
func (p *Policy) check() error {
	for _, s := range p.Subjects {
		if msg := checkPattern(s); msg != "" {
			return fmt.Errorf("%s: %q %s", EnvSubjects, s, msg)
		}
	}
	return nil
}

// subjects returns the action namespace.
func (p *Policy) subjects() []string {
	if len(p.Subjects) == 0 {
		return DefaultSubjects
	}
	return p.Subjects
}

// list splits a comma-separated list, dropping blanks.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
