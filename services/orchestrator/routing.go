package orchestrator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// IdentifyModule runs first on every sample and artifact; its identification yields the
// flavors the routing table matches.
const IdentifyModule = "file-processor"

// Route sends samples with matching flavors to a module. A sample matches when it has any
// positive flavor ("*" matches every sample) and none of the negative ones. Routes with a lower
// priority run first in the report's module list; all matching modules run in parallel.
type Route struct {
	Module   string
	Positive []string
	Negative []string
	Priority int
}

// DefaultRoutes is the routing table. Flavors are documented in docs/file-types.md; a test
// proves every route names a built module and every module is reachable.
var DefaultRoutes = []Route{
	{Module: IdentifyModule, Positive: []string{"*"}, Priority: 0},
	{Module: "crypto", Positive: []string{"*"}, Priority: 10},
	{Module: "pattern-matcher", Positive: []string{"*"}, Priority: 20},
	{Module: "network", Positive: []string{"*"}, Negative: []string{"image"}, Priority: 30},
	{Module: "deobfuscator", Positive: []string{"script", "text", "document", "data", "html", "hta"}, Negative: []string{"executable", "image", "archive", "capture"}, Priority: 40},
	{Module: "analysis-engine", Positive: []string{"pe", "elf"}, Priority: 50},
	{Module: "sandbox", Positive: []string{"javascript", "html", "hta", "wsf"}, Priority: 60},
}

// Routes is a routing table.
type Routes []Route

// Select returns the modules (other than the identification module) that the flavors route
// to, restricted to loaded modules and, when only is not empty, to those names.
func (rs Routes) Select(flavors []string, loaded map[string]bool, only []string) []string {
	var out []Route
	for _, r := range rs {
		if r.eligible(loaded, only) && r.matches(flavors) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Route) int { return a.Priority - b.Priority })
	names := make([]string, len(out))
	for i, r := range out {
		names[i] = r.Module
	}
	return names
}

// Always returns the modules (other than the identification module) that Select chooses
// whatever the flavors — routes matching every sample ("*") with no negative flavor — in
// table order, restricted as Select restricts them.
func (rs Routes) Always(loaded map[string]bool, only []string) []string {
	var out []string
	for _, r := range rs {
		if r.eligible(loaded, only) && len(r.Negative) == 0 && slices.Contains(r.Positive, "*") {
			out = append(out, r.Module)
		}
	}
	return out
}

// eligible reports whether the route's module may be selected at all: not the identification
// module, loaded, and among only when only is not empty.
func (r Route) eligible(loaded map[string]bool, only []string) bool {
	return r.Module != IdentifyModule && loaded[r.Module] && (len(only) == 0 || slices.Contains(only, r.Module))
}

func (r Route) matches(flavors []string) bool {
	for _, n := range r.Negative {
		if slices.Contains(flavors, n) {
			return false
		}
	}
	for _, p := range r.Positive {
		if p == "*" || slices.Contains(flavors, p) {
			return true
		}
	}
	return false
}

// Version hashes the table, so that a routing change changes the pipeline version.
func (rs Routes) Version() string {
	h := sha256.New()
	for _, r := range rs {
		fmt.Fprintf(h, "%s|%s|%s|%d\n", r.Module, strings.Join(r.Positive, ","), strings.Join(r.Negative, ","), r.Priority)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
