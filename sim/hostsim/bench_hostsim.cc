// Simulator speed: discrete events per wall-clock second, model engine, on
// the shipped scenarios. `vshard_bench_hostsim` (Google Benchmark).
#include <benchmark/benchmark.h>
#include <emmintrin.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"

namespace {

void run(benchmark::State& state, const char* file, const char* policy, double duration_ms) {
  using namespace vshard::hostsim;
  Scenario sc = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/" + file);
  sc.duration_ms = duration_ms;
  sc.warmup_ms = duration_ms / 10;
  PolicySpec ps = parse_policy(policy, "model", false);
  uint64_t events = 0;
  for (auto _ : state) {
    RunOptions opt;
    opt.seed = 1;
    PolicyResult r = simulate(sc, ps, opt);
    events += r.sim_events;
    benchmark::DoNotOptimize(r.request.p99);
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

void BM_Overcommit256_ShardSw(benchmark::State& s) { run(s, "overcommit-256c.toml", "shard-sw", 200); }
void BM_Overcommit256_ShardPre(benchmark::State& s) { run(s, "overcommit-256c.toml", "shard-pre", 200); }
void BM_Overcommit256_Credit(benchmark::State& s) { run(s, "overcommit-256c.toml", "credit", 200); }
void BM_Overcommit256_Credit2(benchmark::State& s) { run(s, "overcommit-256c.toml", "credit2", 200); }
void BM_Overcommit256_Eevdf(benchmark::State& s) { run(s, "overcommit-256c.toml", "eevdf", 200); }
void BM_Mixed32_ShardSw(benchmark::State& s) { run(s, "mixed-2s32c.toml", "shard-sw", 500); }

// The software decision the latency model charges: a victim search over
// every core's scheduler state (the same key as the engine's section 7.2),
// each core's state in its own page, as per-CPU runqueues are. "hot": all
// in cache (a lower bound); "cold": every line flushed first (a wake on a
// busy host finds other cores' state out of its cache).
struct alignas(64) CoreSlot {
  uint8_t node, occ, lat;
  int16_t credit;
  uint16_t slice;
};
void scan(benchmark::State& state, bool cold) {
  const size_t n = static_cast<size_t>(state.range(0));
  constexpr size_t kStride = 4096 / sizeof(CoreSlot);
  std::vector<CoreSlot> mem(n * kStride);
  for (size_t c = 0; c < n; ++c)
    mem[c * kStride] = CoreSlot{static_cast<uint8_t>(c % 8), 1, static_cast<uint8_t>(c % 5 == 0),
                                static_cast<int16_t>(c * 37 % 1200 - 600), static_cast<uint16_t>(c * 911 % 30000)};
  uint8_t dist[8] = {10, 20, 20, 20, 20, 20, 20, 20};
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      for (size_t c = 0; c < n; ++c) _mm_clflush(&mem[c * kStride]);
      _mm_mfence();
      state.ResumeTiming();
    }
    uint32_t best = UINT32_MAX, best_c = 0;
    for (size_t c = 0; c < n; ++c) {
      const CoreSlot& s = mem[c * kStride];
      if (s.occ != 1 || s.lat || dist[s.node] > 20) continue;
      uint32_t cost = (uint32_t{dist[s.node]} << 6) + static_cast<uint32_t>(s.credit + 32768) + (s.slice >> 5);
      if (cost < best) {
        best = cost;
        best_c = static_cast<uint32_t>(c);
      }
    }
    benchmark::DoNotOptimize(best_c);
  }
  state.counters["ns/core"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
void BM_SoftwareScanHot(benchmark::State& s) { scan(s, false); }
void BM_SoftwareScanCold(benchmark::State& s) { scan(s, true); }

}  // namespace

BENCHMARK(BM_SoftwareScanHot)->Arg(8)->Arg(32)->Arg(256);
BENCHMARK(BM_SoftwareScanCold)->Arg(8)->Arg(32)->Arg(256);
BENCHMARK(BM_Overcommit256_ShardSw)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Overcommit256_ShardPre)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Overcommit256_Credit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Overcommit256_Credit2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Overcommit256_Eevdf)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Mixed32_ShardSw)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
