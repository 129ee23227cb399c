// The simulator's decision-latency model (include/vshard/hostsim/latency.h):
// the delays it gives host::Scheduler by decision path, and the prestaged
// table seen through the posted write's lag.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/host/scheduler.h"
#include "vshard/hostsim/latency.h"

using namespace vshard;
using namespace vshard::host;
using vshard::hostsim::LatencyModel;
using vshard::hostsim::ModelledTiming;

namespace {

struct Recorder : Dispatcher {
  struct Op {
    uint32_t core, vcpu;
    double delay;
  };
  std::vector<Op> runs;
  void run(uint32_t c, uint32_t v, double delay, double) override { runs.push_back({c, v, delay}); }
  double stop(uint32_t, StopReason) override { return 1000.0; }
  void shard(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, double) override {}
  void trim_slice(uint32_t, double) override {}
};

}  // namespace

TEST_CASE("latency model: the delay of each decision path, from the calibrated defaults", "[sim][latency]") {
  const LatencyModel L;
  ModelledTiming t(L, 2.0);
  CHECK(t.software_us(8) == Approx(0.5 + 0.032 * 8));  // 0.756 µs: a scan of 8 cores
  CHECK(t.engine_us() == Approx(8 / 45.0 + 0.85));     // 8 card cycles at 45 MHz + a PCIe round trip
  CHECK(t.prestaged_us() == Approx(0.1));              // one cache-line read
  CHECK(t.abort_us() == Approx(0.1 + 0.85 + 2.0));     // the read, the engine's answer, the undo
}

TEST_CASE("shard, prestaged, modelled: the commit holds on a settled entry and aborts within the posted-write lag",
          "[sim][latency]") {
  Recorder rec;
  SchedConfig c;
  c.policy = Policy::kShard;
  c.path = DecisionPath::kPrestaged;
  const LatencyModel L;
  Scheduler s(Topology::uniform(1, 2), {{false, 16, 0}, {true, 16, 0}, {true, 16, 0}}, c, rec,
              std::make_unique<ModelEngine>(Params::small()), std::make_unique<ModelledTiming>(L, 2.0));
  s.wake(0, 0);
  // Long after the table settled: the entry is fresh and the commit holds.
  s.wake(1, 100);
  CHECK(s.stats().commits == 1);
  CHECK(s.stats().aborts == 0);
  CHECK(rec.runs.back().delay == Approx(L.prestage_read_us));
  // Right after a change (within the posted-write lag) the host's copy is
  // stale: vCPU 1 blocks, freeing core 1, and wakes again at once.
  s.block(1, 200);
  s.wake(1, 200.1);  // entry changed at 200: still invisible at 200.1 (lag 0.5 µs)
  CHECK(s.stats().aborts == 1);
  CHECK(rec.runs.back().delay == Approx(L.prestage_read_us + L.pcie_rtt_us + 2.0));
  // Past the lag the copy has caught up.
  s.block(1, 300);
  s.wake(1, 300.6);
  CHECK(s.stats().commits == 2);
  CHECK(s.stats().aborts == 1);
}
