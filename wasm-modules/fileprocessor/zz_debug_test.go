package fileprocessor

import (
	"fmt"
	"os"
	"testing"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

func TestZZDebug(t *testing.T) {
	p := os.Getenv("FP_DEBUG")
	if p == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(p)
	resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: b})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range resp.Artifacts {
		a.Content = a.Content[:min(len(a.Content), 40)]
	}
	fmt.Println(protojson.Format(resp))
}
