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
