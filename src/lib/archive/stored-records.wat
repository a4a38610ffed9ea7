;; The loop of stored-records-simd.ts: a run of the file store's entries (24-byte index
;; records, log bytes) written as record lines, JSON escapes found 16 bytes a step.
;; The caller lays out the memory: at 0 the escapes (8 bytes per byte value below 0x60: its
;; length, then its bytes), at 768 a scratch for digits, at 1024 the pieces' table
;; (offset, length as i32 pairs: 0 = before the seq, 1 = between seq and ts, 2 = the
;; record's end, 3 + k = the fields between ts and line for k = ((level × streams + stream)
;; × 2 + eol) × 4 + mark), their bytes further on; then the run. Every piece, digit and
;; escape is written 8 or 16 bytes at a time: it writes up to 16 bytes past what it keeps,
;; and reads up to 16 past the log bytes (the caller leaves room for both).
;; records(...) writes each record's end and line value's start (from `out`) at `ends` and
;; `values`, and returns the bytes written. Timestamps must be integers in 0 … 2^53.
;; After a change: node scripts/wasm-modules.mjs
(module
  (memory (export "memory") 1)

  ;; Copies len bytes 16 a step; returns where they end in dst.
  (func $copy (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (local $k i32)
    (loop $more
      (v128.store (i32.add (local.get $dst) (local.get $k)) (v128.load (i32.add (local.get $src) (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $more (i32.lt_u (local.get $k) (local.get $len))))
    (i32.add (local.get $dst) (local.get $len)))

  (func $piece (param $dst i32) (param $k i32) (result i32)
    (local $entry i32)
    (local.set $entry (i32.add (i32.const 1024) (i32.shl (local.get $k) (i32.const 3))))
    (call $copy (local.get $dst) (i32.load (local.get $entry)) (i32.load offset=4 (local.get $entry))))

  ;; The decimal digits of value (below 10^16), written backwards into the scratch, then copied.
  (func $digits (param $dst i32) (param $value i64) (result i32)
    (local $at i32)
    (local.set $at (i32.const 800))
    (loop $more
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $more (i64.ne (local.get $value) (i64.const 0))))
    (v128.store (local.get $dst) (v128.load (local.get $at)))
    (i32.add (local.get $dst) (i32.sub (i32.const 800) (local.get $at))))

  ;; Bytes src … src+len with JSON's escapes: `"`, `\` and the bytes below 0x20.
  (func $escape (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (local $end i32) (local $chunk v128) (local $mask i32) (local $left i32) (local $skip i32) (local $escape i32)
    (local.set $end (i32.add (local.get $src) (local.get $len)))
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $chunk (v128.load (local.get $src)))
        (v128.store (local.get $dst) (local.get $chunk))
        (local.set $mask (i8x16.bitmask (v128.or
          (v128.or (i8x16.eq (local.get $chunk) (i8x16.splat (i32.const 0x22))) (i8x16.eq (local.get $chunk) (i8x16.splat (i32.const 0x5c))))
          (i8x16.lt_u (local.get $chunk) (i8x16.splat (i32.const 0x20))))))
        (local.set $left (i32.sub (local.get $end) (local.get $src)))
        (if (i32.lt_u (local.get $left) (i32.const 16))
          (then (local.set $mask (i32.and (local.get $mask) (i32.sub (i32.shl (i32.const 1) (local.get $left)) (i32.const 1)))))
          (else (local.set $left (i32.const 16))))
        (if (i32.eqz (local.get $mask))
          (then
            (local.set $src (i32.add (local.get $src) (local.get $left)))
            (local.set $dst (i32.add (local.get $dst) (local.get $left)))
            (br $more)))
        (local.set $skip (i32.ctz (local.get $mask)))
        (local.set $src (i32.add (local.get $src) (local.get $skip)))
        (local.set $dst (i32.add (local.get $dst) (local.get $skip)))
        (local.set $escape (i32.shl (i32.load8_u (local.get $src)) (i32.const 3)))
        (i64.store (local.get $dst) (i64.load offset=1 (local.get $escape)))
        (local.set $dst (i32.add (local.get $dst) (i32.load8_u (local.get $escape))))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (br $more)))
    (local.get $dst))

  (func (export "records")
    (param $count i32) (param $index i32) (param $data i32) (param $start f64) (param $from f64)
    (param $out i32) (param $ends i32) (param $values i32) (param $levels i32) (param $streams i32) (result i32)
    (local $i i32) (local $record i32) (local $p i32) (local $ts f64) (local $lastTs f64) (local $tsAt i32) (local $tsLength i32)
    (local $level i32) (local $stream i32) (local $flags i32)
    (local.set $lastTs (f64.const nan))
    (local.set $p (local.get $out))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $record (i32.add (local.get $index) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $p (call $piece (local.get $p) (i32.const 0)))
        (local.set $p (call $digits (local.get $p) (i64.trunc_f64_u (f64.add (local.get $from) (f64.convert_i32_u (local.get $i))))))
        (local.set $p (call $piece (local.get $p) (i32.const 1)))
        ;; A run's entries mostly share their timestamp: its digits are copied from the last record's.
        (local.set $ts (f64.load offset=8 (local.get $record)))
        (if (f64.eq (local.get $ts) (local.get $lastTs))
          (then (local.set $p (call $copy (local.get $p) (local.get $tsAt) (local.get $tsLength))))
          (else
            (local.set $tsAt (local.get $p))
            (local.set $p (call $digits (local.get $p) (i64.trunc_f64_u (local.get $ts))))
            (local.set $tsLength (i32.sub (local.get $p) (local.get $tsAt)))
            (local.set $lastTs (local.get $ts))))
        (local.set $level (i32.load8_u offset=20 (local.get $record)))
        (if (i32.ge_u (local.get $level) (local.get $levels)) (then (local.set $level (i32.const 0))))
        (local.set $stream (i32.load8_u offset=21 (local.get $record)))
        (if (i32.ge_u (local.get $stream) (local.get $streams)) (then (local.set $stream (i32.const 0))))
        (local.set $flags (i32.load8_u offset=22 (local.get $record)))
        (local.set $p (call $piece (local.get $p) (i32.add (i32.const 3) (i32.add
          (i32.shl (i32.add (i32.shl (i32.add (i32.mul (local.get $level) (local.get $streams)) (local.get $stream)) (i32.const 1))
            (i32.and (local.get $flags) (i32.const 1))) (i32.const 2))
          (i32.and (i32.shr_u (local.get $flags) (i32.const 1)) (i32.const 3))))))
        (i32.store (i32.add (local.get $values) (i32.shl (local.get $i) (i32.const 2))) (i32.sub (local.get $p) (local.get $out)))
        (local.set $p (call $escape (local.get $p)
          (i32.add (local.get $data) (i32.trunc_f64_u (f64.sub (f64.load (local.get $record)) (local.get $start))))
          (i32.load offset=16 (local.get $record))))
        (local.set $p (call $piece (local.get $p) (i32.const 2)))
        (i32.store (i32.add (local.get $ends) (i32.shl (local.get $i) (i32.const 2))) (i32.sub (local.get $p) (local.get $out)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $p) (local.get $out))))
