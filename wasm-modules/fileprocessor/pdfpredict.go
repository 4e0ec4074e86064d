package fileprocessor

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// PDF predictors (ISO 32000-1 §7.4.4.4): a FlateDecode or LZWDecode stream whose /DecodeParms
// name /Predictor 2 (TIFF) or 10-15 (PNG) holds rows that must be "unpredicted" after
// decompression. Cross-reference and object streams use them, and so does content hidden from
// scanners that only inflate.

// pdfPredictor is one filter's /DecodeParms as far as predictors are concerned.
type pdfPredictor struct {
	predictor, colors, bpc, columns int
}

const (
	maxPDFColumns = 1 << 20 // widest row accepted
	maxPDFColors  = 32      // components per pixel accepted (the standard allows 1-4)
)

var rePDFParm = regexp.MustCompile(`/(Predictor|Colors|BitsPerComponent|Columns)\s+(\d{1,9})\b`)

// pdfDecodeParms returns the /DecodeParms of each of n filters: a dictionary applies to the only
// (or first) filter, an array gives one entry per filter (null for none).
func pdfDecodeParms(dict []byte, n int) []pdfPredictor {
	out := make([]pdfPredictor, n)
	i := bytes.Index(dict, []byte("/DecodeParms"))
	if i < 0 || n == 0 {
		return out
	}
	rest := bytes.TrimLeft(dict[i+len("/DecodeParms"):], " \t\r\n")
	var dicts [][]byte
	switch {
	case bytes.HasPrefix(rest, []byte("<<")):
		dicts = append(dicts, pdfDictAt(rest))
	case bytes.HasPrefix(rest, []byte("[")):
		rest = rest[1:]
		for len(dicts) < n {
			rest = bytes.TrimLeft(rest, " \t\r\n")
			switch {
			case bytes.HasPrefix(rest, []byte("<<")):
				d := pdfDictAt(rest)
				dicts = append(dicts, d)
				rest = rest[len(d):]
			case bytes.HasPrefix(rest, []byte("null")):
				dicts = append(dicts, nil)
				rest = rest[4:]
			default:
				rest = nil
			}
			if rest == nil {
				break
			}
		}
	}
	for k, d := range dicts[:min(len(dicts), n)] {
		if d == nil {
			continue // null: no parameters for this filter
		}
		p := pdfPredictor{predictor: 1, colors: 1, bpc: 8, columns: 1}
		for _, m := range rePDFParm.FindAllSubmatch(d, 16) {
			v, _ := strconv.Atoi(string(m[2]))
			switch string(m[1]) {
			case "Predictor":
				p.predictor = v
			case "Colors":
				p.colors = v
			case "BitsPerComponent":
				p.bpc = v
			case "Columns":
				p.columns = v
			}
		}
		out[k] = p
	}
	return out
}

// pdfDictAt returns the dictionary "<< ... >>" b starts with, nested dictionaries included, or
// the rest of b when it is not closed.
func pdfDictAt(b []byte) []byte {
	depth := 0
	for i := 0; i+1 < len(b); i++ {
		switch {
		case b[i] == '<' && b[i+1] == '<':
			depth++
			i++
		case b[i] == '>' && b[i+1] == '>':
			depth--
			i++
			if depth == 0 {
				return b[:i+1]
			}
		}
	}
	return b
}

var errPDFPredictor = errors.New("predictor")

// unpredict reverses a predictor in place of data and returns the rows. A truncated last row
// is kept as far as it goes; a bad PNG row filter stops with what was decoded.
func (p pdfPredictor) unpredict(data []byte) ([]byte, error) {
	switch {
	case p.predictor <= 1:
		return data, nil
	case p.columns < 1 || p.columns > maxPDFColumns || p.colors < 1 || p.colors > maxPDFColors:
		return data, fmt.Errorf("%w: %d columns of %d colors", errPDFPredictor, p.columns, p.colors)
	case p.bpc != 1 && p.bpc != 2 && p.bpc != 4 && p.bpc != 8 && p.bpc != 16:
		return data, fmt.Errorf("%w: %d bits per component", errPDFPredictor, p.bpc)
	}
	rowLen := (p.colors*p.bpc*p.columns + 7) / 8
	bpp := max(1, p.colors*p.bpc/8) // bytes per pixel, for the left neighbour
	if p.predictor == 2 {
		if p.bpc != 8 {
			return data, fmt.Errorf("%w: TIFF predictor with %d bits per component", errPDFPredictor, p.bpc)
		}
		out := bytes.Clone(data)
		for row := 0; row < len(out); row += rowLen {
			r := out[row:min(row+rowLen, len(out))]
			for i := p.colors; i < len(r); i++ {
				r[i] += r[i-p.colors]
			}
		}
		return out, nil
	}
	if p.predictor < 10 || p.predictor > 15 {
		return data, fmt.Errorf("%w: unknown predictor %d", errPDFPredictor, p.predictor)
	}
	// PNG: every row starts with its own filter type, whatever /Predictor says (10-15).
	out := make([]byte, 0, len(data)/(rowLen+1)*rowLen+rowLen)
	prev := make([]byte, rowLen) // the row above the first is zeros
	for in := data; len(in) > 1; {
		ft, raw := in[0], in[1:min(1+rowLen, len(in))]
		in = in[1+len(raw):]
		row := out[len(out) : len(out)+len(raw)]
		out = out[:len(out)+len(raw)]
		for i, x := range raw {
			var left, upLeft byte
			if i >= bpp {
				left, upLeft = row[i-bpp], prev[i-bpp]
			}
			up := prev[i]
			switch ft {
			case 0:
				row[i] = x
			case 1:
				row[i] = x + left
			case 2:
				row[i] = x + up
			case 3:
				row[i] = x + byte((int(left)+int(up))/2)
			case 4:
				row[i] = x + paeth(left, up, upLeft)
			default:
				return out[:len(out)-len(raw)], fmt.Errorf("%w: PNG row filter %d", errPDFPredictor, ft)
			}
		}
		copy(prev, row)
	}
	return out, nil
}

// paeth is the PNG Paeth predictor.
func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
