package event_test

import (
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
		"quota.QuotaCreated", "quota.QuotaDeleted", "quota.QuotaExceeded",
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
	a[0].Type = "changed"
	a[0].Events[0].Event = "changed.Changed"
	a[1] = event.EntityType{}

	b := event.Catalog()
	if b[0].Type == "changed" || b[0].Events[0] != first || b[1].Type == "" {
		t.Errorf("Catalog() shares memory with earlier results: %+v", b[:2])
	}
	if event.Known("changed.Changed") || !event.Known(first.Event) {
		t.Error("Known follows a caller's changes to a Catalog() result")
	}
}
