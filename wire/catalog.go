package wire

import "encoding/json"

// EntityType is a kind of resource and the event types published about it, as
// GET /v1/catalog lists them.
type EntityType struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Events      []CatalogEvent `json:"events"`
}

// CatalogEvent is one known event type and its contract, as GET /v1/catalog lists it
// and GET /v1/catalog/{type} answers it. Publishers may use other types too; theirs
// are not checked.
type CatalogEvent struct {
	Event       string `json:"event"`
	Description string `json:"description"`
	// Schema is a JSON Schema (draft 2020-12) that every published event of this type
	// must satisfy: it speaks of resource and data, and allows members it does not
	// name. It stands alone, its definitions under its own $defs.
	Schema json.RawMessage `json:"schema"`
	// Example is an event of this type that meets the schema.
	Example json.RawMessage `json:"example"`
}
