package script

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/token"
	"github.com/dop251/goja/unistring"
)

// inScope compiles the parsed script as the body of a function that is called at once
// and returns the entry function, or null when the script does not define one:
//
//	(function () { <script>; return typeof entry === "function" ? entry : null })()
//
// Its top-level declarations (var, let, const, function, class) are thus local to one
// run, not bindings of the runtime's global scope, which would outlive the run on a
// reused runtime (and a second let or const of the same name would not even load).
// The statements keep their positions in the source, so errors name the same lines
// and columns. The script was parsed as a script first, so what a function body allows
// and a script does not (return, new.target) never gets here.
func inScope(prog *ast.Program, entry string) (*goja.Program, error) {
	end := file.Idx(prog.File.Base() + len(prog.File.Source()))
	name := unistring.NewFromString(entry)
	ret := &ast.ReturnStatement{Return: end, Argument: &ast.ConditionalExpression{
		Test: &ast.BinaryExpression{
			Operator: token.STRICT_EQUAL,
			Left:     &ast.UnaryExpression{Operator: token.TYPEOF, Idx: end, Operand: &ast.Identifier{Name: name, Idx: end}},
			Right:    &ast.StringLiteral{Idx: end, Literal: `"function"`, Value: "function"},
		},
		Consequent: &ast.Identifier{Name: name, Idx: end},
		Alternate:  &ast.NullLiteral{Idx: end, Literal: "null"},
	}}
	body := append(append([]ast.Statement(nil), prog.Body...), ret)
	fn := &ast.FunctionLiteral{
		Function:        file.Idx(prog.File.Base()),
		ParameterList:   &ast.ParameterList{Opening: file.Idx(prog.File.Base()), Closing: file.Idx(prog.File.Base())},
		Body:            &ast.BlockStatement{LeftBrace: file.Idx(prog.File.Base()), List: body, RightBrace: end},
		DeclarationList: prog.DeclarationList,
	}
	wrapped := &ast.Program{
		Body: []ast.Statement{&ast.ExpressionStatement{Expression: &ast.CallExpression{
			Callee: fn, LeftParenthesis: end, RightParenthesis: end,
		}}},
		File: prog.File,
	}
	return goja.CompileAST(wrapped, false)
}
