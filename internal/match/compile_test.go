package match_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
)

// manyKeys returns a filter object body with n keys k00, k01, ….
func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf(`"k%02d":1`, i)
	}
	return strings.Join(keys, ",")
}

func TestCompileErrors(t *testing.T) {
	stars := strings.Repeat("a*", match.MaxWildcardStars+1)
	values := make([]string, match.MaxValues+1)
	for i := range values {
		values[i] = fmt.Sprintf(`"v%d"`, i)
	}
	tests := []struct {
		filter string
		want   []fault.FieldError // Message is a prefix
	}{
		{`[]`, []fault.FieldError{{Field: "", Message: "must be a JSON object"}}},
		{`"x"`, []fault.FieldError{{Field: "", Message: "must be a JSON object"}}},
		{`{`, []fault.FieldError{{Field: "", Message: "is not valid JSON"}}},
		{`{} {}`, []fault.FieldError{{Field: "", Message: "is not valid JSON"}}},
		{`{"":1}`, []fault.FieldError{{Field: "", Message: "has an empty key"}}},
		{`{"a..b":1}`, []fault.FieldError{{Field: "a..b", Message: "must not have empty path segments"}}},
		{`{".a":1}`, []fault.FieldError{{Field: ".a", Message: "must not have empty path segments"}}},
		{`{"a.":1}`, []fault.FieldError{{Field: "a.", Message: "must not have empty path segments"}}},
		{`{"` + strings.Repeat("a", match.MaxPathBytes) + `":1}`, nil},
		{`{"` + strings.Repeat("a", match.MaxPathBytes+1) + `":1}`, []fault.FieldError{{Field: strings.Repeat("a", match.MaxPathBytes+1), Message: "must be at most 256 bytes"}}},
		{`{"$and":[{},{}]}`, []fault.FieldError{{Field: "$and", Message: "unknown key"}}},
		{`{"$or":{}}`, []fault.FieldError{{Field: "$or", Message: "must be an array of at least 2 filters"}}},
		{`{"$or":[{"a":1}]}`, []fault.FieldError{{Field: "$or", Message: "must be an array of at least 2 filters"}}},
		{`{"$or":[{"a":1},"x"]}`, []fault.FieldError{{Field: "$or[1]", Message: "must be a filter object"}}},
		{`{"$or":[{"a":1},{"b":{"regex":"("}}]}`, []fault.FieldError{{Field: "$or[1].b.regex", Message: "is not a valid regular expression"}}},
		{`{"$or":[{"a":1},{"$or":[{"":1},{"c":[]}]}]}`, []fault.FieldError{
			{Field: "$or[1].$or[0]", Message: "has an empty key"},
			{Field: "$or[1].$or[1].c", Message: "must not be an empty array"},
		}},
		{`{"x":[]}`, []fault.FieldError{{Field: "x", Message: "must not be an empty array"}}},
		{`{"x":[[1]]}`, []fault.FieldError{{Field: "x[0]", Message: "must not be an array"}}},
		{`{"data.metadata.title":{"regex":"("}}`, []fault.FieldError{{Field: "data.metadata.title.regex", Message: "is not a valid regular expression: missing closing )"}}},
		{`{"x":{"regex":"` + strings.Repeat("a", match.MaxRegexBytes+1) + `"}}`, []fault.FieldError{{Field: "x.regex", Message: "must be at most 512 bytes"}}},
		{`{"x":{"regex":"` + strings.Repeat("a", match.MaxRegexBytes) + `"}}`, nil},
		{`{"x":{"regex":"\\C"}}`, []fault.FieldError{{Field: "x.regex", Message: "is not a valid regular expression"}}},
		{`{"x":{"regexp":"a"}}`, []fault.FieldError{{Field: "x.regexp", Message: `unknown operator "regexp"`}}},
		{`{"x":{}}`, []fault.FieldError{{Field: "x", Message: "must hold an operator"}}},
		{`{"x":{"prefix":"a","suffix":"b"}}`, []fault.FieldError{{Field: "x", Message: "must hold exactly one operator, not 2 (prefix, suffix)"}}},
		{`{"x":{"prefix":1}}`, []fault.FieldError{{Field: "x.prefix", Message: "must be a string"}}},
		{`{"x":{"exact":null}}`, []fault.FieldError{{Field: "x.exact", Message: "must be a string"}}},
		{`{"x":{"suffix":["a"]}}`, []fault.FieldError{{Field: "x.suffix", Message: "must be a string"}}},
		{`{"x":{"equals-ignore-case":true}}`, []fault.FieldError{{Field: "x.equals-ignore-case", Message: "must be a string"}}},
		{`{"x":{"cidr":5}}`, []fault.FieldError{{Field: "x.cidr", Message: "must be a string"}}},
		{`{"x":{"exists":"yes"}}`, []fault.FieldError{{Field: "x.exists", Message: "must be true or false"}}},
		{`{"x":{"numeric":[">"]}}`, []fault.FieldError{{Field: "x.numeric", Message: "must be [op, number]"}}},
		{`{"x":{"numeric":">"}}`, []fault.FieldError{{Field: "x.numeric", Message: "must be [op, number]"}}},
		{`{"x":{"numeric":[">",1,"<"]}}`, []fault.FieldError{{Field: "x.numeric", Message: "must be [op, number]"}}},
		{`{"x":{"numeric":["!",1]}}`, []fault.FieldError{{Field: "x.numeric[0]", Message: "must be [op, number]"}}},
		{`{"x":{"numeric":[">",1,"=>",2]}}`, []fault.FieldError{{Field: "x.numeric[2]", Message: "must be [op, number]"}}},
		{`{"x":{"numeric":[">","1"]}}`, []fault.FieldError{{Field: "x.numeric[1]", Message: "must be a number"}}},
		{`{"x":{"numeric":[">",1e999]}}`, []fault.FieldError{{Field: "x.numeric[1]", Message: "is not a number in the range of float64"}}},
		{`{"x":{"cidr":"10.0.0.0"}}`, []fault.FieldError{{Field: "x.cidr", Message: "must be an IPv4 or IPv6 block"}}},
		{`{"x":{"cidr":"10.0.0.0/33"}}`, []fault.FieldError{{Field: "x.cidr", Message: "must be an IPv4 or IPv6 block"}}},
		{`{"x":{"anything-but":[]}}`, []fault.FieldError{{Field: "x.anything-but", Message: "must not be an empty array"}}},
		{`{"x":{"anything-but":["a",{"b":1}]}}`, []fault.FieldError{{Field: "x.anything-but[1]", Message: "must be a string, number, boolean or null"}}},
		{`{"x":{"anything-but":{"prefix":"a"}}}`, []fault.FieldError{{Field: "x.anything-but", Message: "must be a string, number, boolean or null"}}},
		{`{"x":"` + stars + `"}`, []fault.FieldError{{Field: "x", Message: "must have at most 16 wildcards"}}},
		{`{"x":"` + strings.Repeat("a*", match.MaxWildcardStars) + `"}`, nil},
		{`{"x":"` + strings.Repeat(`a\\*`, 40) + `"}`, nil},
		{`{"x":{"wildcard":"` + stars + `"}}`, []fault.FieldError{{Field: "x.wildcard", Message: "must have at most 16 wildcards"}}},
		{`{"x":["a","` + stars + `"]}`, []fault.FieldError{{Field: "x[1]", Message: "must have at most 16 wildcards"}}},
		{`{"x":1e400}`, []fault.FieldError{{Field: "x", Message: "is not a number in the range of float64"}}},
		{`{"x":["a",{"regex":"["}]}`, []fault.FieldError{{Field: "x[1].regex", Message: "is not a valid regular expression"}}},
		{`{"x":["a",{"nope":1}]}`, []fault.FieldError{{Field: "x[1].nope", Message: "unknown operator"}}},
		{`{"a":[],"b":{"nope":1}}`, []fault.FieldError{
			{Field: "a", Message: "must not be an empty array"},
			{Field: "b.nope", Message: "unknown operator"},
		}},
		{`{` + manyKeys(match.MaxKeys) + `}`, nil},
		{`{` + manyKeys(match.MaxKeys+1) + `}`, []fault.FieldError{{Field: "k32", Message: "makes more than 32 keys"}}},
		{`{"$or":[{` + manyKeys(16) + `},{` + manyKeys(15) + `}]}`, nil},
		{`{"$or":[{` + manyKeys(16) + `},{` + manyKeys(16) + `}]}`, []fault.FieldError{{Field: "$or[1].k15", Message: "makes more than 32 keys"}}},
		{`{"x":[` + strings.Join(values[:match.MaxValues], ",") + `]}`, nil},
		{`{"x":[` + strings.Join(values, ",") + `]}`, []fault.FieldError{{Field: "x[256]", Message: "makes more than 256 values"}}},
		{`{"a":[` + strings.Join(values[:match.MaxValues-1], ",") + `],"b":{"numeric":[">",0,"<",1]},"c":{"anything-but":[1,2]}}`,
			[]fault.FieldError{{Field: "b.numeric[3]", Message: "makes more than 256 values"}}},
	}
	for _, tt := range tests {
		t.Run(short(tt.filter), func(t *testing.T) {
			f, err := match.Compile(json.RawMessage(tt.filter))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Compile: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Compile = %v, want error %v", f, tt.want)
			}
			if f != nil {
				t.Error("Compile returned a filter with an error")
			}
			fe := faultOf(t, err)
			if fe.Kind != fault.Invalid {
				t.Errorf("kind = %v", fe.Kind)
			}
			ok := len(fe.Fields) == len(tt.want)
			for i := 0; ok && i < len(tt.want); i++ {
				ok = fe.Fields[i].Field == tt.want[i].Field && strings.HasPrefix(fe.Fields[i].Message, tt.want[i].Message)
			}
			if !ok {
				t.Errorf("fields:\n got %q\nwant %q", fe.Fields, tt.want)
			}
		})
	}
}

func TestCompileErrorPrefix(t *testing.T) {
	_, err := match.Compile(json.RawMessage(`{"$or":[{"event":"a.*"},{"data.metadata.title":{"regex":"a{1001}"}}]}`))
	got := faultOf(t, fault.Prefix(err, "filter")).Fields
	if len(got) != 1 || got[0].Field != "filter.$or[1].data.metadata.title.regex" {
		t.Errorf("prefixed fields = %q", got)
	}
	_, err = match.Compile(json.RawMessage(`[1]`))
	got = faultOf(t, fault.Prefix(err, "filter")).Fields
	if len(got) != 1 || got[0].Field != "filter" {
		t.Errorf("prefixed fields = %q", got)
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile of a bad filter did not panic")
		}
	}()
	match.MustCompile(`{"x":[]}`)
}
