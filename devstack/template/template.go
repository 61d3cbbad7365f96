package template

import (
	"fmt"
	"os"
	"sort"
)

// Template is a parsed SAM (or plain CloudFormation) template.
//
// Values below the typed fields keep their YAML shapes: map[string]any, []any, string,
// int, float64, bool and nil. Intrinsic functions appear in their long forms whatever
// form the YAML used, for example {"Fn::GetAtt": []any{"RouteQueue", "Arn"}}.
type Template struct {
	FormatVersion string // AWSTemplateFormatVersion
	Transform     any    // a string or a list of strings
	Description   string
	Parameters    map[string]Parameter
	Mappings      map[string]any
	Conditions    map[string]any
	Rules         map[string]any // checked against the parameters before anything is created
	Globals       map[string]any
	Resources     map[string]Resource
	Outputs       map[string]any
}

// Parameter is one entry of the template's Parameters section.
type Parameter struct {
	Type           string // String, Number, CommaDelimitedList, List<...>, ...
	Default        any    // nil when the parameter has no default
	Description    string
	NoEcho         bool
	AllowedValues  []any
	AllowedPattern string
	MinValue       any
	MaxValue       any
}

// Resource is one entry of the template's Resources section.
type Resource struct {
	Type       string
	Condition  string   // the name of a condition that decides whether it exists; may be empty
	DependsOn  []string // explicit dependencies besides the references in Properties
	Properties map[string]any
	Metadata   map[string]any

	// DeletionPolicy and UpdateReplacePolicy say what CloudFormation does with the
	// physical resource when the stack deletes or replaces it: Delete (the default),
	// Retain or Snapshot. The local stack never deletes, so they matter to checks only.
	DeletionPolicy      string
	UpdateReplacePolicy string
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return t, nil
}

// Parse parses a template written in YAML (JSON, being YAML, works too).
func Parse(data []byte) (*Template, error) {
	v, err := decodeYAML(data)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template: template: top level is %s, want a mapping", describe(v))
	}
	t := &Template{
		Parameters: map[string]Parameter{},
		Resources:  map[string]Resource{},
	}
	var errs fieldErrors
	t.FormatVersion = errs.str(root, "AWSTemplateFormatVersion", "AWSTemplateFormatVersion")
	t.Transform = root["Transform"]
	t.Description = errs.str(root, "Description", "Description")
	t.Mappings = errs.mapping(root, "Mappings", "Mappings")
	t.Conditions = errs.mapping(root, "Conditions", "Conditions")
	t.Rules = errs.mapping(root, "Rules", "Rules")
	t.Globals = errs.mapping(root, "Globals", "Globals")
	t.Outputs = errs.mapping(root, "Outputs", "Outputs")

	for name, v := range errs.mapping(root, "Parameters", "Parameters") {
		path := "Parameters." + name
		m, ok := v.(map[string]any)
		if !ok {
			errs.addf("%s: is %s, want a mapping", path, describe(v))
			continue
		}
		p := Parameter{
			Type:           errs.str(m, "Type", path+".Type"),
			Default:        m["Default"],
			Description:    errs.str(m, "Description", path+".Description"),
			NoEcho:         isTrue(m["NoEcho"]),
			AllowedPattern: errs.str(m, "AllowedPattern", path+".AllowedPattern"),
			MinValue:       m["MinValue"],
			MaxValue:       m["MaxValue"],
		}
		if av, ok := m["AllowedValues"]; ok {
			if l, ok := av.([]any); ok {
				p.AllowedValues = l
			} else {
				errs.addf("%s.AllowedValues: is %s, want a list", path, describe(av))
			}
		}
		if p.Type == "" {
			errs.addf("%s.Type: missing", path)
		}
		t.Parameters[name] = p
	}

	resources := errs.mapping(root, "Resources", "Resources")
	if len(resources) == 0 && root["Resources"] == nil {
		errs.addf("Resources: missing")
	}
	for id, v := range resources {
		path := "Resources." + id
		m, ok := v.(map[string]any)
		if !ok {
			errs.addf("%s: is %s, want a mapping", path, describe(v))
			continue
		}
		r := Resource{
			Type:       errs.str(m, "Type", path+".Type"),
			Condition:  errs.str(m, "Condition", path+".Condition"),
			Properties: errs.mapping(m, "Properties", path+".Properties"),
			Metadata:   errs.mapping(m, "Metadata", path+".Metadata"),

			DeletionPolicy:      errs.str(m, "DeletionPolicy", path+".DeletionPolicy"),
			UpdateReplacePolicy: errs.str(m, "UpdateReplacePolicy", path+".UpdateReplacePolicy"),
		}
		if r.Type == "" {
			errs.addf("%s.Type: missing", path)
		}
		switch d := m["DependsOn"].(type) {
		case nil:
		case string:
			r.DependsOn = []string{d}
		case []any:
			for _, x := range d {
				if s, ok := x.(string); ok {
					r.DependsOn = append(r.DependsOn, s)
				} else {
					errs.addf("%s.DependsOn: holds %s, want logical ids", path, describe(x))
				}
			}
		default:
			errs.addf("%s.DependsOn: is %s, want a logical id or a list of them", path, describe(d))
		}
		if r.Properties == nil {
			r.Properties = map[string]any{}
		}
		t.Resources[id] = r
	}
	if err := errs.err(); err != nil {
		return nil, fmt.Errorf("template: template: %w", err)
	}
	return t, nil
}

// LogicalIDs returns the logical ids of the template's resources, sorted.
func (t *Template) LogicalIDs() []string {
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
