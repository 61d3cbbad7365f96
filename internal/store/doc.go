// Package store holds what every DynamoDB-backed part of Herald shares: page cursors that
// callers cannot bend to read another partition, and TTL attribute values.
package store
