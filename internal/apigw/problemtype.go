package apigw

import "github.com/heraldhq/herald/internal/fault"

// The problem types: one stable URN per fault kind, which clients branch on. They are
// spelled out rather than derived from the kinds' titles, so that rewording a title
// cannot change what clients see; openapi.yaml lists the same URNs.
const (
	ProblemInternal         = "urn:herald:problem:internal-error"
	ProblemInvalid          = "urn:herald:problem:invalid-request"
	ProblemUnauthorized     = "urn:herald:problem:unauthorized"
	ProblemForbidden        = "urn:herald:problem:forbidden"
	ProblemNotFound         = "urn:herald:problem:not-found"
	ProblemConflict         = "urn:herald:problem:conflict"
	ProblemTooLarge         = "urn:herald:problem:request-too-large"
	ProblemUnsupported      = "urn:herald:problem:unsupported-media-type"
	ProblemUnavailable      = "urn:herald:problem:service-unavailable"
	ProblemOverQuota        = "urn:herald:problem:quota-exceeded"
	ProblemMethodNotAllowed = "urn:herald:problem:method-not-allowed"
	ProblemVetoed           = "urn:herald:problem:vetoed"
)

// ProblemType is the problem type URN for an error kind: the one place that decides it.
// A kind without one of its own is an internal error, as Status makes it a 500.
func ProblemType(k fault.Kind) string {
	switch k {
	case fault.Invalid:
		return ProblemInvalid
	case fault.Unauthorized:
		return ProblemUnauthorized
	case fault.Forbidden:
		return ProblemForbidden
	case fault.NotFound:
		return ProblemNotFound
	case fault.Conflict:
		return ProblemConflict
	case fault.TooLarge:
		return ProblemTooLarge
	case fault.Unsupported:
		return ProblemUnsupported
	case fault.Unavailable:
		return ProblemUnavailable
	case fault.OverQuota:
		return ProblemOverQuota
	case fault.MethodNotAllowed:
		return ProblemMethodNotAllowed
	case fault.Vetoed:
		return ProblemVetoed
	default:
		return ProblemInternal
	}
}
