// Package template reads Herald's SAM template and creates what it declares in the local AWS
// emulators (dynalite for DynamoDB, fauxqs for SNS and SQS).
//
// The template stays the single description of Herald's infrastructure: the integration
// tests and the local stack provision from it instead of keeping a second list of tables,
// queues and subscriptions that could drift from what is deployed.
//
// [Parse] and [Load] turn the YAML into a [Template], rewriting CloudFormation's short
// tags (!Ref, !GetAtt, !Sub, ...) into their long forms ({"Ref": ...}, {"Fn::GetAtt":
// ...}), so that later code deals with one shape only. [Template.Functions] lists the
// Lambda functions with the template's Globals merged in, as SAM does.
//
// [Provision] creates the tables, topics, queues and subscriptions, in the order their
// references require, and returns a [Stack] that resolves intrinsic functions (Ref,
// Fn::GetAtt, Fn::Sub, ...) against the physical resources, for instance to compute the
// environment variables a function runs with ([Stack.FunctionEnv]). Local physical names
// follow the logical ids, so the table ConsumersTable is called ConsumersTable.
//
// Provision is idempotent: running it again against the same emulators reuses what exists.
package template
