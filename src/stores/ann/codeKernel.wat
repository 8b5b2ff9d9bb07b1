;; Kernel of CodeScorer (src/stores/ann/codeScorer.ts); memory offsets in bytes.
;; scores(q, v, rows, stride, out): for row i < rows, out[i] = Σ_{p<stride} q[p]·f32(v[i·stride + p])
;; in float32, where v holds int8 codes and q float32 weights. stride: codes per row, a multiple of 16.
;; Per 16 codes: widen to 4 × i32x4, convert to f32x4, multiply by 4 query lanes, add to one accumulator;
;; the lane sum is taken in a fixed order (0 + 1) + (2 + 3).
(module
  (import "env" "memory" (memory 1))
  (func (export "scores") (param $q i32) (param $v i32) (param $rows i32) (param $stride i32) (param $out i32)
    (local $i i32) (local $p i32) (local $off i32) (local $end i32) (local $acc v128) (local $c v128) (local $h v128)
    (local.set $end (i32.add (local.get $q) (i32.shl (local.get $stride) (i32.const 2))))
    (local.set $off (local.get $v))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (local.get $q))
        (block $cdone
          (loop $chunk
            (br_if $cdone (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $c (v128.load (local.get $off)))
            (local.set $h (i16x8.extend_low_i8x16_s (local.get $c)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=0 (local.get $p)) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $h))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=16 (local.get $p)) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $h))))))
            (local.set $h (i16x8.extend_high_i8x16_s (local.get $c)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=32 (local.get $p)) (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $h))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=48 (local.get $p)) (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $h))))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $chunk)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))
)
