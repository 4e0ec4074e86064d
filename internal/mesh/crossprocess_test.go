package mesh

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
)

// proc is one `athena serve <service>` process.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  string
}

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freeAddr returns a loopback address that was free a moment ago. Another process may take
// it before the service binds; the test then fails at readiness with the process log.
// freeAddr picks a free loopback port below Linux's ephemeral range (32768–60999 by default).
// A port taken from the ephemeral range and closed again can be handed to any outgoing
// connection — such as one service dialing another — before the process meant to listen on it
// starts, which made this test flaky.
func freeAddr(t testing.TB) string {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	t.Fatal("no free loopback port in 20000-31999")
	return ""
}

func buildAthena(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "athena")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/athena")
	cmd.Dir = testutil.RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/athena: %v\n%s", err, out)
	}
	return bin
}

func start(t testing.TB, bin, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, done: make(chan struct{}), log: filepath.Join(t.TempDir(), name+".log")}
	f, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, append([]string{"serve", name}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	// Nothing reads exported spans here; keep the processes from dialing a collector.
	p.cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_METRICS_EXPORTER=none", "OTEL_LOGS_EXPORTER=none")
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if p.alive() {
			_ = p.cmd.Process.Kill()
		}
		<-p.done
	})
	return p
}

// analyzeREST posts one analysis and returns the status, the decoded report and the raw body.
func analyzeREST(t *testing.T, base, content string) (int, restReport, string) {
	t.Helper()
	var r restReport
	code, b := rest(t, "POST", base+"/v1/analyses", body(content, "eicar.com", false), &r)
	return code, r, string(b)
}

// poll calls f every 100 ms until it returns nil or the bounded wait ends.
func poll(t testing.TB, what string, wait time.Duration, f func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		err := f()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: still %v after %s", what, err, wait)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func readyz(base string) (int, error) {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestCrossProcess runs the four services as separate processes with a real Redis, sends an
// analysis through the REST gateway, then takes Redis away and brings it back.
func TestCrossProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts five processes")
	}
	modules := testutil.ModulesDir(t)
	redis := testutil.StartRedisServer(t)
	bin := buildAthena(t)
	prefix := "xproc:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	cacheAddr, rtAddr, orchAddr, gwAddr, httpAddr := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	common := []string{"--grace-period", "10s", "--log-level", "warn"}

	procs := []*proc{
		start(t, bin, "cache", append(common, "--listen", cacheAddr, "--redis-addr", redis.Addr(), "--key-prefix", prefix)...),
		start(t, bin, "wasmruntime", append(common, "--listen", rtAddr, "--modules-dir", modules)...),
		start(t, bin, "orchestrator", append(common, "--listen", orchAddr, "--wasmruntime-addr", rtAddr, "--cache-addr", cacheAddr, "--redis-addr", redis.Addr(), "--key-prefix", prefix)...),
		start(t, bin, "gateway", append(common, "--listen", gwAddr, "--http-addr", httpAddr, "--orchestrator-addr", orchAddr)...),
	}
	allAlive := func() {
		t.Helper()
		for _, p := range procs {
			if !p.alive() {
				t.Fatalf("%s exited (%v):\n%s", p.name, p.err, p.tail())
			}
		}
	}
	base := "http://" + httpAddr
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- waitReady(ctx, base) }()
	for waiting := true; waiting; {
		select {
		case err := <-ready:
			if err != nil {
				for _, p := range procs {
					t.Logf("%s log:\n%s", p.name, p.tail())
				}
				t.Fatal(err)
			}
			waiting = false
		case <-time.After(200 * time.Millisecond):
			for _, p := range procs {
				if !p.alive() {
					cancel()
					<-ready
					t.Fatalf("%s exited before the mesh was ready (%v):\n%s", p.name, p.err, p.tail())
				}
			}
		}
	}

	code, r, raw := analyzeREST(t, base, eicar)
	if code != 200 || r.Verdict != "VERDICT_MALICIOUS" {
		t.Fatalf("analysis through four processes = %d %s", code, raw)
	}
	if code, r2, raw := analyzeREST(t, base, eicar); code != 200 || !r2.Cached || r2.ID != r.ID {
		t.Fatalf("second analysis = %d cached %v id %s; want cached %s: %s", code, r2.Cached, r2.ID, r.ID, raw)
	}

	// Redis goes away: readiness drops; analyses run without the cache or fail cleanly.
	redis.Stop()
	poll(t, "/readyz with Redis stopped", 2*time.Minute, func() error {
		code, err := readyz(base)
		if err != nil {
			return err
		}
		if code != http.StatusServiceUnavailable {
			return fmt.Errorf("status %d", code)
		}
		return nil
	})
	for i := range 2 {
		code, r, raw := analyzeREST(t, base, eicar)
		switch {
		case code == 200:
			if r.Cached {
				t.Errorf("outage analysis %d claims a cached report while Redis is down", i)
			}
			if r.Verdict != "VERDICT_MALICIOUS" {
				t.Errorf("outage analysis %d verdict %s", i, r.Verdict)
			}
			t.Logf("outage analysis %d succeeded without the cache", i)
		case code >= 500 && strings.Contains(raw, `"message"`):
			t.Logf("outage analysis %d failed cleanly: %d %s", i, code, raw)
		default:
			t.Errorf("outage analysis %d = %d %s; want success or a clean 5xx", i, code, raw)
		}
	}
	allAlive()

	// Redis comes back: readiness and caching recover by themselves.
	redis.Start()
	poll(t, "/readyz after Redis restarted", 2*time.Minute, func() error {
		code, err := readyz(base)
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("status %d", code)
		}
		return nil
	})
	poll(t, "a cached report after Redis restarted", 2*time.Minute, func() error {
		code, r, raw := analyzeREST(t, base, eicar)
		if code != 200 {
			return fmt.Errorf("status %d %s", code, raw)
		}
		if !r.Cached {
			return errors.New("report not cached")
		}
		return nil
	})
	allAlive()

	// SIGTERM, from the edge inwards: each exits 0 within its grace period.
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("SIGTERM %s: %v", p.name, err)
		}
		select {
		case <-p.done:
			if p.err != nil {
				t.Errorf("%s exited with %v after SIGTERM:\n%s", p.name, p.err, p.tail())
			}
		case <-time.After(time.Minute): // grace period 10s plus tracer flush; a bound, not a measurement
			t.Errorf("%s still running a minute after SIGTERM", p.name)
		}
	}
}
