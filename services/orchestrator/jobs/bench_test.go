package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/athena-mesh/athena/internal/testutil"
	analysisv1 "github.com/athena-mesh/athena/proto/gen/athena/analysis/v1"
)

// BenchmarkThroughput submits b.N jobs with a no-op handler and waits for all to finish: the
// queue's own overhead per job (submit, deliver, start, complete), with 2 workers × 8 handlers.
func BenchmarkThroughput(b *testing.B) {
	addr := testutil.Redis(b)
	for _, name := range []string{"memory", "redis"} {
		b.Run(name, func(b *testing.B) {
			var mk func() Queue
			switch name {
			case "memory":
				m := NewMemory(MemoryConfig{MaxQueued: b.N + 1})
				mk = func() Queue { return m }
			case "redis":
				cfg := RedisConfig{KeyPrefix: testutil.KeyPrefix(b), MaxQueued: b.N + 1, VisibilityTimeout: 5 * time.Second}
				mk = func() Queue { return NewRedis(newClient(b, addr), cfg) }
			}
			done := make(chan struct{}, b.N)
			h := func(ctx context.Context, p []byte) (*analysisv1.Report, error) {
				done <- struct{}{}
				return &analysisv1.Report{Id: string(p)}, nil
			}
			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan struct{}, 2)
			for w := 0; w < 2; w++ {
				q := mk()
				go func() { _ = q.Work(ctx, 8, h); stopped <- struct{}{} }()
			}
			producer := mk()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := producer.Submit(ctx, "", []byte("x")); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < b.N; i++ {
				<-done
			}
			b.StopTimer()
			cancel()
			<-stopped
			<-stopped
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}
