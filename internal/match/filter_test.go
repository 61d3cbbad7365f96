package match_test

import (
	"testing"

	"github.com/heraldhq/herald/internal/match"
)

// matchCase is a filter, an event and whether the filter matches it.
type matchCase struct {
	name   string
	filter string
	event  string
	want   bool
}

// checkMatch checks a case with Filter.Match, Filter.Explain, and a Matcher and a
// Reference holding the filter alone, all of which must agree.
func checkMatch(t *testing.T, tc matchCase) {
	t.Helper()
	f := compile(t, tc.filter)
	ev := parse(t, tc.event)
	if got := f.Match(ev); got != tc.want {
		t.Errorf("Match(%s) on %s = %v, want %v", tc.filter, short(tc.event), got, tc.want)
	}
	if got := f.Explain(ev).Matched; got != tc.want {
		t.Errorf("Explain(%s).Matched on %s = %v, want %v", tc.filter, short(tc.event), got, tc.want)
	}
	var m match.Matcher
	var r match.Reference
	m.Add("t", []string{"*"}, f)
	r.Add("t", []string{"*"}, f)
	if got, want := m.Match(ev), r.Match(ev); !sameIDs(got, want) || (len(want) == 1) != tc.want {
		t.Errorf("Matcher = %v, Reference = %v, want match %v", got, want, tc.want)
	}
}

func runCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkMatch(t, tc) })
	}
}

func TestMatchStrings(t *testing.T) {
	ev := `{"event":"job.JobFinished","resource":{"type":"itemsvc.Item","id":"i1","namespaces":["A","X"]},
		"data":{"jobType":"TRANSCODE","metadata":{"title":"Final cut","star":"a*b","slash":"C:\\dir","size":42,"empty":""}}}`
	runCases(t, []matchCase{
		{"exact string", `{"resource.type":"itemsvc.Item"}`, ev, true},
		{"exact string differs", `{"resource.type":"itemsvc.Items"}`, ev, false},
		{"exact is case sensitive", `{"resource.type":"ITEMSVC.ITEM"}`, ev, false},
		{"top-level event", `{"event":"job.JobFinished"}`, ev, true},
		{"wildcard suffix star", `{"resource.type":"itemsvc.*"}`, ev, true},
		{"wildcard leading star", `{"resource.type":"*.Item"}`, ev, true},
		{"wildcard middle", `{"resource.type":"item*Item"}`, ev, true},
		{"wildcard several", `{"resource.type":"*t*s*x*"}`, ev, false},
		{"wildcard several match", `{"resource.type":"*t*s*I*"}`, ev, true},
		{"wildcard star matches empty", `{"resource.type":"itemsvc.Item*"}`, ev, true},
		{"wildcard no overlap of ends", `{"resource.id":"i1*1"}`, ev, false},
		{"wildcard only star", `{"data.metadata.empty":"*"}`, ev, true},
		{"wildcard star not a number", `{"data.metadata.size":"*"}`, ev, false},
		{"wildcard miss", `{"resource.type":"collectionsvc.*"}`, ev, false},
		{"escaped star is literal", `{"data.metadata.star":"a\\*b"}`, ev, true},
		{"escaped star does not wildcard", `{"data.metadata.title":"Final\\*"}`, ev, false},
		{"unescaped star in value matches itself", `{"data.metadata.star":"a*"}`, ev, true},
		{"escaped backslash", `{"data.metadata.slash":"C:\\\\dir"}`, ev, true},
		{"lone backslash stands for itself", `{"data.metadata.slash":"C:\\dir"}`, ev, true},
		{"escaped backslash then star", `{"data.metadata.slash":"C:\\\\*"}`, ev, true},
		{"empty string equals empty", `{"data.metadata.empty":""}`, ev, true},
		{"empty string is not missing", `{"data.metadata.missing":""}`, ev, false},
		{"exact operator", `{"data.metadata.star":{"exact":"a*b"}}`, ev, true},
		{"exact operator has no wildcard", `{"data.metadata.title":{"exact":"Final*"}}`, ev, false},
		{"prefix", `{"data.metadata.title":{"prefix":"Final"}}`, ev, true},
		{"prefix whole value", `{"data.metadata.title":{"prefix":"Final cut"}}`, ev, true},
		{"prefix longer than value", `{"data.metadata.title":{"prefix":"Final cut!"}}`, ev, false},
		{"prefix empty matches any string", `{"data.metadata.title":{"prefix":""}}`, ev, true},
		{"prefix not on numbers", `{"data.metadata.size":{"prefix":"4"}}`, ev, false},
		{"suffix", `{"data.metadata.title":{"suffix":" cut"}}`, ev, true},
		{"suffix miss", `{"data.metadata.title":{"suffix":"Final"}}`, ev, false},
		{"wildcard operator", `{"resource.type":{"wildcard":"*svc.*"}}`, ev, true},
		{"wildcard operator without star", `{"resource.type":{"wildcard":"itemsvc.Item"}}`, ev, true},
		{"regex unanchored", `{"data.metadata.title":{"regex":"nal c"}}`, ev, true},
		{"regex anchored", `{"data.metadata.title":{"regex":"^Final cut$"}}`, ev, true},
		{"regex anchored miss", `{"data.metadata.title":{"regex":"^cut"}}`, ev, false},
		{"regex alternation", `{"data.jobType":{"regex":"^(TRANSCODE|PROXY)$"}}`, ev, true},
		{"regex case-insensitive", `{"data.jobType":{"regex":"(?i)^transcode$"}}`, ev, true},
		{"regex not on numbers", `{"data.metadata.size":{"regex":"42"}}`, ev, false},
		{"ignore case", `{"data.jobType":{"equals-ignore-case":"transcode"}}`, ev, true},
		{"ignore case miss", `{"data.jobType":{"equals-ignore-case":"transcod"}}`, ev, false},
		{"array in event any element", `{"resource.namespaces":"X"}`, ev, true},
		{"array in event no element", `{"resource.namespaces":"Y"}`, ev, false},
		{"array in event wildcard", `{"resource.namespaces":"*"}`, ev, true},
		{"any-of", `{"data.jobType":["PROXY","TRANSCODE"]}`, ev, true},
		{"any-of none", `{"data.jobType":["PROXY","ANALYZE"]}`, ev, false},
		{"any-of mixed operators", `{"data.jobType":[{"prefix":"PRO"},"TRANS*"]}`, ev, true},
		{"any-of against array", `{"resource.namespaces":["B","A"]}`, ev, true},
		{"missing path", `{"data.metadata.author":"*"}`, ev, false},
		{"missing intermediate", `{"data.nope.title":"Final cut"}`, ev, false},
		{"path into a string", `{"data.jobType.x":"TRANSCODE"}`, ev, false},
		{"object is not a value", `{"data.metadata":"*"}`, ev, false},
		{"all keys must match", `{"resource.type":"itemsvc.Item","data.jobType":"PROXY"}`, ev, false},
		{"all keys match", `{"resource.type":"itemsvc.Item","data.jobType":"TRANSCODE"}`, ev, true},
		{"empty filter", `{}`, ev, true},
	})
}

func TestMatchScalars(t *testing.T) {
	ev := `{"n":{"int":5,"float":5.0,"zero":0,"negzero":-0,"neg":-3.5,"exp":1e3,"str":"5","big":1e400,"t":true,"f":false,"null":null}}`
	runCases(t, []matchCase{
		{"int equals int", `{"n.int":5}`, ev, true},
		{"int equals float", `{"n.int":5.0}`, ev, true},
		{"float equals int", `{"n.float":5}`, ev, true},
		{"exponent", `{"n.exp":1000}`, ev, true},
		{"zero", `{"n.zero":0}`, ev, true},
		{"negative zero equals zero", `{"n.negzero":0}`, ev, true},
		{"negative", `{"n.neg":-3.5}`, ev, true},
		{"number is not a string", `{"n.str":5}`, ev, false},
		{"string is not a number", `{"n.int":"5"}`, ev, false},
		{"number differs", `{"n.int":6}`, ev, false},
		{"true", `{"n.t":true}`, ev, true},
		{"true is not false", `{"n.t":false}`, ev, false},
		{"false", `{"n.f":false}`, ev, true},
		{"false is not null", `{"n.f":null}`, ev, false},
		{"null", `{"n.null":null}`, ev, true},
		{"null is not missing", `{"n.missing":null}`, ev, false},
		{"bool is not a string", `{"n.t":"true"}`, ev, false},
		{"any-of scalars", `{"n.int":[null,"5",5]}`, ev, true},
		{"out of range number is infinite", `{"n.big":{"numeric":[">",1e308]}}`, ev, true},
	})
}

func TestMatchNumeric(t *testing.T) {
	ev := `{"n":{"int":5,"float":2.5,"zero":0,"neg":-3,"str":"5","list":[-1,10],"t":true,"null":null}}`
	runCases(t, []matchCase{
		{"greater", `{"n.int":{"numeric":[">",4]}}`, ev, true},
		{"greater exclusive", `{"n.int":{"numeric":[">",5]}}`, ev, false},
		{"greater or equal inclusive", `{"n.int":{"numeric":[">=",5]}}`, ev, true},
		{"less", `{"n.int":{"numeric":["<",6]}}`, ev, true},
		{"less exclusive", `{"n.int":{"numeric":["<",5]}}`, ev, false},
		{"less or equal inclusive", `{"n.int":{"numeric":["<=",5]}}`, ev, true},
		{"equal", `{"n.int":{"numeric":["=",5.0]}}`, ev, true},
		{"equal miss", `{"n.int":{"numeric":["=",5.5]}}`, ev, false},
		{"range", `{"n.int":{"numeric":[">",0,"<=",5]}}`, ev, true},
		{"range upper exclusive", `{"n.int":{"numeric":[">",0,"<",5]}}`, ev, false},
		{"range lower exclusive", `{"n.zero":{"numeric":[">",0,"<=",5]}}`, ev, false},
		{"range lower inclusive", `{"n.zero":{"numeric":[">=",0,"<=",5]}}`, ev, true},
		{"range float", `{"n.float":{"numeric":[">",2,"<",3]}}`, ev, true},
		{"negative", `{"n.neg":{"numeric":["<",0]}}`, ev, true},
		{"negative bound", `{"n.neg":{"numeric":[">=",-3,"<",-2.5]}}`, ev, true},
		{"negative bound miss", `{"n.neg":{"numeric":[">",-3]}}`, ev, false},
		{"string is not numeric", `{"n.str":{"numeric":[">",0]}}`, ev, false},
		{"bool is not numeric", `{"n.t":{"numeric":[">",0]}}`, ev, false},
		{"null is not numeric", `{"n.null":{"numeric":["<",1]}}`, ev, false},
		{"missing is not numeric", `{"n.missing":{"numeric":["<",1]}}`, ev, false},
		{"array element", `{"n.list":{"numeric":[">",5]}}`, ev, true},
		{"array element both bounds in one element", `{"n.list":{"numeric":[">",0,"<",5]}}`, ev, false},
		{"equal with range", `{"n.int":{"numeric":["=",5,"<",10]}}`, ev, true},
	})
}

func TestMatchAnythingBut(t *testing.T) {
	ev := `{"a":"x","n":5,"list":["x","y"],"same":["x","x"],"null":null,"empty":[],"obj":{"k":1}}`
	runCases(t, []matchCase{
		{"value differs", `{"a":{"anything-but":"y"}}`, ev, true},
		{"value equals", `{"a":{"anything-but":"x"}}`, ev, false},
		{"list none equal", `{"a":{"anything-but":["y","z"]}}`, ev, true},
		{"list one equal", `{"a":{"anything-but":["y","x"]}}`, ev, false},
		{"missing field does not match", `{"missing":{"anything-but":"x"}}`, ev, false},
		{"number", `{"n":{"anything-but":[4,6]}}`, ev, true},
		{"number equal", `{"n":{"anything-but":5.0}}`, ev, false},
		{"string is not the number", `{"n":{"anything-but":"5"}}`, ev, true},
		{"no wildcard meaning", `{"a":{"anything-but":"*"}}`, ev, true},
		{"array with another element", `{"list":{"anything-but":"x"}}`, ev, true},
		{"array all excluded", `{"list":{"anything-but":["x","y"]}}`, ev, false},
		{"array of the same", `{"same":{"anything-but":"x"}}`, ev, false},
		{"null is a value", `{"null":{"anything-but":"x"}}`, ev, true},
		{"null excluded", `{"null":{"anything-but":null}}`, ev, false},
		{"empty array holds no value", `{"empty":{"anything-but":"x"}}`, ev, false},
		{"object holds no value", `{"obj":{"anything-but":"x"}}`, ev, false},
	})
}

func TestMatchExists(t *testing.T) {
	ev := `{"a":"x","null":null,"empty":[],"obj":{"k":1},"list":[{"k":1},{"j":2}],"zero":0}`
	runCases(t, []matchCase{
		{"present string", `{"a":{"exists":true}}`, ev, true},
		{"present null", `{"null":{"exists":true}}`, ev, true},
		{"present empty array", `{"empty":{"exists":true}}`, ev, true},
		{"present object", `{"obj":{"exists":true}}`, ev, true},
		{"present zero", `{"zero":{"exists":true}}`, ev, true},
		{"present nested", `{"obj.k":{"exists":true}}`, ev, true},
		{"present in an array element", `{"list.j":{"exists":true}}`, ev, true},
		{"missing", `{"b":{"exists":true}}`, ev, false},
		{"absent", `{"b":{"exists":false}}`, ev, true},
		{"absent nested", `{"obj.j":{"exists":false}}`, ev, true},
		{"absent under a scalar", `{"a.b":{"exists":false}}`, ev, true},
		{"not absent", `{"a":{"exists":false}}`, ev, false},
		{"null is not absent", `{"null":{"exists":false}}`, ev, false},
		{"absent or value", `{"a":[{"exists":false},"x"]}`, ev, true},
		{"absent or value, missing", `{"b":[{"exists":false},"x"]}`, ev, true},
		{"absent or value, other value", `{"a":[{"exists":false},"y"]}`, ev, false},
	})
}

func TestMatchCIDR(t *testing.T) {
	ev := `{"v4":"10.0.0.17","v6":"2001:db8::1","mapped":"::ffff:10.0.0.9","bad":"10.0.0","num":10,"list":["192.168.1.1","10.1.2.3"],"zoned":"fe80::1%eth0"}`
	runCases(t, []matchCase{
		{"v4 inside", `{"v4":{"cidr":"10.0.0.0/24"}}`, ev, true},
		{"v4 outside", `{"v4":{"cidr":"10.0.1.0/24"}}`, ev, false},
		{"v4 host bits in block", `{"v4":{"cidr":"10.0.0.5/24"}}`, ev, true},
		{"v4 /32", `{"v4":{"cidr":"10.0.0.17/32"}}`, ev, true},
		{"v4 /0", `{"v4":{"cidr":"0.0.0.0/0"}}`, ev, true},
		{"v6 inside", `{"v6":{"cidr":"2001:db8::/32"}}`, ev, true},
		{"v6 outside", `{"v6":{"cidr":"2001:db9::/32"}}`, ev, false},
		{"v4 not in v6 block", `{"v4":{"cidr":"::/0"}}`, ev, false},
		{"v6 not in v4 block", `{"v6":{"cidr":"0.0.0.0/0"}}`, ev, false},
		{"mapped counts as v4", `{"mapped":{"cidr":"10.0.0.0/8"}}`, ev, true},
		{"not an address", `{"bad":{"cidr":"10.0.0.0/8"}}`, ev, false},
		{"not a string", `{"num":{"cidr":"0.0.0.0/0"}}`, ev, false},
		{"array element", `{"list":{"cidr":"10.0.0.0/8"}}`, ev, true},
		{"zoned address", `{"zoned":{"cidr":"fe80::/10"}}`, ev, false},
		{"missing", `{"nope":{"cidr":"0.0.0.0/0"}}`, ev, false},
	})
}

func TestMatchIgnoreCaseUnicode(t *testing.T) {
	ev := `{"a":"École","b":"STRASSE","c":"Kelvin","d":"ΣΑΣ","e":"\u00c9T\u00c9"}`
	runCases(t, []matchCase{
		{"accented", `{"a":{"equals-ignore-case":"éCOLE"}}`, ev, true},
		{"accented differs", `{"a":{"equals-ignore-case":"ecole"}}`, ev, false},
		{"sharp s is not ss", `{"b":{"equals-ignore-case":"straße"}}`, ev, false},
		{"kelvin sign folds to k", `{"c":{"equals-ignore-case":"\u212aELVIN"}}`, ev, true},
		{"greek sigma", `{"d":{"equals-ignore-case":"σας"}}`, ev, true},
		{"escaped in event", `{"e":{"equals-ignore-case":"été"}}`, ev, true},
		{"escaped in event exact", `{"e":"ÉTÉ"}`, ev, true},
	})
}

func TestMatchPathsThroughArrays(t *testing.T) {
	ev := `{"resource":{"namespaces":["A","X"]},
		"data":{"items":[{"name":"a","tags":["t1","t2"]},{"name":"b"},{"other":1},[{"name":"c"}]],
		"matrix":[[1,2],[3,[4]]]}}`
	runCases(t, []matchCase{
		{"namespaces", `{"resource.namespaces":"X"}`, ev, true},
		{"array of objects first", `{"data.items.name":"a"}`, ev, true},
		{"array of objects second", `{"data.items.name":"b"}`, ev, true},
		{"array of arrays of objects", `{"data.items.name":"c"}`, ev, true},
		{"array of objects none", `{"data.items.name":"d"}`, ev, false},
		{"arrays on two steps", `{"data.items.tags":"t2"}`, ev, true},
		{"nested arrays flattened", `{"data.matrix":4}`, ev, true},
		{"nested arrays numeric", `{"data.matrix":{"numeric":[">",3.5]}}`, ev, true},
		{"anything-but on elements", `{"data.items.name":{"anything-but":["a","b"]}}`, ev, true},
		{"exists through arrays", `{"data.items.other":{"exists":true}}`, ev, true},
	})
}

func TestMatchOr(t *testing.T) {
	ev := readEvent(t, "job-finished")
	runCases(t, []matchCase{
		{"first branch", `{"$or":[{"data.jobType":"TRANSCODE"},{"data.jobType":"PROXY"}]}`, ev, true},
		{"second branch", `{"$or":[{"data.jobType":"PROXY"},{"resource.type":"itemsvc.*"}]}`, ev, true},
		{"no branch", `{"$or":[{"data.jobType":"PROXY"},{"resource.type":"collectionsvc.*"}]}`, ev, false},
		{"with other keys", `{"event":"job.*","$or":[{"data.jobType":"PROXY"},{"user.id":"u1"}]}`, ev, true},
		{"other key fails", `{"event":"item.*","$or":[{"data.jobType":"TRANSCODE"},{"user.id":"u1"}]}`, ev, false},
		{"branch with several keys", `{"$or":[{"data.jobType":"TRANSCODE","user.id":"u2"},{"user.id":"u3"}]}`, ev, false},
		{"nested", `{"$or":[{"user.id":"u9"},{"$or":[{"data.jobType":"PROXY"},{"data.metadata.size":{"numeric":[">",40]}}]}]}`, ev, true},
		{"nested none", `{"$or":[{"user.id":"u9"},{"$or":[{"data.jobType":"PROXY"},{"data.metadata.size":{"numeric":[">",50]}}]}]}`, ev, false},
		{"nested three deep", `{"$or":[{"user.id":"u9"},{"recipients":"u2","$or":[{"x":1},{"$or":[{"y":1},{"resource.id":"i1"}]}]}]}`, ev, true},
		{"empty branch matches", `{"$or":[{},{"user.id":"u9"}]}`, ev, true},
		{"exists false branch", `{"$or":[{"user.name":{"exists":false}},{"user.id":"u9"}]}`, ev, true},
	})
}

func TestMatchVidispineEntities(t *testing.T) {
	job := `{"event":"job.JobFinished","resource":{"type":"vidispine.Job","id":"VX-12"},
		"data":{"jobType":"TRANSCODE","metadata":{"originalFilename":"clip_0042.mxf","priority":"HIGH","step":7}}}`
	item := `{"event":"item.ItemMetadataModified","resource":{"type":"vidispine.Item","id":"VX-99"},
		"data":{"metadata":{"title":"Evening News","genre":["news","live"],"duration":1800}}}`
	collection := `{"event":"collection.CollectionMetadataModified","resource":{"type":"vidispine.Collection","id":"VX-7"},
		"data":{"metadata":{"title":"Season 2","items":[{"id":"VX-99","title":"Ep 1"},{"id":"VX-100","title":"Ep 2"}]}}}`
	runCases(t, []matchCase{
		{"job type", `{"data.jobType":"TRANSCODE"}`, job, true},
		{"job types", `{"data.jobType":["IMPORT","THUMBNAIL"]}`, job, false},
		{"job metadata by string", `{"data.metadata.priority":"HIGH"}`, job, true},
		{"job metadata by regex", `{"data.metadata.originalFilename":{"regex":"\\.mxf$"}}`, job, true},
		{"job metadata by number", `{"data.metadata.step":{"numeric":[">=",5]}}`, job, true},
		{"item metadata", `{"resource.type":"vidispine.Item","data.metadata.title":"Evening*"}`, item, true},
		{"item metadata list", `{"data.metadata.genre":"live"}`, item, true},
		{"item metadata ignore case", `{"data.metadata.title":{"equals-ignore-case":"evening news"}}`, item, true},
		{"collection metadata", `{"resource.type":"vidispine.Collection","data.metadata.title":{"prefix":"Season"}}`, collection, true},
		{"collection item metadata", `{"data.metadata.items.id":"VX-100"}`, collection, true},
		{"collection item metadata miss", `{"data.metadata.items.title":"Ep 3"}`, collection, false},
	})
}

func TestEventTypeAndEscapes(t *testing.T) {
	ev := parse(t, `{"event":"job.Job\u0046inished","na\u006de":"\u00e9t\u00e9 \ud83d\ude00 \"q\" \\ \/ \n","bad":"\ud800x","raw":"été"}`)
	if got := ev.Type(); got != "job.JobFinished" {
		t.Errorf("Type() = %q", got)
	}
	runCases(t, []matchCase{
		{"escaped name and value", `{"name":"été 😀 \"q\" \\\\ / \n"}`, `{"na\u006de":"\u00e9t\u00e9 \ud83d\ude00 \"q\" \\ \/ \n"}`, true},
		{"lone surrogate", `{"bad":"\ufffdx"}`, `{"bad":"\ud800x"}`, true},
		{"escaped equals raw", `{"raw":"\u00e9t\u00e9"}`, `{"raw":"été"}`, true},
		{"raw equals escaped", `{"raw":"été"}`, `{"raw":"\u00e9t\u00e9"}`, true},
		{"escaped prefix", `{"raw":{"prefix":"é"}}`, `{"raw":"\u00e9t\u00e9"}`, true},
		{"escaped dot in name", `{"a.b":1}`, `{"a\u002eb":1}`, true},
		{"invalid utf-8 reads as U+FFFD", `{"x":"\ufffd"}`, "{\"x\":\"\xff\"}", true},
	})
	for _, typ := range []string{`{"event":1}`, `{}`, `{"event":["a"]}`, `{"x":{"event":"a"}}`} {
		if got := parse(t, typ).Type(); got != "" {
			t.Errorf("Type() of %s = %q, want empty", typ, got)
		}
	}
}

func TestNilFilterMatchesAll(t *testing.T) {
	var f *match.Filter
	ev := parse(t, `{"event":"a.B"}`)
	if !f.Match(ev) || !f.Explain(ev).Matched {
		t.Error("the nil filter must match")
	}
	for _, raw := range []string{"", "  ", "null", " null ", "{}"} {
		f := compile(t, raw)
		if !f.Match(ev) {
			t.Errorf("Compile(%q) does not match every event", raw)
		}
	}
}
