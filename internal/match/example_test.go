package match_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/heraldhq/herald/internal/match"
)

func Example() {
	var m match.Matcher
	m.Add("transcodes", []string{"job.*"}, match.MustCompile(`{"data.jobType": ["TRANSCODE", "PROXY"]}`))
	m.Add("project-p1", []string{"*"}, match.MustCompile(`{"resource.path": {"prefix": "projects/p1/"}}`))
	m.Add("big-items", []string{"item.*"}, match.MustCompile(`{"data.metadata.size": {"numeric": [">", 1000]}}`))

	ev, err := match.ParseEvent([]byte(`{
	  "event": "job.JobFinished",
	  "resource": {"type": "itemsvc.Item", "id": "i1", "path": "projects/p1/items/i1"},
	  "data": {"jobType": "TRANSCODE", "metadata": {"title": "Final cut", "size": 42}}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(m.Match(ev)), "triggers match")
	// Output:
	// 2 triggers match
}

func ExampleFilter_Explain() {
	f := match.MustCompile(`{"data.jobType": "PROXY", "resource.namespaces": "X"}`)
	ev, _ := match.ParseEvent([]byte(`{"resource": {"namespaces": ["A", "X"]}, "data": {"jobType": "TRANSCODE"}}`))
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(f.Explain(ev))
	// Output:
	// {
	//   "matched": false,
	//   "explain": [
	//     {
	//       "field": "data.jobType",
	//       "path": "data.jobType",
	//       "operator": "equals",
	//       "operand": "PROXY",
	//       "found": [
	//         "TRANSCODE"
	//       ],
	//       "matched": false
	//     },
	//     {
	//       "field": "resource.namespaces",
	//       "path": "resource.namespaces",
	//       "operator": "equals",
	//       "operand": "X",
	//       "found": [
	//         "A",
	//         "X"
	//       ],
	//       "matched": true
	//     }
	//   ]
	// }
}

func ExampleCompile_error() {
	_, err := match.Compile(json.RawMessage(`{"data.metadata.title": {"regex": "("}, "$or": [{"event": "job.*"}]}`))
	fmt.Println(err)
	// Output:
	// invalid request: the request has invalid fields ($or: must be an array of at least 2 filters; data.metadata.title.regex: is not a valid regular expression: missing closing ): `(`)
}

func ExampleEvent_Parse() {
	var m match.Matcher
	m.Add("t1", []string{"job.JobFinished"}, match.MustCompile(`{"user.id": "u1"}`))
	var ev match.Event // reused: parsing allocates nothing once it has grown
	var ids []string
	for _, raw := range []string{
		`{"event": "job.JobFinished", "user": {"id": "u1"}}`,
		`{"event": "job.JobFinished", "user": {"id": "u2"}}`,
	} {
		if err := ev.Parse([]byte(raw)); err != nil {
			fmt.Println(err)
			return
		}
		ids = m.AppendMatch(ids[:0], &ev)
		fmt.Println(ids)
	}
	// Output:
	// [t1]
	// []
}
