package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/athena-mesh/athena/internal/grpcserver"
	"github.com/athena-mesh/athena/internal/mesh"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	"github.com/athena-mesh/athena/services/orchestrator"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
)

// clientFlags are shared by the commands that talk to a server or run in-process.
type clientFlags struct {
	server, apiKey, modulesDir, rulesDir string
	local, asJSON                        bool
	timeout                              time.Duration
}

func (c *clientFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
	DurationVar(*time.Duration, string, time.Duration, string)
}) {
	fs.StringVar(&c.server, "server", "127.0.0.1:9090", "gateway gRPC address")
	fs.StringVar(&c.apiKey, "api-key", "", "API key, when the gateway requires one")
	fs.BoolVar(&c.local, "local", false, "run the pipeline in-process instead of calling a server")
	fs.StringVar(&c.modulesDir, "modules-dir", defaultModulesDir(), "analyzer modules, with --local")
	fs.StringVar(&c.rulesDir, "rules-dir", "", "user YARA rulesets, with --local")
	fs.BoolVar(&c.asJSON, "json", false, "print protojson instead of a summary")
	fs.DurationVar(&c.timeout, "timeout", 2*time.Minute, "deadline of each request")
}

// analyzer is the pipeline as the CLI sees it, remote or local.
type analyzer interface {
	analyze(ctx context.Context, s *analysisv1.SampleInput, o *analysisv1.AnalysisOptions) (*analysisv1.Report, error)
	modules(ctx context.Context) ([]*analysisv1.ModuleDescriptor, string, error)
	close()
}

type remote struct {
	conn   *grpc.ClientConn
	client analysisv1.AnalysisServiceClient
	key    string
}

func (r *remote) ctx(ctx context.Context) context.Context {
	if r.key == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "x-api-key", r.key)
}

func (r *remote) analyze(ctx context.Context, s *analysisv1.SampleInput, o *analysisv1.AnalysisOptions) (*analysisv1.Report, error) {
	resp, err := r.client.Analyze(r.ctx(ctx), &analysisv1.AnalyzeRequest{Sample: s, Options: o})
	if err != nil {
		return nil, err
	}
	return resp.Report, nil
}

func (r *remote) modules(ctx context.Context) ([]*analysisv1.ModuleDescriptor, string, error) {
	resp, err := r.client.ListModules(r.ctx(ctx), &analysisv1.ListModulesRequest{})
	if err != nil {
		return nil, "", err
	}
	return resp.Modules, resp.PipelineVersion, nil
}

func (r *remote) close() { r.conn.Close() }

type local struct {
	orch *orchestrator.Orchestrator
	stop func()
}

func (l *local) analyze(ctx context.Context, s *analysisv1.SampleInput, o *analysisv1.AnalysisOptions) (*analysisv1.Report, error) {
	return l.orch.Analyze(ctx, s, o)
}

func (l *local) modules(ctx context.Context) ([]*analysisv1.ModuleDescriptor, string, error) {
	return l.orch.ListModules(ctx)
}

func (l *local) close() { l.stop() }

func (c *clientFlags) open(ctx context.Context, stderr io.Writer) (analyzer, error) {
	if c.local {
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		orch, _, stop, err := mesh.Local(ctx, mesh.Options{ModulesDir: c.modulesDir, RulesDir: c.rulesDir, Logger: log})
		if err != nil {
			return nil, err
		}
		return &local{orch: orch, stop: stop}, nil
	}
	conn, err := grpcserver.Dial(c.server)
	if err != nil {
		return nil, err
	}
	return &remote{conn: conn, client: analysisv1.NewAnalysisServiceClient(conn), key: c.apiKey}, nil
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("analyze", stderr)
	var c clientFlags
	c.register(fs)
	bypass := fs.Bool("bypass-cache", false, "analyze again even when a cached report exists")
	ai := fs.Bool("ai", false, "ask for an AI assessment")
	aiStrategy := fs.String("ai-strategy", "", "single, ensemble, sequential, specialized or hedged (default: the server's)")
	aiProviders := fs.String("ai-providers", "", "comma-separated AI providers, in order (default: the server's)")
	aiExternal := fs.Bool("ai-external", false, "allow sample content to reach external AI providers, if the server permits it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{errors.New("no files given")}
	}
	var strategy analysisv1.AIStrategy
	if *aiStrategy != "" {
		v, ok := analysisv1.AIStrategy_value["AI_STRATEGY_"+strings.ToUpper(*aiStrategy)]
		if !ok {
			return usageError{fmt.Errorf("--ai-strategy %q: want single, ensemble, sequential, specialized or hedged", *aiStrategy)}
		}
		strategy = analysisv1.AIStrategy(v)
	}
	a, err := c.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	var failed int
	for _, path := range fs.Args() {
		content, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			failed++
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, c.timeout)
		opts := &analysisv1.AnalysisOptions{BypassCache: *bypass}
		if *ai {
			opts.Ai = &analysisv1.AIOptions{Enabled: true, AllowExternal: *aiExternal, Providers: splitList(*aiProviders), Strategy: strategy}
		}
		r, err := a.analyze(rctx, &analysisv1.SampleInput{Content: content, Filename: filepath.Base(path)}, opts)
		cancel()
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			failed++
			continue
		}
		if c.asJSON {
			b, err := protojson.MarshalOptions{Multiline: true, EmitDefaultValues: true}.Marshal(r)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s\n", b)
			continue
		}
		printSummary(stdout, path, r)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files failed", failed, fs.NArg())
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// printSummary writes a readable summary of a report.
func printSummary(w io.Writer, path string, r *analysisv1.Report) {
	s := r.GetSample()
	cached := ""
	if r.Cached {
		cached = " (cached)"
	}
	fmt.Fprintf(w, "%s\n  verdict   %s, score %d%s\n", path, strings.TrimPrefix(r.Verdict.String(), "VERDICT_"), r.Score, cached)
	fmt.Fprintf(w, "  type      %s (%s) %s\n", s.GetFileType(), s.GetMimeType(), s.GetDescription())
	fmt.Fprintf(w, "  sha256    %s\n  size      %d bytes, entropy %.2f\n", s.GetSha256(), s.GetSize(), s.GetEntropy())
	if s.GetSsdeep() != "" {
		fmt.Fprintf(w, "  ssdeep    %s\n", s.GetSsdeep())
	}
	fs := append([]*analysisv1.Finding(nil), r.Findings...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Score > fs[j].Score })
	if len(fs) > 0 {
		fmt.Fprintf(w, "  findings  %d\n", len(fs))
		for i, f := range fs {
			if i == 15 {
				fmt.Fprintf(w, "    … %d more (--json shows all)\n", len(fs)-i)
				break
			}
			att := ""
			if len(f.AttackTechniques) > 0 {
				att = " [" + strings.Join(f.AttackTechniques, ",") + "]"
			}
			fmt.Fprintf(w, "    %4d  %-8s %s: %s%s\n", f.Score, strings.TrimPrefix(f.Severity.String(), "SEVERITY_"), f.Id, f.Title, att)
		}
	}
	if len(r.Iocs) > 0 {
		fmt.Fprintf(w, "  iocs      %d\n", len(r.Iocs))
		for i, ioc := range r.Iocs {
			if i == 10 {
				fmt.Fprintf(w, "    … %d more\n", len(r.Iocs)-i)
				break
			}
			fmt.Fprintf(w, "    %-12s %s\n", strings.TrimPrefix(ioc.Type.String(), "IOC_TYPE_"), ioc.Value)
		}
	}
	if len(r.Artifacts) > 0 {
		fmt.Fprintf(w, "  artifacts %d\n", len(r.Artifacts))
	}
	if ai := r.GetAi(); ai != nil {
		fmt.Fprintf(w, "  ai        %s, agreement %.2f\n", strings.TrimPrefix(ai.Strategy.String(), "AI_STRATEGY_"), ai.AgreementRatio)
		for _, a := range ai.Assessments {
			if a.Error != "" {
				fmt.Fprintf(w, "    %-18s error: %s\n", a.Provider, a.Error)
				continue
			}
			fmt.Fprintf(w, "    %-18s %s (%.2f) %s\n", a.Provider, strings.TrimPrefix(a.Verdict.String(), "VERDICT_"), a.Confidence, a.Summary)
		}
		for _, n := range ai.Notes {
			fmt.Fprintf(w, "    note: %s\n", n)
		}
	}
	var mods []string
	for _, m := range r.Modules {
		st := strings.ToLower(strings.TrimPrefix(m.Status.String(), "MODULE_STATUS_"))
		mods = append(mods, fmt.Sprintf("%s:%s(%dms)", m.Name, st, m.DurationMs))
	}
	fmt.Fprintf(w, "  modules   %s\n", strings.Join(mods, " "))
}

func runModules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("modules", stderr)
	var c clientFlags
	c.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := c.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	mods, version, err := a.modules(rctx)
	if err != nil {
		return err
	}
	if c.asJSON {
		b, err := protojson.MarshalOptions{Multiline: true}.Marshal(&analysisv1.ListModulesResponse{Modules: mods, PipelineVersion: version})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return nil
	}
	fmt.Fprintf(stdout, "%-16s %-8s %-8s %10s  %-16s %s\n", "NAME", "VERSION", "ENGINE", "SIZE", "SHA256", "NOTES")
	for _, m := range mods {
		sha := m.Sha256
		if len(sha) > 16 {
			sha = sha[:16]
		}
		fmt.Fprintf(stdout, "%-16s %-8s %-8s %10d  %-16s %s\n", m.Name, m.Version, m.Engine, m.Size, sha, strings.Join(m.Warnings, "; "))
	}
	fmt.Fprintf(stdout, "pipeline version %s\n", version)
	return nil
}
