// Golden-model throughput: events/s on a pregenerated realistic mixed stream
// (EventGen with its default mix: mostly TICK/WAKE/BLOCK/SCHED/PROFILE/UTIL,
// some sharding and commits, rare ACCOUNT/CONFIG, 2% bad events).
// Run in Release: vshard_bench_model [--benchmark_filter=large]
#include <benchmark/benchmark.h>

#include "vshard/event_gen.h"
#include "vshard/model.h"

namespace {

void run(benchmark::State& state, const vshard::Params& params) {
  constexpr size_t kEvents = 1 << 20;
  const vshard::EventLog log = vshard::generate_event_log(params, 42, kEvents);
  vshard::Model model(params);
  vshard::Decision out[vshard::kMaxDecisionsPerEvent];
  size_t decisions = 0;
  for (auto _ : state) {
    state.PauseTiming();
    model.reset();
    state.ResumeTiming();
    for (const vshard::Event& e : log.events) decisions += model.step(e, out);
    benchmark::DoNotOptimize(decisions);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(kEvents));
  state.counters["decisions_per_event"] =
      static_cast<double>(decisions) / (static_cast<double>(state.iterations()) * kEvents);
  state.counters["preempts"] = model.counters().preempts;
  state.counters["shards"] = model.counters().shards;
  state.counters["commits"] = model.counters().commits;
  state.counters["aborts"] = model.counters().aborts;
}

void BM_ModelSmall(benchmark::State& s) { run(s, vshard::Params::small()); }
void BM_ModelLarge(benchmark::State& s) { run(s, vshard::Params::large()); }
void BM_ModelMax(benchmark::State& s) { run(s, vshard::Params::max()); }

void BM_Generate(benchmark::State& state) {
  for (auto _ : state) {
    auto log = vshard::generate_event_log(vshard::Params::large(), 7, 1 << 16);
    benchmark::DoNotOptimize(log.events.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * (1 << 16));
}

}  // namespace

BENCHMARK(BM_ModelSmall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ModelLarge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ModelMax)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Generate)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
