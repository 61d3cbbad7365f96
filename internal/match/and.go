package match

// And returns the filter that matches an event when every one of fs does (a nil filter
// matches every event). Its conditions are those of fs, in order: a trigger's resource
// scope joins its own filter this way, without their keys colliding, and the matcher can
// index the trigger by any of them.
func And(fs ...*Filter) *Filter {
	out := &Filter{}
	for _, f := range fs {
		if f == nil {
			continue
		}
		out.root.conds = append(out.root.conds, f.root.conds...)
		out.root.ors = append(out.root.ors, f.root.ors...)
	}
	return out
}
