package wire

// FieldError names one field of a request at fault and why, as the API's problem
// documents list them under "errors". Field is a dotted path into the request
// ("events[3].resource.path"); it is empty for the body as a whole.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Quota is the per-user limit that a create reached, as a 429 problem document
// names it under "quota".
type Quota struct {
	Name    string `json:"name"`    // what is counted: "triggers", "consumers", "streams"
	Limit   int    `json:"limit"`   // how many the caller may hold
	Current int    `json:"current"` // how many the caller holds now
}
