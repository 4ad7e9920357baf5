;; gemm.wat: the fast CPU backend's matrix-product tiles in float32 SIMD (f32x4), 4 rows × 8 columns a tile.
;;
;; Built by scripts/build-kernels.ts with wabt into four modules (src/backends/cpu/kernels/*.wasm):
;; with relaxed-SIMD fused multiply-add or with a plain multiply then add (the same source, each
;; `f32x4.relaxed_madd` spelled as `f32x4.mul` then `f32x4.add`), and importing a shared memory (for
;; threads) or an unshared one. simd-kernels.ts loads the best the engine validates.
;;
;; tiles computes, for t < colStrips and s < strips, the 4 × 8 block of C at rows 4s…4s+3 and
;; columns 8t…8t+7:
;;   C(4s + r, 8t + c) = Σ_p A(4s + r, p) · B(p, 8t + c)    for p = 0 … k−1 in order, r < 4, c < 8
;; where, in bytes from the start of memory,
;;   A(4s + r, p)  is at a + s·aStrip + r·aRow + p·aCol  (A row-major or transposed, read in place)
;;   B(p, 8t + c)  is at b + t·bStrip + p·bCol + 4c  (the eight columns of one p lie together)
;;   C(i, j)       is at c + i·cRow + 4j
;; Column strips are the outer loop: one strip of B (k × 8 floats, 25 KB at k = 784) stays in the
;; L1 cache while the row strips pass.
;; Each sum runs in a float32 lane, so it rounds at every term (unlike the float64 reference);
;; tests/gemm.test.ts states the tolerance. The caller promises k ≥ 1, strips ≥ 1 and
;; colStrips ≥ 1, and pads A, B and C so that every tile lies in memory it owns.
;;
;; A product is a job: 80 bytes in memory that say where its operands lie, cut into chunks (a run of
;; 8 row strips × a block of 8 column strips: 32 rows × 64 columns of C, whose 64 columns of B stay
;; in cache while the rows pass). Every thread that shares the memory calls `work` on the job and
;; takes chunks until none is left, so threads that start late or run slow take fewer.
;;   job + 0   i64  next: generation << 32 | the next chunk to take
;;   job + 8   i32  generation: the job's number (helper threads wait on it)
;;   job + 12  i32  done: chunks finished
;;   job + 16  i32  total: chunks in the job
;;   job + 20  i32 × 12  a, aStrip, aRow, aCol, b, bStrip, bCol, c, cRow, strips, colStrips, k (as for tiles)
;; The thread that posts a job first sets next to (generation, 0xffffffff), so that no thread takes a
;; chunk while the fields change, then writes the fields, then next = (generation, 0), then the
;; generation. A thread takes chunk i only by a compare-exchange of next from (generation, i), so it
;; never runs a chunk of another job than the one whose fields it read.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; row strips per chunk and column strips per block
  (global $CHUNK_STRIPS i32 (i32.const 8))
  (global $BLOCK_STRIPS i32 (i32.const 8))

  ;; the job's fields (byte offsets from job): a 20, aStrip 24, aRow 28, aCol 32, b 36, bStrip 40,
  ;; bCol 44, c 48, cRow 52, strips 56, colStrips 60, k 64

  (func $ceilDiv (param $x i32) (param $y i32) (result i32)
    (i32.div_u (i32.add (local.get $x) (i32.sub (local.get $y) (i32.const 1))) (local.get $y)))

  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_u (local.get $x) (local.get $y))))

;; the chunks of the job at $job: row chunks × column blocks
  (func $chunks (export "chunks") (param $job i32) (result i32)
    (i32.mul
      (call $ceilDiv (i32.load offset=56 (local.get $job)) (global.get $CHUNK_STRIPS))
      (call $ceilDiv (i32.load offset=60 (local.get $job)) (global.get $BLOCK_STRIPS))))

  ;; chunk $i of the job at $job: row strips s0 … s0 + 7 and column strips t0 … t0 + 7 (fewer at the edges)
  (func $chunk (param $job i32) (param $i i32)
    (local $rowChunks i32) (local $s0 i32) (local $t0 i32) (local $aStrip i32) (local $bStrip i32) (local $cRow i32)
    (local.set $rowChunks (call $ceilDiv (i32.load offset=56 (local.get $job)) (global.get $CHUNK_STRIPS)))
    (local.set $s0 (i32.mul (i32.rem_u (local.get $i) (local.get $rowChunks)) (global.get $CHUNK_STRIPS)))
    (local.set $t0 (i32.mul (i32.div_u (local.get $i) (local.get $rowChunks)) (global.get $BLOCK_STRIPS)))
    (local.set $aStrip (i32.load offset=24 (local.get $job)))
    (local.set $bStrip (i32.load offset=40 (local.get $job)))
    (local.set $cRow (i32.load offset=52 (local.get $job)))
    (call $tiles
      (i32.add (i32.load offset=20 (local.get $job)) (i32.mul (local.get $s0) (local.get $aStrip)))
      (local.get $aStrip)
      (i32.load offset=28 (local.get $job))
      (i32.load offset=32 (local.get $job))
      (i32.add (i32.load offset=36 (local.get $job)) (i32.mul (local.get $t0) (local.get $bStrip)))
      (local.get $bStrip)
      (i32.load offset=44 (local.get $job))
      ;; C from row 4·s0, column 8·t0
      (i32.add (i32.load offset=48 (local.get $job))
        (i32.add (i32.mul (i32.shl (local.get $s0) (i32.const 2)) (local.get $cRow)) (i32.shl (local.get $t0) (i32.const 5))))
      (local.get $cRow)
      (call $min (global.get $CHUNK_STRIPS) (i32.sub (i32.load offset=56 (local.get $job)) (local.get $s0)))
      (call $min (global.get $BLOCK_STRIPS) (i32.sub (i32.load offset=60 (local.get $job)) (local.get $t0)))
      (i32.load offset=64 (local.get $job))))

  ;; B in strips of 8 columns, from B row-major at $src (rows $srcRow bytes apart, read 8t … 8t+7
  ;; whole, so the caller pads the last row): dst + (t·k + p)·32 = B(p, 8t … 8t+7)
  (func (export "packColumns") (param $src i32) (param $srcRow i32) (param $dst i32) (param $k i32) (param $colStrips i32)
    (local $t i32) (local $p i32) (local $from i32)
    (local.set $t (i32.const 0))
    (loop $strips
      (local.set $from (i32.add (local.get $src) (i32.shl (local.get $t) (i32.const 5))))
      (local.set $p (local.get $k))
      (loop $rows
        (v128.store (local.get $dst) (v128.load (local.get $from)))
        (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $from)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $from (i32.add (local.get $from) (local.get $srcRow)))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (br_if $rows (local.get $p)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $strips (i32.lt_u (local.get $t) (local.get $colStrips)))))

  ;; takes chunks of the job at $job until none is left; returns how many this thread ran
  (func (export "work") (param $job i32) (result i32)
    (local $generation i64) (local $total i32) (local $next i64) (local $i i32) (local $ran i32)
    (local.set $generation (i64.extend_i32_u (i32.atomic.load offset=8 (local.get $job))))
    (local.set $total (i32.atomic.load offset=16 (local.get $job)))
    (block $none
      (loop $take
        (local.set $next (i64.atomic.load (local.get $job)))
        (br_if $none (i64.ne (i64.shr_u (local.get $next) (i64.const 32)) (local.get $generation)))
        (local.set $i (i32.wrap_i64 (local.get $next)))
        (br_if $none (i32.ge_u (local.get $i) (local.get $total)))
        (if (i64.eq
              (i64.atomic.rmw.cmpxchg (local.get $job) (local.get $next) (i64.add (local.get $next) (i64.const 1)))
              (local.get $next))
          (then
            (call $chunk (local.get $job) (local.get $i))
            (drop (i32.atomic.rmw.add offset=12 (local.get $job) (i32.const 1)))
            (local.set $ran (i32.add (local.get $ran) (i32.const 1)))))
        (br $take)))
    (local.get $ran))

  (func $tiles (export "tiles")
    (param $a i32) (param $aStrip i32) (param $aRow i32) (param $aCol i32)
    (param $b i32) (param $bStrip i32) (param $bCol i32)
    (param $c i32) (param $cRow i32)
    (param $strips i32) (param $colStrips i32) (param $k i32)
    (local $s i32) (local $t i32) (local $p i32)
    (local $ap i32) (local $bp i32) (local $cp i32) (local $aRow2 i32) (local $aRow3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    ;; the 4 × 2 running sums: $cR0 holds row R's columns 0–3, $cR1 its columns 4–7
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)

    (local.set $aRow2 (i32.shl (local.get $aRow) (i32.const 1)))
    (local.set $aRow3 (i32.add (local.get $aRow2) (local.get $aRow)))
    (local.set $t (i32.const 0))
    (loop $columnStrips
      (local.set $s (i32.const 0))
      (loop $rowStrips
        (local.set $c00 (v128.const i32x4 0 0 0 0))
        (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0))
        (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0))
        (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0))
        (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $s) (local.get $aStrip))))
        (local.set $bp (i32.add (local.get $b) (i32.mul (local.get $t) (local.get $bStrip))))
        (local.set $p (local.get $k))
        (loop $terms
          (local.set $b0 (v128.load (local.get $bp)))
          (local.set $b1 (v128.load offset=16 (local.get $bp)))
          (local.set $x (v128.load32_splat (local.get $ap)))
          (local.set $c00 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c00)))
          (local.set $c01 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c01)))
          (local.set $x (v128.load32_splat (i32.add (local.get $ap) (local.get $aRow))))
          (local.set $c10 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c10)))
          (local.set $c11 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c11)))
          (local.set $x (v128.load32_splat (i32.add (local.get $ap) (local.get $aRow2))))
          (local.set $c20 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c20)))
          (local.set $c21 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c21)))
          (local.set $x (v128.load32_splat (i32.add (local.get $ap) (local.get $aRow3))))
          (local.set $c30 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c30)))
          (local.set $c31 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c31)))
          (local.set $ap (i32.add (local.get $ap) (local.get $aCol)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bCol)))
          (local.set $p (i32.sub (local.get $p) (i32.const 1)))
          (br_if $terms (local.get $p)))
        ;; store the tile: row 4s + r at c + (4s + r)·cRow + 32t
        (local.set $cp
          (i32.add (local.get $c)
            (i32.add (i32.mul (i32.shl (local.get $s) (i32.const 2)) (local.get $cRow))
                     (i32.shl (local.get $t) (i32.const 5)))))
        (v128.store (local.get $cp) (local.get $c00))
        (v128.store offset=16 (local.get $cp) (local.get $c01))
        (local.set $cp (i32.add (local.get $cp) (local.get $cRow)))
        (v128.store (local.get $cp) (local.get $c10))
        (v128.store offset=16 (local.get $cp) (local.get $c11))
        (local.set $cp (i32.add (local.get $cp) (local.get $cRow)))
        (v128.store (local.get $cp) (local.get $c20))
        (v128.store offset=16 (local.get $cp) (local.get $c21))
        (local.set $cp (i32.add (local.get $cp) (local.get $cRow)))
        (v128.store (local.get $cp) (local.get $c30))
        (v128.store offset=16 (local.get $cp) (local.get $c31))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br_if $rowStrips (i32.lt_u (local.get $s) (local.get $strips))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $columnStrips (i32.lt_u (local.get $t) (local.get $colStrips))))))
