package template

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// noValue is what {"Ref": "AWS::NoValue"} resolves to: the enclosing key or list entry
// is dropped, as if the template had not written it.
type noValue struct{}

// Resolve returns v with every intrinsic function replaced by its value in this stack.
// Supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If,
// Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, Fn::FindInMap, Fn::GetAZs and
// Fn::Base64. Fn::ImportValue has no local meaning and fails, as does any reference to
// something the stack does not have; the error names the reference.
// v itself is not modified.
func (s *Stack) Resolve(v any) (any, error) {
	r, err := s.resolve(v)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	if _, ok := r.(noValue); ok {
		return nil, nil
	}
	return r, nil
}

func (s *Stack) resolve(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if name, arg, ok := intrinsic(v); ok {
			return s.call(name, arg)
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			r, err := s.resolve(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, ok := r.(noValue); !ok {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(v))
		for i, x := range v {
			r, err := s.resolve(x)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, ok := r.(noValue); !ok {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

func (s *Stack) call(name string, arg any) (any, error) {
	switch name {
	case "Ref":
		ref, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref: takes a name, not %s", describe(arg))
		}
		return s.ref(ref)
	case "Condition":
		return s.condition(arg.(string))
	case "Fn::GetAtt":
		return s.fnGetAtt(arg)
	case "Fn::Sub":
		return s.fnSub(arg)
	case "Fn::Join":
		return s.fnJoin(arg)
	case "Fn::Select":
		return s.fnSelect(arg)
	case "Fn::Split":
		return s.fnSplit(arg)
	case "Fn::If":
		return s.fnIf(arg)
	case "Fn::Equals":
		return s.fnEquals(arg)
	case "Fn::Not", "Fn::And", "Fn::Or":
		return s.fnLogic(name, arg)
	case "Fn::FindInMap":
		return s.fnFindInMap(arg)
	case "Fn::GetAZs":
		region, err := s.resolveString(name, arg)
		if err != nil {
			return nil, err
		}
		if region == "" {
			region = s.Region
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::Base64":
		str, err := s.resolveString(name, arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(str)), nil
	case "Fn::ImportValue":
		return nil, fmt.Errorf("Fn::ImportValue %v: imports from other stacks have no local counterpart", arg)
	}
	return nil, fmt.Errorf("%s: not supported locally", name)
}

// args resolves a list argument of fn and checks its length.
func (s *Stack) args(fn string, arg any, n int) ([]any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != n {
		return nil, fmt.Errorf("%s: takes a list of %d, not %s", fn, n, describe(arg))
	}
	return l, nil
}

// resolveString resolves v and requires a scalar, rendered as a string.
func (s *Stack) resolveString(fn string, v any) (string, error) {
	r, err := s.resolve(v)
	if err != nil {
		return "", fmt.Errorf("%s: %w", fn, err)
	}
	str, ok := scalarString(r)
	if !ok {
		return "", fmt.Errorf("%s: operand resolves to %s, want a string", fn, describe(r))
	}
	return str, nil
}

// resolveList resolves v and requires a list.
func (s *Stack) resolveList(fn string, v any) ([]any, error) {
	r, err := s.resolve(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	l, ok := r.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: operand resolves to %s, want a list", fn, describe(r))
	}
	return l, nil
}

func (s *Stack) fnGetAtt(arg any) (any, error) {
	var id, attr string
	switch a := arg.(type) {
	case string:
		var ok bool
		if id, attr, ok = strings.Cut(a, "."); !ok {
			return nil, fmt.Errorf("Fn::GetAtt %q: want LogicalId.Attribute", a)
		}
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt: takes [LogicalId, Attribute], not a list of %d", len(a))
		}
		var ok bool
		if id, ok = a[0].(string); !ok {
			return nil, fmt.Errorf("Fn::GetAtt: logical id is %s, want a string", describe(a[0]))
		}
		// The attribute name may be computed, for instance with Ref.
		var err error
		if attr, err = s.resolveString("Fn::GetAtt "+id, a[1]); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("Fn::GetAtt: takes [LogicalId, Attribute], not %s", describe(arg))
	}
	return s.getAtt(id, attr)
}

func (s *Stack) fnSub(arg any) (any, error) {
	var text string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return nil, fmt.Errorf("Fn::Sub: takes a string or [string, variables], not a list of %d", len(a))
		}
		var ok bool
		if text, ok = a[0].(string); !ok {
			return nil, fmt.Errorf("Fn::Sub: template is %s, want a string", describe(a[0]))
		}
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub: variables are %s, want a mapping", describe(a[1]))
		}
		for k, v := range m {
			str, err := s.resolveString("Fn::Sub variable "+k, v)
			if err != nil {
				return nil, err
			}
			vars[k] = str
		}
	default:
		return nil, fmt.Errorf("Fn::Sub: takes a string or [string, variables], not %s", describe(arg))
	}
	var b strings.Builder
	err := scanSub(text, func(lit string) { b.WriteString(lit) }, func(name string) error {
		if v, ok := vars[name]; ok {
			b.WriteString(v.(string))
			return nil
		}
		var v any
		var err error
		if id, attr, ok := strings.Cut(name, "."); ok {
			v, err = s.getAtt(id, attr)
		} else {
			v, err = s.ref(name)
		}
		if err != nil {
			return err
		}
		str, ok := scalarString(v)
		if !ok {
			return fmt.Errorf("${%s} resolves to %s, want a string", name, describe(v))
		}
		b.WriteString(str)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("Fn::Sub: %w", err)
	}
	return b.String(), nil
}

// scanSub walks an Fn::Sub template, calling lit for literal text and ref for each
// ${Name} or ${Name.Attribute}. ${!Text} is the literal ${Text}.
func scanSub(text string, lit func(string), ref func(string) error) error {
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			lit(text)
			return nil
		}
		lit(text[:i])
		rest := text[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return fmt.Errorf("unterminated ${ in %q", text)
		}
		name := rest[:j]
		text = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			lit("${" + name[1:] + "}")
			continue
		}
		if err := ref(strings.TrimSpace(name)); err != nil {
			return err
		}
	}
}

func (s *Stack) fnJoin(arg any) (any, error) {
	a, err := s.args("Fn::Join", arg, 2)
	if err != nil {
		return nil, err
	}
	sep, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Join: delimiter is %s, want a string", describe(a[0]))
	}
	l, err := s.resolveList("Fn::Join", a[1])
	if err != nil {
		return nil, err
	}
	str, ok := joinScalars(l, sep)
	if !ok {
		return nil, fmt.Errorf("Fn::Join: the list holds something other than strings")
	}
	return str, nil
}

func joinScalars(l []any, sep string) (string, bool) {
	parts := make([]string, 0, len(l))
	for _, x := range l {
		str, ok := scalarString(x)
		if !ok {
			return "", false
		}
		parts = append(parts, str)
	}
	return strings.Join(parts, sep), true
}

func (s *Stack) fnSelect(arg any) (any, error) {
	a, err := s.args("Fn::Select", arg, 2)
	if err != nil {
		return nil, err
	}
	idx, err := s.resolve(a[0])
	if err != nil {
		return nil, fmt.Errorf("Fn::Select: %w", err)
	}
	i, err := toInt64(idx)
	if err != nil {
		return nil, fmt.Errorf("Fn::Select: index %w", err)
	}
	l, err := s.resolveList("Fn::Select", a[1])
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(l)) {
		return nil, fmt.Errorf("Fn::Select: index %d out of range for a list of %d", i, len(l))
	}
	return l[i], nil
}

func (s *Stack) fnSplit(arg any) (any, error) {
	a, err := s.args("Fn::Split", arg, 2)
	if err != nil {
		return nil, err
	}
	sep, ok := a[0].(string)
	if !ok || sep == "" {
		return nil, fmt.Errorf("Fn::Split: delimiter must be a non-empty string")
	}
	str, err := s.resolveString("Fn::Split", a[1])
	if err != nil {
		return nil, err
	}
	var out []any
	for _, p := range strings.Split(str, sep) {
		out = append(out, p)
	}
	return out, nil
}

func (s *Stack) fnIf(arg any) (any, error) {
	a, err := s.args("Fn::If", arg, 3)
	if err != nil {
		return nil, err
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("Fn::If: condition is %s, want a condition name", describe(a[0]))
	}
	c, err := s.condition(name)
	if err != nil {
		return nil, fmt.Errorf("Fn::If: %w", err)
	}
	// Only the branch taken is resolved: the other may refer to what does not exist.
	if c {
		return s.resolve(a[1])
	}
	return s.resolve(a[2])
}

func (s *Stack) fnEquals(arg any) (any, error) {
	a, err := s.args("Fn::Equals", arg, 2)
	if err != nil {
		return nil, err
	}
	x, err := s.resolve(a[0])
	if err != nil {
		return nil, fmt.Errorf("Fn::Equals: %w", err)
	}
	y, err := s.resolve(a[1])
	if err != nil {
		return nil, fmt.Errorf("Fn::Equals: %w", err)
	}
	// CloudFormation compares values as strings: 1 equals "1".
	xs, xok := scalarString(x)
	ys, yok := scalarString(y)
	if xok && yok {
		return xs == ys, nil
	}
	return reflect.DeepEqual(x, y), nil
}

func (s *Stack) fnLogic(fn string, arg any) (any, error) {
	return logic(fn, arg, func(x any) (bool, error) {
		v, err := s.resolve(x)
		if err != nil {
			return false, err
		}
		return asBool(v)
	})
}

// logic evaluates Fn::Not, Fn::And or Fn::Or over arg's operands, each decided by eval.
func logic(fn string, arg any, eval func(any) (bool, error)) (bool, error) {
	l, ok := arg.([]any)
	if !ok || len(l) == 0 || (fn == "Fn::Not" && len(l) != 1) {
		return false, fmt.Errorf("%s: takes a list of conditions, not %s", fn, describe(arg))
	}
	vals := make([]bool, len(l))
	for i, x := range l {
		b, err := eval(x)
		if err != nil {
			return false, fmt.Errorf("%s: operand %d: %w", fn, i, err)
		}
		vals[i] = b
	}
	switch fn {
	case "Fn::Not":
		return !vals[0], nil
	case "Fn::And":
		return !slices.Contains(vals, false), nil
	default:
		return slices.Contains(vals, true), nil
	}
}

// asBool is a resolved condition's value: a boolean, or the strings "true" and "false".
func asBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		if b == "true" || b == "false" {
			return b == "true", nil
		}
	}
	return false, fmt.Errorf("resolves to %s, want a boolean", describe(v))
}

func (s *Stack) fnFindInMap(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, fmt.Errorf("Fn::FindInMap: takes [MapName, TopKey, SecondKey], not %s", describe(arg))
	}
	var keys [3]string
	for i := range keys {
		k, err := s.resolveString("Fn::FindInMap", a[i])
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	m, ok := s.Template.Mappings[keys[0]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: no mapping %s", keys[0])
	}
	top, ok := m[keys[1]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: mapping %s has no key %s", keys[0], keys[1])
	}
	v, ok := top[keys[2]]
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: mapping %s.%s has no key %s", keys[0], keys[1], keys[2])
	}
	return deepCopy(v), nil
}

// condition evaluates the named entry of the template's Conditions. newStack evaluates
// them all, so that afterwards this only reads.
func (s *Stack) condition(name string) (bool, error) {
	if st, ok := s.conds[name]; ok && st.done {
		return st.value, nil
	}
	def, ok := s.Template.Conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %s: not in the template's Conditions", name)
	}
	if s.conds == nil {
		s.conds = map[string]*condState{}
	}
	st, ok := s.conds[name]
	if !ok {
		st = &condState{}
		s.conds[name] = st
	}
	if st.visiting {
		return false, fmt.Errorf("condition %s refers to itself", name)
	}
	st.visiting = true
	v, err := s.resolve(def)
	st.visiting = false
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("condition %s: resolves to %s, want a boolean", name, describe(v))
	}
	st.value, st.done = b, true
	return b, nil
}
