package orchestrator

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
	modulev1 "github.com/athena-mesh/athena/proto/gen/athena/module/v1"
	wasmruntimev1 "github.com/athena-mesh/athena/proto/gen/athena/wasmruntime/v1"
)

// The members an archive's identification extracts are analyzed while the archive's own
// modules still run: here the archive's crypto call only returns once a member has been
// identified, which a pipeline that recursed after the fan-out would never see.
func TestMembersAnalyzedDuringParentModules(t *testing.T) {
	memberIdentified := make(chan struct{})
	var once sync.Once
	members := artifactsOf(func(c []byte) [][]byte {
		if string(c) == "archive" {
			return [][]byte{[]byte("member")}
		}
		return nil
	})
	fake := newFake(func(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		switch {
		case module == IdentifyModule && string(req.Content) == "member":
			once.Do(func() { close(memberIdentified) })
		case module == "crypto" && string(req.Content) == "archive":
			select {
			case <-memberIdentified:
				return ok(&modulev1.AnalyzeResponse{}), nil
			case <-ctx.Done():
				return ok(&modulev1.AnalyzeResponse{Error: "member not analyzed while the archive's modules ran"}), nil
			}
		}
		return members(ctx, module, req)
	})
	o := newOrch(t, Config{Invoker: fake})
	r, err := o.Analyze(context.Background(), sample("archive"), &analysisv1.AnalysisOptions{TimeoutMs: 5000})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Modules {
		if m.Name == "crypto" && m.Status != analysisv1.ModuleStatus_MODULE_STATUS_OK {
			t.Errorf("archive's crypto: %s %s", m.Status, m.Error)
		}
	}
	if len(r.Artifacts) != 1 || r.Artifacts[0].GetReport() == nil {
		t.Fatalf("artifacts %v; want the member with its report", r.Artifacts)
	}
}

// Artifacts are analyzed at most ChildConcurrency at a time, and each one completely.
func TestChildConcurrencyBound(t *testing.T) {
	const limit, n = 2, 12
	var mu sync.Mutex
	inflight, peak := map[string]bool{}, 0
	members := artifactsOf(func(c []byte) [][]byte {
		if !strings.HasPrefix(string(c), "archive") {
			return nil
		}
		var out [][]byte
		for i := range n {
			out = append(out, fmt.Appendf(nil, "member %d", i))
		}
		return out
	})
	fake := newFake(func(ctx context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		if req.Depth == 1 {
			// A member counts as in flight from its identification to its last module.
			mu.Lock()
			inflight[string(req.Content)] = module != "crypto"
			busy := 0
			for _, v := range inflight {
				if v {
					busy++
				}
			}
			peak = max(peak, busy)
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
		return members(ctx, module, req)
	})
	// Routing every member to crypto only, run last, marks the end of a member's analysis.
	routes := Routes{{Module: IdentifyModule, Positive: []string{"*"}}, {Module: "crypto", Positive: []string{"*"}, Priority: 10}}
	o := newOrch(t, Config{Invoker: fake, Routes: routes, ChildConcurrency: limit, ModuleConcurrency: 8})
	// Large enough that the byte budget (4× the sample) holds every member.
	r, err := o.Analyze(context.Background(), sample("archive"+strings.Repeat(" ", 1000)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Artifacts) != n {
		t.Fatalf("%d artifacts; want %d", len(r.Artifacts), n)
	}
	for _, a := range r.Artifacts {
		if a.GetReport() == nil {
			t.Errorf("artifact %s has no report (%s)", a.Filename, a.SkippedReason)
		}
	}
	if peak > limit {
		t.Errorf("%d artifacts analyzed at once; the limit is %d", peak, limit)
	}
	if peak < 2 {
		t.Errorf("artifacts analyzed one at a time (peak %d); want up to %d in parallel", peak, limit)
	}
}

// Modules receive the SHA-256 the orchestrator computed (its cache key), for the bytes they are
// given.
func TestModulesReceiveDigests(t *testing.T) {
	var mu sync.Mutex
	got := map[string]map[string]string{}
	fake := newFake(func(_ context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
		mu.Lock()
		got[module] = req.Options
		mu.Unlock()
		return nil, nil
	})
	o := newOrch(t, Config{Invoker: fake})
	if _, err := o.Analyze(context.Background(), sample("some text"), nil); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("some text"))
	want := hex.EncodeToString(sum[:])
	for _, m := range []string{IdentifyModule, "crypto", "pattern-matcher"} {
		if got[m]["sha256"] != want {
			t.Errorf("%s options %v; want sha256 %s", m, got[m], want)
		}
	}
}

// The sample's MD5 and SHA-1 come from the crypto module when it gives well-formed ones, and
// are computed by the orchestrator otherwise: a report always has the right ones.
func TestSampleDigests(t *testing.T) {
	content := []byte("some text")
	s1, m5 := sha1.Sum(content), md5.Sum(content)
	real1, real5 := hex.EncodeToString(s1[:]), hex.EncodeToString(m5[:])
	fromCrypto1, fromCrypto5 := strings.Repeat("a", 40), strings.Repeat("b", 32)
	for _, tc := range []struct {
		name           string
		crypto         *analysisv1.CryptoDetails // nil: the module gives no details
		only           []string
		sha1, md5      string
		ssdeep, sha512 string
	}{
		{"from crypto", &analysisv1.CryptoDetails{Sha1: fromCrypto1, Md5: fromCrypto5, Ssdeep: "3:a:b", Sha512: "c"}, nil, fromCrypto1, fromCrypto5, "3:a:b", "c"},
		{"crypto gives no details", nil, nil, real1, real5, "", ""},
		{"crypto's are malformed", &analysisv1.CryptoDetails{Sha1: "XYZ", Md5: strings.Repeat("B", 32), Ssdeep: "3:a:b"}, nil, real1, real5, "3:a:b", ""},
		{"crypto not run", &analysisv1.CryptoDetails{Sha1: fromCrypto1, Md5: fromCrypto5}, []string{"pattern-matcher"}, real1, real5, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(func(_ context.Context, module string, req *modulev1.AnalyzeRequest) (*wasmruntimev1.InvokeResponse, error) {
				if module == "crypto" && tc.crypto != nil {
					return ok(&modulev1.AnalyzeResponse{Details: &analysisv1.Details{Crypto: tc.crypto}}), nil
				}
				return nil, nil
			})
			o := newOrch(t, Config{Invoker: fake})
			r, err := o.Analyze(context.Background(), &analysisv1.SampleInput{Content: content}, &analysisv1.AnalysisOptions{Modules: tc.only})
			if err != nil {
				t.Fatal(err)
			}
			got := r.GetSample()
			if got.Sha1 != tc.sha1 || got.Md5 != tc.md5 || got.Ssdeep != tc.ssdeep || got.Sha512 != tc.sha512 {
				t.Errorf("sample sha1 %q md5 %q ssdeep %q sha512 %q; want %q %q %q %q", got.Sha1, got.Md5, got.Ssdeep, got.Sha512, tc.sha1, tc.md5, tc.ssdeep, tc.sha512)
			}
			if got.Entropy <= 0 {
				t.Errorf("entropy %v", got.Entropy)
			}
		})
	}
}
