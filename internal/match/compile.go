package match

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unique"

	"github.com/heraldhq/herald/internal/fault"
)

// Limits on one filter. Matching cost grows with each, and a filter is compiled once
// but evaluated on every candidate event.
const (
	MaxKeys          = 32  // keys in all, "$or" keys and those of "$or" branches included
	MaxValues        = 256 // strings, numbers, booleans and nulls in all
	MaxRegexBytes    = 512 // length of one regular expression
	MaxWildcardStars = 16  // unescaped stars in one wildcard pattern
	MaxPathBytes     = 256 // length of one key; events are not read deeper
)

// Operator names, as written in filters.
const (
	opNameExact       = "exact"
	opNamePrefix      = "prefix"
	opNameSuffix      = "suffix"
	opNameWildcard    = "wildcard"
	opNameRegex       = "regex"
	opNameIgnoreCase  = "equals-ignore-case"
	opNameAnythingBut = "anything-but"
	opNameExists      = "exists"
	opNameNumeric     = "numeric"
	opNameCIDR        = "cidr"
)

// Compile parses and checks a filter. An empty raw, or JSON null, is the filter that
// matches every event, like {}. The error is a fault Invalid naming each place at
// fault by its path inside the filter ("" for the filter as a whole).
func Compile(raw json.RawMessage) (*Filter, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return &Filter{}, nil
	}
	if !json.Valid(raw) {
		return nil, fault.Field("", "is not valid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fault.Field("", "is not valid JSON")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fault.Field("", "must be a JSON object")
	}
	var c compiler
	f := &Filter{}
	c.object(&f.root, "", obj)
	if err := fault.Fields(c.errs); err != nil {
		return nil, err
	}
	return f, nil
}

// MustCompile is Compile for filters known to be valid, such as constants; it panics
// on error.
func MustCompile(raw string) *Filter {
	f, err := Compile(json.RawMessage(raw))
	if err != nil {
		panic(err)
	}
	return f
}

// compiler collects the errors of one filter: every error up to the first limit
// broken, which is the last, so that the error stays small whatever the filter holds.
type compiler struct {
	keys, values int
	errs         []fault.FieldError
	stop         bool // a limit is broken
}

func (c *compiler) fail(field, msg string) {
	if !c.stop {
		c.errs = append(c.errs, fault.FieldError{Field: field, Message: msg})
	}
}

// over reports a broken limit at field and stops the compilation.
func (c *compiler) over(field, msg string) {
	c.fail(field, msg)
	c.stop = true
}

// join returns the place of key inside the filter object at at.
func join(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

func elem(at string, i int) string { return at + "[" + strconv.Itoa(i) + "]" }

// object compiles the filter object obj at at into n.
func (c *compiler) object(n *node, at string, obj map[string]any) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n.conds = make([]cond, 0, len(keys))
	for _, k := range keys {
		if c.stop {
			return
		}
		field := join(at, k)
		if k == "" {
			field = at
		}
		c.keys++
		if c.keys > MaxKeys {
			c.over(field, "makes more than "+strconv.Itoa(MaxKeys)+" keys in the filter")
			return
		}
		switch {
		case k == "$or":
			c.or(n, field, obj[k])
		case strings.HasPrefix(k, "$"):
			c.fail(field, `unknown key; "$or" is the only key starting with "$"`)
		case k == "":
			c.fail(field, "has an empty key")
		case k[0] == '.' || k[len(k)-1] == '.' || strings.Contains(k, ".."):
			c.fail(field, "must not have empty path segments")
		case len(k) > MaxPathBytes:
			c.fail(field, "must be at most "+strconv.Itoa(MaxPathBytes)+" bytes")
		default:
			c.cond(n, field, k, obj[k])
		}
	}
}

func (c *compiler) or(n *node, field string, v any) {
	arr, ok := v.([]any)
	if !ok || len(arr) < 2 {
		c.fail(field, "must be an array of at least 2 filters")
		return
	}
	o := orNode{field: field}
	for i, e := range arr {
		if c.stop {
			return
		}
		at := elem(field, i)
		obj, ok := e.(map[string]any)
		if !ok {
			c.fail(at, "must be a filter object")
			continue
		}
		b := &node{}
		c.object(b, at, obj)
		o.branches = append(o.branches, b)
	}
	n.ors = append(n.ors, o)
}

// cond compiles the value v of the key path, at field.
func (c *compiler) cond(n *node, field, path string, v any) {
	// Filters share the text of their paths, which an event lookup compares, so that
	// it stays in cache however many triggers there are.
	path = unique.Make(path).Value()
	alts := 1
	if arr, ok := v.([]any); ok {
		alts = len(arr)
	}
	cd := cond{field: field, path: path, hash: hashString(path), tests: make([]pred, 0, alts), keys: make([]key, 0, alts)}
	if arr, ok := v.([]any); ok {
		cd.operator = "any-of"
		if len(arr) == 0 {
			c.fail(field, "must not be an empty array")
			return
		}
		for i, e := range arr {
			if c.stop {
				return
			}
			at := elem(field, i)
			if _, ok := e.([]any); ok {
				c.fail(at, "must not be an array; arrays do not nest")
				continue
			}
			c.alt(&cd, at, e)
		}
	} else {
		cd.operator = c.alt(&cd, field, v)
	}
	cd.operand = marshal(v)
	n.conds = append(n.conds, cd)
}

// marshal returns v as compact JSON, without HTML escapes ("<" stays "<").
func marshal(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.Clone(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// value counts one value at field against MaxValues.
func (c *compiler) value(field string) {
	c.values++
	if c.values > MaxValues {
		c.over(field, "makes more than "+strconv.Itoa(MaxValues)+" values in the filter")
	}
}

// alt compiles one alternative v at at into cd, and returns the operator's name.
func (c *compiler) alt(cd *cond, at string, v any) string {
	var p pred
	var k key
	var name string
	switch v := v.(type) {
	case map[string]any:
		return c.operator(cd, at, v)
	case string:
		c.value(at)
		name = "equals"
		p, k = c.wildcard(at, v)
		if p.op == opWildcard {
			name = opNameWildcard
		}
	case json.Number:
		c.value(at)
		name = "equals"
		l, ok := c.literal(at, v)
		if !ok {
			return name
		}
		p, k = equals(l)
	case bool, nil:
		c.value(at)
		name = "equals"
		l, _ := c.literal(at, v)
		p, k = equals(l)
	}
	c.add(cd, p, k)
	return name
}

// add appends p and its key k (kind 0 when it has none) to cd.
func (c *compiler) add(cd *cond, p pred, k key) {
	if p.op == opExists {
		if p.lit.kind == kTrue {
			cd.ifPresent = true
		} else {
			cd.ifMissing = true
		}
	} else {
		cd.tests = append(cd.tests, p)
	}
	switch {
	case cd.keys == nil:
	case k.kind == 0:
		cd.keys = nil
	default:
		cd.keys = append(cd.keys, k)
	}
}

// literal converts a scalar of the decoded filter.
func (c *compiler) literal(at string, v any) (literal, bool) {
	switch v := v.(type) {
	case string:
		return literal{kind: kString, s: v}, true
	case json.Number:
		n, err := strconv.ParseFloat(string(v), 64)
		if err != nil || math.IsInf(n, 0) {
			c.fail(at, "is not a number in the range of float64")
			return literal{}, false
		}
		return literal{kind: kNumber, n: n}, true
	case bool:
		if v {
			return literal{kind: kTrue}, true
		}
		return literal{kind: kFalse}, true
	case nil:
		return literal{kind: kNull}, true
	}
	return literal{}, false
}

func equals(l literal) (pred, key) {
	p := pred{op: opEquals, lit: l}
	switch l.kind {
	case kString:
		return p, key{kind: keyString, s: l.s}
	case kNumber:
		return p, key{kind: keyNumber, n: l.n}
	case kTrue:
		return p, key{kind: keyTrue}
	case kFalse:
		return p, key{kind: keyFalse}
	}
	return p, key{kind: keyNull}
}

// wildcard compiles the wildcard pattern s; without stars it is an equality.
func (c *compiler) wildcard(at, s string) (pred, key) {
	w, stars := parseWildcard(s)
	if stars > MaxWildcardStars {
		c.fail(at, "must have at most "+strconv.Itoa(MaxWildcardStars)+" wildcards (*)")
	}
	if w.literal() {
		return equals(literal{kind: kString, s: w.segs[0]})
	}
	p := pred{op: opWildcard, ext: &w}
	switch first, last := w.segs[0], w.segs[len(w.segs)-1]; {
	case first != "":
		return p, key{kind: keyPrefix, s: first}
	case last != "":
		return p, key{kind: keySuffix, s: last}
	}
	return p, key{}
}

// operator compiles the operator object obj at at into cd.
func (c *compiler) operator(cd *cond, at string, obj map[string]any) string {
	if len(obj) != 1 {
		names := make([]string, 0, len(obj))
		for name := range obj {
			names = append(names, name)
		}
		slices.Sort(names)
		if len(names) == 0 {
			c.fail(at, "must hold an operator")
		} else {
			c.fail(at, "must hold exactly one operator, not "+strconv.Itoa(len(names))+" ("+strings.Join(names, ", ")+")")
		}
		return ""
	}
	var name string
	var arg any
	for name, arg = range obj { // the one operator
	}
	at = join(at, name)
	var p pred
	var k key
	str := func() (string, bool) {
		c.value(at)
		s, ok := arg.(string)
		if !ok {
			c.fail(at, "must be a string")
		}
		return s, ok
	}
	switch name {
	case opNameExact:
		s, ok := str()
		if !ok {
			return name
		}
		p, k = equals(literal{kind: kString, s: s})
	case opNamePrefix:
		s, ok := str()
		if !ok {
			return name
		}
		p, k = pred{op: opPrefix, lit: literal{kind: kString, s: s}}, key{kind: keyPrefix, s: s}
	case opNameSuffix:
		s, ok := str()
		if !ok {
			return name
		}
		p, k = pred{op: opSuffix, lit: literal{kind: kString, s: s}}, key{kind: keySuffix, s: s}
	case opNameWildcard:
		s, ok := str()
		if !ok {
			return name
		}
		p, k = c.wildcard(at, s)
	case opNameRegex:
		s, ok := str()
		if !ok {
			return name
		}
		if len(s) > MaxRegexBytes {
			c.fail(at, "must be at most "+strconv.Itoa(MaxRegexBytes)+" bytes")
			return name
		}
		re, err := compileRegexp(s)
		if err != nil {
			c.fail(at, "is not a valid regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			return name
		}
		p = pred{op: opRegex, ext: re}
		if s := regexPrefix(s); s != "" {
			k = key{kind: keyPrefix, s: s}
		}
	case opNameIgnoreCase:
		s, ok := str()
		if !ok {
			return name
		}
		p = pred{op: opIgnoreCase, lit: literal{kind: kString, s: s}}
	case opNameAnythingBut:
		var but []literal
		list, isList := arg.([]any)
		if !isList {
			list = []any{arg}
		} else if len(list) == 0 {
			c.fail(at, "must not be an empty array")
			return name
		}
		for i, e := range list {
			if c.stop {
				return name
			}
			eat := at
			if isList {
				eat = elem(at, i)
			}
			c.value(eat)
			switch e.(type) {
			case map[string]any, []any:
				c.fail(eat, "must be a string, number, boolean or null")
				continue
			}
			if l, ok := c.literal(eat, e); ok {
				but = append(but, l)
			}
		}
		p = pred{op: opAnythingBut, ext: but}
	case opNameExists:
		c.value(at)
		b, ok := arg.(bool)
		if !ok {
			c.fail(at, "must be true or false")
			return name
		}
		p = pred{op: opExists, lit: literal{kind: kFalse}}
		if b {
			p.lit.kind = kTrue
			k = key{kind: keyPresent}
		}
	case opNameNumeric:
		cmp, ok := c.numeric(at, arg)
		if !ok {
			return name
		}
		p = pred{op: opNumeric, ext: cmp}
		for _, x := range cmp {
			if x.op == "=" {
				k = key{kind: keyNumber, n: x.n}
			}
		}
	case opNameCIDR:
		s, ok := str()
		if !ok {
			return name
		}
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			c.fail(at, "must be an IPv4 or IPv6 block such as 10.0.0.0/24 or 2001:db8::/32")
			return name
		}
		p = pred{op: opCIDR, ext: prefix.Masked()}
	default:
		c.fail(at, fmt.Sprintf("unknown operator %q; the operators are exact, prefix, suffix, wildcard, regex, "+
			"equals-ignore-case, anything-but, exists, numeric and cidr", name))
		return name
	}
	c.add(cd, p, k)
	return name
}

const numericRule = `must be [op, number] or [op, number, op, number] with op one of "<", "<=", "=", ">", ">="`

// numeric compiles the operand of "numeric".
func (c *compiler) numeric(at string, arg any) ([]comparison, bool) {
	arr, ok := arg.([]any)
	if !ok || len(arr) != 2 && len(arr) != 4 {
		c.fail(at, numericRule)
		return nil, false
	}
	var out []comparison
	for i := 0; i < len(arr); i += 2 {
		op, _ := arr[i].(string)
		switch op {
		case "<", "<=", "=", ">", ">=":
		default:
			c.fail(elem(at, i), numericRule)
			return nil, false
		}
		num, isNum := arr[i+1].(json.Number)
		c.value(elem(at, i+1))
		if !isNum {
			c.fail(elem(at, i+1), "must be a number")
			return nil, false
		}
		l, ok := c.literal(elem(at, i+1), num)
		if !ok {
			return nil, false
		}
		out = append(out, comparison{n: l.n, op: op})
	}
	return out, true
}

// regexps holds compiled regular expressions by source, so that the many filters that
// use the same expression share one: a compiled expression takes kilobytes, and
// shared it stays in cache. A *regexp.Regexp is safe for concurrent use. The cache is
// bounded; past the bound an arbitrary entry makes room.
var regexps struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}

const maxCachedRegexps = 1024

func compileRegexp(expr string) (*regexp.Regexp, error) {
	regexps.Lock()
	re := regexps.m[expr]
	regexps.Unlock()
	if re != nil {
		return re, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	regexps.Lock()
	defer regexps.Unlock()
	if regexps.m == nil {
		regexps.m = make(map[string]*regexp.Regexp)
	}
	if len(regexps.m) >= maxCachedRegexps {
		for k := range regexps.m {
			delete(regexps.m, k)
			break
		}
	}
	regexps.m[expr] = re
	return re, nil
}

// regexPrefix returns the literal text every match of expr must begin the value
// with: the literal right after a leading ^ (not in multi-line mode, not folding
// case). It is "" when there is none. The parse is the one regexp.Compile makes.
func regexPrefix(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return ""
	}
	lit := re.Sub[1]
	if lit.Op != syntax.OpLiteral || lit.Flags&syntax.FoldCase != 0 {
		return ""
	}
	s := string(lit.Rune)
	// Values are valid UTF-8, in which U+FFFD is itself, but keep clear of it anyway:
	// the regexp engine reads it for any invalid byte.
	if i := strings.IndexRune(s, utf8.RuneError); i >= 0 {
		s = s[:i]
	}
	return s
}
