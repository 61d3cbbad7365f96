package repo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// GoPackage is a package as go list describes it.
type GoPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string // the non-test files of the build, relative to Dir
}

// ModulePackages returns the packages of module that ./functions/<dir> is built from,
// itself included, for the platform and build tags the Makefile builds functions with.
func ModulePackages(root, module, dir string) ([]GoPackage, error) {
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "-json=ImportPath,Dir,GoFiles", "./functions/"+dir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps ./functions/%s: %v\n%s", dir, err, stderr.Bytes())
	}
	var pkgs []GoPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p GoPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -deps ./functions/%s: %v", dir, err)
		}
		if p.ImportPath == module || strings.HasPrefix(p.ImportPath, module+"/") {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, nil
}

// EnvRead is a place where code reads an environment variable.
type EnvRead struct {
	Name string
	Pos  token.Position
}

// heraldVar matches the names of Herald's own environment variables.
var heraldVar = regexp.MustCompile(`^HERALD_[A-Z0-9_]+$`)

// EnvReaders returns the functions whose first argument is the name of the environment
// variable they read, by import path and function name: those of os, and those of the
// module's internal/config.
func EnvReaders(module string) map[string]map[string]bool {
	return map[string]map[string]bool{
		"os":                        {"Getenv": true, "LookupEnv": true},
		module + "/internal/config": {"String": true, "Required": true, "Duration": true, "Int": true},
	}
}

// ScanEnvReads finds the HERALD_ variables that the program whose main package is
// mainPkg reads, given the non-test files of its packages pkgs: calls of readers whose
// first argument is a string literal, or a constant of one of pkgs holding one. Strings
// that merely look like variable names, such as the stream name HERALD_EVENTS, are not
// reads.
//
// Only code that can run counts: main, init functions and package-level declarations,
// and whatever they refer to, transitively. A package shared by several functions often
// has a read only one of them makes (auth.OptionsFromEnv, for the Authorizer). Without
// type information, references are followed by name: pkg.F and, inside F's package, F
// reach the function F; any other selector x.M reaches every method M of pkgs. That
// overestimates what runs, so no read is missed (short of reflection).
//
// The result is sorted by file and offset.
func ScanEnvReads(pkgs []GoPackage, mainPkg string, readers map[string]map[string]bool) ([]EnvRead, error) {
	// code is a function body or a package-level declaration, with what is needed to
	// resolve the names in it.
	type code struct {
		pkg     string
		imports map[string]string
		node    ast.Node
	}
	fset := token.NewFileSet()
	consts := map[string]map[string]string{} // import path -> constant -> value
	funcs := map[string]*code{}              // "importpath.Name" -> function
	methods := map[string][]*code{}          // method name -> methods of that name
	var roots []*code
	for _, p := range pkgs {
		consts[p.ImportPath] = map[string]string{}
		for _, name := range p.GoFiles {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			collectConsts(f, consts[p.ImportPath])
			imports := importNames(f)
			for _, decl := range f.Decls {
				c := &code{pkg: p.ImportPath, imports: imports, node: decl}
				fd, ok := decl.(*ast.FuncDecl)
				switch {
				case !ok:
					roots = append(roots, c)
				case fd.Recv != nil:
					methods[fd.Name.Name] = append(methods[fd.Name.Name], c)
				case fd.Name.Name == "init":
					roots = append(roots, c)
				default:
					funcs[p.ImportPath+"."+fd.Name.Name] = c
				}
			}
		}
	}
	entry, ok := funcs[mainPkg+".main"]
	if !ok {
		return nil, fmt.Errorf("no func main in %s", mainPkg)
	}
	queue := append(roots, entry)
	seen := map[*code]bool{}
	var reads []EnvRead
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil || seen[c] {
			continue
		}
		seen[c] = true
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if name, ok := envName(n, c.pkg, c.imports, readers, consts); ok {
					reads = append(reads, EnvRead{Name: name, Pos: fset.Position(n.Args[0].Pos())})
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && c.imports[x.Name] != "" {
					queue = append(queue, funcs[c.imports[x.Name]+"."+n.Sel.Name])
					return false
				}
				queue = append(queue, methods[n.Sel.Name]...)
				ast.Inspect(n.X, visit)
				return false
			case *ast.Ident:
				queue = append(queue, funcs[c.pkg+"."+n.Name])
			}
			return true
		}
		ast.Inspect(c.node, visit)
	}
	sort.Slice(reads, func(i, j int) bool {
		a, b := reads[i].Pos, reads[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Offset < b.Offset
	})
	return reads, nil
}

// envName returns the HERALD_ variable that call reads, if it is a call of one of
// readers with a constant first argument.
func envName(call *ast.CallExpr, pkg string, imports map[string]string, readers map[string]map[string]bool, consts map[string]map[string]string) (string, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || len(call.Args) == 0 {
		return "", false
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok || !readers[imports[x.Name]][sel.Sel.Name] {
		return "", false
	}
	name, ok := constString(call.Args[0], pkg, imports, consts)
	return name, ok && heraldVar.MatchString(name)
}

// collectConsts adds the package-level string constants of f to consts.
func collectConsts(f *ast.File, consts map[string]string) {
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					break
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						consts[name.Name] = s
					}
				}
			}
		}
	}
}

// importNames maps the names under which f refers to its imports to their paths.
func importNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := path.Base(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = p
	}
	return names
}

// constString returns the string e stands for when it is a string literal, a constant
// of package pkg, or a constant of another scanned package (names.Timeout).
func constString(e ast.Expr, pkg string, imports map[string]string, consts map[string]map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return constString(e.X, pkg, imports, consts)
	case *ast.Ident:
		s, ok := consts[pkg][e.Name]
		return s, ok
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		if !ok {
			return "", false
		}
		s, ok := consts[imports[x.Name]][e.Sel.Name]
		return s, ok
	}
	return "", false
}
