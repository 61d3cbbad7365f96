// Package localstack holds what the local stack (cmd/herald-local) is run with and how it
// lays out its files: the development secrets, the template parameters it sets, where its
// state folder keeps the NATS actions user's password, where function binaries are, and
// how they are built for this machine.
//
// herald-local uses it to run the stack; the whole-system suites under test/ use it to
// know what the stack they start was given (to mint tokens it accepts, to reach a quota,
// to find a secret that must never leak) and to build the binaries once for every suite.
//
// Nothing here ships: everything in it is for development only.
package localstack
