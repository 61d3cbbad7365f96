package template

import (
	"fmt"
	"slices"
	"sort"
)

// checkRules evaluates the template's Rules against the parameters, as CloudFormation
// does before it creates or changes anything: a rule whose RuleCondition holds (or that
// has none) fails when one of its Assertions is false, and the error carries the
// assertion's AssertDescription, which is what an operator sees.
func (s *Stack) checkRules() error {
	names := make([]string, 0, len(s.Template.Rules))
	for name := range s.Template.Rules {
		names = append(names, name)
	}
	sort.Strings(names)
	var errs fieldErrors
	for _, name := range names {
		rule, ok := s.Template.Rules[name].(map[string]any)
		if !ok {
			errs.addf("rule %s: is %s, want a mapping", name, describe(s.Template.Rules[name]))
			continue
		}
		if c, ok := rule["RuleCondition"]; ok {
			applies, err := s.ruleBool(c)
			if err != nil {
				errs.addf("rule %s: RuleCondition: %v", name, err)
				continue
			}
			if !applies {
				continue
			}
		}
		assertions, ok := rule["Assertions"].([]any)
		if !ok || len(assertions) == 0 {
			errs.addf("rule %s: Assertions: want a non-empty list", name)
			continue
		}
		for i, a := range assertions {
			m, _ := a.(map[string]any)
			holds, err := s.ruleBool(m["Assert"])
			if err != nil {
				errs.addf("rule %s: assertion %d: %v", name, i, err)
				continue
			}
			if !holds {
				desc, _ := m["AssertDescription"].(string)
				if desc == "" {
					desc = fmt.Sprintf("assertion %d does not hold", i)
				}
				errs.addf("rule %s: %s", name, desc)
			}
		}
	}
	return errs.err()
}

// ruleBool evaluates a rule's condition. Rules take fewer functions than conditions, and
// one of their own: Fn::And, Fn::Or, Fn::Not, Fn::Equals, Fn::Contains (whether a list
// holds a value) and Fn::EachMemberEquals (whether every member equals one), over Ref and
// literals. Anything else is an error here, as CloudFormation refuses it.
func (s *Stack) ruleBool(v any) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return asBool(v)
	}
	var fn string
	var arg any
	for fn, arg = range m {
	}
	switch fn {
	case "Fn::And", "Fn::Or", "Fn::Not":
		return logic(fn, arg, s.ruleBool)
	case "Fn::Equals":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return false, fmt.Errorf("%s: takes two values, not %s", fn, describe(arg))
		}
		x, err := s.ruleValue(a[0])
		if err != nil {
			return false, fmt.Errorf("%s: %w", fn, err)
		}
		y, err := s.ruleValue(a[1])
		if err != nil {
			return false, fmt.Errorf("%s: %w", fn, err)
		}
		xs, xok := scalarString(x)
		ys, yok := scalarString(y)
		return xok && yok && xs == ys, nil
	case "Fn::Contains":
		list, want, err := s.listAndValue(fn, arg)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(list, func(x any) bool { xs, ok := scalarString(x); return ok && xs == want }), nil
	case "Fn::EachMemberEquals":
		// An empty CommaDelimitedList parameter is the list of one "".
		list, want, err := s.listAndValue(fn, arg)
		if err != nil {
			return false, err
		}
		return !slices.ContainsFunc(list, func(x any) bool { xs, ok := scalarString(x); return !ok || xs != want }), nil
	default:
		return false, fmt.Errorf("%s is not a rule function", fn)
	}
}

// ruleValue resolves an operand of a rule function: a literal, a list of them, or a Ref.
func (s *Stack) ruleValue(v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			r, err := s.ruleValue(x)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if name, ok := v["Ref"].(string); ok && len(v) == 1 {
			return s.ref(name)
		}
		for fn := range v {
			return nil, fmt.Errorf("%s is not allowed in a rule (only Ref and the rule functions)", fn)
		}
	}
	return v, nil
}

// listAndValue resolves the operands of Fn::Contains and Fn::EachMemberEquals: a list,
// and a value to look for in it.
func (s *Stack) listAndValue(fn string, arg any) ([]any, string, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, "", fmt.Errorf("%s: takes a list and a value, not %s", fn, describe(arg))
	}
	lv, err := s.ruleValue(a[0])
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", fn, err)
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, "", fmt.Errorf("%s: operand resolves to %s, want a list", fn, describe(lv))
	}
	want, err := s.ruleValue(a[1])
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", fn, err)
	}
	ws, _ := scalarString(want)
	return list, ws, nil
}
