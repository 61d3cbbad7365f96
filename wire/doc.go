// Package wire holds the JSON wire types of Herald's HTTP API: the bodies that clients
// send and the answers they receive, as plain data structs with the API's member
// names. It imports only the standard library, so that a program outside this module
// can name the types of package client's methods without pulling in the server.
//
// The types mirror the server's own, member for member: the same JSON names, the same
// omitempty, the same JSON types, so that what a client sends is what the server
// decodes. A test in this package walks each pair and fails when they drift apart.
//
// Event, User and Resource keep the members they do not know in Extra and write them
// back, as the server does, so that an event read from a consumer and published again
// loses nothing.
//
// The server checks what it receives; these types do not. Where a rule is worth
// knowing before sending, the field's comment says it.
package wire
