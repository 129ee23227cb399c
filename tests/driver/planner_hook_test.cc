// vshard::Model's shard planner hook (Model::set_shard_planner), on which
// the driver's opencl backend builds, driven here by the host build of the
// planner (hls/: plan_shards over plan_input_from_model), so it runs without
// OpenCL:
//  * the hook gives the model's own decisions on long random streams, and is
//    asked exactly once per preemption;
//  * a plan within the invariants is applied as given (wrong or not);
//  * a plan that would break them, or a planner that throws, leaves the model
//    exactly as it was (state, counters, prestaged table) and the event can be
//    stepped again;
//  * copies do not inherit the hook, reset() keeps it.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/model.h"
#include "vshard/planner.h"
#include "vshard/planner_model.h"

using namespace vshard;

namespace {

// The host path of the hls/ planner behind the hook.
class HostPlanner : public ShardPlanner {
 public:
  ShardPlan plan(const Model& model, uint32_t victim_core, uint16_t preemptor) override {
    ++calls;
    return to_shard_plan(plan_shards(plan_input_from_model(model, victim_core, preemptor)));
  }
  uint64_t calls = 0;
};

// Whatever a test wants, from the model's own plan.
class EditPlanner : public ShardPlanner {
 public:
  explicit EditPlanner(std::function<void(ShardPlan&, const Model&)> edit) : edit_(std::move(edit)) {}
  ShardPlan plan(const Model& model, uint32_t victim_core, uint16_t preemptor) override {
    ShardPlan p = model.own_shard_plan(victim_core, preemptor);
    edit_(p, model);
    return p;
  }

 private:
  std::function<void(ShardPlan&, const Model&)> edit_;
};

struct Snapshot {
  std::vector<CoreState> cores;
  std::vector<VcpuInfo> vcpus;
  std::vector<PrestageEntry> pre;
  Counters counters;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const Model& m) {
  Snapshot s;
  for (uint32_t c = 0; c < m.params().cores; ++c) s.cores.push_back(m.core(c));
  for (uint32_t v = 0; v < m.params().vcpus; ++v) s.vcpus.push_back(m.vcpu(v));
  for (uint32_t n = 0; n < m.params().nodes; ++n) s.pre.push_back(m.prestage(n));
  s.counters = m.counters();
  return s;
}

// small: vCPUs 0..5 run on cores 0..5 (not latency class) with 9 blocks of
// 100 us each, cores 6 and 7 idle; WAKE_MAX_DIST = 0, so a latency wake
// preempts (spec 7.5 rule 2) and shards on cores 6 and 7.
Model preempt_ready(uint32_t& seq) {
  Model m(Params::small());
  std::vector<Decision> out;
  m.step(make_config(seq++, cfg::kWakeMaxDist, 0), out);
  for (uint16_t v = 0; v < 6; ++v) {
    m.step(make_wake(seq++, v, false), out);
    m.step(make_profile(seq++, v, 9, 100), out);
  }
  for (const Decision& d : out) REQUIRE(d.type != static_cast<uint8_t>(DecisionType::kError));
  return m;
}

}  // namespace

TEST_CASE("planner hook: the host planner gives the model's own decisions, once per preemption",
          "[driver][unit]") {
  for (const char* config : {"small", "large"}) {
    for (uint64_t seed : {1u, 2u}) {
      INFO("config " << config << " seed " << seed);
      const Params p = Params::named(config);
      EventGenOptions o;
      o.lat_fraction = 0.8;
      const EventLog log = generate_event_log(p, seed, 30000, o);
      Model own(p), hooked(p);
      HostPlanner planner;
      hooked.set_shard_planner(&planner);
      CHECK(hooked.shard_planner() == &planner);
      std::vector<Decision> a, b;
      for (const Event& e : log.events) {
        own.step(e, a);
        hooked.step(e, b);
      }
      CHECK(a == b);
      CHECK(hooked.counters() == own.counters());
      CHECK(planner.calls == own.counters().preempts);
      CHECK(own.counters().shards > 0);
    }
  }
}

TEST_CASE("planner hook: a plan within the invariants is applied as given", "[driver][unit]") {
  uint32_t seq = 1;
  Model base = preempt_ready(seq);
  Model own(base);
  std::vector<Decision> want;
  own.step(make_wake(seq, 20, true), want);
  REQUIRE(want.size() == 3);  // PREEMPT K=2, SHARD, SHARD
  CHECK(want[0].b8 == 2);
  CHECK(want[1].core == 6);
  CHECK(want[2].core == 7);

  // Other targets (swapped), another split: applied verbatim, state follows.
  EditPlanner swap([](ShardPlan& p, const Model&) {
    std::swap(p.target[0], p.target[1]);
    p.count[0] = 1;
    p.first[1] = 1;
    p.count[1] = 8;
  });
  Model m(base);
  m.set_shard_planner(&swap);
  std::vector<Decision> got;
  m.step(make_wake(seq, 20, true), got);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == want[0]);
  CHECK(got[1].core == 7);
  CHECK(got[1].d32 == 1);
  CHECK(got[2].core == 6);
  CHECK(got[2].c16 == 1);
  CHECK(got[2].d32 == 8);
  CHECK(m.core(7).occ == Occ::kShard);
  CHECK(m.core(6).occ == Occ::kShard);

  // K = 0 instead of 2: the victim is queued, no shards.
  EditPlanner none([](ShardPlan& p, const Model&) { p.k = 0; });
  Model q(base);
  q.set_shard_planner(&none);
  got.clear();
  q.step(make_wake(seq, 20, true), got);
  REQUIRE(got.size() == 1);
  CHECK(got[0].b8 == 0);
  CHECK(q.vcpu(got[0].vcpu).state == VcpuState::kQueued);
  CHECK(q.counters().shards == 0);
}

TEST_CASE("planner hook: a plan that breaks the invariants changes nothing", "[driver][unit]") {
  uint32_t seq = 1;
  const Model base = preempt_ready(seq);
  struct Case {
    const char* name;
    std::function<void(ShardPlan&, const Model&)> edit;
    const char* words;
  };
  const Case cases[] = {
      {"K = 1", [](ShardPlan& p, const Model&) { p.k = 1; }, "K = 1"},
      {"K above MaxShards", [](ShardPlan& p, const Model&) { p.k = 5; }, "must be 0 or 2..4"},
      {"target out of range", [](ShardPlan& p, const Model&) { p.target[1] = 8; }, "NCores = 8"},
      {"busy target", [](ShardPlan& p, const Model&) { p.target[0] = 3; }, "not an online idle core"},
      {"the victim's core", [](ShardPlan& p, const Model& m) { p.target[0] = m.prestage(0).core; },
       "not an online idle core"},
      {"target twice", [](ShardPlan& p, const Model&) { p.target[1] = p.target[0]; }, "target of shards 0 and 1"},
      {"planner throws", [](ShardPlan&, const Model&) { throw Error(Errc::kDeviceFailed, "kernel launch failed"); },
       "kernel launch failed"},
  };
  for (const Case& c : cases) {
    for (bool commit : {false, true}) {
      INFO(c.name << (commit ? " (COMMIT)" : " (WAKE)"));
      Model m(base);
      EditPlanner bad(c.edit);
      m.set_shard_planner(&bad);
      const PrestageEntry e = m.prestage(0);
      REQUIRE(e.kind == PrestageKind::kPreempt);
      const Event ev = commit ? make_commit(seq, 20, e.core, 0, e.epoch) : make_wake(seq, 20, true);
      const Snapshot before = snapshot(m);
      Decision out[kMaxDecisionsPerEvent];
      std::string msg;
      try {
        m.step(ev, out);
      } catch (const Error& err) {
        msg = err.what();
      }
      CHECK(msg.find(c.words) != std::string::npos);
      CHECK(snapshot(m) == before);
      // Without the hook the same event runs normally, as on an untouched model.
      m.set_shard_planner(nullptr);
      Model own(base);
      std::vector<Decision> got, want;
      m.step(ev, got);
      own.step(ev, want);
      CHECK(got == want);
      CHECK(snapshot(m) == snapshot(own));
    }
  }
}

TEST_CASE("planner hook: copies do not inherit it, moves and reset() keep it", "[driver][unit]") {
  HostPlanner planner;
  Model m(Params::small());
  m.set_shard_planner(&planner);
  Model copy(m);
  CHECK(copy.shard_planner() == nullptr);
  Model assigned(Params::small());
  assigned = m;
  CHECK(assigned.shard_planner() == nullptr);
  m.reset();
  CHECK(m.shard_planner() == &planner);
  Model moved(std::move(m));
  CHECK(moved.shard_planner() == &planner);
  CHECK_THROWS_AS(moved.own_shard_plan(0, 0), Error);  // core 0 runs nothing after reset
}
