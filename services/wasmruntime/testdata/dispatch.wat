;; A function in the shape Go's wasm backend gives every function (services/wasmruntime/
;; branches.go): basic blocks after the ends of blocks opened at a loop's head, a br_table on
;; the first parameter (PC_B) choosing one, and every jump "i32.const K, local.set 0, br" to
;; that loop. sum(0, n) adds i for i < n and 100 more for every even i; region 1 is the loop's
;; body, region 2 its test. Five jumps go forward (threadBranches makes them direct: two of
;; them through the table's default, for n < 0), one goes back.
;; Rebuild with: wat2wasm testdata/dispatch.wat -o testdata/dispatch.wasm
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (func (export "sum") (param i32 i32) (result i32)
    (local $i i32) (local $acc i32)
    block ;; as Go's unwinding exit
      loop ;; the dispatch loop
        block
          block
            block
              block
                local.get 0
                br_table 0 1 2 3 3
              end
              ;; region 0: start
              i32.const 0
              local.set $i
              i32.const 0
              local.set $acc
              local.get 1
              i32.const -1
              i32.eq
              if
                i32.const -1 ;; forward, to the end through the default
                local.set 0
                br 4
              end
              local.get 1
              i32.const 0
              i32.lt_s
              if
                i32.const 99 ;; forward, to the end through the default
                local.set 0
                br 4
              end
              i32.const 2 ;; forward, to the loop's test
              local.set 0
              br 3
            end
            ;; region 1: the loop's body
            local.get $acc
            local.get $i
            i32.add
            local.set $acc
            local.get $i
            i32.const 1
            i32.and
            if
              local.get $i
              i32.const 1
              i32.add
              local.set $i
              i32.const 2 ;; forward, from inside an if
              local.set 0
              br 3
            end
            local.get $acc
            i32.const 100
            i32.add
            local.set $acc
            local.get $i
            i32.const 1
            i32.add
            local.set $i
          end
          ;; region 2: the loop's test
          local.get $i
          local.get 1
          i32.lt_s
          if
            i32.const 1 ;; back, to the body: stays with the dispatch
            local.set 0
            br 2
          end
          i32.const 3 ;; forward, to the end
          local.set 0
          br 1
        end
        ;; region 3: the result
        local.get $acc
        return
      end
      unreachable
    end
    unreachable
  )
)
