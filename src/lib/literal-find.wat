;; The SIMD loop of literal-find.ts: where one literal starts in a window of memory.
;; find(needle, nlen, data, len, out, cap) looks at the starts data+0 … data+len-1, 16 a
;; step: a start is a candidate when its first byte and its byte nlen-1 further on are the
;; needle's (Muła's "generic SIMD" filter), and a hit when the bytes between match too. It
;; reads up to nlen + 14 bytes past the last start (the caller pads) and writes the hits'
;; offsets as i32 at `out`, in order, stopping at `cap` of them. Returns how many.
;; After a change: node scripts/wasm-modules.mjs
(module
  (memory (export "memory") 1)
  (func (export "find") (param $needle i32) (param $nlen i32) (param $data i32) (param $len i32) (param $out i32) (param $cap i32) (result i32)
    (local $i i32) (local $n i32) (local $mask i32) (local $at i32) (local $k i32) (local $lastAt i32)
    (local $first v128) (local $last v128)
    (local.set $lastAt (i32.sub (local.get $nlen) (i32.const 1)))
    (local.set $first (i8x16.splat (i32.load8_u (local.get $needle))))
    (local.set $last (i8x16.splat (i32.load8_u (i32.add (local.get $needle) (local.get $lastAt)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $mask (i8x16.bitmask (v128.and
          (i8x16.eq (v128.load (i32.add (local.get $data) (local.get $i))) (local.get $first))
          (i8x16.eq (v128.load (i32.add (i32.add (local.get $data) (local.get $i)) (local.get $lastAt))) (local.get $last)))))
        (if (local.get $mask)
          (then
            ;; Lanes at or past len are not starts.
            (if (i32.lt_u (i32.sub (local.get $len) (local.get $i)) (i32.const 16))
              (then (local.set $mask (i32.and (local.get $mask)
                (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $len) (local.get $i))) (i32.const 1))))))
            (block $lanesDone
              (loop $lanes
                (br_if $lanesDone (i32.eqz (local.get $mask)))
                (local.set $at (i32.add (local.get $i) (i32.ctz (local.get $mask))))
                (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
                (local.set $k (i32.const 1))
                (block $differs
                  (loop $bytes
                    (if (i32.lt_u (local.get $k) (local.get $lastAt))
                      (then
                        (br_if $differs (i32.ne
                          (i32.load8_u (i32.add (i32.add (local.get $data) (local.get $at)) (local.get $k)))
                          (i32.load8_u (i32.add (local.get $needle) (local.get $k)))))
                        (local.set $k (i32.add (local.get $k) (i32.const 1)))
                        (br $bytes))))
                  (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (local.get $at))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br_if $done (i32.ge_u (local.get $n) (local.get $cap))))
                (br $lanes)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (local.get $n)))
