package script_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/script"
)

func ExampleCompile() {
	s, err := script.Compile(`
		function handle(event) {
			if (event.data.status !== "FAILED") return null;
			return {event: "job.JobNeedsAttention", resource: event.resource};
		}`, script.Handle)
	if err != nil {
		fmt.Println(err)
		return
	}
	result, err := s.Run(context.Background(), json.RawMessage(`{"event": "job.JobFinished", "resource": {"type": "jobsvc.Job", "id": "VX-1"}, "data": {"status": "FAILED"}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	events, err := script.Events(result)
	fmt.Println(len(events), string(events[0]), err)
	// Output:
	// 1 {"event":"job.JobNeedsAttention","resource":{"type":"jobsvc.Job","id":"VX-1"}} <nil>
}

func ExampleCompile_error() {
	_, err := script.Compile("function handle(event) {\n  return event.;\n}", script.Handle)
	fmt.Println(fault.Prefix(err, "action.script"))
	// Output:
	// invalid request: the request has an invalid field (action.script: has a syntax error at line 2, column 16: Unexpected token ;)
}

func ExampleDecision() {
	s, _ := script.Compile(`
		function handle(event) {
			const size = event.data.size;
			return size > 1e9 ? {approve: false, reason: "larger than 1 GB"} : {approve: true};
		}`, script.Handle)
	result, _ := s.Run(context.Background(), json.RawMessage(`{"data": {"size": 5e9}}`))
	fmt.Println(script.Decision(result))
	// Output:
	// false larger than 1 GB <nil>
}

func ExampleScript_Exec() {
	s, _ := script.Compile(`
		function transform(event) {
			console.log("transforming", event.id);
			return {id: event.id, at: event.timestamp};
		}`, script.Transform)
	r, err := s.Exec(context.Background(), json.RawMessage(`{"id": "e1", "timestamp": "2026-11-22T18:00:00Z", "data": {}}`))
	fmt.Println(string(r.Value), r.Logs, err)
	// Output:
	// {"id":"e1","at":"2026-11-22T18:00:00Z"} [transforming e1] <nil>
}
