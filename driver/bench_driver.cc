// vshard_bench_driver: host-side costs of the driver.
//   BM_SubmitRetrieve/<backend>/<batch>/<shadow>: submit `batch` events, one
//     doorbell, poll until all their decisions are back; per event.
//   BM_ShardingStream/<backend>: a preemption- and sharding-heavy stream on
//     the model backend and on opencl (shard plans by the kernel); per event.
//   BM_PrestageRead: the wake path's read of a prestaged entry (host memory).
//   BM_SoftwareVictimSearch/<cores>: what a software scheduler does instead:
//     an O(cores) scan over per-core state with the victim cost of spec 7.2.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "vshard/device.h"
#include "vshard/event_gen.h"

using namespace vshard;
using namespace std::chrono_literals;

namespace {

const char* const kBackends[] = {"model", "verilator"};

void BM_SubmitRetrieve(benchmark::State& state) {
  const char* backend = kBackends[state.range(0)];
  const auto batch = static_cast<size_t>(state.range(1));
  DeviceOptions opt;
  opt.shadow = state.range(2) != 0;
  std::unique_ptr<Device> dev;
  try {
    dev = Device::open(backend, opt);
  } catch (const Error& e) {
    state.SkipWithError(e.what());
    return;
  }
  const size_t count = std::string(backend) == "model" ? 200000 : 20000;
  const EventLog log = generate_event_log(dev->params(), 1, count);
  std::vector<Decision> out(batch * kMaxDecisionsPerEvent);
  size_t pos = 0;
  uint64_t events = 0;
  for (auto _ : state) {
    if (pos + batch > log.events.size()) {
      state.PauseTiming();
      dev = Device::open(backend, opt);  // replay the log from the reset state
      pos = 0;
      state.ResumeTiming();
    }
    const std::span<const Event> chunk(log.events.data() + pos, batch);
    if (dev->submit(chunk, 10s) != batch) {
      state.SkipWithError("submit timed out");
      return;
    }
    if (!dev->drain(10s)) {
      state.SkipWithError("drain timed out");
      return;
    }
    while (dev->poll(out.data(), out.size()) > 0) {}
    pos += batch;
    events += batch;
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.SetLabel(std::string(backend) + (opt.shadow ? " +shadow" : ""));
}
BENCHMARK(BM_SubmitRetrieve)
    ->ArgNames({"backend", "batch", "shadow"})
    ->Args({0, 1, 1})
    ->Args({0, 1, 0})
    ->Args({0, 32, 1})
    ->Args({0, 32, 0})
    ->Args({1, 1, 0})
    ->Args({1, 32, 0});

// BM_ShardingStream/<backend>: the sharding stream through a device (batch
// 32, shadow on), per event; on opencl every preemption launches the planner
// kernel. Counters: preemptions and kernel launches per event, ns per launch.
const char* const kPlanBackends[] = {"model?config=small", "opencl?config=small"};

void BM_ShardingStream(benchmark::State& state) {
  const char* spec = kPlanBackends[state.range(0)];
  constexpr size_t kBatch = 32;
  std::unique_ptr<Device> dev;
  try {
    dev = Device::open(spec);
  } catch (const Error& e) {
    state.SkipWithError(e.what());
    return;
  }
  const std::vector<Event> events = sharding_stream(dev->params(), 7, 100000);
  std::vector<Decision> out(kBatch * kMaxDecisionsPerEvent);
  size_t pos = 0;
  uint64_t done = 0, launches = 0, kernel_ns = 0, preempts = 0;
  const auto account = [&] {
    preempts += dev->device_counters().preempts;
    if (auto st = dev->planner_stats()) {
      launches += st->launches;
      kernel_ns += st->kernel_ns;
    }
  };
  for (auto _ : state) {
    if (pos + kBatch > events.size()) {
      state.PauseTiming();
      account();
      dev = Device::open(spec);  // replay from the reset state
      pos = 0;
      state.ResumeTiming();
    }
    if (dev->submit(std::span<const Event>(events.data() + pos, kBatch), 10s) != kBatch || !dev->drain(10s)) {
      state.SkipWithError("submit or drain timed out");
      return;
    }
    while (dev->poll(out.data(), out.size()) > 0) {}
    pos += kBatch;
    done += kBatch;
  }
  account();
  state.SetItemsProcessed(static_cast<int64_t>(done));
  state.counters["preempts_per_event"] = static_cast<double>(preempts) / static_cast<double>(done);
  state.counters["launches_per_event"] = static_cast<double>(launches) / static_cast<double>(done);
  state.counters["ns_per_launch"] = launches ? static_cast<double>(kernel_ns) / static_cast<double>(launches) : 0.0;
  state.SetLabel(spec);
}
// Real time: PoCL runs kernels on its own threads.
BENCHMARK(BM_ShardingStream)->ArgName("backend")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_PrestageRead(benchmark::State& state) {
  auto dev = Device::open("model?config=max");
  // Make the entries interesting: every core busy, so entries are PREEMPTs.
  std::vector<Event> evs;
  for (uint32_t c = 0; c < dev->params().cores; ++c) evs.push_back(make_wake(c + 1, static_cast<uint16_t>(c), false));
  dev->submit(evs, 10s);
  dev->drain(10s);
  uint32_t node = 0;
  for (auto _ : state) {
    PrestageSnapshot s = dev->prestage(node);
    benchmark::DoNotOptimize(s);
    node = (node + 1) & 7;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PrestageRead);

// Per-core and per-vCPU state as a software scheduler keeps it.
struct SwCore {
  uint8_t node;
  bool online;
  uint8_t occ;  // 0 idle, 1 run, 2 shard
  uint16_t vcpu;
  uint16_t slice;
};
struct SwVcpu {
  bool lat;
  int16_t credit;
};

// Victim for a latency wake homed at n (spec 7.2), default configuration.
int software_victim(const std::vector<SwCore>& cores, const std::vector<SwVcpu>& vcpus, const uint8_t dist[8][8],
                    uint32_t n) {
  constexpr uint32_t kVictMaxDist = 20, kDistShift = 6, kCreditShift = 0, kSliceShift = 5;
  int best = -1;
  uint32_t best_cost = UINT32_MAX;
  for (size_t c = 0; c < cores.size(); ++c) {
    const SwCore& k = cores[c];
    if (!k.online || k.occ != 1 || vcpus[k.vcpu].lat) continue;
    const uint32_t d = dist[n][k.node];
    if (d > kVictMaxDist) continue;
    const uint32_t cost = (d << kDistShift) + (static_cast<uint32_t>(vcpus[k.vcpu].credit + 32768) >> kCreditShift) +
                          (static_cast<uint32_t>(k.slice) >> kSliceShift);
    if (cost < best_cost) {
      best_cost = cost;
      best = static_cast<int>(c);
    }
  }
  return best;
}

void BM_SoftwareVictimSearch(benchmark::State& state) {
  const auto ncores = static_cast<uint32_t>(state.range(0));
  const uint32_t nodes = ncores >= 256 ? 8 : 4;
  std::mt19937 rng(7);
  std::vector<SwCore> cores(ncores);
  std::vector<SwVcpu> vcpus(ncores * 4);
  for (uint32_t c = 0; c < ncores; ++c) {
    cores[c] = SwCore{static_cast<uint8_t>(c * nodes / ncores), true, static_cast<uint8_t>(rng() % 8 == 0 ? 0 : 1),
                      static_cast<uint16_t>(rng() % vcpus.size()), static_cast<uint16_t>(rng() % 30000)};
  }
  for (auto& v : vcpus) v = SwVcpu{rng() % 5 == 0, static_cast<int16_t>(static_cast<int>(rng() % 1200) - 600)};
  uint8_t dist[8][8];
  for (uint32_t i = 0; i < 8; ++i)
    for (uint32_t j = 0; j < 8; ++j) dist[i][j] = i == j ? 10 : 20;
  uint32_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(software_victim(cores, vcpus, dist, n));
    n = (n + 1) % nodes;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SoftwareVictimSearch)->Arg(64)->Arg(256);

}  // namespace

BENCHMARK_MAIN();
