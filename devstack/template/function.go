package template

import (
	"sort"
	"strings"
)

// Function is an AWS::Serverless::Function with the template's Globals.Function merged
// into its properties, which is what the function runs with once deployed.
type Function struct {
	LogicalID string
	Condition string // the resource's condition, if any

	// Properties are the function's properties merged over Globals.Function, SAM's way:
	// mappings merge key by key (so Environment.Variables of both apply, the function's
	// winning), lists are concatenated with the global entries first, and any other value,
	// or an intrinsic function on either side, is taken from the function when it sets it.
	// Events are moved out into the Events field.
	Properties map[string]any

	Events   map[string]Event // by event name
	Metadata map[string]any
}

// Event is one entry of a function's Events: what invokes it (HttpApi, SQS, Schedule, ...).
type Event struct {
	Type       string
	Properties map[string]any
}

// Functions returns the template's serverless functions, sorted by logical id.
func (t *Template) Functions() []Function {
	var globals map[string]any
	if g, ok := t.Globals["Function"].(map[string]any); ok {
		globals = g
	}
	var fns []Function
	for _, id := range t.LogicalIDs() {
		r := t.Resources[id]
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		props, _ := mergeGlobals(globals, r.Properties).(map[string]any)
		fn := Function{
			LogicalID:  id,
			Condition:  r.Condition,
			Properties: props,
			Events:     map[string]Event{},
			Metadata:   r.Metadata,
		}
		if evs, ok := props["Events"].(map[string]any); ok {
			for name, v := range evs {
				ev, _ := v.(map[string]any)
				typ, _ := ev["Type"].(string)
				p, _ := ev["Properties"].(map[string]any)
				fn.Events[name] = Event{Type: typ, Properties: p}
			}
		}
		delete(props, "Events")
		fns = append(fns, fn)
	}
	return fns
}

// Function returns the serverless function with the given logical id.
func (t *Template) Function(logicalID string) (Function, bool) {
	for _, fn := range t.Functions() {
		if fn.LogicalID == logicalID {
			return fn, true
		}
	}
	return Function{}, false
}

// EventNames returns the names of fn's events, sorted, for stable iteration.
func (fn Function) EventNames() []string {
	names := make([]string, 0, len(fn.Events))
	for name := range fn.Events {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// mergeGlobals merges local over global following SAM's rules for Globals. It copies, so
// neither input is modified.
func mergeGlobals(global, local any) any {
	if local == nil {
		return deepCopy(global)
	}
	if global == nil {
		return deepCopy(local)
	}
	gm, gok := global.(map[string]any)
	lm, lok := local.(map[string]any)
	if gok && lok && !isIntrinsic(gm) && !isIntrinsic(lm) {
		out := make(map[string]any, len(gm)+len(lm))
		for k, v := range gm {
			out[k] = deepCopy(v)
		}
		for k, v := range lm {
			out[k] = mergeGlobals(gm[k], v)
		}
		return out
	}
	gl, gok := global.([]any)
	ll, lok := local.([]any)
	if gok && lok {
		out := make([]any, 0, len(gl)+len(ll))
		for _, v := range gl {
			out = append(out, deepCopy(v))
		}
		for _, v := range ll {
			out = append(out, deepCopy(v))
		}
		return out
	}
	return deepCopy(local)
}

// isIntrinsic reports whether m is an intrinsic function call such as {"Ref": "X"}.
func isIntrinsic(m map[string]any) bool {
	_, _, ok := intrinsic(m)
	return ok
}

// intrinsic returns the function name and argument if m is an intrinsic function call.
func intrinsic(m map[string]any) (name string, arg any, ok bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		switch {
		case k == "Ref":
			return k, v, true
		case k == "Condition":
			// A property may be called Condition (IAM statements have one); only the
			// {"Condition": "Name"} form is the intrinsic.
			_, isName := v.(string)
			return k, v, isName
		case strings.HasPrefix(k, "Fn::"):
			return k, v, true
		}
	}
	return "", nil, false
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
