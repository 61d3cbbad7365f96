// Package inbox keeps personal notifications: one user's persistent inbox of things
// addressed to them (permission granted, access requested, announcements, Herald's own
// notices), kept until they acknowledge them.
//
// Notifications live in the Notifications table under the user's id, sorted by a ULID
// id, newest last (reads go backwards). Two sparse indexes hold the same items by state:
// "unacknowledged" has an item only while it is unacknowledged (attribute unacked_user),
// "acknowledged" only after (acked_user). Listing or counting one state therefore reads
// that state's items, however long the user's history.
//
// Every notification made from an event has an id derived from the event's uuid and the
// recipient (see ID), and is written only if absent: an event delivered twice makes one
// notification, and a redelivery never brings an acknowledged one back.
//
// Items carry expires_at, the table's TTL: AckedRetention after acknowledgement, and
// while unacknowledged either none (UnackedRetention 0, the default: kept until
// acknowledged) or UnackedRetention after creation (a safety net). DynamoDB deletes
// expired items lazily, so every read here skips them itself.
//
// A Store with a Feed announces every notification it writes and every acknowledgement
// on core NATS, on the user's Subject (herald.inbox.<token>), for the user's live
// streams; an announcement that fails is logged and never fails the write. A stream
// subscribes (Feed.Subscribe) before it reads the table (Since, UnacknowledgedIDs), and
// counts with a Tally, since the unacknowledged index may lag what was announced.
package inbox
