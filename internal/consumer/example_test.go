package consumer_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/consumer"
)

func ExampleSpec_FilterSubjects() {
	body := `{
		"target": {"resources": [
			{"path": "projects/p1", "include_subresources": true},
			{"path": "projects/p1/collections/c1"},
			{"path": "projects/p10"}
		]},
		"event_types": ["resource.*", "resource.ResourceCreated", "job.JobFinished"]
	}`
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var s consumer.Spec
	if err := dec.Decode(&s); err != nil {
		panic(err)
	}
	if err := s.Normalize(); err != nil {
		panic(err)
	}
	// projects/p1 with its subresources covers projects/p1/collections/c1, and
	// resource.* covers resource.ResourceCreated; projects/p10 is not below projects/p1.
	for _, f := range s.FilterSubjects() {
		fmt.Println(f)
	}
	// Output:
	// herald.events.job.JobFinished.projects.p1.>
	// herald.events.job.JobFinished.projects.p10._
	// herald.events.resource.*.projects.p1.>
	// herald.events.resource.*.projects.p10._
}
