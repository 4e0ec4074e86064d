package mesh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
)

type restJob struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Error  string `json:"error"`
	Report *struct {
		Sample struct {
			Sha256 string `json:"sha256"`
		} `json:"sample"`
	} `json:"report"`
}

func jobREST(method, url string, body []byte) (restJob, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return restJob{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return restJob{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return restJob{}, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	var j restJob
	return j, json.Unmarshal(b, &j)
}

// TestCrossProcessJobs runs two orchestrator processes on one Redis job stream, submits 200
// async jobs, kills one orchestrator with SIGKILL mid-way and restarts Redis, and checks that
// every job still ends DONE with the report of its own sample.
func TestCrossProcessJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts six processes")
	}
	bin := buildAthena(t)
	modules := testutil.ModulesDir(t)
	redis := testutil.StartRedisServer(t)
	prefix := testutil.KeyPrefix(t)
	cacheAddr, rtAddr, orchA, orchB, gwAddr, httpAddr := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	common := []string{"--log-level", "warn", "--grace-period", "10s"}
	orch := func(addr string) []string {
		return append(append([]string{}, common...), "--listen", addr, "--wasmruntime-addr", rtAddr, "--cache-addr", cacheAddr, "--redis-addr", redis.Addr(), "--key-prefix", prefix)
	}
	procs := []*proc{
		start(t, bin, "cache", append(common, "--listen", cacheAddr, "--redis-addr", redis.Addr(), "--key-prefix", prefix)...),
		start(t, bin, "wasmruntime", append(common, "--listen", rtAddr, "--modules-dir", modules)...),
		start(t, bin, "orchestrator", orch(orchA)...),
		start(t, bin, "orchestrator", orch(orchB)...),
		start(t, bin, "gateway", append(common, "--listen", gwAddr, "--http-addr", httpAddr, "--orchestrator-addr", orchA)...),
	}
	victim := procs[3]
	base := "http://" + httpAddr
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := waitReady(ctx, base); err != nil {
		for _, p := range procs {
			t.Logf("%s log:\n%s", p.name, p.tail())
		}
		t.Fatal(err)
	}

	const n = 200
	want := map[string]string{} // job id → sample sha256
	for i := range n {
		content := []byte(fmt.Sprintf("job %d of %d: harmless text %d\n", i, n, time.Now().UnixNano()))
		sum := sha256.Sum256(content)
		body, _ := json.Marshal(map[string]any{"sample": map[string]any{"content": base64.StdEncoding.EncodeToString(content)}})
		j, err := jobREST(http.MethodPost, base+"/v1/jobs", body)
		if err != nil {
			t.Fatal(err)
		}
		want[j.ID] = hex.EncodeToString(sum[:])
		if i == n/4 {
			// Mid-way: one orchestrator dies without a chance to clean up.
			if err := victim.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-victim.done
		}
		if i == n/2 {
			redis.Stop()
			redis.Start()
		}
	}
	if len(want) != n {
		t.Fatalf("%d distinct job ids for %d submissions", len(want), n)
	}
	// The killed orchestrator's jobs come back after the visibility timeout (30 s by default).
	poll(t, "every job done", 4*time.Minute, func() error {
		pending := 0
		for id, sha := range want {
			j, err := jobREST(http.MethodGet, base+"/v1/jobs/"+id, nil)
			if err != nil {
				return err
			}
			switch j.State {
			case "JOB_STATE_DONE":
				if j.Report == nil || j.Report.Sample.Sha256 != sha {
					t.Fatalf("job %s done with the wrong report: %+v", id, j.Report)
				}
				delete(want, id)
			case "JOB_STATE_FAILED":
				t.Fatalf("job %s failed: %s", id, j.Error)
			default:
				pending++
			}
		}
		if pending > 0 {
			return fmt.Errorf("%d jobs not done", pending)
		}
		return nil
	})
	for _, p := range procs {
		if p != victim && !p.alive() {
			t.Errorf("%s exited (%v):\n%s", p.name, p.err, p.tail())
		}
	}
}
