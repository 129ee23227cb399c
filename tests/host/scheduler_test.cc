#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/host/scheduler.h"
#include "vshard/error.h"

using namespace vshard;
using namespace vshard::host;

namespace {

// Records what the scheduler asks the hypervisor to do.
struct Recorder : Dispatcher {
  struct Op {
    std::string what;
    uint32_t core, vcpu;
    uint32_t first = 0, count = 0;
    double delay = 0;
  };
  std::vector<Op> ops;
  std::vector<int> on_core;  // vCPU running per core (-1 idle)
  explicit Recorder(uint32_t cores) : on_core(cores, -1) {}
  void run(uint32_t c, uint32_t v, double delay, double) override {
    ops.push_back({"run", c, v, 0, 0, delay});
    on_core[c] = static_cast<int>(v);
  }
  double stop(uint32_t c, StopReason why) override {
    ops.push_back({why == StopReason::kPreempt ? "preempt" : "rotate", c, static_cast<uint32_t>(on_core[c]), 0, 0, 0});
    on_core[c] = -1;
    return 1000.0;
  }
  void shard(uint32_t c, uint32_t v, uint32_t, uint32_t first, uint32_t count, double delay) override {
    ops.push_back({"shard", c, v, first, count, delay});
  }
  void trim_slice(uint32_t c, double end) override { ops.push_back({"trim", c, 0, 0, 0, end}); }
};

// Distinct delays per decision path, so a test sees which one the scheduler
// reported. The prestaged table is the host's copy, refreshed after every
// engine step unless the test freezes it (a stale copy, as a posted write
// still in flight leaves it).
struct MarkedTiming final : DecisionTiming {
  bool frozen = false;
  std::vector<PrestageEntry> copy;
  double software_us(uint32_t cores) const override { return 1.0 + cores / 100.0; }
  double engine_us() const override { return 2.0; }
  double prestaged_us() const override { return 3.0; }
  double abort_us() const override { return 4.0; }
  void engine_stepped(const Engine& e, double) override {
    copy.resize(e.params().nodes);
    if (frozen) return;
    for (uint32_t n = 0; n < copy.size(); ++n) copy[n] = e.prestage(n);
  }
  PrestageEntry read_prestaged(const Engine&, uint32_t node, double) override { return copy.at(node); }
};

SchedConfig config(Policy p, DecisionPath path = DecisionPath::kSoftware) {
  SchedConfig c;
  c.policy = p;
  c.path = path;
  return c;
}

}  // namespace

TEST_CASE("shard: a latency wake preempts a batch vCPU, shards its blocks, the victim goes on", "[host][scheduler]") {
  // Node 0 (cores 0,1) busy with batch vCPUs 0 and 1; node 1 (cores 2,3) idle.
  Recorder rec(4);
  Params p = Params::small();
  Scheduler s(Topology::uniform(2, 2), {{false, 16, 0}, {false, 16, 0}, {true, 16, 0}},
              config(Policy::kShard, DecisionPath::kHardware), rec, std::make_unique<ModelEngine>(p),
              std::make_unique<MarkedTiming>());
  s.wake(0, 0);
  s.wake(1, 0);
  CHECK(rec.on_core[0] == 0);
  CHECK(rec.on_core[1] == 1);
  s.profile(0, Profile{8, 100}, 10);  // vCPU 0: 8 independent blocks of 100 µs
  rec.ops.clear();
  // Latency vCPU homed on node 0: no idle core there, a near victim (spec
  // 1.1 WAKE rule 3). Its erun is unknown (0), so T = SYNC_COST_US = 50 and
  // s_T = 1 (100 << 0 >= 50); K0 = min(B 8, E 2, MAX_SHARDS 4, L 4) = 2 and
  // s(2) = min(1, q(8, 2) = 4) = 1: two shards of one block each.
  s.wake(2, 50);
  REQUIRE(rec.ops.size() == 4);
  CHECK(rec.ops[0].what == "preempt");
  CHECK(rec.ops[0].core == 0);
  CHECK(rec.ops[1].what == "run");
  CHECK(rec.ops[1].vcpu == 2);
  CHECK(rec.ops[1].delay == 2.0);  // the engine's decision
  CHECK(rec.ops[2].delay == 2.0);  // and its shards
  CHECK(rec.ops[2].what == "shard");
  CHECK(rec.ops[2].core == 2);
  CHECK(rec.ops[2].first == 0);
  CHECK(rec.ops[2].count == 1);
  CHECK(rec.ops[3].what == "shard");
  CHECK(rec.ops[3].core == 3);
  CHECK(rec.ops[3].first == 1);
  CHECK(rec.ops[3].count == 1);
  // The victim is queued at once (no core is free: 0 and 1 run vCPUs, 2 and
  // 3 its shards) and keeps the other 6 blocks.
  CHECK(s.state(0) == Scheduler::VState::kQueued);
  CHECK(s.stats().shard_preemptions == 1);
  CHECK(s.stats().shards == 2);
  rec.ops.clear();
  // The latency vCPU blocks after 60 µs: the victim runs on its core again,
  // while its shards still run.
  s.block(2, 110);
  REQUIRE(rec.ops.size() == 1);
  CHECK(rec.ops[0].what == "run");
  CHECK(rec.ops[0].core == 0);
  CHECK(rec.ops[0].vcpu == 0);
  CHECK(s.state(0) == Scheduler::VState::kRunning);
  rec.ops.clear();
  s.shard_done(0, 3, 500);
  s.shard_done(0, 2, 520);
  CHECK(rec.ops.empty());  // nothing queued: the shards' cores go idle, no RESUME
  // a shard of a vCPU that has none is a host bug
  CHECK_THROWS_AS(s.shard_done(0, 3, 600), Error);
}

TEST_CASE("shard: a victim without blocks is queued and runs again when the core frees", "[host][scheduler]") {
  Recorder rec(1);
  Scheduler s(Topology::uniform(1, 1), {{false, 16, 0}, {true, 16, 0}}, config(Policy::kShard), rec,
              std::make_unique<ModelEngine>(Params::small()), std::make_unique<MarkedTiming>());
  s.wake(0, 0);
  s.wake(1, 10);
  CHECK(s.stats().preemptions == 1);
  CHECK(rec.ops.back().what == "run");
  CHECK(rec.ops.back().delay == 1.01);  // software path: decided on the waking CPU, scanning 1 core
  CHECK(s.state(0) == Scheduler::VState::kQueued);
  s.block(1, 100);
  CHECK(rec.on_core[0] == 0);
  CHECK(s.state(0) == Scheduler::VState::kRunning);
}

TEST_CASE("shard, prestaged: the wake path commits the prestaged entry, or aborts on a stale copy",
          "[host][scheduler]") {
  Recorder rec(2);
  SchedConfig c = config(Policy::kShard, DecisionPath::kPrestaged);
  auto timing = std::make_unique<MarkedTiming>();
  MarkedTiming& t = *timing;
  Scheduler s(Topology::uniform(1, 2), {{false, 16, 0}, {true, 16, 0}, {true, 16, 0}}, c, rec,
              std::make_unique<ModelEngine>(Params::small()), std::move(timing));
  s.wake(0, 0);
  // The copy is the engine's table: the entry is fresh and the commit holds.
  s.wake(1, 100);
  CHECK(s.stats().commits == 1);
  CHECK(s.stats().aborts == 0);
  CHECK(s.stats().prestage_reads == 1);
  CHECK(rec.ops.back().what == "run");
  CHECK(rec.ops.back().delay == 3.0);
  // vCPU 1 blocks, freeing core 1, but the host's copy still says "no idle
  // core, preempt vCPU 0": the commit aborts and the engine's answer runs.
  t.frozen = true;
  s.block(1, 200);
  s.wake(1, 201);
  CHECK(s.stats().aborts == 1);
  CHECK(rec.ops.back().what == "run");
  CHECK(rec.ops.back().core == 1);
  CHECK(rec.ops.back().delay == 4.0);
  // A batch wake never reads the table.
  CHECK(s.stats().prestage_reads == 2);
}

TEST_CASE("real time (the default timing): no modelled delay, the prestaged table read as the engine left it",
          "[host][scheduler]") {
  Recorder rec(2);
  Scheduler s(Topology::uniform(1, 2), {{false, 16, 0}, {true, 16, 0}, {true, 16, 0}},
              config(Policy::kShard, DecisionPath::kPrestaged), rec, std::make_unique<ModelEngine>(Params::small()));
  s.wake(0, 0);
  s.wake(1, 100);
  s.block(1, 200);
  s.wake(1, 200);  // right after the change: real time has no posted-write lag to hide it
  CHECK(s.stats().commits == 2);
  CHECK(s.stats().aborts == 0);
  for (const auto& op : rec.ops) CHECK(op.delay == 0);
  CHECK(s.stats().decision_us_total == 0);
}

TEST_CASE("scheduler rejects hosts that do not fit the engine, and policies it does not run", "[host][scheduler]") {
  Recorder rec(16);
  CHECK_THROWS_AS(Scheduler(Topology::uniform(2, 8), {{false, 16, 0}}, config(Policy::kShard), rec,
                            std::make_unique<ModelEngine>(Params::small())),
                  Error);
  CHECK_THROWS_AS(Scheduler(Topology::uniform(1, 1), {{false, 16, 3}}, config(Policy::kShard), rec,
                            std::make_unique<ModelEngine>(Params::small())),
                  Error);  // home node 3 of 1
  // The baselines decide on the host: the simulator's, not the hypervisor module's.
  CHECK_THROWS_WITH(Scheduler(Topology::uniform(1, 1), {{false, 16, 0}}, config(Policy::kFifo), rec,
                              std::make_unique<ModelEngine>(Params::small())),
                    Catch::Contains("runs policy shard, not fifo"));
  CHECK_THROWS_AS(Scheduler(Topology::uniform(1, 1), {{false, 16, 0}}, config(Policy::kShard), rec), Error);
}

TEST_CASE("make_engine: model, and a clear error for unknown or absent backends", "[host][engine]") {
  auto e = make_engine("model", Params::small());
  CHECK(e->name() == "model");
  CHECK(e->params() == Params::small());
  CHECK_THROWS_AS(make_engine("fpga-of-dreams", Params::small()), Error);
  if (!device_engines_available()) CHECK_THROWS_AS(make_engine("xrt://0", Params::small()), Error);
}

TEST_CASE("DeviceEngine through the driver decides like the model", "[host][engine]") {
  if (!device_engines_available()) {
    WARN("driver not built in: DeviceEngine not tested");
    return;
  }
  Params p = Params::small();
  auto dev = make_engine("driver:model", p);
  ModelEngine ref(p);
  CHECK(dev->params() == p);
  // A short stream: configure, wake two vCPUs, profile, a latency wake.
  std::vector<Event> evs = {make_vcpu_cfg(1, 0, 0, 16), make_vcpu_cfg(2, 1, 0, 16), make_vcpu_cfg(3, 2, 0, 16),
                            make_wake(4, 0, false),     make_wake(5, 1, false),     make_profile(6, 0, 8, 100),
                            make_wake(7, 2, true),      make_block(8, 2),           make_tick(9, 0, 200, 1000)};
  for (uint32_t c = 2; c < p.cores; ++c)
    evs.push_back(make_core_cfg(100 + c, static_cast<uint8_t>(c), 0, c >= 4 ? false : true));
  evs.push_back(make_wake(200, 2, true));
  Decision a[kMaxDecisionsPerEvent], b[kMaxDecisionsPerEvent];
  for (const Event& e : evs) {
    size_t na = dev->submit(e, a);
    size_t nb = ref.submit(e, b);
    REQUIRE(na == nb);
    for (size_t i = 0; i < na; ++i) CHECK(a[i] == b[i]);
    for (uint32_t n = 0; n < p.nodes; ++n) CHECK(dev->prestage(n) == ref.prestage(n));
  }
}

TEST_CASE("shard: the engine parks a capped vCPU at its tick (spec 1.1, 6.5), it runs again after ACCOUNT",
          "[host][scheduler]") {
  Recorder rec(1);
  SchedConfig c = config(Policy::kShard);
  c.account_us = 30000;
  // vCPU 0 capped at 50 % of a core: VCPU_CFG cap = 50 * 30000 / 100 = 15000 µs.
  Scheduler s(Topology::uniform(1, 1), {{false, 16, 0, 50}, {false, 16, 0, 0}}, c, rec,
              std::make_unique<ModelEngine>(Params::small()));
  s.wake(0, 0);
  s.wake(1, 0);
  CHECK(rec.on_core[0] == 0);
  s.tick(10000, {1.0}, 10000);  // used 10000 < 15000
  CHECK_FALSE(s.parked(0));
  s.tick(20000, {1.0}, 10000);  // used 20000 >= 15000: PARK, vCPU 1 runs
  CHECK(s.parked(0));
  CHECK(rec.on_core[0] == 1);
  CHECK(s.stats().parks == 1);
  CHECK(rec.ops.back().what == "run");
  s.block(1, 25000);  // the core idles rather than run the parked vCPU
  CHECK(s.state(0) == Scheduler::VState::kQueued);
  CHECK(s.idle_cores() == 1);
  s.account(30000);  // the engine clears used; the host unparks and schedules
  CHECK_FALSE(s.parked(0));
  CHECK(s.state(0) == Scheduler::VState::kRunning);
  CHECK(rec.on_core[0] == 0);
}

TEST_CASE("shard: an idle core with nothing queued brings home a batch vCPU of its node running elsewhere",
          "[host][scheduler]") {
  // 2 nodes x 1 core. vCPU 0 (home 0) runs on core 1 (node 1) because core
  // 0 was taken by latency vCPU 2 when it woke; when vCPU 2 blocks, core 0
  // has nothing queued and pulls vCPU 0 home.
  Recorder rec(2);
  Scheduler s(Topology::uniform(2, 1), {{false, 16, 0}, {false, 16, 1}, {true, 16, 0}}, config(Policy::kShard), rec,
              std::make_unique<ModelEngine>(Params::small()));
  s.wake(2, 0);  // core 0 (home 0)
  s.wake(0, 1);  // no idle core on node 0: core 1
  CHECK(rec.on_core[1] == 0);
  rec.ops.clear();
  s.block(2, 50);
  REQUIRE(rec.ops.size() == 2);
  CHECK(rec.ops[0].what == "rotate");  // stopped on core 1 ...
  CHECK(rec.ops[0].core == 1);
  CHECK(rec.ops[1].what == "run");  // ... and run on core 0
  CHECK(rec.ops[1].core == 0);
  CHECK(rec.ops[1].vcpu == 0);
  CHECK(s.stats().pulls == 1);
  CHECK(s.core_of(0) == 0);
  // A vCPU of node 1 queued nowhere: core 1 stays idle; a latency vCPU is never pulled.
  CHECK(s.idle_cores() == 1);
}

TEST_CASE("shard: a latency vCPU's run per wake is published as its expected run (PROFILE erun)", "[host][scheduler]") {
  Recorder rec(1);
  SchedConfig c = config(Policy::kShard);
  c.profile_interval_us = 0;
  Scheduler s(Topology::uniform(1, 1), {{true, 16, 0}}, c, rec, std::make_unique<ModelEngine>(Params::small()));
  const auto& eng = static_cast<const ModelEngine&>(*s.engine());
  // Real time: no modelled decision latency, the run starts at the wake.
  s.wake(0, 0);
  s.block(0, 100);  // ran 100 µs: first sample, erun = 100
  CHECK(eng.model().vcpu(0).erun == 100);
  s.wake(0, 1000);
  s.block(0, 1180);  // 180: mean 100 + (180 - 100) / 8 = 110; 10 * 8 < 100: not republished
  CHECK(eng.model().vcpu(0).erun == 100);
  s.wake(0, 2000);
  s.block(0, 2430);  // 430: mean 110 + 320 / 8 = 150; 50 * 8 >= 100: published
  CHECK(eng.model().vcpu(0).erun == 150);
  CHECK(s.stats().profiles_sent == 2);
}
