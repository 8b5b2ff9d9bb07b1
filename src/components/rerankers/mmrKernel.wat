;; Kernel of mmrOrder (src/components/rerankers/mmr.ts); memory offsets in bytes.
;; update(x, d, o, free, m, maxSim): after a pick, raises each free item's max similarity.
;;   x: float64 rows, d per row; o: the picked row (a byte offset into x's area);
;;   free: m item indices (int32); maxSim: one float64 per item index.
;; For each listed item i: sim = the dot product of rows o and i, summed as mmr.ts's `dot` sums it
;; (four lanes p mod 4, each a sequential float64 sum in p order, the leftover p < d added to lane 0
;; after them, then ((lane0 + lane1) + lane2) + lane3): lanes 0/1 are one f64x2 accumulator and 2/3
;; another, with no fused multiply-add, so every sum is bit for bit the JavaScript one.
;; Then maxSim[i] = sim when sim > maxSim[i] (false for NaN, as in JavaScript).
;; Two items at a time share each load of the picked row.
(module
  (import "env" "memory" (memory 1))
  (func (export "update") (param $x i32) (param $d i32) (param $o i32) (param $free i32) (param $m i32) (param $maxSim i32)
    (local $j i32) (local $end i32) (local $pairEnd i32) (local $rowBytes i32) (local $vecEnd i32) (local $p i32)
    (local $r1 i32) (local $r2 i32) (local $i1 i32) (local $i2 i32)
    (local $pa v128) (local $pb v128)
    (local $a1 v128) (local $b1 v128) (local $a2 v128) (local $b2 v128)
    (local $s1 f64) (local $s2 f64) (local $op f64) (local $slot i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    ;; bytes of each row covered by whole groups of four components
    (local.set $vecEnd (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 3)))
    (local.set $end (i32.add (local.get $free) (i32.shl (local.get $m) (i32.const 2))))
    (local.set $pairEnd (i32.add (local.get $free) (i32.shl (i32.and (local.get $m) (i32.const -2)) (i32.const 2))))
    (local.set $j (local.get $free))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $j) (local.get $pairEnd)))
        (local.set $i1 (i32.load offset=0 (local.get $j)))
        (local.set $i2 (i32.load offset=4 (local.get $j)))
        (local.set $r1 (i32.add (local.get $x) (i32.mul (local.get $i1) (local.get $rowBytes))))
        (local.set $r2 (i32.add (local.get $x) (i32.mul (local.get $i2) (local.get $rowBytes))))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $b1 (v128.const f64x2 0 0))
        (local.set $a2 (v128.const f64x2 0 0))
        (local.set $b2 (v128.const f64x2 0 0))
        (local.set $p (i32.const 0))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.ge_u (local.get $p) (local.get $vecEnd)))
            (local.set $pa (v128.load offset=0 (i32.add (local.get $o) (local.get $p))))
            (local.set $pb (v128.load offset=16 (i32.add (local.get $o) (local.get $p))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $pa) (v128.load offset=0 (i32.add (local.get $r1) (local.get $p))))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $pb) (v128.load offset=16 (i32.add (local.get $r1) (local.get $p))))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $pa) (v128.load offset=0 (i32.add (local.get $r2) (local.get $p))))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $pb) (v128.load offset=16 (i32.add (local.get $r2) (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (br $vec)))
        (local.set $s1 (f64x2.extract_lane 0 (local.get $a1)))
        (local.set $s2 (f64x2.extract_lane 0 (local.get $a2)))
        (block $tdone
          (loop $tail
            (br_if $tdone (i32.ge_u (local.get $p) (local.get $rowBytes)))
            (local.set $op (f64.load (i32.add (local.get $o) (local.get $p))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $op) (f64.load (i32.add (local.get $r1) (local.get $p))))))
            (local.set $s2 (f64.add (local.get $s2) (f64.mul (local.get $op) (f64.load (i32.add (local.get $r2) (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $tail)))
        (local.set $s1 (f64.add (f64.add (f64.add (local.get $s1) (f64x2.extract_lane 1 (local.get $a1))) (f64x2.extract_lane 0 (local.get $b1))) (f64x2.extract_lane 1 (local.get $b1))))
        (local.set $s2 (f64.add (f64.add (f64.add (local.get $s2) (f64x2.extract_lane 1 (local.get $a2))) (f64x2.extract_lane 0 (local.get $b2))) (f64x2.extract_lane 1 (local.get $b2))))
        (local.set $slot (i32.add (local.get $maxSim) (i32.shl (local.get $i1) (i32.const 3))))
        (if (f64.gt (local.get $s1) (f64.load (local.get $slot)))
          (then (f64.store (local.get $slot) (local.get $s1))))
        (local.set $slot (i32.add (local.get $maxSim) (i32.shl (local.get $i2) (i32.const 3))))
        (if (f64.gt (local.get $s2) (f64.load (local.get $slot)))
          (then (f64.store (local.get $slot) (local.get $s2))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $pairs)))
    ;; the last item when m is odd
    (if (i32.lt_u (local.get $j) (local.get $end))
      (then
        (local.set $i1 (i32.load (local.get $j)))
        (local.set $r1 (i32.add (local.get $x) (i32.mul (local.get $i1) (local.get $rowBytes))))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $b1 (v128.const f64x2 0 0))
        (local.set $p (i32.const 0))
        (block $vdone1
          (loop $vec1
            (br_if $vdone1 (i32.ge_u (local.get $p) (local.get $vecEnd)))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=0 (i32.add (local.get $o) (local.get $p))) (v128.load offset=0 (i32.add (local.get $r1) (local.get $p))))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (v128.load offset=16 (i32.add (local.get $o) (local.get $p))) (v128.load offset=16 (i32.add (local.get $r1) (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (br $vec1)))
        (local.set $s1 (f64x2.extract_lane 0 (local.get $a1)))
        (block $tdone1
          (loop $tail1
            (br_if $tdone1 (i32.ge_u (local.get $p) (local.get $rowBytes)))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $o) (local.get $p))) (f64.load (i32.add (local.get $r1) (local.get $p))))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $tail1)))
        (local.set $s1 (f64.add (f64.add (f64.add (local.get $s1) (f64x2.extract_lane 1 (local.get $a1))) (f64x2.extract_lane 0 (local.get $b1))) (f64x2.extract_lane 1 (local.get $b1))))
        (local.set $slot (i32.add (local.get $maxSim) (i32.shl (local.get $i1) (i32.const 3))))
        (if (f64.gt (local.get $s1) (f64.load (local.get $slot)))
          (then (f64.store (local.get $slot) (local.get $s1)))))))
)
