package orchestrator

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	"github.com/athena-mesh/athena/services/wasmruntime"
)

// builtModules loads the real modules and returns their names.
func builtModules(t *testing.T) map[string]bool {
	t.Helper()
	ctx := context.Background()
	rt, err := wasmruntime.New(ctx, wasmruntime.Config{
		ModulesDir: testutil.ModulesDir(t), ReloadInterval: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("load modules: %v", err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := rt.Close(cctx); err != nil {
			t.Errorf("close runtime: %v", err)
		}
	})
	names := map[string]bool{}
	for _, m := range rt.Modules() {
		names[m.Name] = true
	}
	return names
}

func TestRoutesMatchBuiltModules(t *testing.T) {
	built := builtModules(t)
	if len(built) == 0 {
		t.Fatal("no modules loaded")
	}
	routed := map[string]bool{}
	for _, r := range DefaultRoutes {
		routed[r.Module] = true
		if !built[r.Module] {
			t.Errorf("route to %q, but no built module has that name (built: %v)", r.Module, keys(built))
		}
	}
	for name := range built {
		if !routed[name] {
			t.Errorf("built module %q has no route", name)
			continue
		}
		if name == IdentifyModule {
			continue // runs on every sample before routing
		}
		// Some flavor must reach the module through Select.
		reached := false
		for _, r := range DefaultRoutes {
			if r.Module != name {
				continue
			}
			for _, p := range r.Positive {
				flavors := []string{p}
				if p == "*" {
					flavors = []string{"data"}
				}
				if slices.Contains(Routes(DefaultRoutes).Select(flavors, built, nil), name) {
					reached = true
				}
			}
		}
		if !reached {
			t.Errorf("no flavor reaches built module %q", name)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestRoutesNameTypesAndCategories: a large sample is routed on its identification alone, before
// its parse (pipeline.go), which may add structural hints (docs/file-types.md); so routes name
// file types and categories, never hints.
func TestRoutesNameTypesAndCategories(t *testing.T) {
	for _, r := range DefaultRoutes {
		for _, f := range append(slices.Clone(r.Positive), r.Negative...) {
			if strings.Contains(f, ":") || f == "packed" || f == "has_macros" {
				t.Errorf("route to %s names the hint %q", r.Module, f)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	loaded := map[string]bool{}
	for _, m := range allModules {
		loaded[m] = true
	}
	tests := []struct {
		name    string
		flavors []string
		loaded  map[string]bool
		only    []string
		want    []string
	}{
		{"pe", []string{"executable", "pe"}, loaded, nil, []string{"crypto", "pattern-matcher", "network", "analysis-engine"}},
		{"javascript", []string{"script", "javascript"}, loaded, nil, []string{"crypto", "pattern-matcher", "network", "deobfuscator", "sandbox"}},
		{"image skips network", []string{"image"}, loaded, nil, []string{"crypto", "pattern-matcher"}},
		{"archive skips deobfuscator", []string{"archive", "data"}, loaded, nil, []string{"crypto", "pattern-matcher", "network"}},
		{"only", []string{"script", "javascript"}, loaded, []string{"sandbox", "crypto"}, []string{"crypto", "sandbox"}},
		{"not loaded", []string{"pe"}, map[string]bool{"crypto": true}, nil, []string{"crypto"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Routes(DefaultRoutes).Select(tt.flavors, tt.loaded, tt.only)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Select(%v) = %v, want %v", tt.flavors, got, tt.want)
			}
		})
	}
}

// TestAlways: the modules Always names are chosen by Select for any flavors at all (they are
// told to the runtime before the identification), and no others.
func TestAlways(t *testing.T) {
	loaded := map[string]bool{}
	for _, m := range allModules {
		loaded[m] = true
	}
	rs := Routes(DefaultRoutes)
	if got, want := rs.Always(loaded, nil), []string{"crypto", "pattern-matcher"}; !slices.Equal(got, want) {
		t.Errorf("Always = %v, want %v", got, want)
	}
	if got := rs.Always(loaded, []string{"network", "pattern-matcher"}); !slices.Equal(got, []string{"pattern-matcher"}) {
		t.Errorf("Always restricted to network, pattern-matcher = %v", got)
	}
	if got := rs.Always(map[string]bool{"network": true, "crypto": false}, nil); len(got) != 0 {
		t.Errorf("Always without crypto and pattern-matcher loaded = %v", got)
	}
	for _, flavors := range [][]string{nil, {"image"}, {"executable", "pe"}, {"archive", "data"}, {"script", "javascript"}, {"capture"}} {
		sel := rs.Select(flavors, loaded, nil)
		for _, m := range rs.Always(loaded, nil) {
			if !slices.Contains(sel, m) {
				t.Errorf("flavors %v: Select %v lacks %s", flavors, sel, m)
			}
		}
	}
}

func TestRoutesVersionChangesWithTable(t *testing.T) {
	changed := slices.Clone(DefaultRoutes)
	changed[1].Priority++
	if Routes(changed).Version() == Routes(DefaultRoutes).Version() {
		t.Error("a routing change left the routes version unchanged")
	}
}
