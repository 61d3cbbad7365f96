package event_test

import (
	"fmt"
	"time"

	"github.com/heraldhq/herald/internal/event"
)

func ExampleDecode() {
	body := []byte(`{
	  "event": "item.ItemCreated",
	  "uuid": "8f2792c7-b01a-4493-ba5a-d0588a4aad8e",
	  "timestamp": "2026-11-22T18:00:00.123Z",
	  "resource": {"type": "itemsvc.Item", "id": "VX-1/2"},
	  "source": "ingest"
	}`)
	e, err := event.Decode(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := e.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Subject())
	out, _ := e.MarshalJSON()
	fmt.Println(string(out))
	// Output:
	// herald.events.item.ItemCreated.itemsvc_Item.VX-1_2._
	// {"event":"item.ItemCreated","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00.123Z","resource":{"type":"itemsvc.Item","id":"VX-1/2","path":"itemsvc_Item/VX-1_2"},"source":"ingest"}
}

func ExampleEvent_Validate() {
	e := &event.Event{Event: "job.JobCreated", Recipients: []string{"u1", ""}}
	e.FillDefaults(time.Now())
	fmt.Println(e.Validate())
	// Output:
	// invalid request: the request has invalid fields (resource: is required; recipients[1]: must not be empty)
}

func ExampleParseSubject() {
	typ, path, err := event.ParseSubject("herald.events.resource.ResourceCreated.projects.p1.collections.c1._")
	fmt.Println(typ, path, err)
	// Output:
	// resource.ResourceCreated projects/p1/collections/c1 <nil>
}
