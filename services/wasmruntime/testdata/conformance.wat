;; conformance.wat: the Athena guest ABI (wasm-modules/ABI.md) implemented in plain
;; WebAssembly text, to prove the ABI does not depend on Go. Built with wat2wasm at test time.
;;
;; athena_describe returns a ModuleInfo kept in a data segment. athena_analyze first emits a
;; fragment (notes: "emitted by wat") through athena.emit, then returns an AnalyzeResponse with
;; identification.file_type "wat-echo" and one artifact whose content is the request bytes it
;; received, so the host can check the whole round trip.
(module
  ;; Never called by this module: importing it lets the host bound its loops cheaply (ABI.md,
  ;; "How a running guest is stopped").
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "athena" "emit" (func $emit (param i32 i32)))
  (memory (export "memory") 2)

  ;; Offsets of the constant messages (protobuf, hand-encoded; see ABI.md).
  (data (i32.const 16) "\0a\0f\77\61\74\2d\63\6f\6e\66\6f\72\6d\61\6e\63\65\12\05\31\2e\30\2e\30\1a\25\41\42\49\20\63\6f\6e\66\6f\72\6d\61\6e\63\65\20\6d\6f\64\75\6c\65\20\77\72\69\74\74\65\6e\20\69\6e\20\57\41\54\22\04\74\65\78\74\28\01")
  (data (i32.const 256) "\3a\0e\65\6d\69\74\74\65\64\20\62\79\20\77\61\74")
  (data (i32.const 512) "\22\0a\0a\08\77\61\74\2d\65\63\68\6f")

  ;; $heap is a bump allocator above the first page; nothing is ever freed, because an
  ;; instance is recycled by the host after a bounded number of calls.
  (global $heap (mut i32) (i32.const 65536))

  (func $_initialize (export "_initialize"))

  ;; athena_alloc(size) -> ptr: size bytes, 8-aligned, growing memory when needed.
  (func $alloc (export "athena_alloc") (param $size i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.and (i32.add (i32.add (local.get $ptr) (local.get $size)) (i32.const 7)) (i32.const -8)))
    (block $ok
      (loop $grow
        (br_if $ok (i32.le_u (local.get $end) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (br $grow)))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; athena_describe() -> ptr<<32 | len of the ModuleInfo.
  (func (export "athena_describe") (result i64)
    (call $pack (i32.const 16) (i32.const 71)))

  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))

  ;; $varint writes v as a protobuf varint at p and returns the next free byte.
  (func $varint (param $p i32) (param $v i32) (result i32)
    (block $done
      (loop $more
        (br_if $done (i32.lt_u (local.get $v) (i32.const 128)))
        (i32.store8 (local.get $p) (i32.or (i32.and (local.get $v) (i32.const 127)) (i32.const 128)))
        (local.set $v (i32.shr_u (local.get $v) (i32.const 7)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $more)))
    (i32.store8 (local.get $p) (local.get $v))
    (i32.add (local.get $p) (i32.const 1)))

  ;; $varintlen is the number of bytes $varint writes for v.
  (func $varintlen (param $v i32) (result i32)
    (local $n i32)
    (local.set $n (i32.const 1))
    (block $done
      (loop $more
        (br_if $done (i32.lt_u (local.get $v) (i32.const 128)))
        (local.set $v (i32.shr_u (local.get $v) (i32.const 7)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $more)))
    (local.get $n))

  ;; $copy copies n bytes from src to dst (no bulk-memory needed) and returns dst+n.
  (func $copy (param $dst i32) (param $src i32) (param $n i32) (result i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $more)))
    (local.get $dst))

  ;; athena_analyze(ptr, len) -> ptr<<32 | len of an AnalyzeResponse.
  (func (export "athena_analyze") (param $in i32) (param $len i32) (result i64)
    (local $out i32) (local $p i32) (local $inner i32)
    (call $emit (i32.const 256) (i32.const 16))
    ;; inner = Artifact{content (field 2) = request bytes}
    (local.set $inner (i32.add (i32.add (i32.const 1) (call $varintlen (local.get $len))) (local.get $len)))
    (local.set $out (call $alloc (i32.add (i32.add (local.get $inner) (i32.const 16)) (i32.const 12))))
    (local.set $p (call $copy (local.get $out) (i32.const 512) (i32.const 12)))
    (i32.store8 (local.get $p) (i32.const 0x1a)) ;; field 3 (artifacts), length-delimited
    (local.set $p (call $varint (i32.add (local.get $p) (i32.const 1)) (local.get $inner)))
    (i32.store8 (local.get $p) (i32.const 0x12)) ;; Artifact field 2 (content), length-delimited
    (local.set $p (call $varint (i32.add (local.get $p) (i32.const 1)) (local.get $len)))
    (local.set $p (call $copy (local.get $p) (local.get $in) (local.get $len)))
    (call $pack (local.get $out) (i32.sub (local.get $p) (local.get $out))))
)
