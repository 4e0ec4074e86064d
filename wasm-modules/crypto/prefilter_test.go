package cryptoscan

import (
	"bytes"
	"encoding/pem"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"testing"
)

// sameThroughSampleFilter checks that the scans Analyze runs from the shared filter's one
// pass find what the references find scanning every byte, and so do the standalone scans
// (ConstantScanner.Scan, FindKeys, FindMinerIndicators) with their own filters.
func sameThroughSampleFilter(t *testing.T, f *sampleFilter, data []byte) {
	t.Helper()
	c := f.probe(data)
	wantConsts := referenceConstants(f.constants, data)
	if got := f.constants.match(data, c.constants); !reflect.DeepEqual(got, wantConsts) {
		t.Errorf("constants through the shared filter\ngot  %+v\nwant %+v (reference)", got, wantConsts)
	}
	if got := f.constants.Scan(data); !reflect.DeepEqual(got, wantConsts) {
		t.Errorf("Scan\ngot  %+v\nwant %+v (reference)", got, wantConsts)
	}
	wantKeys := referenceKeys(data)
	if got := findKeys(data, &c.keys); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("keys through the shared filter\ngot  %+v\nwant %+v (reference)", got, wantKeys)
	}
	if got := FindKeys(data); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("FindKeys\ngot  %+v\nwant %+v (reference)", got, wantKeys)
	}
	wantMiners := referenceMinerIndicators(data)
	if got := findMinerIndicators(data, c.words); !slices.Equal(got, wantMiners) {
		t.Errorf("miners through the shared filter\ngot  %+v\nwant %+v (reference)", got, wantMiners)
	}
}

// TestSampleFilterMatchesReference plants every constant at every offset of the first 16 bytes
// and ending at each of the last 8, PEM blocks and DER structures at both ends, and runs real
// executables and random bytes with constants planted at random offsets.
func TestSampleFilterMatchesReference(t *testing.T) {
	f := newSampleFilter(NewConstantScanner())
	fx := newKeyFixture(t)
	inputs := realBinaries(t)
	inputs["empty"] = nil
	inputs["one byte"] = []byte{0x30}
	inputs["keys"] = fx.data
	for _, c := range f.constants.consts {
		name := c.id + " " + c.order + " " + c.name
		for k := range 16 {
			inputs[name+" at the start +"+string(rune('a'+k))] = append(make([]byte, k), c.sig...)
		}
		for k := range 8 {
			data := append(randomBytes(k+3), c.sig...)
			inputs[name+" at the end -"+string(rune('a'+k))] = append(data, randomBytes(k)...)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for n := range 4 {
		data := randomBytes(200000 + n*4097)
		for range 300 {
			c := f.constants.consts[rng.IntN(len(f.constants.consts))]
			copy(data[rng.IntN(len(data)):], c.sig)
		}
		inputs["random with constants "+string(rune('a'+n))] = data
	}
	der := fixtureDER(t, fx)
	block := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	inputs["pem at both ends"] = append(append(slices.Clone(block), randomBytes(1000)...), block...)
	inputs["pem cut at the end"] = append(slices.Clone(block), block[:len(block)-20]...)
	inputs["der at both ends"] = append(append(slices.Clone(der), randomBytes(999)...), der...)
	inputs["der header at the end"] = append(randomBytes(100), 0x30, 0x82, 0x01)
	inputs["der header in a der"] = append(append(slices.Clone(der[:40]), der...), der[40:]...)
	inputs["many der candidates"] = bytes.Repeat([]byte{0x30, 0x82, 0x00, 0x50, 0x30, 0x82, 0x00, 0x4c}, 20000)
	inputs["many pem headers"] = bytes.Repeat([]byte("-----BEGIN X-----\n-----END X-----\n"), 200)
	inputs["begin in text"] = []byte("stratum+tcp://pool.supportxmr.com:3333 -----BEGIN expand 32-byte k xmrig")
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) { sameThroughSampleFilter(t, f, data) })
	}
}

// FuzzSampleFilter plants what the scans look for where the fuzzer says (a constant, a PEM
// block's start, a DER header, a miner word) and compares every scan with its reference.
func FuzzSampleFilter(f *testing.F) {
	// No key fixture among the seeds: parsing its RSA keys under the fuzzer's instrumentation
	// takes so long that the fuzzer hardly runs (FuzzFindKeys stalls on it).
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"), []byte{200, 0, 201, 3})
	f.Add(make([]byte, 600), []byte{20, 1, 20, 2, 21, 7, 202, 9, 203, 40})
	f.Add([]byte{0x30, 0x82, 0x00, 0x40, 0x02, 0x01, 0x00, 0x02}, []byte{0, 0})
	sf := newSampleFilter(NewConstantScanner())
	extra := [][]byte{[]byte(pemBegin), {0x30, 0x82}, {0x30, 0x81}, []byte("stratum+tcp://xmr.nanopool.org:1 ")}
	f.Fuzz(func(t *testing.T, data, plant []byte) {
		data = slices.Clone(data)
		for i := 0; i+1 < len(plant) && len(data) > 0; i += 2 {
			sig := extra[int(plant[i])%len(extra)]
			if plant[i] < 200 {
				sig = sf.constants.consts[int(plant[i])%len(sf.constants.consts)].sig
			}
			copy(data[int(plant[i+1])*7%len(data):], sig)
		}
		sameThroughSampleFilter(t, sf, data)
	})
}

// fixtureDER is the last DER structure of the key fixture (an RSA public key, 0x30 0x82 …).
func fixtureDER(t *testing.T, fx keyFixture) []byte {
	t.Helper()
	k := fx.want[len(fx.want)-1]
	d := fx.data[k.Offset:]
	if k.Format != "der" || d[0] != 0x30 || d[1] != 0x82 {
		t.Fatalf("the key fixture's last key is %+v", k)
	}
	return d[:4+(int(d[2])<<8|int(d[3]))]
}

func TestPositionsNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{0, 1, 63, 64, 65, 1000} {
		p := newPositions(size)
		var set []int
		for j := range size {
			if rng.IntN(9) == 0 {
				p.add(j)
				set = append(set, j)
			}
		}
		want := func(from int) int {
			for _, j := range set {
				if j >= from {
					return j
				}
			}
			return -1
		}
		// Increasing queries (how the scans ask), then any order: the memo must not leak.
		for from := -2; from <= size+70; from++ {
			if got := p.next(from); got != want(from) {
				t.Fatalf("size %d: next(%d) = %d, want %d (increasing)", size, from, got, want(from))
			}
		}
		for range 500 {
			from := rng.IntN(size+70) - 2
			if got := p.next(from); got != want(from) {
				t.Fatalf("size %d: next(%d) = %d, want %d (random order)", size, from, got, want(from))
			}
		}
	}
}

// TestProbeMemoryBounded: a sample that passes the filter at every position (DER pairs, a
// miner atom, constant windows, repeated) costs the probe a fixed fraction of its size, not a
// list of offsets several times as large.
func TestProbeMemoryBounded(t *testing.T) {
	f := newSampleFilter(NewConstantScanner())
	unit := append([]byte{0x30, 0x82, 0x30, 0x81}, []byte("xmrig")...)
	for _, c := range f.constants.consts {
		unit = append(unit, c.sig[:4]...)
	}
	data := bytes.Repeat(unit, (4<<20)/len(unit))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c := f.probe(data)
	runtime.ReadMemStats(&after)
	if c.keys.der.next(0) != 0 || c.words.next(0) < 0 {
		t.Fatalf("the hostile sample did not pass the filter")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > uint64(len(data)) {
		t.Errorf("probe allocated %d bytes for a %d-byte sample; want at most its size", got, len(data))
	}
}
