package wire

// Warning names a field of a request that the server accepted but that is likely a
// mistake, such as an event type that nobody publishes; a create that succeeds lists
// them under "warnings". Field is a dotted path into the request, as in FieldError.
type Warning struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}
