package event

// CatalogEvent is one known event type.
type CatalogEvent struct {
	Event       string `json:"event"`
	Description string `json:"description"`
}

// EntityType is a kind of resource and the events published about it.
type EntityType struct {
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Events      []CatalogEvent `json:"events"`
}

// catalog is the source of Catalog and Known. Publishers may use event types that
// are not listed here; they flow like any other, and the catalog reports them unknown.
var catalog = []EntityType{
	{"resource", "Any resource; the events every resource service publishes.", []CatalogEvent{
		{"resource.ResourceCreated", "A resource was created."},
		{"resource.ResourceUpdated", "A resource was changed; before and after hold the changed fields."},
		{"resource.ResourceSoftDeleted", "A resource was moved to the trash and can still be restored."},
		{"resource.ResourceHardDeleted", "A resource was deleted for good."},
	}},
	{"item", "An item: an asset with metadata and shapes (renditions).", []CatalogEvent{
		{"item.ItemCreated", "An item was created."},
		{"item.ItemDeleted", "An item was deleted."},
		{"item.ItemMetadataModified", "An item's metadata was changed."},
		{"item.ItemShapeCreated", "A shape was added to an item."},
		{"item.ItemShapeModified", "One of an item's shapes was changed."},
		{"item.ItemShapeDeleted", "A shape was removed from an item."},
		{"item.ItemAccessChanged", "The access rules of an item were changed."},
	}},
	{"collection", "A collection of items and other collections.", []CatalogEvent{
		{"collection.CollectionCreated", "A collection was created."},
		{"collection.CollectionDeleted", "A collection was deleted."},
		{"collection.CollectionMetadataModified", "A collection's metadata was changed."},
		{"collection.CollectionContentModified", "Items or collections were added to or removed from a collection."},
	}},
	{"job", "A background job, such as a transcode or an import.", []CatalogEvent{
		{"job.JobCreated", "A job was created."},
		{"job.JobUpdated", "A job's state or progress changed."},
		{"job.JobFinished", "A job finished successfully."},
		{"job.JobFailed", "A job failed."},
		{"job.JobStopped", "A job was stopped before it finished."},
	}},
	{"group", "A group of users.", []CatalogEvent{
		{"group.GroupCreated", "A group was created."},
		{"group.GroupDeleted", "A group was deleted."},
		{"group.GroupModified", "A group or its membership was changed."},
	}},
	{"storage", "A storage location that holds files.", []CatalogEvent{
		{"storage.StorageCreated", "A storage was created."},
		{"storage.StorageDeleted", "A storage was deleted."},
		{"storage.StorageNewFile", "A new file appeared in a storage."},
	}},
	{"file", "A file in a storage.", []CatalogEvent{
		{"file.FileCreated", "A file was created."},
		{"file.FileDeleted", "A file was deleted."},
		{"file.FileModified", "A file was changed."},
	}},
	{"quota", "A usage quota.", []CatalogEvent{
		{"quota.QuotaCreated", "A quota was created."},
		{"quota.QuotaDeleted", "A quota was deleted."},
		{"quota.QuotaExceeded", "Usage went over a quota."},
	}},
	{"document", "A document.", []CatalogEvent{
		{"document.DocumentCreated", "A document was created."},
		{"document.DocumentDeleted", "A document was deleted."},
		{"document.DocumentModified", "A document was changed."},
	}},
	{"deletionlock", "A deletion lock, which keeps a resource from being deleted.", []CatalogEvent{
		{"deletionlock.DeletionLockCreated", "A deletion lock was placed on a resource."},
		{"deletionlock.DeletionLockDeleted", "A deletion lock was removed."},
		{"deletionlock.DeletionLockModified", "A deletion lock was changed, for example its expiry."},
	}},
	{"user", "A user; these events also give the user a personal notification.", []CatalogEvent{
		{"user.PermissionGranted", "The user was granted a permission on a resource."},
		{"user.PermissionRevoked", "A permission of the user on a resource was revoked."},
		{"user.PermissionUpdated", "A permission of the user on a resource was changed."},
		{"user.AccessRequested", "Someone asked the user for access to a resource."},
	}},
	{"system", "The platform as a whole; these events have no resource.", []CatalogEvent{
		{"system.Announcement", "An announcement to users, such as planned maintenance."},
	}},
}

// known indexes the catalog by event type.
var known = func() map[string]bool {
	m := make(map[string]bool)
	for _, t := range catalog {
		for _, e := range t.Events {
			m[e.Event] = true
		}
	}
	return m
}()

// Catalog returns the known entity types and their events, in a stable order. The
// result is a fresh copy that the caller may change.
func Catalog() []EntityType {
	out := make([]EntityType, len(catalog))
	for i, t := range catalog {
		t.Events = append([]CatalogEvent(nil), t.Events...)
		out[i] = t
	}
	return out
}

// Known reports whether eventType is in the catalog.
func Known(eventType string) bool { return known[eventType] }
