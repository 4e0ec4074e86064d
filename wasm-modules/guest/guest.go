// Package guest implements the Athena guest ABI (see ../ABI.md) so that an analyzer module only
// writes an Analyzer. The wasip1 exports live in exports_wasip1.go; everything else is plain Go
// and is tested natively.
package guest

import (
	"fmt"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
	"google.golang.org/protobuf/encoding/protowire"
)

// ABIVersion is the version of the guest ABI this package implements.
const ABIVersion = 1

// Analyzer is an analyzer module's logic.
type Analyzer interface {
	// Info describes the module; it is what athena_describe returns.
	Info() *modulev1.ModuleInfo
	// Analyze analyzes one sample. A returned error becomes AnalyzeResponse.error.
	Analyze(req *modulev1.AnalyzeRequest) (*modulev1.AnalyzeResponse, error)
}

// Emitter streams partial results to the host while a module works. The host merges every
// fragment into the final response and keeps them if the call later hits its deadline.
type Emitter interface {
	Emit(fragment *modulev1.AnalyzeResponse)
}

// Describe serializes the module's info, filling in the ABI version.
func Describe(a Analyzer) []byte {
	info := a.Info().CloneVT()
	if info.AbiVersion == 0 {
		info.AbiVersion = ABIVersion
	}
	b, err := info.MarshalVT()
	if err != nil {
		// A ModuleInfo always marshals; an empty answer makes the host reject the module.
		return nil
	}
	return b
}

// Handle decodes a request, runs the analyzer and encodes the response. It never panics: a
// panic inside the analyzer is turned into AnalyzeResponse.error, because a guest panic would
// otherwise trap and cost the host a pooled instance.
//
// The request's content and batch samples alias in (no copy) until Handle returns.
func Handle(a Analyzer, in []byte) (out []byte) {
	req, err := decodeRequest(in)
	if err != nil {
		return errorResponse(fmt.Errorf("decode request: %w", err))
	}
	defer func() {
		if r := recover(); r != nil {
			out = errorResponse(fmt.Errorf("analyzer panic: %v", r))
		}
	}()
	resp, err := a.Analyze(req)
	if resp == nil {
		resp = &modulev1.AnalyzeResponse{}
	}
	if err != nil {
		resp.Error = err.Error()
	}
	b, err := resp.MarshalVT()
	if err != nil {
		return errorResponse(fmt.Errorf("encode response: %w", err))
	}
	return b
}

func errorResponse(err error) []byte {
	b, _ := (&modulev1.AnalyzeResponse{Error: err.Error()}).MarshalVT()
	return b
}

// AnalyzeRequest's content and batch field numbers.
const (
	contentField = 1
	batchField   = 9
)

// decodeRequest unmarshals a request without copying its samples: content (and the samples of a
// batch) are most of the request (megabytes), and the generated decoder would copy them into
// fresh allocations, costing a memmove, a zeroed allocation and collector work inside the guest
// for bytes the guest already holds. The other fields are decoded as usual; the samples are
// sliced out of in.
func decodeRequest(in []byte) (*modulev1.AnalyzeRequest, error) {
	var (
		content  []byte
		batch    [][]byte
		aliased  bool
		rest     []byte // in without the aliased fields, built only when there are some
		restFrom int    // in[restFrom:] is not in rest yet
	)
	for b := in; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return nil, protowire.ParseError(m)
		}
		if typ == protowire.BytesType && (num == contentField || num == batchField) {
			v, _ := protowire.ConsumeBytes(b[n:])
			v = v[:len(v):len(v)]
			if num == contentField {
				content = v // a repeated scalar field: the last one wins
			} else {
				batch = append(batch, v)
			}
			off := len(in) - len(b)
			rest = append(rest, in[restFrom:off]...)
			restFrom, aliased = off+n+m, true
		}
		b = b[n+m:]
	}
	req := &modulev1.AnalyzeRequest{}
	if !aliased {
		if err := req.UnmarshalVT(in); err != nil {
			return nil, err
		}
		return req, nil
	}
	if err := req.UnmarshalVT(append(rest, in[restFrom:]...)); err != nil {
		return nil, err
	}
	if len(content) > 0 { // as the decoder: an empty content stays unset
		req.Content = content
	}
	req.Batch = batch
	return req, nil
}
