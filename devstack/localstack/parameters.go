package localstack

// AllowNetworks are the networks webhooks may reach in the local stack (the template's
// AllowNetworks parameter): loopback, where local receivers listen.
const AllowNetworks = "127.0.0.0/8,::1/128"

// MaxTriggersPerUser and MaxConsumersPerUser are the local stack's per-user quotas (the
// template's MaxTriggersPerUser and MaxConsumersPerUser parameters): small, so that a
// test reaches them cheaply, yet above what any one user of the suites holds.
const (
	MaxTriggersPerUser  = 50
	MaxConsumersPerUser = 20
)

// CorsOrigins are the origins whose pages may call the local stack from a browser
// (the template's CorsOrigins parameter): a page served from this machine on any
// port. The port pattern is the local gateway's own; API Gateway and Function URLs
// match exact origins only.
const CorsOrigins = "http://localhost:*,http://127.0.0.1:*"

// AlarmTopicArn is where the local stack's alarms would go. It creates none (CloudWatch
// has no local counterpart), but the template's rules want every deploy to name one.
const AlarmTopicArn = "arn:aws:sns:us-east-1:000000000000:herald-local-alarms"

// RequiredParameters are the template parameters without which the template's rules
// refuse a stack: the token secret (jwtSecret), the reply keys and where alarms go.
func RequiredParameters(jwtSecret string) map[string]string {
	return map[string]string{"JwtSecret": jwtSecret, "ReplyKeys": DevReplyKeys, "AlarmTopicArn": AlarmTopicArn}
}
