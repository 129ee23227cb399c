// Differential bench of rtl/vs_shard_size.sv (verilated with --cc, CTest
// rtl_cell_shard_size): K, s(K), K * s(K) and B - K * s(K) of three instances (MaxShards
// 2, 5, 8; vs_shard_size_wrap.sv) against the golden model's own
// computation, vshard::spec_shard_size (model/model.cc, docs/spec.md 7.3 and
// 7.4), bit for bit.
//
// Why: the cell computes K by a shorter path than the spec's text (the
// eight q(B, k) * bcost products without s_T, gated by (bcost << 7) >=
// SYNC_COST_US) and leaves out the 7.3 conditions on B and E, arguing they
// are implied; the bench checks that argument on every combination of a grid
// around the decision edges (B 0..17 and the powers of two +/-1 up to 255,
// bcost, erun and SYNC_COST_US around 0/1/2, the products' edges and 65535,
// E 0..9 and 511, MAX_SHARDS 0..9 and 15) and a second grid over the load
// limit (H, LOAD_HOT_CORES, K_UNDER_LOAD, MAX_SHARDS, E, B, cand), then 1
// million random vectors (uniform and small-biased). Register values beyond
// their CONFIG ranges (MAX_SHARDS or K_UNDER_LOAD 0 or > MaxShards) are
// included: the model bounds K by MaxShards there as the cell does.
// cand_i = 0 must give K = 0 whatever the rest.
//
// Mutants tried (copies of the cell in a temp dir, not committed); each made
// this bench print FAIL: R[3] = 21845 (floor, not ceil, of 65536 / 3), the
// load test `hot_i > load_hot_i`, the (bcost << 7) >= SYNC gate removed, and
// the s_T loop run upwards (the largest 2^j wins instead of the smallest).
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bench_report.h"
#include "Vvs_shard_size_wrap.h"
#include "verilated.h"
#include "vshard/model.h"
#include "vshard/splitmix64.h"

namespace {

uint64_t g_checked = 0;
uint64_t g_errors = 0;

struct In {
  bool cand;
  uint32_t blocks, bcost, erun, elig, hot, max_shards, load_hot, k_load, sync;
};

void report(const In& in, unsigned param, unsigned gk, unsigned gs, unsigned gt, unsigned gl, unsigned wk,
            unsigned ws) {
  if (++g_errors > 10) return;
  std::printf(
      "vs_shard_size_bench: MISMATCH MaxShards %u cand %d B %u bcost %u erun %u E %u H %u MAX_SHARDS %u "
      "LOAD_HOT_CORES %u K_UNDER_LOAD %u SYNC %u: got K %u s %u taken %u left %u, model K %u s %u taken %u left %u\n",
      param, in.cand, in.blocks, in.bcost, in.erun, in.elig, in.hot, in.max_shards, in.load_hot, in.k_load, in.sync, gk,
      gs, gt, gl, wk, ws, wk * ws, in.blocks - wk * ws);
}

void check(Vvs_shard_size_wrap& dut, const In& in) {
  dut.cand_i = in.cand;
  dut.blocks_i = in.blocks;
  dut.bcost_i = in.bcost;
  dut.erun_i = in.erun;
  dut.elig_i = in.elig;
  dut.hot_i = in.hot;
  dut.max_shards_i = in.max_shards;
  dut.load_hot_i = in.load_hot;
  dut.k_load_i = in.k_load;
  dut.sync_cost_i = in.sync;
  dut.eval();
  const unsigned got[3][4] = {{dut.k2_o, dut.size2_o, dut.taken2_o, dut.left2_o},
                              {dut.k5_o, dut.size5_o, dut.taken5_o, dut.left5_o},
                              {dut.k8_o, dut.size8_o, dut.taken8_o, dut.left8_o}};
  const unsigned params[3] = {2, 5, 8};
  for (int i = 0; i < 3; ++i) {
    vshard::ShardSize want;  // K = 0 when the other candidate conditions (cand_i) fail
    if (in.cand) {
      vshard::ShardSizeIn m;
      m.blocks = in.blocks;
      m.bcost = in.bcost;
      m.erun = in.erun;
      m.sync = in.sync;
      m.elig = in.elig;
      m.hot = in.hot;
      m.max_shards = in.max_shards;
      m.load_hot = in.load_hot;
      m.k_under_load = in.k_load;
      m.max_shards_param = params[i];
      want = vshard::spec_shard_size(m);
    }
    ++g_checked;
    // the victim keeps B - K * s (spec 7.5 preemption), taken as 8 bits
    const unsigned left = (in.blocks - want.k * want.s) & 0xffu;
    if (got[i][0] != want.k || got[i][1] != want.s || got[i][2] != want.k * want.s || got[i][3] != left)
      report(in, params[i], got[i][0], got[i][1], got[i][2], got[i][3], want.k, want.s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  VerilatedContext ctx;
  ctx.commandArgs(argc, argv);
  Vvs_shard_size_wrap dut(&ctx);

  std::vector<uint32_t> blocks;
  for (uint32_t b = 0; b <= 17; ++b) blocks.push_back(b);
  for (uint32_t b : {31u, 32u, 33u, 63u, 64u, 65u, 127u, 128u, 129u, 200u, 254u, 255u}) blocks.push_back(b);
  const std::vector<uint32_t> costs = {0, 1, 2, 3, 4, 7, 8, 9, 100, 255, 256, 511, 512, 1000, 32768, 65535};
  const std::vector<uint32_t> eruns = {0, 1, 2, 5, 100, 1000, 65535};
  const std::vector<uint32_t> syncs = {0, 1, 2, 3, 5, 8, 16, 100, 127, 128, 129, 1000, 4096, 65535};
  const std::vector<uint32_t> eligs = {0, 1, 2, 3, 5, 8, 9, 511};
  const std::vector<uint32_t> maxs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15};

  // Grid 1: the size computation, not under load (H = 0 < LOAD_HOT_CORES = 1).
  for (uint32_t b : blocks)
    for (uint32_t bc : costs)
      for (uint32_t er : eruns)
        for (uint32_t sy : syncs)
          for (uint32_t e : eligs)
            for (uint32_t mx : maxs) check(dut, In{true, b, bc, er, e, 0, mx, 1, 8, sy});
  // Grid 2: the load limit L and the other minima of K0, sizes always large enough.
  const std::vector<uint32_t> hots = {0, 1, 2, 3, 511};
  for (uint32_t h : hots)
    for (uint32_t lh : hots)
      for (uint32_t kl : maxs)
        for (uint32_t mx : maxs)
          for (uint32_t e : {0u, 1u, 2u, 3u, 8u, 511u})
            for (uint32_t b : {0u, 1u, 2u, 3u, 8u, 9u, 255u})
              for (bool cand : {false, true}) check(dut, In{cand, b, 1, 0, e, h, mx, lh, kl, 1});

  // Random: uniform, then small values where the edges are.
  vshard::SplitMix64 rng{0x5A4D};
  for (int i = 0; i < 500000; ++i) {
    const uint64_t r = rng.next(), s = rng.next();
    check(dut,
          In{(r & 7) != 0, static_cast<uint32_t>(r >> 3) & 255, static_cast<uint32_t>(r >> 11) & 0xFFFF,
             static_cast<uint32_t>(r >> 27) & 0xFFFF, static_cast<uint32_t>(r >> 43) & 511,
             static_cast<uint32_t>(r >> 52) & 511, static_cast<uint32_t>(s) & 15, static_cast<uint32_t>(s >> 4) & 511,
             static_cast<uint32_t>(s >> 13) & 15, static_cast<uint32_t>(s >> 17) & 0xFFFF});
  }
  for (int i = 0; i < 500000; ++i) {
    const uint64_t r = rng.next(), s = rng.next();
    check(dut, In{(r & 7) != 0, (static_cast<uint32_t>(r >> 3) & 255) >> ((r >> 11) & 7),
                  (static_cast<uint32_t>(r >> 14) & 0xFFFF) >> ((r >> 30) & 15),
                  (static_cast<uint32_t>(r >> 34) & 0xFFFF) >> ((r >> 50) & 15), static_cast<uint32_t>(r >> 54) & 15,
                  static_cast<uint32_t>(s) & 7, static_cast<uint32_t>(s >> 3) & 15, static_cast<uint32_t>(s >> 7) & 7,
                  static_cast<uint32_t>(s >> 10) & 15, (static_cast<uint32_t>(s >> 14) & 0xFFFF) >> ((s >> 30) & 15)});
  }
  dut.final();
  return cell_bench_report("vs_shard_size_bench", "checks", "vshard::spec_shard_size", g_checked, g_errors);
}
