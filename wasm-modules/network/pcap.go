package network

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Link types (https://www.tcpdump.org/linktypes.html) the decoder understands.
const (
	linkNull     = 0
	linkEthernet = 1
	linkRaw      = 101
	linkRawAlt   = 12
	linkLoop     = 108
	linkSLL      = 113
	linkIPv4     = 228
	linkIPv6     = 229
	linkSLL2     = 276
)

// maxSnap bounds a single captured packet; larger length claims are treated as corruption.
const maxSnap = 256 << 10

// ErrNotCapture means the content is neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng capture")

// Packet is one captured frame. Data aliases the capture buffer: nothing is copied, so a
// header claiming a billion packets costs nothing until the bytes are actually there.
type Packet struct {
	TimeUS   int64
	LinkType uint16
	Data     []byte
	// OrigLen is the frame's length on the wire.
	OrigLen int
}

// CaptureFormat returns "pcap", "pcapng" or "" for content.
func CaptureFormat(b []byte) string {
	if len(b) < 24 {
		return ""
	}
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		return "pcap"
	case 0x0a0d0d0a:
		return "pcapng"
	}
	return ""
}

// ReadCapture calls fn for each packet in a pcap or pcapng capture until fn returns false or
// the content ends. A truncated final record ends reading without error; structural damage
// returns an error after the packets read so far were delivered.
func ReadCapture(b []byte, fn func(Packet) bool) error {
	switch CaptureFormat(b) {
	case "pcap":
		return readPcap(b, fn)
	case "pcapng":
		return readPcapng(b, fn)
	}
	return ErrNotCapture
}

func readPcap(b []byte, fn func(Packet) bool) error {
	var bo binary.ByteOrder = binary.LittleEndian
	magic := bo.Uint32(b)
	if magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1 {
		bo = binary.BigEndian
		magic = bo.Uint32(b)
	}
	nano := magic == 0xa1b23c4d
	link := uint16(bo.Uint32(b[20:]) & 0xffff)
	off := 24
	for off+16 <= len(b) {
		sec, frac := int64(bo.Uint32(b[off:])), int64(bo.Uint32(b[off+4:]))
		incl, orig := int(bo.Uint32(b[off+8:])), int(bo.Uint32(b[off+12:]))
		off += 16
		if incl > maxSnap || incl < 0 {
			return fmt.Errorf("pcap record at %d: captured length %d exceeds %d", off-16, incl, maxSnap)
		}
		if off+incl > len(b) {
			return nil
		}
		if nano {
			frac /= 1000
		}
		if !fn(Packet{TimeUS: sec*1_000_000 + frac, LinkType: link, Data: b[off : off+incl], OrigLen: orig}) {
			return nil
		}
		off += incl
	}
	return nil
}

type pcapngIface struct {
	link uint16
	// unitsPerSec is the timestamp resolution (if_tsresol), 1e6 by default.
	unitsPerSec int64
}

func readPcapng(b []byte, fn func(Packet) bool) error {
	var bo binary.ByteOrder = binary.LittleEndian
	var ifaces []pcapngIface
	off := 0
	for off+12 <= len(b) {
		typ := bo.Uint32(b[off:])
		if typ == 0x0a0d0d0a {
			// Section header: the byte-order magic decides how everything after it reads.
			switch binary.LittleEndian.Uint32(b[off+8:]) {
			case 0x1a2b3c4d:
				bo = binary.LittleEndian
			case 0x4d3c2b1a:
				bo = binary.BigEndian
			default:
				return fmt.Errorf("pcapng section at %d: bad byte-order magic", off)
			}
			ifaces = ifaces[:0]
		}
		blen := int(bo.Uint32(b[off+4:]))
		if blen < 12 || blen%4 != 0 || blen > len(b)-off {
			if blen > len(b)-off {
				return nil
			}
			return fmt.Errorf("pcapng block at %d: bad length %d", off, blen)
		}
		body := b[off+8 : off+blen-4]
		switch typ {
		case 1: // interface description
			if len(body) >= 8 && len(ifaces) < 1024 {
				ifaces = append(ifaces, pcapngIface{link: bo.Uint16(body), unitsPerSec: tsResolution(body[8:], bo)})
			}
		case 6: // enhanced packet
			if len(body) < 20 {
				break
			}
			id := int(bo.Uint32(body))
			capLen, orig := int(bo.Uint32(body[12:])), int(bo.Uint32(body[16:]))
			if id >= len(ifaces) || capLen > len(body)-20 || capLen < 0 {
				break
			}
			ts := int64(bo.Uint32(body[4:]))<<32 | int64(bo.Uint32(body[8:]))
			if !fn(Packet{TimeUS: scaleTS(ts, ifaces[id].unitsPerSec), LinkType: ifaces[id].link,
				Data: body[20 : 20+capLen], OrigLen: orig}) {
				return nil
			}
		case 3: // simple packet
			if len(body) < 4 || len(ifaces) == 0 {
				break
			}
			orig := int(bo.Uint32(body))
			data := body[4:]
			if orig < len(data) {
				data = data[:orig]
			}
			if !fn(Packet{LinkType: ifaces[0].link, Data: data, OrigLen: orig}) {
				return nil
			}
		case 2: // obsolete packet block
			if len(body) < 20 {
				break
			}
			id := int(bo.Uint16(body))
			capLen, orig := int(bo.Uint32(body[12:])), int(bo.Uint32(body[16:]))
			if id >= len(ifaces) || capLen > len(body)-20 || capLen < 0 {
				break
			}
			ts := int64(bo.Uint32(body[4:]))<<32 | int64(bo.Uint32(body[8:]))
			if !fn(Packet{TimeUS: scaleTS(ts, ifaces[id].unitsPerSec), LinkType: ifaces[id].link,
				Data: body[20 : 20+capLen], OrigLen: orig}) {
				return nil
			}
		}
		off += blen
	}
	return nil
}

func scaleTS(ts, unitsPerSec int64) int64 {
	if unitsPerSec == 1_000_000 || unitsPerSec <= 0 {
		return ts
	}
	if unitsPerSec > 1_000_000 {
		return ts / (unitsPerSec / 1_000_000)
	}
	return ts * (1_000_000 / unitsPerSec)
}

// tsResolution reads if_tsresol from an interface block's options.
func tsResolution(opts []byte, bo binary.ByteOrder) int64 {
	for len(opts) >= 4 {
		code, l := bo.Uint16(opts), int(bo.Uint16(opts[2:]))
		if code == 0 || 4+l > len(opts) {
			break
		}
		if code == 9 && l >= 1 {
			v := opts[4]
			exp := int64(v & 0x7f)
			base := int64(10)
			if v&0x80 != 0 {
				base = 2
			}
			if exp > 18 {
				return 1_000_000
			}
			r := int64(1)
			for i := int64(0); i < exp; i++ {
				r *= base
			}
			return r
		}
		opts = opts[4+(l+3)&^3:]
	}
	return 1_000_000
}
