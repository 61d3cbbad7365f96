// Package match implements Herald's trigger filter language and the index that finds,
// for one event, the triggers whose event types and filters match it.
//
// # Filters
//
// A filter is a JSON object whose keys are dotted paths into the event and whose
// values are conditions on what the event holds there. Every key must match:
//
//	{
//	  "resource.type": "itemsvc.*",
//	  "data.jobType": ["TRANSCODE", "PROXY"],
//	  "data.metadata.title": {"regex": "^Final"},
//	  "data.metadata.size": {"numeric": [">", 0, "<=", 5000000]}
//	}
//
// A condition is one of:
//
//   - a string: an OMAPI wildcard. "*" matches any run of characters, including none;
//     `\*` is a literal star and `\\` a literal backslash (a backslash before anything
//     else stands for itself). Without an unescaped "*" the string must equal the value.
//     A pattern may hold at most [MaxWildcardStars] stars;
//   - a number, true, false or null: equality. Numbers compare as float64, so 5 equals
//     5.0, and never equal strings ("5" is not 5);
//   - an array: any of its elements, each a scalar as above or an operator object.
//     Arrays must not be empty and do not nest;
//   - an operator object with exactly one operator (several in one object are
//     refused; list alternatives in an array instead).
//
// The operators:
//
//   - {"exact": s}: string equality, "*" included;
//   - {"prefix": s}, {"suffix": s}: a string that begins, or ends, with s;
//   - {"wildcard": s}: the same as the bare string s;
//   - {"regex": s}: an RE2 expression ([regexp]) of at most [MaxRegexBytes] bytes,
//     which matches anywhere in a string unless anchored with ^ and $;
//   - {"equals-ignore-case": s}: equality under Unicode simple case folding, as
//     [strings.EqualFold]: "É" equals "é", but "ß" does not equal "ss";
//   - {"anything-but": v}, v a scalar or an array of scalars compared literally
//     (without wildcards): a value equal to none of them;
//   - {"exists": true} or {"exists": false}: the path is present, whatever its
//     value (null, an object and an empty array included), or absent;
//   - {"numeric": [op, n]} or {"numeric": [op, n, op, n]}, op one of < <= = > >=:
//     a number satisfying both comparisons, such as [">", 0, "<=", 5];
//   - {"cidr": "10.0.0.0/24"}: a string that is an IPv4 or IPv6 address inside the
//     block (IPv4-mapped IPv6 addresses count as IPv4).
//
// The key "$or" takes an array of at least two filters, of which at least one must
// match. It may appear in any filter object, the top level or an "$or" branch, so
// "$or" nests. Other keys starting with "$" are reserved. As with encoding/json, a
// key given twice in one object keeps its last value.
//
// # Matching values
//
// A path is followed member by member. Where the event holds an array, at the end of
// the path or on the way, every element is followed, so a path names a set of values:
// "resource.namespaces" names "A" and "X" in {"resource":{"namespaces":["A","X"]}},
// and "data.items.name" the name of every element of data.items. A condition other
// than "exists" holds when any of the scalar values (strings, numbers, booleans,
// null) at its path satisfies it; objects and arrays themselves satisfy nothing but
// "exists". So a condition on a missing path never holds, except {"exists": false},
// and this includes "anything-but", as in Amazon EventBridge: {"anything-but": "x"}
// needs the field to be there, holding something other than "x". On an array it holds
// when some element is not "x". A member name that contains "." is reached by the
// same dotted path as the nested members it looks like.
//
// # Limits
//
// A filter has at most [MaxKeys] keys, counting the keys of every "$or" branch and the
// "$or" keys themselves, and at most [MaxValues] values: every string, number,
// boolean and null in it, except the comparison operators of "numeric". Keys must not
// be empty, have empty segments ("a..b") or be longer than [MaxPathBytes]. [Compile]
// refuses a filter that breaks a rule with a fault Invalid naming each place at fault
// by its path inside the filter, such as "data.metadata.title.regex",
// "resource.id[2]" or "$or[1].event", so that an API can prefix it with the name of
// the filter field (see fault.Prefix) and answer 400.
//
// # Events
//
// [ParseEvent] reads an event's JSON in one pass, which also checks it, into a table
// from each path to its values, strings unescaped (invalid UTF-8 becomes U+FFFD, as
// with encoding/json) and numbers parsed; filters then look their paths up by a hash
// computed when they were compiled. [Event.Parse] does the same into an Event that it
// reuses, which allocates nothing once the Event has grown to the size of the
// events. Members at paths longer than MaxPathBytes are checked but not recorded, as
// no filter can name them. An event's type, which trigger event type patterns match,
// is its top-level "event" member when that is a string, and "" otherwise.
//
// # Matchers
//
// A [Matcher] holds triggers: an id, event type patterns ("job.JobFinished",
// "job.*", "job.Job*", "*": the same wildcards as filter strings) and a filter. It
// files each trigger under one condition of its filter, chosen so that events meet
// few triggers they do not match, and evaluates for an event only the triggers filed
// under what the event holds (see [Matcher] for how). [Reference] evaluates every
// trigger and is the oracle the tests compare the Matcher with.
package match
