package localstack

// UsagePath is where the local stack serves, beside its HTTP API and outside the API's
// /v1/ namespace, the counters of the billable calls it made (devstack/meter): GET gives
// a meter.Usage as JSON.
const UsagePath = "/local/usage"
