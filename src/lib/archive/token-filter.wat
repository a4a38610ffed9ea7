;; The loops of token-filter.ts's GramFilterBuilder (its definition is there and in the
;; README), for the archive's worker threads.
;; add(data, values, pairs, seen, distinct) goes through the 4-byte runs of data[start..end)
;; for each (start, end) pair of u32 at `values`, marks each run's key
;; k = (g·0x9E3779B1 mod 2³²) >>> 12 (g: the run as a little-endian u32) in the bitmap `seen`
;; (128 KiB, one bit per k) and lists at `distinct` (i32) the ones it had not seen; returns
;; how many it listed.
;; fill(filter, mask, seen, distinct, count) sets the filter's bits of each listed key
;; (h1 = fmix32(k), h2 = rotl(h1, 16) | 1, bits h1 and h1 + h2, mod 2³², then mod m)
;; and clears it from `seen` again.
;; After a change: node scripts/wasm-modules.mjs
(module
  (memory (export "memory") 1)

  (func (export "add") (param $data i32) (param $values i32) (param $pairs i32) (param $seen i32) (param $distinct i32) (result i32)
    (local $pair i32) (local $at i32) (local $end i32) (local $t i32) (local $byte i32) (local $bit i32) (local $old i32) (local $count i32)
    (block $pairsDone
      (loop $nextPair
        (br_if $pairsDone (i32.ge_u (local.get $pair) (local.get $pairs)))
        (local.set $at (i32.add (local.get $data) (i32.load (i32.add (local.get $values) (i32.shl (local.get $pair) (i32.const 3))))))
        (local.set $end (i32.add (local.get $data) (i32.load offset=4 (i32.add (local.get $values) (i32.shl (local.get $pair) (i32.const 3))))))
        (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
        (br_if $nextPair (i32.lt_s (i32.sub (local.get $end) (local.get $at)) (i32.const 4)))
        ;; the last run starts 4 bytes before the end
        (local.set $end (i32.sub (local.get $end) (i32.const 3)))
        (loop $nextByte
          (local.set $t (i32.shr_u (i32.mul (i32.load (local.get $at)) (i32.const 0x9e3779b1)) (i32.const 12)))
          (local.set $byte (i32.add (local.get $seen) (i32.shr_u (local.get $t) (i32.const 3))))
          (local.set $bit (i32.shl (i32.const 1) (i32.and (local.get $t) (i32.const 7))))
          (local.set $old (i32.load8_u (local.get $byte)))
          (if (i32.eqz (i32.and (local.get $old) (local.get $bit)))
            (then
              (i32.store8 (local.get $byte) (i32.or (local.get $old) (local.get $bit)))
              (i32.store (i32.add (local.get $distinct) (i32.shl (local.get $count) (i32.const 2))) (local.get $t))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))))
          (local.set $at (i32.add (local.get $at) (i32.const 1)))
          (br_if $nextByte (i32.lt_u (local.get $at) (local.get $end))))
        (br $nextPair)))
    (local.get $count))

  (func (export "fill") (param $filter i32) (param $mask i32) (param $seen i32) (param $distinct i32) (param $count i32)
    (local $n i32) (local $t i32) (local $h1 i32) (local $h2 i32) (local $bit i32) (local $byte i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $n) (local.get $count)))
        (local.set $t (i32.load (i32.add (local.get $distinct) (i32.shl (local.get $n) (i32.const 2)))))
        (i32.store8 (i32.add (local.get $seen) (i32.shr_u (local.get $t) (i32.const 3))) (i32.const 0))
        (local.set $h1 (i32.mul (i32.xor (local.get $t) (i32.shr_u (local.get $t) (i32.const 16))) (i32.const 0x85ebca6b)))
        (local.set $h1 (i32.mul (i32.xor (local.get $h1) (i32.shr_u (local.get $h1) (i32.const 13))) (i32.const 0xc2b2ae35)))
        (local.set $h1 (i32.xor (local.get $h1) (i32.shr_u (local.get $h1) (i32.const 16))))
        (local.set $h2 (i32.or (i32.rotl (local.get $h1) (i32.const 16)) (i32.const 1)))
        ;; bits h1 and h1 + h2 (mod 2^32, then mod m)
        (local.set $bit (i32.and (local.get $h1) (local.get $mask)))
        (local.set $byte (i32.add (local.get $filter) (i32.shr_u (local.get $bit) (i32.const 3))))
        (i32.store8 (local.get $byte) (i32.or (i32.load8_u (local.get $byte)) (i32.shl (i32.const 1) (i32.and (local.get $bit) (i32.const 7)))))
        (local.set $bit (i32.and (i32.add (local.get $h1) (local.get $h2)) (local.get $mask)))
        (local.set $byte (i32.add (local.get $filter) (i32.shr_u (local.get $bit) (i32.const 3))))
        (i32.store8 (local.get $byte) (i32.or (i32.load8_u (local.get $byte)) (i32.shl (i32.const 1) (i32.and (local.get $bit) (i32.const 7)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next))))
)
