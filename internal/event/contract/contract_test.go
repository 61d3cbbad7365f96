package contract_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/event/contract"
	"github.com/heraldhq/herald/internal/fault"
)

// catalogEvents returns every catalog event, in the catalog's order.
func catalogEvents(t testing.TB) []event.CatalogEvent {
	t.Helper()
	var out []event.CatalogEvent
	for _, et := range event.Catalog() {
		out = append(out, et.Events...)
	}
	if len(out) == 0 {
		t.Fatal("the catalog is empty")
	}
	return out
}

// decode reads an example or a test event as the publish API does.
func decode(t testing.TB, raw []byte) *event.Event {
	t.Helper()
	e, err := event.Decode(raw)
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if err := e.Validate(); err != nil {
		t.Fatalf("validate %s: %v", raw, err)
	}
	return e
}

// fieldsOf returns the fields of a fault Invalid, failing the test for anything else.
func fieldsOf(t *testing.T, err error) []fault.FieldError {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Invalid {
		t.Fatalf("error %v, want a fault Invalid", err)
	}
	return fe.Fields
}

// TestSchemasCompileAlone compiles every schema exactly as the catalog serves it, with
// nothing else loadable: a schema that referred outside itself would fail here.
func TestSchemasCompileAlone(t *testing.T) {
	for _, ev := range catalogEvents(t) {
		if _, err := contract.Compile(ev.Schema); err != nil {
			t.Errorf("%s: %v", ev.Event, err)
		}
	}
	if _, err := contract.Compile([]byte(`{"$id":"urn:x","properties":{"a":{"$ref":"defs.json#/x"}}}`)); err == nil {
		t.Error("a schema referring to another document compiled")
	}
	if _, err := contract.Compile([]byte(`{"type":"object"}`)); err == nil {
		t.Error("a schema without $id compiled")
	}
}

// TestExamplesMeetTheirContracts: every catalog example passes its type's schema.
func TestExamplesMeetTheirContracts(t *testing.T) {
	for _, ev := range catalogEvents(t) {
		if err := contract.Check(decode(t, ev.Example)); err != nil {
			t.Errorf("%s: the example fails its contract: %v", ev.Event, err)
		}
	}
}

// member is one member a schema declares for resource or data: its dotted path in the
// event and whether the schema requires it.
type member struct {
	path     string
	required bool
}

// contractMembers lists the members a schema declares under properties.resource and
// properties.data, except resource.type, which the envelope already requires.
func contractMembers(t *testing.T, schema []byte) []member {
	t.Helper()
	type object struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	var top struct {
		Properties map[string]object `json:"properties"`
	}
	if err := json.Unmarshal(schema, &top); err != nil {
		t.Fatal(err)
	}
	var out []member
	for _, part := range []string{"resource", "data"} {
		obj := top.Properties[part]
		for name := range obj.Properties {
			if part == "resource" && name == "type" {
				continue
			}
			out = append(out, member{part + "." + name, slices.Contains(obj.Required, name)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// change returns the example with the member at path (two levels: "data.state")
// removed, or set to v.
func change(t *testing.T, example []byte, path string, remove bool, v any) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(example, &doc); err != nil {
		t.Fatal(err)
	}
	part, name, _ := strings.Cut(path, ".")
	obj, _ := doc[part].(map[string]any)
	if obj == nil {
		obj = map[string]any{}
		doc[part] = obj
	}
	if remove {
		delete(obj, name)
	} else {
		obj[name] = v
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMalformedExamplesNameTheField breaks each catalog example once per member its
// schema declares: every required member left out, and every declared member set to
// true, which no schema takes for any member. Each must fail the contract, naming that
// member. Together they cover every type and every part of its contract.
func TestMalformedExamplesNameTheField(t *testing.T) {
	for _, ev := range catalogEvents(t) {
		members := contractMembers(t, ev.Schema)
		if len(members) == 0 {
			t.Errorf("%s: the schema declares no member of resource or data", ev.Event)
		}
		for _, m := range members {
			cases := []struct {
				name   string
				raw    []byte
				remove bool
			}{{"wrong type", change(t, ev.Example, m.path, false, true), false}}
			if m.required {
				cases = append(cases, struct {
					name   string
					raw    []byte
					remove bool
				}{"missing", change(t, ev.Example, m.path, true, nil), true})
			}
			for _, c := range cases {
				t.Run(ev.Event+"/"+m.path+"/"+c.name, func(t *testing.T) {
					e, err := event.Decode(c.raw)
					if err != nil {
						// The envelope's own members (resource.id, resource.before…)
						// are typed by Decode, which names them the same way.
						var fe *fault.Error
						if !errors.As(err, &fe) || len(fe.Fields) == 0 || fe.Fields[0].Field != m.path {
							t.Fatalf("Decode: %v, want an error naming %s", err, m.path)
						}
						return
					}
					if err := e.Validate(); err != nil {
						t.Fatalf("Validate: %v", err)
					}
					fields := fieldsOf(t, contract.Check(e))
					if !slices.ContainsFunc(fields, func(f fault.FieldError) bool { return f.Field == m.path }) {
						t.Errorf("errors %v do not name %s", fields, m.path)
					}
					if c.remove && !slices.Contains(fields, fault.FieldError{Field: m.path, Message: "is required"}) {
						t.Errorf("errors %v do not say %s is required", fields, m.path)
					}
				})
			}
		}
	}
}

// TestCheck pins the wording and the field names for the kinds of fault the schemas
// find, and what passes.
func TestCheck(t *testing.T) {
	job := func(data string) string {
		return `{"event":"job.JobFinished","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z",
			"resource":{"type":"job","id":"j1","path":"projects/p1/jobs/j1"},"data":` + data + `}`
	}
	access := func(before string) string {
		return `{"event":"item.ItemAccessChanged","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z",
			"resource":{"type":"item","id":"i1"},"data":{"before":` + before + `,"after":[]}}`
	}
	quota := func(data string) string {
		return `{"event":"quota.QuotaWarning","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z",
			"resource":{"type":"quota","id":"q1"},"data":` + data + `}`
	}
	var manyBad []string
	for i := range 25 {
		manyBad = append(manyBad, fmt.Sprintf(`{"principal":"nobody-%d","permission":"READ"}`, i))
	}
	tests := []struct {
		name string
		in   string
		want []fault.FieldError // nil: passes
	}{
		{"valid", job(`{"jobType":"TRANSCODE","state":"FINISHED"}`), nil},
		{"unknown members are allowed", job(`{"jobType":"TRANSCODE","state":"FINISHED","node":"n7","extra":{"a":1}}`), nil},
		{"type outside the catalog", `{"event":"my.Custom","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"x","id":"1"}}`, nil},
		{"no data", `{"event":"job.JobFinished","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"job","id":"j1"}}`,
			[]fault.FieldError{{Field: "data", Message: "is required"}}},
		{"missing members", job(`{}`),
			[]fault.FieldError{{Field: "data.jobType", Message: "is required"}, {Field: "data.state", Message: "is required"}}},
		{"a state of another event", job(`{"jobType":"TRANSCODE","state":"FAILED_TOTAL"}`),
			[]fault.FieldError{{Field: "data.state", Message: `must be "FINISHED" or "FINISHED_WARNING"`}}},
		{"pattern", job(`{"jobType":"transcode","state":"FINISHED"}`),
			[]fault.FieldError{{Field: "data.jobType", Message: `must match the pattern "^[A-Z][A-Z0-9_]*$"`}}},
		{"type", job(`{"jobType":7,"state":"FINISHED"}`),
			[]fault.FieldError{{Field: "data.jobType", Message: "must be a string, not a number"}}},
		{"array elements", access(`[{"principal":"user:u1","permission":"READ"},{"principal":"user:u2","permission":"OWN"}]`),
			[]fault.FieldError{{Field: "data.before[1].permission", Message: `must be "READ", "APPEND", "WRITE" or "ADMIN"`}}},
		{"a missing member of an element", access(`[{"permission":"READ"}]`),
			[]fault.FieldError{{Field: "data.before[0].principal", Message: "is required"}}},
		{"maximum", quota(`{"usage":90,"limit":100,"threshold":1.5}`),
			[]fault.FieldError{{Field: "data.threshold", Message: "must be at most 1"}}},
		{"exclusive minimum", quota(`{"usage":90,"limit":100,"threshold":0}`),
			[]fault.FieldError{{Field: "data.threshold", Message: "must be greater than 0"}}},
		{"minimum", quota(`{"usage":-1,"limit":100,"threshold":0.8}`),
			[]fault.FieldError{{Field: "data.usage", Message: "must be at least 0"}}},
		{"empty string", `{"event":"storage.StorageNewFile","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z",
			"resource":{"type":"storage","id":"s1"},"data":{"file":{"path":""}}}`,
			[]fault.FieldError{{Field: "data.file.path", Message: "must not be empty"}}},
		{"a resource member", `{"event":"resource.ResourceUpdated","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z",
			"resource":{"type":"omapisvc.APIConfig","path":"projects/p1/configs/c1","after":{"name":"n"}}}`,
			[]fault.FieldError{{Field: "resource.before", Message: "is required"}}},
		{"a resource path in data", `{"event":"deletionlock.DeletionLockCreated","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z",
			"resource":{"type":"deletionlock","id":"l1"},"data":{"lockedResource":{"path":"projects/p1/../x"}}}`,
			[]fault.FieldError{{Field: "data.lockedResource.path", Message: `must match the pattern "^[A-Za-z0-9_~:-]+(/[A-Za-z0-9_~:-]+){0,15}$"`}}},
		{"errors stop at MaxFields", access("[" + strings.Join(manyBad, ",") + "]"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := contract.Check(decode(t, []byte(tt.in)))
			if tt.name == "errors stop at MaxFields" {
				if n := len(fieldsOf(t, err)); n != contract.MaxFields {
					t.Errorf("%d fields, want %d", n, contract.MaxFields)
				}
				return
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check: %v, want nil", err)
				}
				return
			}
			if got := fieldsOf(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("fields %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCheckConcurrently checks the first use of a schema from many goroutines at
// once, as a warm function may serve requests: each compiles once and agrees.
func TestCheckConcurrently(t *testing.T) {
	evs := catalogEvents(t)
	errs := make(chan error, len(evs)*4)
	for range 4 {
		for _, ev := range evs {
			e := decode(t, ev.Example)
			go func() { errs <- contract.Check(e) }()
		}
	}
	for range len(evs) * 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSchemaShape holds every schema to the shape Check relies on: of the event, only
// resource and data are described, and of those two objects only their members (which
// they have and which they require). Check decodes only the members a schema names; a
// keyword such as additionalProperties or minProperties on resource or data would look
// at the others, and unknown members must stay allowed for publishers to add data.
func TestSchemaShape(t *testing.T) {
	top := map[string]bool{"$schema": true, "$id": true, "$defs": true, "title": true, "description": true, "type": true, "required": true, "properties": true}
	part := map[string]bool{"description": true, "type": true, "required": true, "properties": true}
	for _, ev := range catalogEvents(t) {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(ev.Schema, &doc); err != nil {
			t.Fatal(err)
		}
		for k := range doc {
			if !top[k] {
				t.Errorf("%s: the schema has the keyword %q at the top", ev.Event, k)
			}
		}
		var props map[string]map[string]json.RawMessage
		if err := json.Unmarshal(doc["properties"], &props); err != nil {
			t.Fatalf("%s: properties: %v", ev.Event, err)
		}
		for name, obj := range props {
			if name != "resource" && name != "data" {
				t.Errorf("%s: the schema describes %q, which is the envelope's", ev.Event, name)
			}
			for k := range obj {
				if !part[k] {
					t.Errorf("%s: %s has the keyword %q", ev.Event, name, k)
				}
			}
			if string(obj["type"]) != `"object"` {
				t.Errorf("%s: %s is not of type object", ev.Event, name)
			}
		}
	}
}
