package event_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
)

func TestCatalog(t *testing.T) {
	cat := event.Catalog()
	seenType := map[string]bool{}
	seenEvent := map[string]bool{}
	for _, et := range cat {
		if et.Type == "" || et.Description == "" || len(et.Events) == 0 {
			t.Errorf("entity type %+v is incomplete", et)
		}
		if seenType[et.Type] {
			t.Errorf("entity type %q listed twice", et.Type)
		}
		seenType[et.Type] = true
		for _, ev := range et.Events {
			if err := event.ValidEventType(ev.Event); err != nil {
				t.Errorf("catalog event %q: %v", ev.Event, err)
			}
			if seenEvent[ev.Event] {
				t.Errorf("catalog event %q listed twice", ev.Event)
			}
			seenEvent[ev.Event] = true
			if d, _, _ := strings.Cut(ev.Event, "."); d != et.Type {
				t.Errorf("catalog event %q is listed under entity type %q", ev.Event, et.Type)
			}
			if ev.Description == "" || strings.Contains(ev.Description, "\n") {
				t.Errorf("catalog event %q needs a one-line description, has %q", ev.Event, ev.Description)
			}
			if !event.Known(ev.Event) {
				t.Errorf("Known(%q) = false for a catalog event", ev.Event)
			}
			if len(ev.Schema) == 0 || len(ev.Example) == 0 {
				t.Errorf("catalog event %q lacks its schema or example", ev.Event)
			}
		}
	}

	// The events the design requires, at least.
	required := []string{
		"resource.ResourceCreated", "resource.ResourceUpdated", "resource.ResourceSoftDeleted", "resource.ResourceHardDeleted",
		"item.ItemCreated", "item.ItemDeleted", "item.ItemMetadataModified", "item.ItemShapeCreated", "item.ItemShapeModified", "item.ItemAccessChanged",
		"collection.CollectionCreated", "collection.CollectionDeleted", "collection.CollectionMetadataModified", "collection.CollectionContentModified",
		"job.JobCreated", "job.JobUpdated", "job.JobFinished", "job.JobFailed", "job.JobStopped",
		"group.GroupCreated", "group.GroupDeleted", "group.GroupModified",
		"storage.StorageCreated", "storage.StorageDeleted", "storage.StorageNewFile",
		"file.FileCreated", "file.FileDeleted", "file.FileModified",
		"quota.QuotaCreated", "quota.QuotaDeleted", "quota.QuotaExceeded", "quota.QuotaWarning",
		"document.DocumentCreated", "document.DocumentDeleted", "document.DocumentModified",
		"deletionlock.DeletionLockCreated", "deletionlock.DeletionLockDeleted", "deletionlock.DeletionLockModified",
		"user.PermissionGranted", "user.PermissionRevoked", "user.PermissionUpdated", "user.AccessRequested",
		"system.Announcement",
	}
	for _, ev := range required {
		if !seenEvent[ev] {
			t.Errorf("catalog lacks %q", ev)
		}
	}

	for _, ev := range []string{"", "resource", "resource.resourcecreated", "my.Custom", "resource.ResourceCreated "} {
		if event.Known(ev) {
			t.Errorf("Known(%q) = true", ev)
		}
	}
}

// TestCatalogIsACopy checks that a caller changing its catalog cannot change what
// the next caller sees.
func TestCatalogIsACopy(t *testing.T) {
	a := event.Catalog()
	first := a[0].Events[0]
	firstSchema := slices.Clone(first.Schema)
	a[0].Type = "changed"
	a[0].Events[0].Event = "changed.Changed"
	a[0].Events[0].Schema[0] = 'X'
	a[1] = event.EntityType{}

	b := event.Catalog()
	if b[0].Type == "changed" || b[0].Events[0].Event != first.Event || b[1].Type == "" {
		t.Errorf("Catalog() shares memory with earlier results: %+v", b[:2])
	}
	if !bytes.Equal(b[0].Events[0].Schema, firstSchema) {
		t.Errorf("Catalog() shares schema bytes with earlier results: %s", b[0].Events[0].Schema)
	}
	if event.Known("changed.Changed") || !event.Known(first.Event) {
		t.Error("Known follows a caller's changes to a Catalog() result")
	}
	e, ok := event.CatalogEntry(first.Event)
	if !ok || !bytes.Equal(e.Schema, firstSchema) {
		t.Errorf("CatalogEntry(%q) = %s, %v after a caller changed a Catalog() result", first.Event, e.Schema, ok)
	}
}

// TestContractFiles: each catalog event has exactly its schema and example files and
// no file is left over; each schema names its type; each example is a valid event of
// its type. (That the examples meet their schemas is checked by package contract,
// which has the JSON Schema validator.)
func TestContractFiles(t *testing.T) {
	want := map[string]bool{}
	for _, et := range event.Catalog() {
		for _, ev := range et.Events {
			want[ev.Event+".json"] = true
		}
	}
	for _, dir := range []string{"schemas", "examples"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, e := range entries {
			if dir == "schemas" && e.Name() == "defs.json" {
				continue
			}
			have[e.Name()] = true
			if !want[e.Name()] {
				t.Errorf("%s/%s belongs to no catalog event", dir, e.Name())
			}
		}
		for name := range want {
			if !have[name] {
				t.Errorf("%s/%s is missing", dir, name)
			}
		}
	}

	for _, et := range event.Catalog() {
		for _, ev := range et.Events {
			var s struct {
				Schema string `json:"$schema"`
				ID     string `json:"$id"`
				Title  string `json:"title"`
			}
			if err := json.Unmarshal(ev.Schema, &s); err != nil {
				t.Errorf("%s: schema: %v", ev.Event, err)
			}
			if s.Schema != "https://json-schema.org/draft/2020-12/schema" || s.ID != "urn:herald:event-schema:"+ev.Event || s.Title != ev.Event {
				t.Errorf("%s: schema has $schema %q, $id %q, title %q", ev.Event, s.Schema, s.ID, s.Title)
			}
			e, err := event.Decode(ev.Example)
			if err != nil {
				t.Errorf("%s: example: %v", ev.Event, err)
				continue
			}
			if err := e.Validate(); err != nil {
				t.Errorf("%s: example: %v", ev.Event, err)
			}
			if e.Event != ev.Event {
				t.Errorf("%s: the example is a %s", ev.Event, e.Event)
			}
		}
	}
}

// TestSchemaBundlesItsDefinitions compares served schemas with golden files: each
// carries, in its own $defs, the shared definitions it refers to, directly or through
// another definition, and no others.
func TestSchemaBundlesItsDefinitions(t *testing.T) {
	for _, typ := range []string{"item.ItemAccessChanged", "user.PermissionGranted", "storage.StorageDeleted"} {
		t.Run(typ, func(t *testing.T) {
			raw, ok, err := event.Schema(typ)
			if !ok || err != nil {
				t.Fatalf("Schema(%q) = %v, %v", typ, ok, err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			golden := filepath.Join("testdata", "schemas", typ+".golden")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("Schema(%q) differs from %s (go test -run TestSchemaBundlesItsDefinitions -update to accept):\n%s", typ, golden, got.String())
			}
		})
	}
	if _, ok, err := event.Schema("my.Custom"); ok || err != nil {
		t.Errorf("Schema of a type outside the catalog = %v, %v", ok, err)
	}
	if _, ok := event.CatalogEntry("my.Custom"); ok {
		t.Error("CatalogEntry of a type outside the catalog found one")
	}
}

func TestKnownPattern(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"job.JobFinished", true},
		{"job.JobFinishd", false},
		{"job.*", true},
		{"jbo.*", false},
		{"*", true},
		{"*.JobFinished", true},
		{"*.Nothing", false},
		{"job.Job*", true},
		{"job.Job*ed", true},
		{"job.*Finish", false},
		{"item.Item*Shape*X", false},
		{"item.Item*Shape*d", true},
		{"my.Custom", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := event.KnownPattern(tt.pattern); got != tt.want {
			t.Errorf("KnownPattern(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"a", "a", true},
		{"a", "ab", false},
		{"*", "", true},
		{"a*", "a", true},
		{"*a", "ba", true},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"a*b*c", "abbc", true},
		{"a*b*c", "acb", false},
		{"a**c", "ac", true},
		{"job.*", "job.JobCreated", true},
		{"job.*", "jobs.JobCreated", false},
	}
	for _, tt := range tests {
		if got := event.Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
