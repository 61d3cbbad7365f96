package localstack

// LambdaAPIPrefix is the path of the Lambda Invoke API the local stack serves beside its
// HTTP API: POST /2015-03-31/functions/{name}/invocations.
const LambdaAPIPrefix = "/2015-03-31/functions/"
