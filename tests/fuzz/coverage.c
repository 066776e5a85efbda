/* The coverage callback for berth-fuzz (tests/fuzz/fuzz.cpp). The code under test is built
 * with -fsanitize-coverage=trace-pc: every basic block calls this with its return address. An
 * AFL-style edge (previous block ^ this block) is counted in a 64 KiB map the harness reads
 * after each input. This file itself is not instrumented (it would call itself). */
#include <stdint.h>

unsigned char berth_fuzz_map[1 << 16];
static uintptr_t prev;

void __sanitizer_cov_trace_pc(void) {
  uintptr_t pc = (uintptr_t)__builtin_return_address(0);
  uintptr_t cur = (pc ^ (pc >> 16)) & 0xffff;
  berth_fuzz_map[cur ^ prev]++;
  prev = cur >> 1;
}

void berth_fuzz_reset_edge(void) { prev = 0; }
