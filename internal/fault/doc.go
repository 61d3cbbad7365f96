// Package fault defines Herald's one error type. Every error that can reach a user carries
// a Kind (what went wrong, independent of transport) and, for invalid input, the fields at
// fault. The HTTP status for each kind is chosen in one place, package apigw. The fields
// at fault and a reached quota are the API's wire types (package wire), as problem
// documents show them.
package fault
