;; The SIMD loop of literal-scan.ts (Teddy's fingerprint over 3 positions, 8 buckets).
;; Memory: bytes 0-95 hold the nibble tables, low then high, for positions 0, 1 and 2;
;; scan(data, len, out, cap) looks at positions data+0 … data+len-1 (reading up to 17 bytes
;; past the last: the caller pads), 16 a step, and writes as i32 at `out` the offsets of
;; those where some bucket allows all six nibbles. Returns how many, or -1 past `cap`.
;; After a change: node scripts/wasm-modules.mjs
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $data i32) (param $len i32) (param $out i32) (param $cap i32) (result i32)
    (local $i i32) (local $n i32) (local $mask i32) (local $v v128) (local $m v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128) (local $lo2 v128) (local $hi2 v128) (local $nib v128)
    (local.set $lo0 (v128.load offset=0 (i32.const 0)))
    (local.set $hi0 (v128.load offset=16 (i32.const 0)))
    (local.set $lo1 (v128.load offset=32 (i32.const 0)))
    (local.set $hi1 (v128.load offset=48 (i32.const 0)))
    (local.set $lo2 (v128.load offset=64 (i32.const 0)))
    (local.set $hi2 (v128.load offset=80 (i32.const 0)))
    (local.set $nib (i8x16.splat (i32.const 15)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $v (v128.load (i32.add (local.get $data) (local.get $i))))
        (local.set $m (v128.and
          (i8x16.swizzle (local.get $lo0) (v128.and (local.get $v) (local.get $nib)))
          (i8x16.swizzle (local.get $hi0) (i8x16.shr_u (local.get $v) (i32.const 4)))))
        (local.set $v (v128.load offset=1 (i32.add (local.get $data) (local.get $i))))
        (local.set $m (v128.and (local.get $m) (v128.and
          (i8x16.swizzle (local.get $lo1) (v128.and (local.get $v) (local.get $nib)))
          (i8x16.swizzle (local.get $hi1) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (local.set $v (v128.load offset=2 (i32.add (local.get $data) (local.get $i))))
        (local.set $m (v128.and (local.get $m) (v128.and
          (i8x16.swizzle (local.get $lo2) (v128.and (local.get $v) (local.get $nib)))
          (i8x16.swizzle (local.get $hi2) (i8x16.shr_u (local.get $v) (i32.const 4))))))
        (if (v128.any_true (local.get $m))
          (then
            (local.set $mask (i8x16.bitmask (i8x16.ne (local.get $m) (v128.const i32x4 0 0 0 0))))
            (loop $lanes
              (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (i32.const -1))))
              (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2)))
                (i32.add (local.get $i) (i32.ctz (local.get $mask))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
              (br_if $lanes (local.get $mask)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (local.get $n)))
