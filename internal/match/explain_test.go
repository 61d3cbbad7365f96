package match_test

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestExplain(t *testing.T) {
	ev := parse(t, readEvent(t, "job-finished"))
	tests := []struct {
		name   string
		filter string
		want   string // the Explanation as JSON
	}{
		{
			name:   "empty filter",
			filter: `{}`,
			want:   `{"matched":true,"explain":[]}`,
		},
		{
			name:   "one failing condition",
			filter: `{"data.jobType":"PROXY","resource.type":"itemsvc.*"}`,
			want: `{"matched":false,"explain":[
				{"field":"data.jobType","path":"data.jobType","operator":"equals","operand":"PROXY","found":["TRANSCODE"],"matched":false},
				{"field":"resource.type","path":"resource.type","operator":"wildcard","operand":"itemsvc.*","found":["itemsvc.Item"],"matched":true}]}`,
		},
		{
			name:   "missing path and arrays",
			filter: `{"data.metadata.author":{"exists":true},"resource.namespaces":["Y","X"],"data.metadata":{"exists":true}}`,
			want: `{"matched":false,"explain":[
				{"field":"data.metadata","path":"data.metadata","operator":"exists","operand":{"exists":true},"found":[{"title":"Final cut","size":42}],"matched":true},
				{"field":"data.metadata.author","path":"data.metadata.author","operator":"exists","operand":{"exists":true},"found":null,"matched":false},
				{"field":"resource.namespaces","path":"resource.namespaces","operator":"any-of","operand":["Y","X"],"found":["X"],"matched":true}]}`,
		},
		{
			name:   "numeric keeps operators readable",
			filter: `{"data.metadata.size":{"numeric":[">",0,"<=",5]}}`,
			want: `{"matched":false,"explain":[
				{"field":"data.metadata.size","path":"data.metadata.size","operator":"numeric","operand":{"numeric":[">",0,"<=",5]},"found":[42],"matched":false}]}`,
		},
		{
			name:   "or",
			filter: `{"event":"job.*","$or":[{"user.id":"u9"},{"$or":[{"data.jobType":"PROXY"},{"recipients":"u2"}]}]}`,
			want: `{"matched":true,"explain":[
				{"field":"event","path":"event","operator":"wildcard","operand":"job.*","found":["job.JobFinished"],"matched":true},
				{"field":"$or","operator":"$or","found":null,"matched":true},
				{"field":"$or[0].user.id","path":"user.id","operator":"equals","operand":"u9","found":["u1"],"matched":false},
				{"field":"$or[1].$or","operator":"$or","found":null,"matched":true},
				{"field":"$or[1].$or[0].data.jobType","path":"data.jobType","operator":"equals","operand":"PROXY","found":["TRANSCODE"],"matched":false},
				{"field":"$or[1].$or[1].recipients","path":"recipients","operator":"equals","operand":"u2","found":["u2"],"matched":true}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := compile(t, tt.filter)
			x := f.Explain(ev)
			if x.Matched != f.Match(ev) {
				t.Errorf("Explain says %v, Match %v", x.Matched, f.Match(ev))
			}
			got := encode(t, x)
			var want bytes.Buffer
			if err := json.Compact(&want, []byte(tt.want)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("Explain:\n got %s\nwant %s", got, want.Bytes())
			}
		})
	}
}

func TestExplainFound(t *testing.T) {
	ev := parse(t, `{"a":[],"b":[[1],"x",{"k":"v"},null,true,false,-1.50],"c":"\u00e9\"<"}`)
	for _, tt := range []struct{ path, want string }{
		{"a", `[[]]`},
		{"b", `[1,"x",{"k":"v"},null,true,false,-1.50]`},
		{"c", `["é\"<"]`},
		{"d", `null`},
	} {
		x := compile(t, `{"`+tt.path+`":{"exists":true}}`).Explain(ev)
		got := encode(t, x.Steps[0].Found)
		if string(got) != tt.want {
			t.Errorf("found at %s = %s, want %s", tt.path, got, tt.want)
		}
	}
}

// encode marshals v as an API answer does, without HTML escapes.
func encode(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
