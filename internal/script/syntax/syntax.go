// Package syntax checks a script's source without running it: that it parses, and that
// it declares the function a trigger calls. The API functions check scripts with it when
// a trigger is saved, without linking the JavaScript engine that runs them (package
// script, used by Deliver and EventsApi, which also loads a script before its first run).
package syntax

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// MaxSourceBytes bounds a script's source.
const MaxSourceBytes = 64 << 10

// Name is the file name scripts are parsed under, which positions in errors refer to.
const Name = "script.js"

// Check returns why src is not a script declaring function entry at its top level (a
// function declaration, or a var, let or const of that name), or nil. The error says
// where a syntax error is.
func Check(src, entry string) error {
	if len(src) > MaxSourceBytes {
		return errors.New("must be at most " + strconv.Itoa(MaxSourceBytes) + " bytes")
	}
	if !utf8.ValidString(src) {
		return errors.New("must be UTF-8")
	}
	// The parser otherwise reads the file a sourceMappingURL comment names.
	prog, err := parser.ParseFile(nil, Name, src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return Describe(err)
	}
	if !declares(prog, entry) {
		return errors.New("must define function " + entry + "(event)")
	}
	return nil
}

// Describe turns a parse error into one naming its line and column.
func Describe(err error) error {
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return fmt.Errorf("has a syntax error at line %d, column %d: %s", list[0].Position.Line, list[0].Position.Column, list[0].Message)
	}
	return fmt.Errorf("has a syntax error: %v", err)
}

// declares reports whether prog declares name at its top level.
func declares(prog *ast.Program, name string) bool {
	binds := func(list []*ast.Binding) bool {
		for _, b := range list {
			if id, ok := b.Target.(*ast.Identifier); ok && string(id.Name) == name {
				return true
			}
		}
		return false
	}
	for _, st := range prog.Body {
		switch st := st.(type) {
		case *ast.FunctionDeclaration:
			if st.Function.Name != nil && string(st.Function.Name.Name) == name {
				return true
			}
		case *ast.VariableStatement:
			if binds(st.List) {
				return true
			}
		case *ast.LexicalDeclaration:
			if binds(st.List) {
				return true
			}
		}
	}
	return false
}
