package fileprocessor

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	modulev1 "github.com/athena-mesh/athena/wasm-modules/internal/gen/athena/module/v1"
)

// pngPredict applies PNG filters to rows of data (the encoder side, for tests): row i uses
// filter type i%5, so every type appears, each row prefixed with its type byte.
func pngPredict(data []byte, columns, colors, bpc, _ int) []byte {
	rowLen := (colors*bpc*columns + 7) / 8
	bpp := max(1, colors*bpc/8)
	prev := make([]byte, rowLen)
	var out []byte
	for r := 0; r*rowLen < len(data); r++ {
		row := data[r*rowLen : min((r+1)*rowLen, len(data))]
		ft := byte(r % 5)
		out = append(out, ft)
		for i, x := range row {
			var left, upLeft byte
			if i >= bpp {
				left, upLeft = row[i-bpp], prev[i-bpp]
			}
			up := prev[i]
			switch ft {
			case 0:
				out = append(out, x)
			case 1:
				out = append(out, x-left)
			case 2:
				out = append(out, x-up)
			case 3:
				out = append(out, x-byte((int(left)+int(up))/2))
			case 4:
				out = append(out, x-paeth(left, up, upLeft))
			}
		}
		copy(prev, row)
	}
	return out
}

func TestUnpredict(t *testing.T) {
	// By hand: columns 3, one 8-bit component. Up over a zero row, Up, Sub, Average, Paeth.
	hand := pdfPredictor{predictor: 12, colors: 1, bpc: 8, columns: 3}
	in := []byte{2, 1, 2, 3, 2, 1, 1, 1, 1, 5, 1, 1, 3, 2, 2, 2, 4, 1, 1, 1}
	want := []byte{1, 2, 3, 2, 3, 4, 5, 6, 7, 4, 7, 9, 5, 8, 10}
	// Average row: 2+(0+5)/2=4, 2+(4+6)/2=7, 2+(7+7)/2=9. Paeth row over 4,7,9: first byte
	// a=0,b=4,c=0 -> b, 1+4=5; then a=5,b=7,c=4: p=8, pa=3 pb=1 pc=4 -> b, 1+7=8;
	// a=8,b=9,c=7: p=10, pa=2 pb=1 pc=3 -> b, 1+9=10.
	if got, err := hand.unpredict(in); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("unpredict = %v, %v; want %v", got, err, want)
	}
	data := randomBytes(10_000, 5)
	for _, p := range []pdfPredictor{
		{12, 1, 8, 7}, {15, 3, 8, 33}, {11, 2, 16, 5}, {10, 1, 1, 77}, {14, 4, 8, 1}, {13, 1, 4, 9}, {12, 1, 8, 20000},
	} {
		t.Run(fmt.Sprintf("png %+v", p), func(t *testing.T) {
			enc := pngPredict(data, p.columns, p.colors, p.bpc, 0)
			got, err := p.unpredict(enc)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("round trip: %v, %d bytes back of %d", err, len(got), len(data))
			}
		})
	}
	t.Run("tiff", func(t *testing.T) {
		// Two rows of 2 RGB pixels, each pixel stored as the difference to its left neighbour.
		p := pdfPredictor{predictor: 2, colors: 3, bpc: 8, columns: 2}
		got, err := p.unpredict([]byte{10, 20, 30, 1, 2, 3, 5, 5, 5, 250, 0, 1})
		if want := []byte{10, 20, 30, 11, 22, 33, 5, 5, 5, 255, 5, 6}; err != nil || !bytes.Equal(got, want) {
			t.Fatalf("tiff = %v, %v; want %v", got, err, want)
		}
	})
	for _, bad := range []pdfPredictor{{12, 1, 8, 0}, {12, 1, 8, maxPDFColumns + 1}, {12, 0, 8, 4}, {12, 1, 3, 4}, {7, 1, 8, 4}, {2, 1, 16, 4}} {
		if _, err := bad.unpredict([]byte{0, 1, 2, 3}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if got, err := hand.unpredict([]byte{2, 1, 2, 3, 9, 1, 1, 1}); err == nil || !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Errorf("bad row filter: %v, %v", got, err)
	}
}

func TestPDFDecodeParms(t *testing.T) {
	for _, tc := range []struct {
		dict string
		n    int
		want []pdfPredictor
	}{
		{"<< /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 5 >> >>", 1, []pdfPredictor{{12, 1, 8, 5}}},
		{"<</Filter[/ASCIIHexDecode/FlateDecode]/DecodeParms[null<</Columns 4/Predictor 15/Colors 3/BitsPerComponent 16>>]>>", 2,
			[]pdfPredictor{{}, {15, 3, 16, 4}}},
		{"<< /Filter /FlateDecode >>", 1, []pdfPredictor{{}}},
		{"<< /DecodeParms << /Predictor 12", 1, []pdfPredictor{{12, 1, 8, 1}}},
		{"<< /DecodeParms [ <</Predictor 2>> ] >>", 0, []pdfPredictor{}},
	} {
		if got := pdfDecodeParms([]byte(tc.dict), tc.n); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.dict, got, tc.want)
		}
	}
}

// TestPDFPredictedStream: an executable hidden in a Flate stream with a PNG predictor is
// decoded and extracted as the bytes that went in.
func TestPDFPredictedStream(t *testing.T) {
	pe := append([]byte("MZ\x90\x00"), bytes.Repeat([]byte("This program cannot be run in DOS mode. "), 20)...)
	stream := zlibOf(pngPredict(pe, 16, 1, 8, 0))
	pdf := buildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 16 >> >>\nstream\n%s\nendstream", len(stream), stream),
	})
	resp, err := New().Analyze(&modulev1.AnalyzeRequest{Content: pdf})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range resp.Artifacts {
		if bytes.Equal(a.Content, pe) {
			return
		}
	}
	var names []string
	for _, a := range resp.Artifacts {
		names = append(names, a.Filename)
	}
	t.Fatalf("predicted executable not extracted; children %s, streams %v", strings.Join(names, ", "), resp.GetDetails().GetFile().GetPdf().GetStreams())
}

// FuzzPDFPredictor: any stream dictionary and data; parameters are bounded and unpredicting
// never panics or grows the data.
func FuzzPDFPredictor(f *testing.F) {
	f.Add([]byte("<< /DecodeParms << /Predictor 12 /Columns 5 >> >>"), []byte{2, 1, 2, 3, 4, 5, 1, 1})
	f.Add([]byte("<</DecodeParms[null<</Predictor 2/Colors 3/Columns 2>>]>>"), []byte{10, 20, 30, 1, 2, 3})
	f.Add([]byte("<</DecodeParms[<<<<>>"), []byte{})
	f.Fuzz(func(t *testing.T, dict, data []byte) {
		for _, p := range pdfDecodeParms(dict, 2) {
			out, _ := p.unpredict(data)
			if len(out) > len(data) {
				t.Fatalf("%+v: %d bytes from %d", p, len(out), len(data))
			}
		}
	})
}
