package inbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/fault"
)

// Filter narrows a listing or a count to the notifications of one variant, or that
// refer to one user or resource, or both. The zero Filter selects everything.
type Filter struct {
	Variant Variant // "" for any
	// Ref, when set, selects notifications with a ref of its Type and Value (its Name
	// is not compared: a resource is named by its type, which the caller need not know).
	Ref *Ref
}

// IsZero reports whether f selects everything.
func (f Filter) IsZero() bool { return f.Variant == "" && f.Ref == nil }

// ParseFilter reads a filter from the query parameters variant (one of Variants) and
// ref ("<type>:<value>", such as "RESOURCE:projects/p1" or "USER:u1"; the value is
// everything after the first colon). Absent parameters select everything; an invalid
// one is an Invalid fault naming it.
func ParseFilter(q map[string]string) (Filter, error) {
	var f Filter
	var fields []fault.FieldError
	if v, ok := q["variant"]; ok {
		if f.Variant = Variant(v); !f.Variant.Valid() {
			fields = append(fields, fault.FieldError{Field: "variant", Message: "must be one of " + variantList()})
		}
	}
	if v, ok := q["ref"]; ok {
		typ, value, found := strings.Cut(v, ":")
		switch {
		case !found || (RefType(typ) != RefUser && RefType(typ) != RefResource):
			fields = append(fields, fault.FieldError{Field: "ref", Message: `must be "USER:<user id>" or "RESOURCE:<path>"`})
		case value == "" || len(value) > MaxRefBytes || !utf8.ValidString(value):
			fields = append(fields, fault.FieldError{Field: "ref", Message: "must have a value of 1 to " + strconv.Itoa(MaxRefBytes) + " bytes of UTF-8 after the colon"})
		default:
			f.Ref = &Ref{Type: RefType(typ), Value: value}
		}
	}
	if err := fault.Fields(fields); err != nil {
		return Filter{}, err
	}
	return f, nil
}

// Match reports whether n is selected by f.
func (f Filter) Match(n *Notification) bool { return f.match(n.Variant, n.Refs) }

func (f Filter) match(v Variant, refs []Ref) bool {
	if f.Variant != "" && v != f.Variant {
		return false
	}
	if f.Ref == nil {
		return true
	}
	for _, r := range refs {
		if r.Type == f.Ref.Type && r.Value == f.Ref.Value {
			return true
		}
	}
	return false
}

// matchItem is Match on a table item that holds at least the variant and refs.
func (f Filter) matchItem(it map[string]types.AttributeValue) bool {
	v, _ := it[attrVariant].(*types.AttributeValueMemberS)
	if v == nil {
		return false
	}
	var refs []Ref
	if f.Ref != nil {
		r, _ := it[attrRefs].(*types.AttributeValueMemberS)
		if r == nil || json.Unmarshal([]byte(r.Value), &refs) != nil {
			return false
		}
	}
	return f.match(Variant(v.Value), refs)
}
