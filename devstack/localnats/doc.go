// Package localnats configures the NATS servers of the local stack (herald-local) and of
// the integration tests (devstack/testenv) the same way: with two users, so that the
// connection nats actions publish through is confined by the server itself, as it is in
// a deployment.
//
//   - Herald's own user may do anything. Connections without credentials are taken to be
//     this user (the server's no_auth_user), so Herald's functions, the tests and the
//     commands the local stack prints need no credentials.
//   - The actions user ([ActionsUser], with a password) may publish only on the action
//     namespace and subscribe only to the replies to its own publishes ([ActionsSubscribe]). Deliver's action connection logs in as it, so a
//     nats action aimed at the JetStream API or at Herald's own subjects is refused by
//     the server even if Herald's own check were bypassed.
//
// Nothing here ships: the functions connect with credentials an operator gives them.
package localnats
