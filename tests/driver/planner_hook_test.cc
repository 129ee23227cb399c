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

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/model.h"
#include "vshard/hls/planner.h"
#include "vshard/hls/planner_model.h"

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

// Steps events that must all succeed.
void step_all(Model& m, const std::vector<Event>& events) {
  std::vector<Decision> out;
  for (const Event& e : events) m.step(e, out);
  for (const Decision& d : out) {
    INFO(decision_type_name(d.type) << " seq " << d.seq << " b8 " << unsigned(d.b8));
    REQUIRE(d.type != static_cast<uint8_t>(DecisionType::kError));
  }
}

// small (8 cores, 2 nodes, MaxShards 4), cores 0-3 on node 0 and 4-7 on
// node 1, reset distances (10 / 20) and WAKE_MAX_DIST 10; MAX_SHARDS = 2.
// vCPUs 0..3 (home 0, not latency class) run on cores 0..3, each with 9
// blocks of 100 us; cores 4..7 idle. vCPU 20 (home 0) expects runs of
// 250 us. Its latency wake finds no near idle core but near victims
// (spec 1.1 WAKE rule 3), all of equal cost: core 0, vCPU 0. The model's
// own plan (7.3-7.4): E = 4 (cores 4..7, dist 20 <= SHARD_MAX_DIST 20),
// K0 = min(B 9, E 4, MAX_SHARDS 2, L 4) = 2; T = max(250, SYNC 50) = 250,
// s_T = 4 (100 << 1 = 200 < 250 <= 100 << 2); s(2) = min(4, q(9,2) = 4) = 4,
// 4 * 100 >= 50: K = 2, shards of 4 blocks on cores 4 and 5, 1 block left.
Model preempt_ready(uint32_t& seq) {
  Model m(Params::small());
  std::vector<Event> ev;
  for (uint8_t c = 4; c < 8; ++c) ev.push_back(make_core_cfg(seq++, c, 1, true));
  ev.push_back(make_config(seq++, cfg::kMaxShards, 2));
  for (uint16_t v = 0; v < 4; ++v) {
    ev.push_back(make_wake(seq++, v, false));
    ev.push_back(make_profile(seq++, v, 9, 100));
  }
  ev.push_back(make_profile(seq++, 20, 0, 0, 250));
  step_all(m, ev);
  for (uint32_t c = 0; c < 4; ++c) REQUIRE(m.core(c).vcpu == c);
  return m;
}

// preempt_ready after vCPU 20 preempted vCPU 0 (its 2 shards still run on
// cores 4 and 5) and blocked again; vCPU 0 runs on core 0 again with 9 new
// blocks and is the cheapest victim (credit -(2 * SHARD_CREDIT 4 +
// SYNC_CREDIT 2) = -10 < 0) for vCPU 21's latency wake. Its own plan:
// shards[0] = 2, so no candidate (7.3): K = 0.
Model preempt_again_ready(uint32_t& seq) {
  Model m = preempt_ready(seq);
  step_all(
      m, {make_wake(seq++, 20, true), make_block(seq++, 20), make_profile(seq++, 0, 9, 100), make_sched(seq++, 0, 0)});
  REQUIRE(m.vcpu(0).shards == 2);
  REQUIRE(m.vcpu(0).state == VcpuState::kRunning);
  REQUIRE(m.core(4).occ == Occ::kShard);
  REQUIRE(m.core(5).occ == Occ::kShard);
  return m;
}

}  // namespace

TEST_CASE("planner hook: the host planner gives the model's own decisions, once per preemption", "[driver][unit]") {
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
  const Model base = preempt_ready(seq);
  const Model again = preempt_again_ready(seq);
  {
    Model own(base);
    std::vector<Decision> want;
    own.step(make_wake(seq, 20, true), want);
    REQUIRE(want.size() == 3);  // PREEMPT K=2, SHARD, SHARD (see preempt_ready)
    CHECK(want[0].type == static_cast<uint8_t>(DecisionType::kPreempt));
    CHECK(want[0].core == 0);
    CHECK(want[0].b8 == 2);
    CHECK((want[1].core == 4 && want[1].c16 == 0 && want[1].d32 == 4));
    CHECK((want[2].core == 5 && want[2].c16 == 4 && want[2].d32 == 4));
    CHECK(own.vcpu(0).blocks == 1);
    Model own_again(again);
    want.clear();
    own_again.step(make_wake(seq, 21, true), want);
    REQUIRE(want.size() == 1);  // shards[0] = 2: no candidate, K = 0
    CHECK(want[0].b8 == 0);
  }
  struct Case {
    const char* name;
    const Model* start;
    uint16_t preemptor;
    std::function<void(ShardPlan&, const Model&)> edit;
    std::vector<std::array<unsigned, 3>> shards;  // {target, first, count} the decisions must carry
    unsigned blocks_left, shards_after;           // of vCPU 0 afterwards
  };
  const Case cases[] = {
      {"other targets (swapped and an unused one), another split",
       &base,
       20,
       [](ShardPlan& p, const Model&) {
         p.target[0] = 7;
         p.target[1] = 4;
         p.count[0] = 1;
         p.first[1] = 3;
         p.count[1] = 5;
       },
       {{7, 0, 1}, {4, 3, 5}},
       3,
       2},
      {"K = 0: the victim is queued, no shards", &base, 20, [](ShardPlan& p, const Model&) { p.k = 0; }, {}, 9, 0},
      {"K = 1", &base, 20, [](ShardPlan& p, const Model&) { p.k = 1; }, {{4, 0, 4}}, 5, 1},
      {"K = 4 = MaxShards, above MAX_SHARDS 2, every block handed out",
       &base,
       20,
       [](ShardPlan& p, const Model&) {
         p.k = 4;
         const uint8_t count[4] = {3, 2, 2, 2};
         for (uint8_t i = 0; i < 4; ++i) {
           p.target[i] = static_cast<uint8_t>(4 + i);
           p.count[i] = count[i];
           p.first[i] = static_cast<uint8_t>(i == 0 ? 0 : 1 + 2 * i);
         }
       },
       {{4, 0, 3}, {5, 3, 2}, {6, 5, 2}, {7, 7, 2}},
       0,
       4},
      {"K + shards of the victim = MaxShards (2 + 2)",
       &again,
       21,
       [](ShardPlan& p, const Model&) {
         p.k = 2;
         p.target[0] = 6;
         p.target[1] = 7;
         p.first[0] = 0;
         p.count[0] = 2;
         p.first[1] = 2;
         p.count[1] = 2;
       },
       {{6, 0, 2}, {7, 2, 2}},
       5,
       4},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    EditPlanner edit(c.edit);
    Model m(*c.start);
    m.set_shard_planner(&edit);
    const int16_t credit = m.vcpu(0).credit;
    const uint32_t shards_before = m.counters().shards;
    std::vector<Decision> got;
    m.step(make_wake(seq, c.preemptor, true), got);
    REQUIRE(got.size() == 1 + c.shards.size());
    CHECK(got[0].type == static_cast<uint8_t>(DecisionType::kPreempt));
    CHECK(got[0].vcpu == 0);
    CHECK(got[0].core == 0);
    CHECK(got[0].b8 == c.shards.size());
    CHECK(got[0].c16 == c.preemptor);
    for (size_t i = 0; i < c.shards.size(); ++i) {
      INFO("shard " << i);
      const Decision& d = got[1 + i];
      CHECK(d.type == static_cast<uint8_t>(DecisionType::kShard));
      CHECK(d.vcpu == 0);
      CHECK(d.b8 == i);
      CHECK(d.core == c.shards[i][0]);
      CHECK(d.c16 == c.shards[i][1]);
      CHECK(d.d32 == c.shards[i][2]);
      CHECK(m.core(d.core).occ == Occ::kShard);
      CHECK(m.core(d.core).vcpu == 0);
    }
    // The state follows the plan: blocks, shards, surcharge (6.4), counters.
    const int32_t k = static_cast<int32_t>(c.shards.size());
    CHECK(m.vcpu(0).state == VcpuState::kQueued);
    CHECK(m.vcpu(0).blocks == c.blocks_left);
    CHECK(m.vcpu(0).shards == c.shards_after);
    CHECK(m.vcpu(0).credit == (k == 0 ? credit : credit - (k * 4 + 2)));
    CHECK(m.counters().shards == shards_before + static_cast<uint32_t>(k));
    CHECK(m.vcpu(c.preemptor).state == VcpuState::kRunning);
    CHECK(m.core(0).vcpu == c.preemptor);
  }
}

TEST_CASE("planner hook: a plan that breaks the invariants changes nothing", "[driver][unit]") {
  uint32_t seq = 1;
  const Model base = preempt_ready(seq);
  const Model again = preempt_again_ready(seq);
  Model offline7(base);
  step_all(offline7, {make_core_cfg(seq++, 7, 1, false)});
  // model.h: K + shards of the victim <= MaxShards, K distinct online idle
  // targets, no more blocks handed out than the victim has.
  struct Case {
    const char* name;
    const Model* start;
    uint16_t preemptor;
    std::function<void(ShardPlan&, const Model&)> edit;
    const char* words;
  };
  const Case cases[] = {
      {"K above MaxShards", &base, 20, [](ShardPlan& p, const Model&) { p.k = 5; },
       "K = 5 with 0 shards of the victim still running, more than MaxShards = 4"},
      {"K + shards of the victim above MaxShards", &again, 21,
       [](ShardPlan& p, const Model&) {
         p.k = 3;
         p.target[0] = 6;
         p.target[1] = 7;
         p.target[2] = 1;
       },
       "K = 3 with 2 shards of the victim still running, more than MaxShards = 4"},
      {"more blocks than the victim has", &base, 20, [](ShardPlan& p, const Model&) { p.count[1] = 6; },
       "the shards take 10 blocks, the victim has 9"},
      {"target out of range", &base, 20, [](ShardPlan& p, const Model&) { p.target[1] = 8; }, "NCores = 8"},
      {"busy target", &base, 20, [](ShardPlan& p, const Model&) { p.target[0] = 3; },
       "core 3, which is not an online idle core"},
      {"the victim's core", &base, 20, [](ShardPlan& p, const Model& m) { p.target[0] = m.prestage(0).core; },
       "core 0, which is not an online idle core"},
      {"offline target", &offline7, 20, [](ShardPlan& p, const Model&) { p.target[1] = 7; },
       "core 7, which is not an online idle core"},
      {"a core running a shard of the victim", &again, 21,
       [](ShardPlan& p, const Model&) {
         p.k = 1;
         p.target[0] = 5;
         p.count[0] = 1;
       },
       "core 5, which is not an online idle core"},
      {"target twice", &base, 20, [](ShardPlan& p, const Model&) { p.target[1] = p.target[0]; },
       "core 4 is the target of shards 0 and 1"},
      {"planner throws", &base, 20,
       [](ShardPlan&, const Model&) { throw Error(Errc::kDeviceFailed, "kernel launch failed"); },
       "kernel launch failed"},
  };
  for (const Case& c : cases) {
    for (bool commit : {false, true}) {
      INFO(c.name << (commit ? " (COMMIT)" : " (WAKE)"));
      Model m(*c.start);
      EditPlanner bad(c.edit);
      m.set_shard_planner(&bad);
      const PrestageEntry e = m.prestage(0);
      REQUIRE(e.kind == PrestageKind::kPreempt);
      REQUIRE(e.core == 0);
      const Event ev = commit ? make_commit(seq, c.preemptor, e.core, 0, e.epoch) : make_wake(seq, c.preemptor, true);
      const Snapshot before = snapshot(m);
      Decision out[kMaxDecisionsPerEvent];
      std::string msg;
      bool refused = false;
      try {
        m.step(ev, out);
      } catch (const Error& err) {
        refused = true;
        msg = err.what();
        CHECK((err.code() == Errc::kBadInput || err.code() == Errc::kDeviceFailed));
      }
      REQUIRE(refused);
      CHECK(msg.find(c.words) != std::string::npos);
      CHECK(snapshot(m) == before);
      // Without the hook the same event runs normally, as on an untouched model.
      m.set_shard_planner(nullptr);
      Model own(*c.start);
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
