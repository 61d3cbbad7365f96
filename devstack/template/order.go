package template

import (
	"fmt"
	"sort"
	"strings"
)

// references returns the logical ids and parameter names v refers to through Ref,
// Fn::GetAtt and Fn::Sub.
func references(v any) map[string]bool {
	refs := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if name, arg, ok := intrinsic(v); ok {
				switch name {
				case "Ref":
					if s, ok := arg.(string); ok {
						refs[s] = true
					}
					return
				case "Fn::GetAtt":
					switch a := arg.(type) {
					case string:
						id, _, _ := strings.Cut(a, ".")
						refs[id] = true
					case []any:
						if len(a) > 0 {
							if id, ok := a[0].(string); ok {
								refs[id] = true
							}
						}
					}
					return
				case "Fn::Sub":
					text, vars := "", map[string]any{}
					switch a := arg.(type) {
					case string:
						text = a
					case []any:
						if len(a) == 2 {
							text, _ = a[0].(string)
							vars, _ = a[1].(map[string]any)
							walk(a[1])
						}
					}
					_ = scanSub(text, func(string) {}, func(name string) error {
						if _, ok := vars[name]; !ok {
							id, _, _ := strings.Cut(name, ".")
							refs[id] = true
						}
						return nil
					})
					return
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return refs
}

// order sorts ids so that each comes after the ids it refers to (a queue after its
// dead-letter queue, a subscription after its topic and queue). References to anything
// outside ids do not constrain the order. Ties are broken by logical id, so the order is
// the same on every run.
func (t *Template) order(ids []string) ([]string, error) {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	deps := map[string]map[string]bool{} // id -> the ids it waits for
	users := map[string][]string{}       // id -> the ids waiting for it
	for _, id := range ids {
		r := t.Resources[id]
		deps[id] = map[string]bool{}
		add := func(dep string) {
			if in[dep] && dep != id && !deps[id][dep] {
				deps[id][dep] = true
				users[dep] = append(users[dep], id)
			}
		}
		for dep := range references(r.Properties) {
			add(dep)
		}
		for _, dep := range r.DependsOn {
			add(dep)
		}
	}
	var ready, out []string
	for _, id := range ids {
		if len(deps[id]) == 0 {
			ready = append(ready, id)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		id := ready[0]
		ready = ready[1:]
		out = append(out, id)
		for _, u := range users[id] {
			delete(deps[u], id)
			if len(deps[u]) == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) < len(ids) {
		var cycle []string
		for _, id := range ids {
			if len(deps[id]) > 0 {
				cycle = append(cycle, id)
			}
		}
		sort.Strings(cycle)
		return nil, fmt.Errorf("circular references between %s", strings.Join(cycle, ", "))
	}
	return out, nil
}
