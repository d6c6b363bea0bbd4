package scenarios

import (
	"slices"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/hookbench/hookbench/bench"
)

// LoadSelect is Load for a run of only the named patterns, in the order
// given (`hookbench run --patterns`). Patterns the scenario lists keep
// their options; others run with their defaults. The patterns left out
// are dropped before their options are read, with the thresholds that
// apply to them only, so a built-in runs with a subset of its patterns on
// a build that lacks the others. An empty list selects every pattern.
func LoadSelect(nameOrPath string, patterns []string, pats Patterns) (*bench.Scenario, error) {
	return hostEnv().load(nameOrPath, patterns, pats)
}

// selectPatterns rewrites the document root so that its patterns are
// exactly only, in order, and drops the thresholds of the others.
func selectPatterns(root ast.Node, only []string) ast.Node {
	if root == nil {
		root = newMapping()
	}
	m, ok := root.(*ast.MappingNode)
	if !ok {
		mv, isPair := root.(*ast.MappingValueNode)
		if !isPair {
			return root // not a mapping: decoding reports it
		}
		m = newMapping()
		m.Values = []*ast.MappingValueNode{mv}
	}
	var dropped []string
	pv := lookupPair(m, "patterns")
	if pv == nil {
		pv = ast.MappingValue(syntheticToken(":"), ast.String(syntheticToken("patterns")), newMapping())
		m.Values = append(m.Values, pv)
	}
	pm, ok := unwrap(pv.Value).(*ast.MappingNode)
	if !ok {
		if _, isNull := unwrap(pv.Value).(*ast.NullNode); !isNull {
			return m // not a mapping: decoding reports it
		}
		pm = newMapping()
		pv.Value = pm
	}
	kept := make([]*ast.MappingValueNode, 0, len(only))
	for _, name := range only {
		if p := lookupPair(pm, name); p != nil {
			kept = append(kept, p)
			continue
		}
		kept = append(kept, ast.MappingValue(syntheticToken(":"), ast.String(syntheticToken(name)), ast.Null(syntheticToken("null"))))
	}
	for _, p := range pm.Values {
		if name, ok := scalarText(p.Key); ok && !slices.Contains(only, name) {
			dropped = append(dropped, name)
		}
	}
	pm.Values = kept
	if tv := lookupPair(m, "thresholds"); tv != nil {
		dropThresholds(unwrap(tv.Value), dropped)
	}
	return m
}

// dropThresholds removes from the thresholds mapping n the keys in
// dropped, and the expressions that name one of them.
func dropThresholds(n ast.Node, dropped []string) {
	tm, ok := n.(*ast.MappingNode)
	if !ok {
		return
	}
	var keep []*ast.MappingValueNode
	for _, p := range tm.Values {
		if name, ok := scalarText(p.Key); ok && slices.Contains(dropped, name) {
			continue
		}
		if seq, ok := unwrap(p.Value).(*ast.SequenceNode); ok {
			var items []ast.Node
			for _, item := range seq.Values {
				if text, ok := scalarText(unwrap(item)); ok {
					if t, err := bench.ParseThreshold(text); err == nil && slices.Contains(dropped, t.Pattern) {
						continue
					}
				}
				items = append(items, item)
			}
			seq.Values = items
		}
		keep = append(keep, p)
	}
	tm.Values = keep
}

// lookupPair returns the first pair of m with the given key.
func lookupPair(m *ast.MappingNode, key string) *ast.MappingValueNode {
	for _, p := range m.Values {
		if p == nil || p.Key == nil || p.Key.IsMergeKey() {
			continue
		}
		if name, ok := scalarText(p.Key); ok && name == key {
			return p
		}
	}
	return nil
}

// unwrap looks through anchors and tags (not aliases: those are left to
// the decoder).
func unwrap(n ast.Node) ast.Node {
	for i := 0; i < maxDepth; i++ {
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		default:
			return n
		}
	}
	return n
}

// syntheticToken is a token for a node the file does not contain: it has
// no position.
func syntheticToken(value string) *token.Token {
	return &token.Token{Type: token.StringType, Value: value, Origin: value, Position: &token.Position{}}
}
