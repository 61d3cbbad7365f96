// Package cost is the whole-system suite of the cost model (cmd/herald-cost, make cost):
// it runs the cost workload (devstack/workload) at a small scale against herald-local
// and checks that the stack's meter (devstack/meter, served at /local/usage) counted
// every kind of billable call the workload must cause, in amounts consistent with it.
//
// The tests are in the _test.go files.
package cost
