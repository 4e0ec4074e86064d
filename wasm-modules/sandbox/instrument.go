package sandbox

import (
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// Names of the hooks the instrumented code calls. They are defined on the global object as
// non-writable, non-enumerable properties so a sample can neither see nor replace them.
const (
	tickHook  = "__athena_t"
	layerHook = "__athena_L"
)

// insertion is text to put before the byte at offset pos of the source.
type insertion struct {
	pos  int
	text string
	// order breaks ties at one offset: closing text goes before opening text.
	order int
}

// instrument rewrites JavaScript source so the interpreter cannot loop without calling back into
// Go: a goja VM cannot be interrupted by a timer inside a wasip1 guest (there is no preemption,
// so a watchdog goroutine never runs while the VM spins), so every loop body and function body
// gets a call to the tick hook, which counts work and checks the clock. Every eval call site gets
// its argument wrapped in the layer hook, so a dynamically built code layer is recorded and
// instrumented in turn while direct eval keeps its local scope. depth is the eval depth of the
// code being instrumented. ok is false when the source does not parse or the rewrite would not
// parse; the caller then runs the source as it is and notes it.
func instrument(src string, depth int) (out string, ok bool) {
	prg, err := parser.ParseFile(nil, "", src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return src, false
	}
	var ins []insertion
	seen := map[uintptr]bool{}
	visit(reflect.ValueOf(prg), seen, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.ForStatement:
			ins = appendBody(ins, src, n.Body)
		case *ast.ForInStatement:
			ins = appendBody(ins, src, n.Body)
		case *ast.ForOfStatement:
			ins = appendBody(ins, src, n.Body)
		case *ast.WhileStatement:
			ins = appendBody(ins, src, n.Body)
		case *ast.DoWhileStatement:
			// A non-block body of do…while cannot be wrapped in braces without moving its
			// semicolon, so only block bodies are instrumented; the statement inside still
			// ticks if it calls a function.
			if b, isBlock := n.Body.(*ast.BlockStatement); isBlock {
				ins = appendBody(ins, src, b)
			}
		case *ast.FunctionLiteral:
			if n.Body != nil {
				ins = append(ins, insertion{pos: offset(n.Body.LeftBrace) + 1, text: tickHook + "();", order: 1})
			}
		case *ast.ArrowFunctionLiteral:
			if b, isBlock := n.Body.(*ast.BlockStatement); isBlock {
				ins = append(ins, insertion{pos: offset(b.LeftBrace) + 1, text: tickHook + "();", order: 1})
			}
		case *ast.CallExpression:
			if isEvalCallee(n.Callee) && len(n.ArgumentList) > 0 {
				// The argument's own end misses parentheses around it (they are not in the
				// AST), so a single argument is wrapped from paren to paren.
				start, end := offset(n.LeftParenthesis)+1, offset(n.RightParenthesis)
				if len(n.ArgumentList) > 1 {
					start, end = span(src, n.ArgumentList[0], start)
				}
				ins = append(ins,
					insertion{pos: start, text: layerHook + "(", order: 1},
					insertion{pos: end, text: "," + strconv.Itoa(depth+1) + ")", order: 0})
			}
		}
	})
	if len(ins) == 0 {
		return src, true
	}
	for _, in := range ins {
		if in.pos < 0 || in.pos > len(src) {
			return src, false
		}
	}
	sort.SliceStable(ins, func(i, j int) bool {
		if ins[i].pos != ins[j].pos {
			return ins[i].pos < ins[j].pos
		}
		return ins[i].order < ins[j].order
	})
	var b strings.Builder
	b.Grow(len(src) + len(ins)*16)
	last := 0
	for _, in := range ins {
		b.WriteString(src[last:in.pos])
		b.WriteString(in.text)
		last = in.pos
	}
	b.WriteString(src[last:])
	out = b.String()
	// The rewrite is positional; a construct whose node positions do not cover its text (rare
	// edge cases of the parser) would produce broken code, so the result is checked.
	if _, err := parser.ParseFile(nil, "", out, 0, parser.WithDisableSourceMaps); err != nil {
		return src, false
	}
	return out, true
}

// appendBody makes a loop body call the tick hook on every iteration.
func appendBody(ins []insertion, src string, body ast.Statement) []insertion {
	if body == nil {
		return ins
	}
	if b, isBlock := body.(*ast.BlockStatement); isBlock {
		return append(ins, insertion{pos: offset(b.LeftBrace) + 1, text: tickHook + "();", order: 1})
	}
	start, end := span(src, body, 0)
	return append(ins,
		insertion{pos: start, text: "{" + tickHook + "();", order: 1},
		insertion{pos: end, text: "\n}", order: 0})
}

// span is the byte range of node n including the parentheses around it, which goja's AST does
// not record: opening ones are counted back from the node's start (not before floor), as many
// closing ones are taken after its end. goja also counts an identifier's length in its internal
// encoding, not in bytes, so identifiers are measured in the source.
func span(src string, n ast.Node, floor int) (start, end int) {
	start = offset(n.Idx0())
	open := 0
	for i := start - 1; i >= floor && i < len(src); i-- {
		if src[i] == '(' {
			open++
			start = i
		} else if !isSpace(src[i]) {
			break
		}
	}
	end = offset(n.Idx1())
	if id, isIdent := n.(*ast.Identifier); isIdent {
		end = offset(id.Idx)
		for end < len(src) && (src[end] >= 0x80 || src[end] == '_' || src[end] == '$' ||
			'a' <= src[end]|0x20 && src[end]|0x20 <= 'z' || '0' <= src[end] && src[end] <= '9') {
			end++
		}
	}
	for i := end; open > 0 && i >= 0 && i < len(src); i++ {
		if src[i] == ')' {
			open--
			end = i + 1
		} else if !isSpace(src[i]) {
			break
		}
	}
	return start, end
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isEvalCallee(e ast.Expression) bool {
	switch c := e.(type) {
	case *ast.Identifier:
		return c.Name == "eval"
	case *ast.DotExpression:
		return c.Identifier.Name == "eval"
	case *ast.BracketExpression:
		s, isString := c.Member.(*ast.StringLiteral)
		return isString && s.Value == "eval"
	}
	return false
}

// offset converts a parser index (1-based, first file of the set) into a byte offset.
func offset(i file.Idx) int { return int(i) - 1 }

var nodeType = reflect.TypeOf((*ast.Node)(nil)).Elem()

// visit walks every ast.Node reachable from v once. goja's ast package has no walker, and a
// reflective walk keeps up with node types added in later goja versions. Nodes are shared
// (Program.DeclarationList points at the same declarations as the statements), hence seen.
func visit(v reflect.Value, seen map[uintptr]bool, fn func(ast.Node)) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			visit(v.Elem(), seen, fn)
		}
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		if v.Type().Implements(nodeType) {
			fn(v.Interface().(ast.Node))
		}
		if v.Elem().Kind() == reflect.Struct {
			visit(v.Elem(), seen, fn)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(file.File{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanInterface() {
				visit(f, seen, fn)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			visit(v.Index(i), seen, fn)
		}
	}
}
