package match

import "strings"

// Tests reports whether f looks at path on every event it matches: its top level has a
// condition on path, or an "$or" every branch of which tests path. Triggers use it to
// tell a filter that says which event types it wants ({"event": "job.*"}) from one
// that does not. The nil Filter tests nothing.
func (f *Filter) Tests(path string) bool {
	return f != nil && f.root.tests(path)
}

func (n *node) tests(path string) bool {
	for i := range n.conds {
		if n.conds[i].path == path {
			return true
		}
	}
	for i := range n.ors {
		if n.ors[i].all(func(b *node) bool { return b.tests(path) }) {
			return true
		}
	}
	return false
}

// RequiresPrefix reports whether every event f matches holds, at path, a string that
// begins with prefix, as far as f's conditions show it: a condition on path at the top
// level, or in every branch of an "$or", each alternative of which needs such a string
// (an equality, a wildcard or a regular expression anchored with ^ whose literal
// beginning starts with prefix, or a prefix operator that does). It answers false when
// it cannot tell: a suffix, "anything-but", a regular expression without a literal
// beginning, "exists", equals-ignore-case. It rests on the keys the index files
// triggers under, which hold only where their alternative can.
func (f *Filter) RequiresPrefix(path, prefix string) bool {
	return f != nil && f.root.requiresPrefix(path, prefix)
}

func (n *node) requiresPrefix(path, prefix string) bool {
	for i := range n.conds {
		if n.conds[i].path == path && n.conds[i].requiresPrefix(prefix) {
			return true
		}
	}
	for i := range n.ors {
		if n.ors[i].all(func(b *node) bool { return b.requiresPrefix(path, prefix) }) {
			return true
		}
	}
	return false
}

// requiresPrefix reports whether every alternative of c needs a string beginning with
// prefix. A condition that also holds where the path is missing, or wherever it is
// present, needs none.
func (c *cond) requiresPrefix(prefix string) bool {
	if len(c.keys) == 0 || c.ifMissing || c.ifPresent {
		return false
	}
	for _, k := range c.keys {
		if (k.kind != keyString && k.kind != keyPrefix) || !strings.HasPrefix(k.s, prefix) {
			return false
		}
	}
	return true
}

// all reports whether ok holds for every branch of o.
func (o *orNode) all(ok func(*node) bool) bool {
	for _, b := range o.branches {
		if !ok(b) {
			return false
		}
	}
	return len(o.branches) > 0
}
