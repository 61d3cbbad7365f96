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

// MaxOpenStreams is the local stack's MaxOpenStreams parameter, the live streams open at
// once across all users: as many as one user may hold by the template's default, so
// that a suite fills the pool cheaply (each open stream is a running Stream instance).
const MaxOpenStreams = 10

// StreamHeadroom is how many instances a response-streaming function (Stream) runs
// locally beyond MaxOpenStreams: for the requests it answers at once while every stream
// is open — a missing token, a quota, a full pool — which must never wait for a stream
// to end.
const StreamHeadroom = 4

// StreamInstances is how many instances the local stack gives a response-streaming
// function: the like of its reserved concurrency.
const StreamInstances = MaxOpenStreams + StreamHeadroom

// StreamMaxBytes is the local stack's StreamMaxBytes parameter. The template's 4 GiB
// default would have NATS reserve that much disk when the stream is made, and a
// laptop or CI machine with less than about 5.4 GiB free (NATS allows 75 % of the free
// disk) could not start the stack at all; a local stack never holds that many events.
const StreamMaxBytes = 256 << 20

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
