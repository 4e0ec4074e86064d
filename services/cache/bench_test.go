package cache

import (
	"context"
	"fmt"
	"testing"

	"github.com/athena-mesh/athena/internal/testutil"
)

// BenchmarkBackend measures Get and Set of a 4 KiB value (a typical cached report) with
// parallel callers, against memory and a real redis-server.
func BenchmarkBackend(b *testing.B) {
	addr := testutil.Redis(b)
	value := make([]byte, 4096)
	for name, mk := range map[string]func() Backend{
		"memory": func() Backend { return NewMemory(MemoryConfig{}) },
		"redis":  func() Backend { return newRedisBackend(b, addr) },
	} {
		be := mk()
		ctx := context.Background()
		for i := 0; i < 1000; i++ {
			if err := be.Set(ctx, Entry{Key: fmt.Sprint(i), Value: value, Tags: []string{"bench"}}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(name+"/Get", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, ok, err := be.Get(ctx, fmt.Sprint(i%1000)); err != nil || !ok {
						b.Errorf("Get: %v %v", ok, err)
						return
					}
					i++
				}
			})
		})
		b.Run(name+"/Set", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if err := be.Set(ctx, Entry{Key: fmt.Sprint(i % 1000), Value: value, Tags: []string{"bench"}}); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}
