// Package baseline measures code in a Go benchmark against a baseline in the same run:
// rounds of each alternate (the first of them rotating) so that both meet the same
// moments of a busy machine, after an untimed round of each as a warm-up. The figures
// are reported as UNIT, base-UNIT and ratio, which is what `make bench` (cmd/benchreport)
// reads into BENCHMARKS.md.
//
// It is used by benchmarks only; it lives in its own package because test files of
// different packages cannot share code.
package baseline
