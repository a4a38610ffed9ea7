;; The SIMD loop of literal-scan.ts (Teddy's fingerprint over 3 positions, 16 buckets in two
;; sets of 8, as Hyperscan's "fat" Teddy has them).
;; Memory: bytes 0-95 hold buckets 0-7's nibble tables, low then high, for positions 0, 1
;; and 2; bytes 96-191 the same for buckets 8-15. scan(data, len, out, cap) looks at
;; positions data+0 … data+len-1 (reading up to 17 bytes past the last: the caller pads), 16
;; a step, and writes as i32 at `out` the offsets of those where some bucket allows all six
;; nibbles. Returns how many, or -1 past `cap`.
;; After a change: node scripts/wasm-modules.mjs
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $data i32) (param $len i32) (param $out i32) (param $cap i32) (result i32)
    (local $i i32) (local $n i32) (local $mask i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $a v128) (local $b v128) (local $nib v128)
    (local $alo0 v128) (local $ahi0 v128) (local $alo1 v128) (local $ahi1 v128) (local $alo2 v128) (local $ahi2 v128)
    (local $blo0 v128) (local $bhi0 v128) (local $blo1 v128) (local $bhi1 v128) (local $blo2 v128) (local $bhi2 v128)
    (local.set $alo0 (v128.load offset=0 (i32.const 0)))
    (local.set $ahi0 (v128.load offset=16 (i32.const 0)))
    (local.set $alo1 (v128.load offset=32 (i32.const 0)))
    (local.set $ahi1 (v128.load offset=48 (i32.const 0)))
    (local.set $alo2 (v128.load offset=64 (i32.const 0)))
    (local.set $ahi2 (v128.load offset=80 (i32.const 0)))
    (local.set $blo0 (v128.load offset=96 (i32.const 0)))
    (local.set $bhi0 (v128.load offset=112 (i32.const 0)))
    (local.set $blo1 (v128.load offset=128 (i32.const 0)))
    (local.set $bhi1 (v128.load offset=144 (i32.const 0)))
    (local.set $blo2 (v128.load offset=160 (i32.const 0)))
    (local.set $bhi2 (v128.load offset=176 (i32.const 0)))
    (local.set $nib (i8x16.splat (i32.const 15)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $v (v128.load (i32.add (local.get $data) (local.get $i))))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $a (v128.and (i8x16.swizzle (local.get $alo0) (local.get $lo)) (i8x16.swizzle (local.get $ahi0) (local.get $hi))))
        (local.set $b (v128.and (i8x16.swizzle (local.get $blo0) (local.get $lo)) (i8x16.swizzle (local.get $bhi0) (local.get $hi))))
        (local.set $v (v128.load offset=1 (i32.add (local.get $data) (local.get $i))))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $a (v128.and (local.get $a) (v128.and (i8x16.swizzle (local.get $alo1) (local.get $lo)) (i8x16.swizzle (local.get $ahi1) (local.get $hi)))))
        (local.set $b (v128.and (local.get $b) (v128.and (i8x16.swizzle (local.get $blo1) (local.get $lo)) (i8x16.swizzle (local.get $bhi1) (local.get $hi)))))
        (local.set $v (v128.load offset=2 (i32.add (local.get $data) (local.get $i))))
        (local.set $lo (v128.and (local.get $v) (local.get $nib)))
        (local.set $hi (i8x16.shr_u (local.get $v) (i32.const 4)))
        (local.set $a (v128.and (local.get $a) (v128.and (i8x16.swizzle (local.get $alo2) (local.get $lo)) (i8x16.swizzle (local.get $ahi2) (local.get $hi)))))
        (local.set $b (v128.and (local.get $b) (v128.and (i8x16.swizzle (local.get $blo2) (local.get $lo)) (i8x16.swizzle (local.get $bhi2) (local.get $hi)))))
        (local.set $a (v128.or (local.get $a) (local.get $b)))
        (if (v128.any_true (local.get $a))
          (then
            (local.set $mask (i8x16.bitmask (i8x16.ne (local.get $a) (v128.const i32x4 0 0 0 0))))
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
