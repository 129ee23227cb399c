// Differential bench of rtl/vs_credit.sv (verilated with --cc, CTest
// rtl_cell_credit): credit_o against the golden model's own clamp,
// vshard::spec_clamp_credit (model/model.cc, docs/spec.md 6), bit for bit.
//
// Why: every credit update of the engine (TICK debit, ACCOUNT refill, latency
// boost, sharding surcharge) goes through this cell; an off-by-one at a bound
// or a wrap of the 19-bit intermediate would shift credits slowly, far from
// where the differential runs of the whole engine notice. So the bounds are
// swept densely: every credit in -32768..32767 for edge amounts and caps, a
// grid of credits around +/-cap and the extremes x amounts around cap, 2^15,
// 2^16 and 2^17 - 1 x caps 0..3, mid values and 32766/32767 x both
// directions, then 2 million random vectors (uniform and small-biased).
//
// Mutants tried (copies of the cell in a temp dir, not committed); each made
// this bench print FAIL: the lower bound off by one (`wide < cap_n - 1`),
// credit_i zero-extended instead of sign-extended, amount_i cut to 16 bits,
// and an 18-bit intermediate (wraps at credit -32768 - 131071).
#include <cstdint>
#include <cstdio>
#include <vector>

#include "Vvs_credit.h"
#include "verilated.h"
#include "vshard/model.h"
#include "vshard/splitmix64.h"

namespace {

uint64_t g_checked = 0;
uint64_t g_errors = 0;

void check(Vvs_credit& dut, int32_t credit, bool sub, uint32_t amount, uint32_t cap) {
  dut.credit_i = static_cast<uint16_t>(credit);
  dut.sub_i = sub;
  dut.amount_i = amount;
  dut.cap_i = cap;
  dut.eval();
  const int32_t x = credit + (sub ? -static_cast<int32_t>(amount) : static_cast<int32_t>(amount));
  const int16_t want = vshard::spec_clamp_credit(x, static_cast<int32_t>(cap));
  const int16_t got = static_cast<int16_t>(dut.credit_o);
  ++g_checked;
  if (got != want && ++g_errors <= 10)
    std::printf("vs_credit_bench: MISMATCH credit %d %s amount %u cap %u: got %d, model %d\n", credit, sub ? "-" : "+",
                amount, cap, got, want);
}

}  // namespace

int main(int argc, char** argv) {
  VerilatedContext ctx;
  ctx.commandArgs(argc, argv);
  Vvs_credit dut(&ctx);

  const std::vector<uint32_t> caps = {0, 1, 2, 3, 4, 100, 255, 256, 16383, 16384, 32766, 32767};
  const std::vector<uint32_t> amounts = {0,     1,     2,     3,     99,    100,   101,    254,
                                         255,   256,   16383, 16384, 32766, 32767, 32768,  32769,
                                         65534, 65535, 65536, 65537, 98303, 98304, 131070, 131071};
  // Every credit value, for the amounts and caps that put the bounds in reach.
  for (uint32_t cap : {1u, 100u, 32767u})
    for (uint32_t amount : {0u, 1u, 32767u, 65535u, 131071u})
      for (int32_t c = -32768; c <= 32767; ++c)
        for (bool sub : {false, true}) check(dut, c, sub, amount, cap);
  // Credits around the bounds and the extremes, x amounts, x caps.
  for (uint32_t cap : caps) {
    std::vector<int32_t> credits = {-32768, -32767, -32766, -1, 0, 1, 32766, 32767};
    for (int32_t d = -3; d <= 3; ++d) {
      credits.push_back(static_cast<int32_t>(cap) + d);
      credits.push_back(-static_cast<int32_t>(cap) + d);
    }
    for (int32_t c : credits) {
      if (c < -32768 || c > 32767) continue;
      for (uint32_t amount : amounts) {
        for (uint32_t a : {amount, amount + cap, amount + 2 * cap}) {
          if (a > 131071) continue;
          for (bool sub : {false, true}) check(dut, c, sub, a, cap);
        }
      }
    }
  }
  // Random: uniform over every input, and small magnitudes near the caps.
  vshard::SplitMix64 rng{0xC0FFEE};
  for (int i = 0; i < 1000000; ++i) {
    const uint64_t r = rng.next();
    check(dut, static_cast<int16_t>(r), (r >> 16) & 1, static_cast<uint32_t>(r >> 17) & 0x1FFFF,
          static_cast<uint32_t>(r >> 34) & 0x7FFF);
  }
  for (int i = 0; i < 1000000; ++i) {
    const uint64_t r = rng.next();
    const uint32_t cap = static_cast<uint32_t>(r & 0x7FFF) >> ((r >> 15) & 15);
    const int32_t c = static_cast<int32_t>(static_cast<int16_t>(r >> 20)) >> ((r >> 36) & 15);
    const uint32_t amount = (static_cast<uint32_t>(r >> 40) & 0x1FFFF) >> ((r >> 57) & 15);
    check(dut, c, (r >> 63) & 1, amount, cap);
  }
  dut.final();
  if (g_errors != 0) {
    std::printf("vs_credit_bench: FAIL, %llu of %llu vectors differ from the model\n",
                static_cast<unsigned long long>(g_errors), static_cast<unsigned long long>(g_checked));
    return 1;
  }
  std::printf("vs_credit_bench: PASS, %llu vectors equal to vshard::spec_clamp_credit\n",
              static_cast<unsigned long long>(g_checked));
  return 0;
}
