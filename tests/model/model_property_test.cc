// Property tests over long seeded random streams (docs/spec.md section 10):
// invariants after every event, the incremental prestage/search structures
// against their direct definitions, epochs, counters and determinism.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "vshard/event_gen.h"
#include "vshard/event_log.h"
#include "vshard/model.h"

using namespace vshard;

namespace {

// Cheap checks for the per-event loop (Catch's REQUIRE costs too much per
// event); a failure names the seed, the event index and the event.
struct Where {
  uint64_t seed = 0;
  size_t index = 0;
  Event event;
};
Where g_where;

[[noreturn]] void fail_now(const char* what, int line) {
  FAIL("property violated: " << what << " (model_property_test.cc:" << line << ") at seed " << g_where.seed
                             << ", event #" << g_where.index << ": " << format_event(g_where.event));
  throw 0;  // not reached: FAIL throws
}
#define ENSURE(cond)                        \
  do {                                      \
    if (!(cond)) fail_now(#cond, __LINE__); \
  } while (0)

struct Tally {
  std::map<uint8_t, uint64_t> decisions;  // by type
  std::map<uint8_t, uint64_t> errors;     // by code
  uint64_t events = 0;
};

// Checks one event's decisions and the model state after it; `before` holds
// the entries and the reference placement computed before the step.
class Checker {
 public:
  explicit Checker(const Model& m) : m_(m), p_(m.params()), max_cap_(m.config(cfg::kCreditCap)) {}

  void before(const Event& e) {
    pre_.clear();
    for (uint32_t n = 0; n < p_.nodes; ++n) pre_.push_back(m_.prestage(n));
    wake_ = false;
    parked_before_ = e.vcpu < p_.vcpus && m_.vcpu(e.vcpu).parked();
    if ((e.type == 0x01 || e.type == 0x0C) && e.vcpu < p_.vcpus) {
      wake_ = true;
      lat_ = e.type == 0x0C || (e.flags & kFlagLat);
      const uint32_t n = m_.vcpu(e.vcpu).home;
      auto near = [&](int c) {
        return m_.config(static_cast<uint16_t>(cfg::kNumaDistBase + 8 * n + m_.core(c).node)) <=
               m_.config(cfg::kWakeMaxDist);
      };
      ref_idle_ = reference_idle(m_, n);
      ref_victim_ = reference_victim(m_, n);
      ref_near_ = ref_idle_ >= 0 && near(ref_idle_);
      ref_victim_near_ = ref_victim_ >= 0 && near(ref_victim_);
      if (ref_victim_ >= 0) plan_shards(static_cast<uint32_t>(ref_victim_), m_.vcpu(e.vcpu).erun);
    }
  }

  // Sections 7.3 and 7.4 by their direct definitions (sort, then take K,
  // plain division) for the vCPU on victim core p preempted by a vCPU whose
  // expected run is erun: the expected K and SHARD decisions.
  void plan_shards(uint32_t p, uint32_t erun) {
    shards_.clear();
    const VcpuInfo& u = m_.vcpu(m_.core(p).vcpu);
    auto dist = [&](uint32_t n, uint32_t c) {
      return m_.config(static_cast<uint16_t>(cfg::kNumaDistBase + 8 * n + m_.core(c).node));
    };
    std::vector<std::pair<uint32_t, uint32_t>> elig;  // (key, core)
    uint32_t hot = 0;
    for (uint32_t c = 0; c < p_.cores; ++c) {
      const CoreState& k = m_.core(c);
      if (k.online && k.util >= m_.config(cfg::kShardUtilMax)) ++hot;
      if (k.online && k.occ == Occ::kIdle && k.util < m_.config(cfg::kShardUtilMax) &&
          k.freq >= m_.config(cfg::kShardMinFreq) && dist(u.home, c) <= m_.config(cfg::kShardMaxDist))
        elig.emplace_back((dist(u.home, c) << 10) | ((3u - k.freq) << 8) | k.util, c);
    }
    std::sort(elig.begin(), elig.end());
    const uint32_t e = static_cast<uint32_t>(elig.size());
    k_ = 0;
    uint32_t s = 0;
    const uint32_t sync = m_.config(cfg::kSyncCostUs), b = u.blocks;
    if (m_.config(cfg::kShardEnable) == 1 && u.shards == 0 &&
        int32_t{u.credit} >= static_cast<int32_t>(m_.config(cfg::kShardMinCredit)) && b >= 1 && b * u.bcost >= sync &&
        e >= 1) {
      const uint32_t l = hot >= m_.config(cfg::kLoadHotCores) ? m_.config(cfg::kKUnderLoad) : p_.max_shards;
      const uint32_t k0 = std::min({b, e, m_.config(cfg::kMaxShards), l});
      const uint32_t t = std::max(erun, sync);
      uint32_t s_t = 128;  // the smallest power of two with bcost * 2^j >= T, j <= 7
      for (uint32_t j = 7; j + 1 > 0; --j)
        if (uint32_t{u.bcost} * (1u << j) >= t) s_t = 1u << j;
      for (uint32_t k = 1; k <= k0; ++k) {
        const uint32_t s_k = std::min(s_t, b / k);
        if (s_k * u.bcost >= sync) {
          k_ = k;
          s = s_k;
        }
      }
    }
    for (uint32_t i = 0; i < k_; ++i) {
      Decision d;
      d.type = static_cast<uint8_t>(DecisionType::kShard);
      d.vcpu = m_.core(p).vcpu;
      d.core = static_cast<uint8_t>(elig[i].second);
      d.b8 = static_cast<uint8_t>(i);
      d.c16 = static_cast<uint16_t>(i * s);
      d.d32 = s;
      shards_.push_back(d);
    }
  }

  void after(const Event& e, const Decision* d, size_t n, Tally& t) {
    ++t.events;
    // 10.4: at least one decision, at most 2 + MaxShards, seq echoed, one LAST at the end.
    ENSURE(n >= 1);
    ENSURE(n <= 2 + p_.max_shards);
    for (size_t i = 0; i < n; ++i) {
      ENSURE(d[i].seq == e.seq);
      ENSURE(((d[i].flags & kFlagLast) != 0) == (i + 1 == n));
      ++t.decisions[d[i].type];
      if (d[i].type == static_cast<uint8_t>(DecisionType::kError)) {
        ENSURE(n == 1);
        ++t.errors[d[i].b8];
        continue;
      }
      ENSURE(d[i].type >= 1);
      ENSURE(d[i].type <= 9);
      ENSURE(d[i].type != static_cast<uint8_t>(DecisionType::kResume));  // 1.0 only
      ENSURE(d[i].type != static_cast<uint8_t>(DecisionType::kError));
      ENSURE(d[i].vcpu < p_.vcpus);
      ENSURE(d[i].core < p_.cores);
      if (d[i].type == static_cast<uint8_t>(DecisionType::kPreempt)) {
        ENSURE(d[i].c16 < p_.vcpus);
        ENSURE(d[i].b8 <= p_.max_shards);
        ENSURE(n >= 1u + d[i].b8);
        ENSURE(!parked_before_);  // 10.6: no placement of a parked vCPU
      }
      if (d[i].type == static_cast<uint8_t>(DecisionType::kRun)) ENSURE(!parked_before_);
      if (d[i].type == static_cast<uint8_t>(DecisionType::kShard)) ENSURE(d[i].d32 >= 1);
      if (d[i].type == static_cast<uint8_t>(DecisionType::kPark)) {  // 6.5: answers a TICK, parks
        ENSURE(e.type == static_cast<uint8_t>(EventType::kTick));
        ENSURE(m_.vcpu(d[i].vcpu).parked());
        ENSURE(m_.vcpu(d[i].vcpu).state == VcpuState::kQueued);
        ENSURE(m_.core(d[i].core).occ == Occ::kIdle);
      }
    }
    const bool error = d[0].type == static_cast<uint8_t>(DecisionType::kError);
    // The WAKE placement against the direct searches (before the event).
    if (wake_ && !error) {
      const Decision& first = d[0].type == static_cast<uint8_t>(DecisionType::kAbort) ? d[1] : d[0];
      // 7.5 WAKE rules 1-6
      const bool preempt = lat_ && ref_victim_ >= 0 && (ref_victim_near_ || ref_idle_ < 0);
      if (parked_before_) {
        ENSURE(first.type == static_cast<uint8_t>(DecisionType::kQueued));
      } else if (lat_ && ref_near_) {
        ENSURE(first.type == static_cast<uint8_t>(DecisionType::kRun));
        ENSURE(first.core == ref_idle_);
      } else if (preempt) {
        ENSURE(first.type == static_cast<uint8_t>(DecisionType::kPreempt));
        ENSURE(first.core == ref_victim_);
        ENSURE(first.b8 == k_);
        const Decision* sh = &first + 1;
        ENSURE(static_cast<size_t>(sh - d) + k_ == n);
        for (uint32_t i = 0; i < k_; ++i) {
          Decision want = shards_[i];
          want.seq = e.seq;
          want.flags = sh[i].flags & kFlagLast;
          ENSURE(sh[i] == want);
        }
      } else if (ref_idle_ >= 0) {
        ENSURE(first.type == static_cast<uint8_t>(DecisionType::kRun));
        ENSURE(first.core == ref_idle_);
      } else {
        ENSURE(first.type == static_cast<uint8_t>(DecisionType::kQueued));
      }
    }
    if (e.type == static_cast<uint8_t>(EventType::kAccount) && !error) max_cap_ = 0;
    max_cap_ = std::max<uint32_t>(max_cap_, m_.config(cfg::kCreditCap));
    check_state();
    // Section 8: entries equal the direct recomputation; epochs count changes.
    for (uint32_t node = 0; node < p_.nodes; ++node) {
      const PrestageEntry now = m_.prestage(node);
      ENSURE(now == reference_prestage(m_, node));
      const PrestageEntry& was = pre_[node];
      const bool changed = now.kind != was.kind || now.core != was.core || now.vcpu != was.vcpu;
      if (error) ENSURE(now == was);
      ENSURE(now.epoch == was.epoch + (changed ? 1u : 0u));
    }
  }

  // Invariants 10.1 - 10.3 over the whole state.
  void check_state() {
    std::vector<uint32_t> shard_count(p_.vcpus, 0);
    for (uint32_t c = 0; c < p_.cores; ++c) {
      const CoreState& k = m_.core(c);
      ENSURE(k.node < p_.nodes);
      if (k.occ == Occ::kIdle) continue;
      ENSURE(k.online);
      ENSURE(k.vcpu < p_.vcpus);
      const VcpuInfo& u = m_.vcpu(k.vcpu);
      if (k.occ == Occ::kRun) {
        ENSURE(u.state == VcpuState::kRunning);
        ENSURE(u.core == c);
      } else {
        ENSURE(k.occ == Occ::kShard);
        ++shard_count[k.vcpu];
      }
    }
    const int32_t bound = static_cast<int32_t>(max_cap_);
    for (uint32_t v = 0; v < p_.vcpus; ++v) {
      const VcpuInfo& u = m_.vcpu(v);
      ENSURE(u.credit >= -bound);
      ENSURE(u.credit <= bound);
      ENSURE(u.home < p_.nodes);
      ENSURE(u.weight >= 1);
      ENSURE(u.state != VcpuState::kSharded);  // 1.0 only
      if (u.state == VcpuState::kRunning) {
        ENSURE(m_.core(u.core).occ == Occ::kRun);
        ENSURE(m_.core(u.core).vcpu == v);
      }
      // 10.2: exactly `shards` cores run shards of v, whatever its state
      ENSURE(u.shards <= p_.max_shards);
      ENSURE(shard_count[v] == u.shards);
    }
  }

 private:
  const Model& m_;
  Params p_;
  uint32_t max_cap_;  // largest CREDIT_CAP in effect since the last ACCOUNT (every credit's bound)
  std::vector<PrestageEntry> pre_;
  bool wake_ = false, lat_ = false, ref_near_ = false, ref_victim_near_ = false, parked_before_ = false;
  int ref_idle_ = -1, ref_victim_ = -1;
  uint32_t k_ = 0;
  std::vector<Decision> shards_;
};

Tally run_stream(const Params& p, uint64_t seed, size_t events, const EventGenOptions& opts = {}) {
  Model m(p);
  EventGen gen(p, seed, opts);
  Checker chk(m);
  Tally t;
  Decision out[kMaxDecisionsPerEvent];
  Counters expect;
  for (size_t i = 0; i < events; ++i) {
    const Event e = gen.next();
    chk.before(e);
    const size_t n = m.step(e, out);
    g_where = {seed, i, e};
    chk.after(e, out, n, t);
    for (size_t k = 0; k < n; ++k) gen.observe(out[k]);
    for (uint32_t node = 0; node < p.nodes; ++node) gen.set_prestage(node, m.prestage(node));
    // Counters follow the decisions.
    ++expect.events;
    expect.decisions += static_cast<uint32_t>(n);
    for (size_t k = 0; k < n; ++k) {
      switch (static_cast<DecisionType>(out[k].type)) {
        case DecisionType::kError: ++expect.errors; break;
        case DecisionType::kPreempt: ++expect.preempts; break;
        case DecisionType::kShard: ++expect.shards; break;
        case DecisionType::kAbort: ++expect.aborts; break;
        default: break;
      }
      if (out[k].flags & kFlagCommitted) ++expect.commits;
    }
    ENSURE(m.counters() == expect);
  }
  return t;
}

void require_coverage(const Tally& t) {
  for (uint8_t type = 1; type <= 9; ++type) {
    if (type == static_cast<uint8_t>(DecisionType::kResume)) continue;  // 1.0 only
    INFO("decision type " << decision_type_name(type));
    CHECK(t.decisions.count(type) == 1);
  }
  for (uint8_t code : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13}) {  // 11, 12: ring and register paths only
    INFO("error code " << error_code_name(code));
    CHECK(t.errors.count(code) == 1);
  }
}

}  // namespace

TEST_CASE("10 invariants and incremental prestage on a long small stream") {
  const Tally t = run_stream(Params::small(), 1, 60000);
  require_coverage(t);
  CHECK(t.decisions.at(static_cast<uint8_t>(DecisionType::kShard)) > 100);
  CHECK(t.decisions.at(static_cast<uint8_t>(DecisionType::kPark)) > 20);
}

TEST_CASE("10 invariants and incremental prestage on a long large stream") {
  const Tally t = run_stream(Params::large(), 2, 60000);
  require_coverage(t);
  CHECK(t.decisions.at(static_cast<uint8_t>(DecisionType::kShard)) > 200);
}

TEST_CASE("10 invariants on a max stream") {
  const Tally t = run_stream(Params::max(), 3, 15000);
  CHECK(t.decisions.at(static_cast<uint8_t>(DecisionType::kPreempt)) > 0);
}

TEST_CASE("10 invariants under heavy configuration churn and bad input") {
  EventGenOptions o;
  o.config_fraction = 0.05;
  o.topology_fraction = 0.05;
  o.account_fraction = 0.02;
  o.bad_fraction = 0.2;
  require_coverage(run_stream(Params::small(), 4, 30000, o));
  run_stream(Params{5, 40, 3, 3}, 5, 20000, o);
  run_stream(Params{1, 1, 1, 2}, 6, 5000, o);
}

TEST_CASE("10.5 determinism: same seed, same events and decisions, Model copies continue identically") {
  const EventLog a = generate_event_log(Params::large(), 11, 20000);
  const EventLog b = generate_event_log(Params::large(), 11, 20000);
  const EventLog c = generate_event_log(Params::large(), 12, 20000);
  REQUIRE(a == b);
  CHECK(!(a == c));
  Model m1(a.params), m2(a.params);
  std::vector<Decision> d1, d2;
  for (size_t i = 0; i < a.events.size(); ++i) {
    m1.step(a.events[i], d1);
    if (i == 10000) m2 = m1;  // copy mid-stream, then continue
  }
  d2 = d1;
  d2.clear();
  Model m3(a.params);
  std::vector<Decision> d3;
  for (const Event& e : a.events) m3.step(e, d3);
  REQUIRE(d1 == d3);
  for (size_t i = 10001; i < a.events.size(); ++i) m2.step(a.events[i], d2);
  REQUIRE(d2.size() <= d1.size());
  CHECK(std::equal(d2.rbegin(), d2.rend(), d1.rbegin()));
  CHECK(m2.counters() == m1.counters());
  for (uint32_t n = 0; n < 4; ++n) CHECK(m2.prestage(n) == m1.prestage(n));
}

TEST_CASE("10.5 the generator's stream is pinned (identical on every machine)") {
  // FNV-1a over the binary encoding of a short stream. If the generator is
  // changed on purpose, update the constant; if it changes by accident
  // (platform arithmetic, std library distributions), this fails.
  const EventLog log = generate_event_log(Params::small(), 1, 3000);
  uint64_t h = 1469598103934665603ull;
  for (uint8_t byte : encode_event_log(log)) h = (h ^ byte) * 1099511628211ull;
  CHECK(h == 0x53706103B554EE07ull);  // spec 1.1 generator (PROFILE erun, VCPU_CFG caps, E_CAPPED)
}
