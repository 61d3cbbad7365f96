package wire

// EntityType is a kind of resource and the event types published about it, as
// GET /v1/catalog lists them.
type EntityType struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Events      []CatalogEvent `json:"events"`
}

// CatalogEvent is one known event type. Publishers may use others too.
type CatalogEvent struct {
	Event       string `json:"event"`
	Description string `json:"description"`
}
