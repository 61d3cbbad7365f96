// Package lambdalocal runs real Lambda bootstrap executables on the local machine under a
// local implementation of the Lambda Runtime API, so that Herald's local stack and tests
// exercise the same binaries that are deployed to the provided.al2023 runtime.
//
// A [Function] owns up to [Config.MaxInstances] execution environments. Each environment
// (an instance) is one bootstrap process plus one Runtime API HTTP server on 127.0.0.1,
// whose address the process finds in AWS_LAMBDA_RUNTIME_API, as it would inside Lambda.
// Instances start on demand, stay warm between invocations and handle one invocation at a
// time; [Function.Invoke] waits for a free one when all are busy.
//
// The server implements what runtimes call:
//
//	GET  /2018-06-01/runtime/invocation/next
//	POST /2018-06-01/runtime/invocation/{id}/response
//	POST /2018-06-01/runtime/invocation/{id}/error
//	POST /2018-06-01/runtime/init/error
//	POST /2020-01-01/extension/register
//	GET  /2020-01-01/extension/event/next
//
// The extensions endpoints exist because aws-lambda-go's lambda.WithEnableSIGTERM registers
// an internal extension; an extension's event/next blocks until the instance shuts down
// (and then reports SHUTDOWN if the extension asked for it).
//
// Responses are forwarded as the runtime POSTs them: [Response.Body] yields bytes while
// the function is still writing, which is what Function URL response streaming needs.
// When the caller stops reading a streamed response, the runtime's POST is failed at
// once, as the writes of a function whose client left fail; a runtime that then exits
// (aws-lambda-go does) is replaced by a fresh instance for the next invocation.
// Errors the function reports, timeouts, crashes and init failures come back as
// [FunctionError] values in [Response.Err], with Lambda's error types (Sandbox.Timedout,
// Runtime.ExitError, Runtime.InitError, …), as Lambda's Invoke API reports them in the
// response rather than as a failed call. Invoke itself returns an error only when no
// invocation could take place: a cancelled context, a closed Function, an oversized
// request.
//
// As Lambda resets an execution environment after a timeout or a crash, the instance
// concerned is killed and the next invocation starts a fresh one. Processes run in their
// own process group, which is killed as a whole, so that nothing a function started
// outlives it.
//
// The package needs a Unix system (process groups and signals).
package lambdalocal
