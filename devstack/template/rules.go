package template

import (
	"fmt"
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

// ruleBool evaluates a rule's condition. Rules have one function conditions lack,
// Fn::Contains (whether a list holds a value); the rest resolve as elsewhere.
func (s *Stack) ruleBool(v any) (bool, error) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for fn, arg := range m {
			switch fn {
			case "Fn::Contains":
				list, ws, err := s.listAndValue(fn, arg)
				if err != nil {
					return false, err
				}
				for _, x := range list {
					if xs, ok := scalarString(x); ok && xs == ws {
						return true, nil
					}
				}
				return false, nil
			case "Fn::EachMemberEquals":
				// Whether every member of a list equals a value: an empty
				// CommaDelimitedList parameter is the list of one "".
				list, ws, err := s.listAndValue(fn, arg)
				if err != nil {
					return false, err
				}
				for _, x := range list {
					if xs, ok := scalarString(x); !ok || xs != ws {
						return false, nil
					}
				}
				return true, nil
			case "Fn::And", "Fn::Or", "Fn::Not":
				return logic(fn, arg, s.ruleBool)
			}
		}
	}
	r, err := s.resolve(v)
	if err != nil {
		return false, err
	}
	return asBool(r)
}

// listAndValue resolves the operands of Fn::Contains and Fn::EachMemberEquals: a list,
// and a value to look for in it.
func (s *Stack) listAndValue(fn string, arg any) ([]any, string, error) {
	a, err := s.args(fn, arg, 2)
	if err != nil {
		return nil, "", err
	}
	list, err := s.resolveList(fn, a[0])
	if err != nil {
		return nil, "", err
	}
	want, err := s.resolve(a[1])
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", fn, err)
	}
	ws, _ := scalarString(want)
	return list, ws, nil
}
