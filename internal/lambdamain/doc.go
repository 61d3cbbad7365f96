// Package lambdamain is the main of every Herald function: [Run] installs the JSON
// logger Lambda expects, runs the function's cold start, fails it loudly ("cold start
// failed" and exit status 1), and starts the Lambda runtime with the handler the cold
// start built, closing what it keeps when Lambda sends SIGTERM.
//
// The package knows nothing of AWS: a function that needs the AWS configuration loads it
// in its cold start through one config.AWSOnce, so that the Authorizer, which needs none,
// neither loads nor links the SDK's configuration code.
package lambdamain
