package event

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// CatalogEvent is one known event type and its contract: a JSON Schema of the members
// that are particular to the type (resource and data), and an example.
type CatalogEvent struct {
	Event       string `json:"event"`
	Description string `json:"description"`
	// Schema is a JSON Schema (draft 2020-12) that the whole event must satisfy. It
	// speaks only of resource and data, which the envelope leaves open; the envelope's
	// own rules are Validate's. It stands alone: the definitions it refers to are in
	// its own $defs.
	Schema json.RawMessage `json:"schema"`
	// Example is an event of this type that satisfies the envelope and the schema.
	Example json.RawMessage `json:"example"`
}

// EntityType is a kind of resource and the events published about it.
type EntityType struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Events      []CatalogEvent `json:"events"`
}

// catalog is the source of Catalog and Known. Publishers may use event types that
// are not listed here; they flow like any other, and the catalog reports them unknown.
// Each event listed has its schema in schemas/<event>.json and its example in
// examples/<event>.json.
var catalog = []EntityType{
	{"resource", "Any resource; the events every resource service publishes.", []CatalogEvent{
		{Event: "resource.ResourceCreated", Description: "A resource was created; resource.after holds its fields."},
		{Event: "resource.ResourceUpdated", Description: "A resource was changed; resource.before and resource.after hold the changed fields."},
		{Event: "resource.ResourceSoftDeleted", Description: "A resource was moved to the trash and can still be restored."},
		{Event: "resource.ResourceHardDeleted", Description: "A resource was deleted for good."},
	}},
	{"item", "An item: an asset with metadata and shapes (renditions).", []CatalogEvent{
		{Event: "item.ItemCreated", Description: "An item was created."},
		{Event: "item.ItemDeleted", Description: "An item was deleted."},
		{Event: "item.ItemMetadataModified", Description: "An item's metadata was changed."},
		{Event: "item.ItemShapeCreated", Description: "A shape was added to an item."},
		{Event: "item.ItemShapeModified", Description: "One of an item's shapes was changed."},
		{Event: "item.ItemShapeDeleted", Description: "A shape was removed from an item."},
		{Event: "item.ItemAccessChanged", Description: "The access rules of an item were changed."},
	}},
	{"collection", "A collection of items and other collections.", []CatalogEvent{
		{Event: "collection.CollectionCreated", Description: "A collection was created."},
		{Event: "collection.CollectionDeleted", Description: "A collection was deleted."},
		{Event: "collection.CollectionMetadataModified", Description: "A collection's metadata was changed."},
		{Event: "collection.CollectionContentModified", Description: "Items or collections were added to or removed from a collection."},
	}},
	{"job", "A background job, such as a transcode or an import.", []CatalogEvent{
		{Event: "job.JobCreated", Description: "A job was created."},
		{Event: "job.JobUpdated", Description: "A job's state or progress changed."},
		{Event: "job.JobFinished", Description: "A job finished successfully."},
		{Event: "job.JobFailed", Description: "A job failed."},
		{Event: "job.JobStopped", Description: "A job was stopped before it finished."},
	}},
	{"group", "A group of users.", []CatalogEvent{
		{Event: "group.GroupCreated", Description: "A group was created."},
		{Event: "group.GroupDeleted", Description: "A group was deleted."},
		{Event: "group.GroupModified", Description: "A group or its membership was changed."},
	}},
	{"storage", "A storage location that holds files.", []CatalogEvent{
		{Event: "storage.StorageCreated", Description: "A storage was created."},
		{Event: "storage.StorageDeleted", Description: "A storage was deleted."},
		{Event: "storage.StorageNewFile", Description: "A new file appeared in a storage."},
	}},
	{"file", "A file in a storage.", []CatalogEvent{
		{Event: "file.FileCreated", Description: "A file was created."},
		{Event: "file.FileDeleted", Description: "A file was deleted."},
		{Event: "file.FileModified", Description: "A file was changed."},
	}},
	{"quota", "A usage quota.", []CatalogEvent{
		{Event: "quota.QuotaCreated", Description: "A quota was created."},
		{Event: "quota.QuotaDeleted", Description: "A quota was deleted."},
		{Event: "quota.QuotaExceeded", Description: "Usage went over a quota."},
		{Event: "quota.QuotaWarning", Description: "Usage reached the warning threshold of a quota."},
	}},
	{"document", "A document.", []CatalogEvent{
		{Event: "document.DocumentCreated", Description: "A document was created."},
		{Event: "document.DocumentDeleted", Description: "A document was deleted."},
		{Event: "document.DocumentModified", Description: "A document was changed."},
	}},
	{"deletionlock", "A deletion lock, which keeps a resource from being deleted.", []CatalogEvent{
		{Event: "deletionlock.DeletionLockCreated", Description: "A deletion lock was placed on a resource."},
		{Event: "deletionlock.DeletionLockDeleted", Description: "A deletion lock was removed."},
		{Event: "deletionlock.DeletionLockModified", Description: "A deletion lock was changed, for example its expiry."},
	}},
	{"user", "A user; these events also give the user a personal notification.", []CatalogEvent{
		{Event: "user.PermissionGranted", Description: "The user was granted a permission on a resource."},
		{Event: "user.PermissionRevoked", Description: "A permission of the user on a resource was revoked."},
		{Event: "user.PermissionUpdated", Description: "A permission of the user on a resource was changed."},
		{Event: "user.AccessRequested", Description: "Someone asked the user for access to a resource."},
	}},
	{"system", "The platform as a whole; these events have no resource.", []CatalogEvent{
		{Event: "system.Announcement", Description: "An announcement to users, such as planned maintenance."},
	}},
}

// contractFiles holds the schemas and examples. They are data, not code, so that they
// can be read, reviewed and served as they are written.
//
//go:embed schemas/*.json examples/*.json
var contractFiles embed.FS

// defsFile holds the definitions the schemas share, under "$defs".
const defsFile = "schemas/defs.json"

// contract is the schema and example of one catalog event, read and bundled on first
// use: most functions never look at them, and a cold start should not pay for them.
type contract struct {
	once            sync.Once
	schema, example json.RawMessage
	err             error
}

// known indexes the catalog by event type.
var known = func() map[string]*contract {
	m := make(map[string]*contract)
	for _, t := range catalog {
		for _, e := range t.Events {
			m[e.Event] = &contract{}
		}
	}
	return m
}()

// load reads the contract of eventType. The files are embedded and checked by the
// package's tests, so an error here is a bug in the build, not in any input.
func (c *contract) load(eventType string) {
	c.once.Do(func() {
		c.schema, c.err = readSchema(eventType)
		if c.err == nil {
			c.example, c.err = readCompact("examples/" + eventType + ".json")
		}
		if c.err != nil {
			c.err = fmt.Errorf("event: the contract of %s: %w", eventType, c.err)
		}
	})
}

// Catalog returns the known entity types and their events, each with its schema and
// example, in a stable order. The result is a fresh copy that the caller may change.
// It panics if an embedded schema or example is broken, which the package's tests rule
// out.
func Catalog() []EntityType {
	out := make([]EntityType, len(catalog))
	for i, t := range catalog {
		t.Events = slices.Clone(t.Events)
		for j := range t.Events {
			t.Events[j] = mustEntry(t.Events[j])
		}
		out[i] = t
	}
	return out
}

// CatalogEntry returns the catalog's entry for eventType, with its schema and example
// (a fresh copy), or false when the type is not in the catalog. Like Catalog, it
// panics on a broken embedded file.
func CatalogEntry(eventType string) (CatalogEvent, bool) {
	if known[eventType] == nil {
		return CatalogEvent{}, false
	}
	for _, t := range catalog {
		for _, e := range t.Events {
			if e.Event == eventType {
				return mustEntry(e), true
			}
		}
	}
	return CatalogEvent{}, false
}

func mustEntry(e CatalogEvent) CatalogEvent {
	c := known[e.Event]
	c.load(e.Event)
	if c.err != nil {
		panic(c.err)
	}
	e.Schema = slices.Clone(c.schema)
	e.Example = slices.Clone(c.example)
	return e
}

// Schema returns the schema of a catalog event type as Catalog shows it, or false for
// a type outside the catalog. The bytes are shared: the caller must not change them.
// An error means a broken embedded file.
func Schema(eventType string) (json.RawMessage, bool, error) {
	c := known[eventType]
	if c == nil {
		return nil, false, nil
	}
	c.load(eventType)
	return c.schema, true, c.err
}

// Known reports whether eventType is in the catalog.
func Known(eventType string) bool { return known[eventType] != nil }

// KnownPattern reports whether pattern matches an event type of the catalog. A "*" in
// pattern stands for any run of characters, dots included, as in the event type
// patterns of consumers ("job.*") and triggers ("job.Job*", "*"); without one, the
// pattern must be a catalog type.
func KnownPattern(pattern string) bool {
	if !strings.Contains(pattern, "*") {
		return Known(pattern)
	}
	for t := range known {
		if Glob(pattern, t) {
			return true
		}
	}
	return false
}

// Glob reports whether s matches pattern, in which "*" stands for any run of
// characters, none included, and every other character for itself.
func Glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	// The middle parts are found leftmost first: a star can absorb whatever a later
	// occurrence would have skipped.
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// readCompact returns the embedded JSON file name without insignificant space.
func readCompact(name string) (json.RawMessage, error) {
	raw, err := contractFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b.Bytes(), nil
}

// sharedDefs are the definitions of defsFile, each as written.
var sharedDefs = sync.OnceValues(func() (map[string]json.RawMessage, error) {
	raw, err := readCompact(defsFile)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", defsFile, err)
	}
	return doc.Defs, nil
})

// defsRef starts every reference a schema may make: to a shared definition by name.
const defsRef = "#/$defs/"

// readSchema returns the schema of eventType with the shared definitions it refers
// to, directly or through other definitions, added as its own "$defs": one document
// that a client can use without fetching anything else.
func readSchema(eventType string) (json.RawMessage, error) {
	name := "schemas/" + eventType + ".json"
	raw, err := readCompact(name)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, ok := doc["$defs"]; ok {
		return nil, fmt.Errorf("%s has $defs of its own; shared definitions belong in %s", name, defsFile)
	}
	defs, err := sharedDefs()
	if err != nil {
		return nil, err
	}
	need := map[string]bool{}
	queue, err := refs(doc, nil)
	for len(queue) > 0 && err == nil {
		d := queue[0]
		queue = queue[1:]
		if need[d] {
			continue
		}
		def, ok := defs[d]
		if !ok {
			return nil, fmt.Errorf("%s refers to %s%s, which %s does not define", name, defsRef, d, defsFile)
		}
		need[d] = true
		var v any
		if err := json.Unmarshal(def, &v); err != nil {
			return nil, err
		}
		queue, err = refs(v, queue)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(need) == 0 {
		return raw, nil
	}
	// The definitions go after the schema's own members, which stay as written.
	var b bytes.Buffer
	b.Write(raw[:len(raw)-1]) // compact, so the closing brace is the last byte
	b.WriteString(`,"$defs":{`)
	for i, d := range slices.Sorted(maps.Keys(need)) {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(d)
		b.Write(key)
		b.WriteByte(':')
		b.Write(defs[d])
	}
	b.WriteString("}}")
	return b.Bytes(), nil
}

// refs appends to dst the names of the shared definitions that v refers to. Any other
// reference is an error: a served schema must not point outside itself.
func refs(v any, dst []string) ([]string, error) {
	var err error
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" || k == "$dynamicRef" {
					s, _ := x.(string)
					d, ok := strings.CutPrefix(s, defsRef)
					if !ok || d == "" || strings.Contains(d, "/") {
						err = errors.Join(err, fmt.Errorf("reference %q is not %s<name>", s, defsRef))
						continue
					}
					dst = append(dst, d)
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return dst, err
}
