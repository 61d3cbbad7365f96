package template

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortTags maps CloudFormation's YAML short tags to the long-form keys they stand for.
// !GetAtt is handled apart because its scalar form "A.B" needs splitting.
var shortTags = map[string]string{
	"!Ref":         "Ref",
	"!Condition":   "Condition",
	"!GetAtt":      "Fn::GetAtt",
	"!Sub":         "Fn::Sub",
	"!Join":        "Fn::Join",
	"!Select":      "Fn::Select",
	"!Split":       "Fn::Split",
	"!If":          "Fn::If",
	"!Equals":      "Fn::Equals",
	"!Not":         "Fn::Not",
	"!And":         "Fn::And",
	"!Or":          "Fn::Or",
	"!FindInMap":   "Fn::FindInMap",
	"!GetAZs":      "Fn::GetAZs",
	"!ImportValue": "Fn::ImportValue",
	"!Base64":      "Fn::Base64",
	"!Cidr":        "Fn::Cidr",
	"!Transform":   "Fn::Transform",
}

// decodeYAML decodes the first YAML document in data into plain Go values with the
// short tags rewritten. It works on yaml.Node rather than decoding into any because
// the plain decoder rejects or drops the custom tags.
func decodeYAML(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 {
		return nil, fmt.Errorf("template is empty")
	}
	var d decoder
	return d.fromNode(&doc)
}

// Bounds of a decoded template. YAML aliases may be expanded many times over (a few
// lines can stand for billions of values), and an alias may refer to a node that holds
// it; both are refused rather than expanded without end.
const (
	maxNodes = 1_000_000
	maxDepth = 1000
)

// decoder turns yaml.Node trees into plain values within those bounds.
type decoder struct {
	nodes, depth int
}

func (d *decoder) fromNode(n *yaml.Node) (any, error) {
	d.nodes++
	d.depth++
	defer func() { d.depth-- }()
	if d.nodes > maxNodes || d.depth > maxDepth {
		return nil, fmt.Errorf("line %d: the template expands to more than %d values or %d levels (YAML aliases?)", n.Line, maxNodes, maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return d.fromNode(n.Content[0])
	case yaml.AliasNode:
		return d.fromNode(n.Alias)
	}
	if isCustomTag(n.Tag) {
		return d.fromShortTag(n)
	}
	return d.fromUntagged(n)
}

// isCustomTag reports whether tag is an application tag such as !Ref, as opposed to the
// standard !!str, !!map, ... that yaml.v3 assigns to every node.
func isCustomTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

func (d *decoder) fromShortTag(n *yaml.Node) (any, error) {
	key, ok := shortTags[n.Tag]
	if !ok {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	switch n.Tag {
	case "!Ref", "!Condition":
		if n.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: %s takes a name, not %s", n.Line, n.Tag, kindName(n.Kind))
		}
		return map[string]any{key: n.Value}, nil
	case "!GetAtt":
		if n.Kind == yaml.ScalarNode {
			// The attribute may itself contain dots (Endpoint.Address), the logical id
			// may not: split at the first one.
			id, attr, ok := strings.Cut(n.Value, ".")
			if !ok || id == "" || attr == "" {
				return nil, fmt.Errorf("line %d: !GetAtt %q: want LogicalId.Attribute", n.Line, n.Value)
			}
			return map[string]any{key: []any{id, attr}}, nil
		}
	}
	v, err := d.fromUntagged(n)
	if err != nil {
		return nil, err
	}
	return map[string]any{key: v}, nil
}

// fromUntagged converts n by its kind, ignoring n's own tag.
func (d *decoder) fromUntagged(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		return d.fromMapping(n)
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := d.fromNode(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		return fromScalar(n)
	case yaml.AliasNode, yaml.DocumentNode:
		return d.fromNode(n)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func fromScalar(n *yaml.Node) (any, error) {
	if isCustomTag(n.Tag) {
		// The operand of a short tag such as !Sub or !Base64 is text.
		return n.Value, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool", "!!int", "!!float", "!!binary":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	default:
		// Strings, and timestamps such as 2010-09-09, which CloudFormation reads as text.
		return n.Value, nil
	}
}

func (d *decoder) fromMapping(n *yaml.Node) (map[string]any, error) {
	m := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping keys must be scalars", k.Line)
		}
		if k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if _, dup := m[k.Value]; dup {
			return nil, fmt.Errorf("line %d: key %q defined twice", k.Line, k.Value)
		}
		x, err := d.fromNode(v)
		if err != nil {
			return nil, err
		}
		m[k.Value] = x
	}
	// YAML merge keys (<<: *anchor) give defaults that the mapping's own keys override.
	for _, mn := range merges {
		v, err := d.fromNode(mn)
		if err != nil {
			return nil, err
		}
		var srcs []any
		if l, ok := v.([]any); ok {
			srcs = l
		} else {
			srcs = []any{v}
		}
		for _, src := range srcs {
			sm, ok := src.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("line %d: merge key needs a mapping", mn.Line)
			}
			for k, x := range sm {
				if _, ok := m[k]; !ok {
					m[k] = x
				}
			}
		}
	}
	return m, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "a node"
}
