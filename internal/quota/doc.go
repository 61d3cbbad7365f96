// Package quota keeps per-user limits on the things a user may hold (triggers,
// consumers), so that one tenant cannot exhaust what every tenant shares: the Router's
// memory, JetStream's consumers.
//
// A Ledger keeps, for each owner, one item in the table the counted things live in: the
// set of their ids. Adding an id is one conditional update ("fewer than the limit"), so
// two creates racing for the last place cannot both win, and removing one frees its
// place at once. DynamoDB's global indexes are eventually consistent and could not
// give that; the set is read and written with strong consistency. A set rather than a
// number lets the ledger heal itself: things that vanish without telling it (a record
// deleted by its TTL, a create that failed half way) are found and dropped when the
// owner reaches the limit.
package quota
