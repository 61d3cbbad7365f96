package repo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/heraldhq/herald/devstack/template"
)

// pseudoParameters are the names CloudFormation defines in every stack.
var pseudoParameters = map[string]bool{
	"AWS::AccountId":        true,
	"AWS::NoValue":          true,
	"AWS::NotificationARNs": true,
	"AWS::Partition":        true,
	"AWS::Region":           true,
	"AWS::StackId":          true,
	"AWS::StackName":        true,
	"AWS::URLSuffix":        true,
}

// CheckRefs reports every Ref, Fn::GetAtt and Fn::Sub placeholder, in Globals,
// Conditions, resources and Outputs, that names something the template does not define:
// Ref and ${Name} must name a resource, a parameter or a pseudo parameter (or, in Fn::Sub,
// one of its own variables); Fn::GetAtt and ${Name.Attribute} must name a resource.
func CheckRefs(tmpl *template.Template) []string {
	c := &refChecker{tmpl: tmpl}
	c.walk("Globals", tmpl.Globals)
	c.walk("Conditions", tmpl.Conditions)
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		c.walk("Resources."+id+".Properties", r.Properties)
		c.walk("Resources."+id+".Metadata", r.Metadata)
	}
	c.walk("Outputs", tmpl.Outputs)
	sort.Strings(c.problems)
	return c.problems
}

// refChecker walks template values for CheckRefs.
type refChecker struct {
	tmpl     *template.Template
	problems []string
}

func (c *refChecker) addf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// walk checks the references in v, which is found at path.
func (c *refChecker) walk(path string, v any) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			if arg, ok := v["Ref"]; ok {
				c.ref(path, arg)
				return
			}
			if arg, ok := v["Fn::GetAtt"]; ok {
				c.getAtt(path, arg)
				return
			}
			if arg, ok := v["Fn::Sub"]; ok {
				c.sub(path, arg)
				return
			}
		}
		for k, x := range v {
			c.walk(path+"."+k, x)
		}
	case []any:
		for i, x := range v {
			c.walk(fmt.Sprintf("%s[%d]", path, i), x)
		}
	}
}

// defined reports whether Ref may name name.
func (c *refChecker) defined(name string) bool {
	_, isResource := c.tmpl.Resources[name]
	_, isParameter := c.tmpl.Parameters[name]
	return isResource || isParameter || pseudoParameters[name] || c.generated(name)
}

// generated reports whether name is a resource SAM generates from the template: the
// AWS::Lambda::Url <Function>Url of a function with a FunctionUrlConfig.
func (c *refChecker) generated(name string) bool {
	fn, ok := strings.CutSuffix(name, "Url")
	if !ok {
		return false
	}
	r, ok := c.tmpl.Resources[fn]
	if !ok || r.Type != "AWS::Serverless::Function" {
		return false
	}
	_, hasURL := r.Properties["FunctionUrlConfig"]
	return hasURL
}

func (c *refChecker) ref(path string, arg any) {
	name, ok := arg.(string)
	switch {
	case !ok:
		c.addf("%s: Ref takes a name, not %v", path, arg)
	case !c.defined(name):
		c.addf("%s: Ref %s names no resource, parameter or pseudo parameter", path, name)
	}
}

func (c *refChecker) getAtt(path string, arg any) {
	var id, attr string
	switch a := arg.(type) {
	case string:
		id, attr, _ = strings.Cut(a, ".")
	case []any:
		if len(a) == 2 {
			id, _ = a[0].(string)
			attr = fmt.Sprint(a[1])
			// The attribute name may be computed.
			c.walk(path+".Fn::GetAtt[1]", a[1])
		}
	}
	if id == "" {
		c.addf("%s: Fn::GetAtt %v: want [LogicalId, Attribute]", path, arg)
		return
	}
	if _, ok := c.tmpl.Resources[id]; !ok && !c.generated(id) {
		c.addf("%s: Fn::GetAtt %s.%s: %s is not a resource", path, id, attr, id)
	}
}

func (c *refChecker) sub(path string, arg any) {
	var text string
	var vars map[string]any
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		var ok bool
		if len(a) == 2 {
			text, ok = a[0].(string)
			vars, _ = a[1].(map[string]any)
		}
		if !ok || vars == nil {
			c.addf("%s: Fn::Sub takes a string or [string, variables], not %v", path, arg)
			return
		}
	default:
		c.addf("%s: Fn::Sub takes a string or [string, variables], not %v", path, arg)
		return
	}
	for k, x := range vars {
		c.walk(path+".Fn::Sub."+k, x)
	}
	for _, name := range subNames(text) {
		if _, local := vars[name]; local {
			continue
		}
		if id, _, isAttr := strings.Cut(name, "."); isAttr {
			if _, ok := c.tmpl.Resources[id]; !ok {
				c.addf("%s: Fn::Sub ${%s}: %s is not a resource", path, name, id)
			}
			continue
		}
		if !c.defined(name) {
			c.addf("%s: Fn::Sub ${%s} names no resource, parameter, pseudo parameter or Sub variable", path, name)
		}
	}
}

// subNames returns the names in the ${...} placeholders of an Fn::Sub string, leaving out
// the ${!Literal} escapes.
func subNames(text string) []string {
	var names []string
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return names
		}
		rest := text[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return names
		}
		if name := rest[:j]; !strings.HasPrefix(name, "!") {
			names = append(names, strings.TrimSpace(name))
		}
		text = rest[j+1:]
	}
}
