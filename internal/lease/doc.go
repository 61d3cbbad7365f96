// Package lease bounds how many of something a user holds open at once when the
// things held live in many Lambda instances: one lease item per open thing in a
// DynamoDB table, in one of the user's numbered slots.
//
// A lease has an expiry that its holder pushes forward while it runs (Renew) and is
// deleted when the thing closes (Release), so closing frees room at once, and the lease
// of an instance that crashed lapses by itself. Reads ignore lapsed leases, since
// DynamoDB's TTL deletes them only lazily.
//
// Taking a slot is a conditional write that succeeds only if the slot is free or its
// lease has lapsed, so two instances opening at the same moment can never take the same
// slot, and a user never holds more leases than the limit, however many instances race.
package lease
