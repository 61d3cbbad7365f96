package wire

import "strings"

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

// WriteFields writes fields as Herald's error messages show them, server and client
// alike: " (field: message; message)", nothing when there are none.
func WriteFields(b *strings.Builder, fields []FieldError) {
	for i, f := range fields {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		if f.Field != "" {
			b.WriteString(f.Field)
			b.WriteString(": ")
		}
		b.WriteString(f.Message)
	}
	if len(fields) > 0 {
		b.WriteString(")")
	}
}
