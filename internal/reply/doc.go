// Package reply signs and verifies the acknowledgement replies that Herald hands to
// event notification consumers, and reads the JetStream ack subjects inside them.
//
// When the batch or stream endpoint delivers a message of a consumer to a client, it
// gives the message's JetStream ack subject (the "reply") together with a salt, an
// HMAC and the id of the key that made it:
//
//	{"reply": "$JS.ACK.HERALD_EVENTS.01J….1.42.7.1763834400123456789.3",
//	 "salt": "b1qf7Xo3Zq6cV8u9x3m2Xw",
//	 "hmac": "k4o0b8k9ZQ1…=",
//	 "key_id": "k2"}
//
// The client later hands the reply back to POST /v1/acknowledge, which needs no token:
// the signature is the credential. It is
//
//	base64(HMAC-SHA256(secret[key_id], reply + "\n" + salt + "\n" + consumer_id))
//
// with the standard base64 alphabet and padding. The consumer id is part of the MAC, so
// a reply signed for one consumer never acknowledges a message of another, and the salt
// (16 random bytes, unpadded base64url) makes every signature unique.
//
// # Keys and rotation
//
// A [Keyring] holds several secrets at once, each under a short id. The first one
// signs; all of them verify. To rotate, put a new key first ("k2:…,k1:…"), deploy,
// and drop the old key once every reply signed with it has expired (the consumer's
// ack wait, or the stream's shelf life at the longest). [ParseKeyring] reads the
// HERALD_REPLY_KEYS form; [KeyringFromEnv] reads it from the environment or from
// Secrets Manager.
//
// # Verifying
//
// [Keyring.Verify] checks one reply: the MAC is compared in constant time with
// [crypto/hmac.Equal], and a refusal never says which byte differed. [VerifyAll] checks a
// whole acknowledge request before anything is acknowledged: every signature, and
// that every ack subject belongs to the expected stream and consumer. If any reply
// fails, none is accepted and the error names each bad one as "replies[i]".
//
// # Actions
//
// An [Action] is what the client asks for: ack, nak (optionally with a redelivery
// delay), term or in_progress. [Action.Payload] gives the body that the JetStream ack
// protocol expects on the ack subject, byte for byte what nats.go sends.
package reply
