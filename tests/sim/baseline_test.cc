// The host simulator's baselines (include/vshard/hostsim/baseline.h): fifo,
// credit and vtslice over host::Scheduler's runqueues, rule by rule.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/hostsim/baseline.h"
#include "vshard/hostsim/latency.h"
#include "vshard/error.h"

using namespace vshard;
using namespace vshard::host;
using namespace vshard::hostsim;

namespace {

// Records what the scheduler asks the hypervisor to do.
struct Recorder : Dispatcher {
  struct Op {
    std::string what;
    uint32_t core, vcpu;
    double delay = 0;  // for "trim": the new slice end
  };
  std::vector<Op> ops;
  std::vector<int> on_core;  // vCPU running per core (-1 idle)
  explicit Recorder(uint32_t cores) : on_core(cores, -1) {}
  void run(uint32_t c, uint32_t v, double delay, double) override {
    ops.push_back({"run", c, v, delay});
    on_core[c] = static_cast<int>(v);
  }
  double stop(uint32_t c, StopReason why) override {
    ops.push_back({why == StopReason::kPreempt ? "preempt" : "rotate", c, static_cast<uint32_t>(on_core[c]), 0});
    on_core[c] = -1;
    return 1000.0;
  }
  void shard(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, double) override { FAIL("a baseline never shards"); }
  void trim_slice(uint32_t c, double end) override { ops.push_back({"trim", c, 0, end}); }
};

SchedConfig config(Policy p) {
  SchedConfig c;
  c.policy = p;
  return c;
}

}  // namespace

TEST_CASE("fifo: no preemption, queued vCPU runs when the core frees", "[sim][baseline]") {
  Recorder rec(1);
  BaselineScheduler s(Topology::uniform(1, 1), {{false, 16, 0}, {true, 16, 0}}, config(Policy::kFifo), {}, rec,
                      std::make_unique<ModelledTiming>(LatencyModel{}, 2.0));
  s.wake(0, 0);
  REQUIRE(rec.ops.size() == 1);
  CHECK(rec.ops[0].what == "run");
  CHECK(rec.ops[0].delay == Approx(LatencyModel{}.software(1)));  // decided on the host, scanning 1 core
  s.wake(1, 10);                                                  // latency vCPU, but fifo never preempts
  CHECK(rec.ops.size() == 1);
  CHECK(s.state(1) == BaselineScheduler::VState::kQueued);
  s.block(0, 20);
  REQUIRE(rec.ops.size() == 2);
  CHECK(rec.ops[1].what == "run");
  CHECK(rec.ops[1].vcpu == 1);
  CHECK(s.state(0) == BaselineScheduler::VState::kBlocked);
}

TEST_CASE("credit: a BOOSTed wake preempts, the victim goes back to the runqueue", "[sim][baseline]") {
  Recorder rec(1);
  BaselineScheduler s(Topology::uniform(1, 1), {{false, 16, 0}, {true, 16, 0}}, config(Policy::kCredit), {}, rec);
  s.wake(0, 0);                 // BOOSTed too (credit 0 = UNDER) until its first debit
  s.tick(10000, {1.0}, 10000);  // 10 ms at 10 credits/ms; BOOST ends
  CHECK(s.credit(0) == -100);
  s.wake(1, 10100);
  REQUIRE(rec.ops.size() == 3);
  CHECK(rec.ops[1].what == "preempt");
  CHECK(rec.ops[1].vcpu == 0);
  CHECK(rec.ops[2].what == "run");
  CHECK(rec.ops[2].vcpu == 1);
  CHECK(s.stats().preemptions == 1);
  CHECK(s.state(0) == BaselineScheduler::VState::kQueued);
  s.block(1, 10200);
  CHECK(rec.on_core[0] == 0);
  s.account(30000);  // refill weight x REFILL_PER_WEIGHT
  CHECK(s.credit(0) == -100 + 16 * 19);
  CHECK(s.credit(1) == 16 * 19);
}

TEST_CASE("credit: BOOST does not preempt BOOST", "[sim][baseline]") {
  Recorder rec(1);
  BaselineScheduler s(Topology::uniform(1, 1), {{false, 16, 0}, {true, 16, 0}}, config(Policy::kCredit), {}, rec);
  s.wake(0, 0);
  s.wake(1, 100);
  CHECK(s.stats().preemptions == 0);
  CHECK(s.state(1) == BaselineScheduler::VState::kQueued);
}

TEST_CASE("vtslice: a waiting latency vCPU shortens the running slice", "[sim][baseline]") {
  Recorder rec(1);
  SchedConfig c = config(Policy::kVtslice);
  BaselineConfig base;
  base.vtslice_short_us = 500;
  BaselineScheduler s(Topology::uniform(1, 1), {{false, 16, 0}, {true, 16, 0}}, c, base, rec);
  s.wake(0, 0);
  s.wake(1, 1000);
  REQUIRE(rec.ops.size() == 2);
  CHECK(rec.ops[1].what == "trim");
  CHECK(rec.ops[1].delay == Approx(1500));  // the new slice end
  CHECK(s.slice_end(0, 1500));              // the latency vCPU takes over
  CHECK(rec.on_core[0] == 1);
  CHECK(s.stats().rotations == 1);
}

TEST_CASE("credit: a capped vCPU is parked until the next accounting period", "[sim][baseline]") {
  Recorder rec(1);
  SchedConfig c = config(Policy::kCredit);
  c.account_us = 30000;
  // vCPU 0 capped at 50 % of a core: 15 ms per 30 ms period.
  BaselineScheduler s(Topology::uniform(1, 1), {{false, 16, 0, 50}, {false, 16, 0, 0}}, c, {}, rec);
  s.wake(0, 0);
  s.wake(1, 0);
  CHECK(rec.on_core[0] == 0);
  s.tick(10000, {1.0}, 10000);  // 10 ms used: under the cap
  CHECK_FALSE(s.parked(0));
  CHECK(rec.on_core[0] == 0);
  s.tick(20000, {1.0}, 10000);  // 20 ms > 15 ms: parked, vCPU 1 runs
  CHECK(s.parked(0));
  CHECK(rec.on_core[0] == 1);
  CHECK(s.stats().parks == 1);
  s.block(1, 25000);           // the core idles rather than run the parked vCPU
  CHECK(rec.on_core[0] == 1);  // (the recorder keeps the last run; check state)
  CHECK(s.state(0) == BaselineScheduler::VState::kQueued);
  CHECK(s.idle_cores() == 1);
  s.account(30000);  // new period: unparked and scheduled on the idle core
  CHECK_FALSE(s.parked(0));
  CHECK(s.state(0) == BaselineScheduler::VState::kRunning);
  CHECK(rec.on_core[0] == 0);
}

TEST_CASE("baselines: a host-side policy without the engine, never policy shard", "[sim][baseline]") {
  Recorder rec(1);
  CHECK_THROWS_AS(BaselineScheduler(Topology::uniform(1, 1), {{false, 16, 0}}, config(Policy::kShard), {}, rec), Error);
  CHECK_THROWS_AS(BaselineScheduler(Topology::uniform(1, 1), {{false, 16, 3}}, config(Policy::kFifo), {}, rec),
                  Error);  // home node 3 of 1
  BaselineScheduler s(Topology::uniform(1, 1), {{true, 16, 0}}, config(Policy::kVtslice), {}, rec);
  CHECK(s.engine() == nullptr);
  s.profile(0, Profile{8, 100}, 0);  // profiles feed the engine's shards: nothing to do
  CHECK(s.stats().profiles_sent == 0);
}
