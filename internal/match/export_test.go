package match

// FiledUnder returns, for each path of m's index, how many triggers its buckets hold,
// and under "" the triggers with nothing to file under: where the index put them.
func FiledUnder(m *Matcher) map[string]int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	owner := map[*bucket]string{}
	for _, pi := range m.list {
		add := func(b *bucket) {
			if b != nil {
				owner[b] = pi.path
			}
		}
		add(pi.present)
		for _, b := range pi.lits {
			add(b)
		}
		for _, b := range pi.strs {
			add(b)
		}
		for _, b := range pi.nums {
			add(b)
		}
		for _, a := range []*affixes[*bucket]{pi.prefixes, pi.suffixes} {
			if a != nil {
				for _, b := range a.vals {
					add(b)
				}
			}
		}
	}
	out := make(map[string]int)
	for _, t := range m.triggers {
		if t.types == nil {
			continue
		}
		seen := map[string]bool{}
		for _, r := range t.regs {
			path, ok := owner[r.b]
			if !ok {
				path = ""
			}
			if !seen[path] {
				seen[path] = true
				out[path]++
			}
		}
	}
	return out
}
