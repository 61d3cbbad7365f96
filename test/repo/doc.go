// Package repo checks that the repository's parts agree with each other: that SAM can
// build every function through the Makefile, that every reference in template.yaml names
// something the template defines, that every environment variable a function's code
// reads is set for it, that queues, tables and SQS event sources follow Herald's rules,
// and that nothing that ships (internal/, functions/) imports the local stack (devstack/)
// or the suites (test/).
//
// The package holds what the checks need: a parser of the Makefile's FUNCTIONS list
// ([MakefileFunctions]), a scanner of the HERALD_ variables a program reads
// ([ScanEnvReads]), a checker of CloudFormation references ([CheckRefs]), the template
// rules ([CheckSQSEvents], [CheckTableTTL], [CheckRedrive], [CheckBuilds]) and a finder of
// forbidden imports ([ImportViolations]). Each check returns the problems it finds, so
// that its tests prove it on small inputs that break it on purpose; the checks of the
// repository itself are this package's tests.
package repo
