// Directed tests of the RTL engine (configuration "small": 8 cores, 64 vCPUs,
// 2 nodes, 4 shards), each event compared bit for bit with the golden model
// and the registers compared with it whenever the engine is idle.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "vshard/sim/harness.h"
#include "vshard/sim/state_check.h"
#include "vshard/event_gen.h"
#include "vshard/event_log.h"
#include "vshard/model.h"
#include "vshard/regs.h"

using namespace vshard;
using sim::Harness;
using sim::HarnessOptions;

namespace {

std::string join(const std::vector<Decision>& ds) {
  std::string s;
  for (const auto& d : ds) s += "\n    " + format_decision(d);
  return s.empty() ? " (none)" : s;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += "\n  " + l;
  return s;
}

uint8_t t(DecisionType d) { return static_cast<uint8_t>(d); }
uint8_t t(ErrorCode e) { return static_cast<uint8_t>(e); }

// The RTL and the model side by side.
struct Engine {
  std::unique_ptr<Harness> h;
  Model m;
  uint32_t seq = 0;
  std::set<uint8_t> types, errors;

  explicit Engine(const HarnessOptions& o = {}) : h(Harness::create("small", o)), m(h->params()) { h->reset(); }
  uint32_t s() { return ++seq; }

  // One event into both; the decisions must be identical.
  std::vector<Decision> send(const Event& ev) {
    std::vector<Decision> want;
    m.step(ev, want);
    const auto got = h->exchange(ev);
    INFO("event: " << format_event(ev) << "\n  model:" << join(want) << "\n  rtl:" << join(got));
    REQUIRE(got == want);
    for (const auto& d : want) {
      types.insert(d.type);
      if (d.type == t(DecisionType::kError)) errors.insert(d.b8);
    }
    return want;
  }
  // An event the model answers with ERROR(code); model state must not move.
  void send_error(const Event& ev, ErrorCode code) {
    const Model before = m;
    const auto ds = send(ev);
    INFO("event: " << format_event(ev) << ", expected " << error_code_name(t(code)));
    REQUIRE(ds.size() == 1);
    REQUIRE(ds[0].type == t(DecisionType::kError));
    REQUIRE(ds[0].b8 == t(code));
    for (uint32_t c = 0; c < m.params().cores; ++c) REQUIRE(m.core(c) == before.core(c));
    for (uint32_t v = 0; v < m.params().vcpus; ++v) REQUIRE(m.vcpu(v) == before.vcpu(v));
    for (uint32_t n = 0; n < m.params().nodes; ++n) REQUIRE(m.prestage(n) == before.prestage(n));
  }
  // Registers against the model, engine idle.
  void check_state(uint32_t extra_sticky = 0) {
    h->wait_idle();
    const auto diffs = sim::compare_state(*h, m, extra_sticky);
    INFO("registers differ:" << join(diffs));
    REQUIRE(diffs.empty());
  }
  // Cores 0-3 on node 0, 4-7 on node 1; vCPU v homed at v % 2.
  void topology() {
    for (uint8_t c = 0; c < 8; ++c) send(make_core_cfg(s(), c, c < 4 ? 0 : 1, true));
    for (uint16_t v = 0; v < 64; ++v) send(make_vcpu_cfg(s(), v, v % 2, static_cast<uint8_t>(8 + v)));
  }
  // A stream from the seeded generator (its decisions observed from a model).
  std::vector<Event> random_events(uint64_t seed, size_t n, double bad = 0.02) {
    EventGenOptions go;
    go.bad_fraction = bad;
    auto log = generate_event_log(h->params(), seed, n, go);
    // Renumber after the events already sent.
    for (auto& e : log.events) e.seq = s();
    return log.events;
  }
};

HarnessOptions seeded(uint64_t seed) {
  HarnessOptions o;
  o.seed = seed;
  return o;
}

// An event with bits set in d32[31:16] (reserved in PROFILE and VCPU_CFG).
struct D32Hi {
  uint16_t hi;
};
D32Hi d32_hi(uint16_t hi) { return {hi}; }
Event operator|(Event e, D32Hi h) {
  e.d32 |= uint32_t{h.hi} << 16;
  return e;
}

Event raw(uint32_t seq, uint8_t type, uint8_t flags = 0, uint16_t vcpu = 0, uint8_t core = 0, uint8_t b8 = 0,
          uint16_t c16 = 0, uint32_t d32 = 0) {
  Event e;
  e.type = type;
  e.flags = flags;
  e.vcpu = vcpu;
  e.seq = seq;
  e.core = core;
  e.b8 = b8;
  e.c16 = c16;
  e.d32 = d32;
  return e;
}

}  // namespace

TEST_CASE("rtl: reset state, identity and status", "[rtl]") {
  Engine e(seeded(5));
  CHECK(e.h->read32(regs::kMagic) == regs::kMagicValue);
  CHECK(e.h->read32(regs::kVersion) == regs::kVersionValue);
  CHECK(e.h->read32(regs::kNcores) == 8u);
  CHECK(e.h->read32(regs::kNvcpus) == 64u);
  CHECK(e.h->read32(regs::kNnodes) == 2u);
  CHECK(e.h->read32(regs::kMaxShards) == 4u);
  CHECK(e.h->read32(regs::kDescBytes) == 16u);
  CHECK(e.h->read32(regs::kCtrl) == regs::kCtrlReset);
  CHECK(e.h->read32(regs::kStatus) == regs::kStatusReset);
  CHECK(e.h->idle());
  e.check_state();
  // Works the same after a second reset in mid-stream.
  for (const auto& ev : e.random_events(5, 300)) e.send(ev);
  e.h->reset();
  e.m.reset();
  e.check_state();
}

TEST_CASE("rtl: every event type and every decision type", "[rtl]") {
  Engine e(seeded(6));
  e.topology();
  for (uint16_t v = 0; v < 4; ++v) e.send(make_profile(e.s(), v * 2, 8, 100));
  // Node-0 vCPUs fill node 0's cores (nearest idle cores).
  for (uint16_t v = 0; v < 8; v += 2) REQUIRE(e.send(make_wake(e.s(), v, false))[0].type == t(DecisionType::kRun));
  e.send(make_util(e.s(), 2, 50, 2));
  e.send(make_tick(e.s(), 1, 100, 1000));
  e.send(make_tick(e.s(), 5, 10, 700));  // idle core
  // Latency wake homed at node 0: node 1's idle cores are far (20 > 10), so
  // the best victim on node 0 is preempted (1.1 rule 3: a near victim before
  // a far idle core) and sharded onto node 1.
  const auto pre = e.send(make_wake(e.s(), 10, true));
  REQUIRE(pre[0].type == t(DecisionType::kPreempt));
  REQUIRE(pre[0].core < 4);
  REQUIRE(pre[0].b8 >= 2);
  REQUIRE(pre.size() == 1u + pre[0].b8);
  // Shards end one by one, each answered by ACK (1.1: no RESUME; the victim
  // was queued at once).
  for (size_t i = 1; i < pre.size(); ++i) {
    CHECK(e.m.vcpu(pre[i].vcpu).state == VcpuState::kQueued);
    REQUIRE(e.send(make_shard_done(e.s(), pre[i].vcpu, pre[i].core))[0].type == t(DecisionType::kAck));
  }
  // Fill every core, then one more is queued.
  uint16_t v = 12;
  while (e.send(make_wake(e.s(), v, false))[0].type == t(DecisionType::kRun)) v += 2;
  const uint16_t queued = v;
  // Free a core and place the queued vCPU there.
  e.send(make_block(e.s(), 0));
  const uint8_t free_core = e.m.prestage(0).kind == PrestageKind::kIdle ? e.m.prestage(0).core : 0;
  REQUIRE(e.m.core(free_core).occ == Occ::kIdle);
  REQUIRE(e.send(make_sched(e.s(), queued, free_core))[0].type == t(DecisionType::kRun));
  e.send(make_account(e.s()));
  e.send(make_config(e.s(), cfg::kSliceUs, 20000));
  e.send(make_config(e.s(), cfg::kNumaDistBase + 1, 30));
  e.check_state();
  // COMMIT against the current prestaged entry of node 0: it holds.
  const PrestageEntry p0 = e.m.prestage(0);
  REQUIRE(p0.kind != PrestageKind::kNone);
  const auto held = e.send(make_commit(e.s(), 40, p0.core, 0, p0.epoch));
  REQUIRE((held[0].flags & kFlagCommitted) != 0);
  // COMMIT with a stale epoch: ABORT, then the decisions of the wake.
  const PrestageEntry p1 = e.m.prestage(0);
  const auto aborted = e.send(make_commit(e.s(), 42, p1.core, 0, p1.epoch + 7));
  REQUIRE(aborted[0].type == t(DecisionType::kAbort));
  e.send(make_core_cfg(e.s(), 7, 1, e.m.core(7).occ != Occ::kIdle));
  e.send(raw(e.s(), 0x00));  // a zeroed descriptor: ERROR
  // A cap on the vCPU running on core 1, then a TICK over it: PARK.
  const uint16_t on1 = e.m.core(1).vcpu;
  REQUIRE(e.m.core(1).occ == Occ::kRun);
  e.send(make_vcpu_cfg(e.s(), on1, on1 % 2, 20, 500));
  const auto park = e.send(make_tick(e.s(), 1, 100, 600));
  REQUIRE(park[0].type == t(DecisionType::kPark));
  e.check_state();
  for (auto d : {DecisionType::kRun, DecisionType::kPreempt, DecisionType::kShard, DecisionType::kQueued,
                 DecisionType::kAck, DecisionType::kAbort, DecisionType::kError, DecisionType::kPark})
    CHECK(e.types.count(t(d)) == 1);
  CHECK(e.types.count(t(DecisionType::kResume)) == 0);
}

TEST_CASE("rtl: every error code, state unchanged", "[rtl]") {
  Engine e(seeded(7));
  e.topology();
  for (uint16_t v = 0; v < 6; ++v) e.send(make_wake(e.s(), v, false));  // 6 of 8 cores busy
  e.send(make_wake(e.s(), 40, false));
  e.send(make_wake(e.s(), 41, false));
  e.send(make_wake(e.s(), 42, false));  // queued
  e.send(make_block(e.s(), 5));         // core of v5 idle again
  e.check_state();
  using E = ErrorCode;
  e.send_error(raw(e.s(), 0x00), E::kBadType);
  e.send_error(raw(e.s(), 0x0D), E::kBadType);
  e.send_error(raw(e.s(), 0xFF, 0xFF, 0xFFFF, 0xFF, 0xFF, 0xFFFF, 0xFFFFFFFF), E::kBadType);
  e.send_error(raw(e.s(), 0x01, 0, 50, /*core*/ 1), E::kReserved);          // WAKE with a core
  e.send_error(raw(e.s(), 0x01, 0x02, 50), E::kReserved);                   // WAKE flag bit 1
  e.send_error(raw(e.s(), 0x08, 0, 0, 0, 0, 0, 1), E::kReserved);           // ACCOUNT d32
  e.send_error(raw(e.s(), 0x04, 0, /*vcpu*/ 1, 2, 10, 100), E::kReserved);  // TICK with a vcpu
  e.send_error(raw(e.s(), 0x0C, 0, 50, 0, 0, /*c16*/ 1, 0), E::kReserved);  // COMMIT c16
  e.send_error(make_wake(e.s(), 64, true), E::kBadVcpu);
  e.send_error(make_profile(e.s(), 0xFFFF, 3, 10), E::kBadVcpu);
  e.send_error(make_tick(e.s(), 8, 0, 10), E::kBadCore);
  e.send_error(make_util(e.s(), 255, 0, 0), E::kBadCore);
  e.send_error(make_sched(e.s(), 42, 8), E::kBadCore);
  e.send_error(make_core_cfg(e.s(), 3, 2, true), E::kBadNode);
  e.send_error(make_vcpu_cfg(e.s(), 3, 7, 10), E::kBadNode);
  e.send_error(make_config(e.s(), cfg::kNumaDistBase + 8 * 2, 10), E::kBadNode);
  e.send_error(make_config(e.s(), cfg::kNumaDistBase + 1 * 8 + 2, 10), E::kBadNode);
  e.send_error(make_commit(e.s(), 50, 0, 2, 0), E::kBadNode);
  e.send_error(make_config(e.s(), 0x16, 1), E::kBadKey);
  e.send_error(make_config(e.s(), 0x3F, 1), E::kBadKey);
  e.send_error(make_config(e.s(), 0x80, 1), E::kBadKey);
  e.send_error(make_vcpu_cfg(e.s(), 3, 1, 0), E::kBadArg);
  e.send_error(make_config(e.s(), cfg::kSliceUs, 0), E::kBadArg);
  e.send_error(make_config(e.s(), cfg::kCreditCap, 0x8000), E::kBadArg);
  e.send_error(make_config(e.s(), cfg::kMaxShards, 5), E::kBadArg);  // > MaxShards
  e.send_error(make_config(e.s(), cfg::kShardMinCredit, 0x8000), E::kBadArg);
  e.send_error(make_config(e.s(), cfg::kNumaDistBase, 0), E::kBadArg);
  e.send_error(make_commit(e.s(), 50, 0, 1, 0), E::kBadArg);  // v50 is homed at node 0
  // The one idle core (v5's) and a busy one.
  uint8_t idle_core = 0, busy_core = 0;
  for (uint8_t c = 0; c < 8; ++c) (e.m.core(c).occ == Occ::kIdle ? idle_core : busy_core) = c;
  REQUIRE(e.m.core(idle_core).occ == Occ::kIdle);
  REQUIRE(e.m.core(busy_core).occ != Occ::kIdle);
  e.send_error(make_sched(e.s(), 50, idle_core), E::kBadState);  // not queued
  e.send_error(make_sched(e.s(), 42, busy_core), E::kCoreBusy);
  e.send_error(make_core_cfg(e.s(), busy_core, 0, false), E::kCoreBusy);
  REQUIRE(e.send(make_core_cfg(e.s(), idle_core, 1, false))[0].type == t(DecisionType::kAck));
  e.send_error(make_tick(e.s(), idle_core, 0, 10), E::kCoreOffline);
  e.send_error(make_sched(e.s(), 42, idle_core), E::kCoreOffline);
  e.send_error(make_block(e.s(), 50), E::kBadState);           // blocked already
  e.send_error(make_wake(e.s(), 1, false), E::kBadState);      // running
  e.send_error(make_wake(e.s(), 42, true), E::kBadState);      // queued
  e.send_error(make_shard_done(e.s(), 1, 1), E::kBadState);    // not sharded
  e.send_error(make_commit(e.s(), 2, 0, 0, 0), E::kBadState);  // running
  // 1.1: d32[15:0] of PROFILE and VCPU_CFG carry erun and cap; d32[31:16] is reserved.
  e.send_error(make_profile(e.s(), 3, 2, 10, 0) | d32_hi(0x0001), E::kReserved);
  e.send_error(make_vcpu_cfg(e.s(), 3, 1, 10, 0xFFFF) | d32_hi(0x8000), E::kReserved);
  e.send_error(raw(e.s(), 0x05, 0, 3, 0, 2, 10, 0xFFFF0000u), E::kReserved);  // PROFILE
  // E_CAPPED: v42 is queued; a cap it has used up parks it, and SCHED is refused
  // after all other SCHED checks (a busy core is still E_CORE_BUSY).
  REQUIRE(e.m.vcpu(42).state == VcpuState::kQueued);
  REQUIRE(e.m.vcpu(4).state == VcpuState::kRunning);
  const uint8_t free_core = e.m.vcpu(4).core;
  e.send(make_block(e.s(), 4));
  uint8_t busy = 0xFF;
  for (uint8_t c = 0; c < 8; ++c)
    if (e.m.core(c).occ != Occ::kIdle) busy = c;
  REQUIRE(busy != 0xFF);
  e.send(make_vcpu_cfg(e.s(), 42, 0, 10, 100));
  e.send(make_sched(e.s(), 42, free_core));                                                // runs: not parked, used = 0
  REQUIRE(e.send(make_tick(e.s(), free_core, 0, 100))[0].type == t(DecisionType::kPark));  // used 100 >= cap 100
  REQUIRE(e.m.vcpu(42).state == VcpuState::kQueued);
  e.send_error(make_sched(e.s(), 42, busy), E::kCoreBusy);
  e.send_error(make_sched(e.s(), 42, free_core), E::kCapped);
  e.check_state();
  for (uint8_t code = 0x01; code <= 0x0A; ++code) CHECK(e.errors.count(code) == 1);
  CHECK(e.errors.count(0x0D) == 1);
  // The engine goes on exactly like the model after all of them.
  for (const auto& ev : e.random_events(7, 400)) e.send(ev);
  e.check_state();
}

TEST_CASE("rtl: back-pressure on the decision stream loses and duplicates nothing", "[rtl]") {
  Engine e(seeded(8));
  const auto events = e.random_events(8, 200);
  std::vector<Decision> want;
  for (const auto& ev : events) e.m.step(ev, want);
  e.h->hold_decisions(true);
  for (const auto& ev : events) e.h->push(ev);
  e.h->tick(5000);
  CHECK(e.h->decisions_available() == 0);
  CHECK(e.h->events_accepted() < events.size());  // ingress stalls too
  CHECK_FALSE(e.h->idle());
  e.h->hold_decisions(false);
  std::vector<Decision> got;
  while (got.size() < want.size()) got.push_back(e.h->wait_decision().decision);
  e.h->tick(100);
  CHECK(e.h->decisions_available() == 0);
  REQUIRE(got == want);
  CHECK(e.h->protocol_errors() == 0);
  e.check_state();
}

TEST_CASE("rtl: back-pressure on the event stream and random stalls on both", "[rtl]") {
  Engine e(seeded(9));
  // Events presented only now and then: the engine waits, idle.
  e.h->hold_events(true);
  for (const auto& ev : e.random_events(9, 50)) e.h->push(ev);
  e.h->tick(3000);
  CHECK(e.h->events_accepted() == 0);
  CHECK(e.h->idle());
  e.h->hold_events(false);
  e.h->reset();
  e.seq = 0;
  // Heavy random stalls on both streams.
  e.h->set_stalls(0.7, 0.7);
  const auto events = e.random_events(10, 3000);
  std::vector<Decision> want;
  for (const auto& ev : events) e.m.step(ev, want);
  for (const auto& ev : events) e.h->push(ev);
  std::vector<Decision> got;
  while (got.size() < want.size()) got.push_back(e.h->wait_decision().decision);
  e.h->tick(200);
  CHECK(e.h->decisions_available() == 0);
  CHECK(e.h->events_accepted() == events.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("decision " << i << ": model " << format_decision(want[i]) << ", rtl " << format_decision(got[i]));
    REQUIRE(got[i] == want[i]);
  }
  CHECK(e.h->protocol_errors() == 0);
  e.check_state();
}

TEST_CASE("rtl: a full table (every core busy, every vCPU used)", "[rtl]") {
  Engine e(seeded(12));
  e.topology();
  for (uint16_t v = 0; v < 64; ++v) {
    const auto ds = e.send(make_wake(e.s(), v, false));
    REQUIRE(ds[0].type == t(v < 8 ? DecisionType::kRun : DecisionType::kQueued));
  }
  e.check_state();
  e.send_error(make_wake(e.s(), 63, true), ErrorCode::kBadState);
  e.send_error(make_sched(e.s(), 63, 7), ErrorCode::kCoreBusy);
  for (uint8_t c = 0; c < 8; ++c) e.send(make_tick(e.s(), c, static_cast<uint8_t>(200 + c), 5000));
  e.send(make_account(e.s()));
  // A latency wake with no idle core: preemption, no shard target.
  e.send(make_block(e.s(), 63));
  const auto ds = e.send(make_wake(e.s(), 63, true));
  REQUIRE(ds[0].type == t(DecisionType::kPreempt));
  CHECK(ds[0].b8 == 0);
  // The highest ids: vCPU 62 onto core 7 once it is free.
  const uint16_t on7 = e.m.core(7).vcpu;
  e.send(make_block(e.s(), on7));
  REQUIRE(e.send(make_sched(e.s(), 62, 7))[0].type == t(DecisionType::kRun));
  e.check_state();
}

TEST_CASE("rtl: ties go to the lowest index", "[rtl]") {
  Engine e(seeded(13));
  // All cores alike: wakes take cores 0, 1, 2, ...
  for (uint16_t v = 0; v < 8; ++v) {
    const auto ds = e.send(make_wake(e.s(), v, false));
    REQUIRE(ds[0].core == v);
  }
  // All victims alike: the lowest core is preempted.
  const auto pre = e.send(make_wake(e.s(), 8, true));
  REQUIRE(pre[0].type == t(DecisionType::kPreempt));
  CHECK(pre[0].core == 0);
  e.check_state();

  // Shard targets alike: the lowest idle cores, in order. Cores 1-7 on node
  // 1 are far idle cores for node 0, core 0 is a near victim (1.1 rule 3).
  e.h->reset();
  e.m.reset();
  for (uint8_t c = 1; c < 8; ++c) e.send(make_core_cfg(e.s(), c, 1, true));
  e.send(make_wake(e.s(), 0, false));  // core 0
  e.send(make_profile(e.s(), 0, 8, 100));
  const auto sh = e.send(make_wake(e.s(), 1, true));
  REQUIRE(sh[0].type == t(DecisionType::kPreempt));
  REQUIRE(sh[0].b8 == 4);
  for (uint8_t i = 0; i < 4; ++i) {
    CHECK(sh[1 + i].type == t(DecisionType::kShard));
    CHECK(sh[1 + i].core == 1 + i);
  }
  e.check_state();
}

TEST_CASE("rtl: registers (SCRATCH, W1C sticky errors, configuration lock, soft reset)", "[rtl]") {
  Engine e(seeded(14));
  for (uint32_t v : {0xA5A5A5A5u, 0x00000001u, 0x80000000u}) {
    e.h->write32(regs::kScratch, v);
    CHECK(e.h->read32(regs::kScratch) == v);
  }
  // Two errors, cleared one at a time.
  e.send_error(make_wake(e.s(), 64, false), ErrorCode::kBadVcpu);
  e.send_error(raw(e.s(), 0x00), ErrorCode::kBadType);
  CHECK(e.h->read32(regs::kErrSticky) == ((1u << 3) | (1u << 1)));
  CHECK((e.h->read32(regs::kStatus) & regs::kStatusError) != 0);
  e.h->write32(regs::kErrSticky, 0);  // writing 0 clears nothing
  e.check_state();
  e.h->write32(regs::kErrSticky, 1u << 1);
  e.m.clear_err_sticky(1u << 1);
  CHECK(e.h->read32(regs::kErrSticky) == (1u << 3));
  e.check_state();
  e.h->write32(regs::kErrSticky, 0xFFFFFFFF);
  e.m.clear_err_sticky(0xFFFFFFFF);
  CHECK((e.h->read32(regs::kStatus) & regs::kStatusError) == 0);
  e.check_state();

  // Configuration is locked while enabled.
  e.h->write32(regs::cfg_offset(cfg::kSliceUs), 1234);
  CHECK(e.h->read32(regs::cfg_offset(cfg::kSliceUs)) == 30000u);
  CHECK(e.h->read32(regs::kErrSticky) == (1u << 0x0C));
  e.check_state(1u << 0x0C);
  e.h->write32(regs::kErrSticky, 1u << 0x0C);

  // Disabled: checked writes.
  e.h->write32(regs::kCtrl, 0);
  CHECK((e.h->read32(regs::kStatus) & regs::kStatusEnabled) == 0);
  e.h->write32(regs::cfg_offset(cfg::kSliceUs), 1234);
  REQUIRE(e.m.write_config(cfg::kSliceUs, 1234) == ErrorCode::kNone);
  CHECK(e.h->read32(regs::cfg_offset(cfg::kSliceUs)) == 1234u);
  e.h->write32(regs::cfg_offset(cfg::kNumaDistBase + 1), 17);
  REQUIRE(e.m.write_config(cfg::kNumaDistBase + 1, 17) == ErrorCode::kNone);
  e.h->write32(regs::cfg_offset(cfg::kShardMinCredit), static_cast<uint32_t>(-100));
  REQUIRE(e.m.write_config(cfg::kShardMinCredit, static_cast<uint32_t>(-100)) == ErrorCode::kNone);
  e.h->write32(regs::cfg_offset(cfg::kCreditCap), 0);  // out of range
  REQUIRE(e.m.write_config(cfg::kCreditCap, 0) == ErrorCode::kBadArg);
  CHECK(e.h->read32(regs::cfg_offset(cfg::kCreditCap)) == 600u);
  CHECK(e.h->read32(regs::kErrSticky) == (1u << 0x07));
  e.h->write32(regs::kErrSticky, 1u << 0x07);
  e.h->write32(regs::kCtrl, regs::kCtrlEnable);
  CHECK((e.h->read32(regs::kStatus) & regs::kStatusEnabled) != 0);
  // Behaviour follows the new configuration, as in the model.
  for (const auto& ev : e.random_events(14, 300)) e.send(ev);
  e.check_state();

  // Soft reset: back to the reset state, configuration included.
  e.h->write32(regs::kCtrl, regs::kCtrlEnable | regs::kCtrlSoftReset);
  e.h->wait_idle();
  CHECK(e.h->read32(regs::kCtrl) == regs::kCtrlEnable);
  e.m.reset();
  e.check_state();
  for (const auto& ev : e.random_events(15, 200)) e.send(ev);
  e.check_state();
}

// ---- spec 1.1 ---------------------------------------------------------------

TEST_CASE("rtl 1.1: WAKE order, near victim before far idle, far bit in the victim key", "[rtl][1.1]") {
  // 7.2: victim(n) = argmin {far [1], cost [18]}; 7.5 WAKE rules 2-5; 8: the
  // prestaged entry follows the same order.
  Engine e(seeded(21));
  e.topology();  // cores 0-3 node 0, 4-7 node 1; v homed at v % 2
  // Distance weighs only 10 vs 20 in the cost: credit and slice decide it.
  e.send(make_config(e.s(), cfg::kVictDistShift, 0));
  for (uint16_t v : {0, 2, 4, 6}) REQUIRE(e.send(make_wake(e.s(), v, false))[0].core < 4);
  for (uint16_t v : {1, 3}) REQUIRE(e.send(make_wake(e.s(), v, false))[0].core >= 4);
  // Cores 4 and 5 (far for node 0): credit drained, slice spent. Their cost is
  //   20 + (-585 + 32768) + 0 = 32203
  // (debit = 60000 * 10 >> 10 = 585), against 10 + 32768 + (30000 >> 5) = 33715
  // on node 0: by cost alone a far core would be the victim.
  const uint8_t c1 = e.m.vcpu(1).core, c3 = e.m.vcpu(3).core;
  e.send(make_tick(e.s(), c1, 0, 60000));
  e.send(make_tick(e.s(), c3, 0, 60000));
  REQUIRE(e.m.vcpu(1).credit == -585);
  // Two far idle cores (6, 7) remain. Node 0's entry: a near victim (1.0: the
  // far idle core).
  REQUIRE(e.m.core(6).occ == Occ::kIdle);
  CHECK(e.m.prestage(0).kind == PrestageKind::kPreempt);
  CHECK(e.m.prestage(0).core < 4);
  e.check_state();
  // Rule 2 does not apply (no near idle core), rule 3 does: a near victim.
  auto ds = e.send(make_wake(e.s(), 8, true));
  REQUIRE(ds[0].type == t(DecisionType::kPreempt));
  CHECK(ds[0].core < 4);
  // A non-latency wake takes a far idle core (rule 4), never preempts.
  REQUIRE(e.send(make_wake(e.s(), 5, false))[0].type == t(DecisionType::kRun));
  REQUIRE(e.send(make_wake(e.s(), 7, false))[0].type == t(DecisionType::kRun));
  // No idle core now; the cheapest candidates are the far cores 4 and 5, yet
  // the near ones go first (the far bit).
  for (uint16_t v : {10, 12, 14}) {
    ds = e.send(make_wake(e.s(), v, true));
    REQUIRE(ds[0].type == t(DecisionType::kPreempt));
    CHECK(ds[0].core < 4);
  }
  // Node 0 runs only latency vCPUs now: rule 5 preempts a far victim, the
  // cheapest (core c1 or c3).
  CHECK(e.m.prestage(0).kind == PrestageKind::kPreempt);
  CHECK(e.m.prestage(0).core >= 4);
  ds = e.send(make_wake(e.s(), 16, true));
  REQUIRE(ds[0].type == t(DecisionType::kPreempt));
  CHECK((ds[0].core == c1 || ds[0].core == c3));
  // A far idle core comes before a far victim (rule 4 before rule 5).
  const uint8_t c5 = e.m.vcpu(5).core;
  e.send(make_block(e.s(), 5));
  CHECK(e.m.prestage(0).kind == PrestageKind::kIdle);
  ds = e.send(make_wake(e.s(), 18, true));
  REQUIRE(ds[0].type == t(DecisionType::kRun));
  CHECK(ds[0].core == c5);
  e.check_state();
}

namespace {
// Core 0 on node 0, cores 1-7 on node 1 (far idle cores for node 0, shard
// targets at distance 20 <= SHARD_MAX_DIST); vCPU 0 runs on core 0 with B
// blocks of bcost us; vCPU 2 (home 0, expected run erun) wakes with LAT and
// preempts it (near victim, rule 3). Returns the decisions of that wake.
std::vector<Decision> preempt_one(Engine& e, uint8_t blocks, uint16_t bcost, uint16_t erun) {
  for (uint8_t c = 1; c < 8; ++c) e.send(make_core_cfg(e.s(), c, 1, true));
  e.send(make_profile(e.s(), 0, blocks, bcost));
  e.send(make_profile(e.s(), 2, 0, 0, erun));
  REQUIRE(e.send(make_wake(e.s(), 0, false))[0].core == 0);
  const auto ds = e.send(make_wake(e.s(), 2, true));
  REQUIRE(ds[0].type == t(DecisionType::kPreempt));
  REQUIRE(ds[0].core == 0);
  REQUIRE(ds.size() == 1u + ds[0].b8);
  return ds;
}
}  // namespace

TEST_CASE("rtl 1.1: K = 1 and the shard size from the preemptor's erun (7.4)", "[rtl][1.1]") {
  Engine e(seeded(22));
  SECTION("one block: K = 1 (1.0 needed K >= 2)") {
    const auto ds = preempt_one(e, 1, 100, 0);
    REQUIRE(ds[0].b8 == 1);
    CHECK(ds[1].core == 1);
    CHECK(ds[1].c16 == 0);  // first block
    CHECK(ds[1].d32 == 1);  // count
    CHECK(e.m.vcpu(0).blocks == 0);
    CHECK(e.m.vcpu(0).shards == 1);
  }
  SECTION("SYNC_COST_US leaves K = 1 with s = q(B,1) = B") {
    // B = 3, bcost 100, SYNC 250: T = 250, s_T = 4 (100 << 2 >= 250);
    // k = 3, 2: s = min(4, 1) = 1, 100 < 250; k = 1: s = min(4, 3) = 3, 300 >= 250.
    e.send(make_config(e.s(), cfg::kSyncCostUs, 250));
    const auto ds = preempt_one(e, 3, 100, 0);
    REQUIRE(ds[0].b8 == 1);
    CHECK(ds[1].d32 == 3);
    CHECK(e.m.vcpu(0).blocks == 0);
  }
  SECTION("erun 400: s_T = 4") {
    // T = 400, 100 << 2 = 400 >= T: s_T = 4; K0 = min(64, 7, 4, 4) = 4,
    // s(4) = min(4, 16) = 4: shards of 4 blocks at 0, 4, 8, 12; 48 left.
    const auto ds = preempt_one(e, 64, 100, 400);
    REQUIRE(ds[0].b8 == 4);
    for (uint8_t i = 0; i < 4; ++i) {
      CHECK(ds[1 + i].b8 == i);
      CHECK(ds[1 + i].c16 == 4 * i);
      CHECK(ds[1 + i].d32 == 4);
    }
    CHECK(e.m.vcpu(0).blocks == 48);
  }
  SECTION("erun 0: T = SYNC_COST_US, s_T = 1") {
    const auto ds = preempt_one(e, 64, 100, 0);
    REQUIRE(ds[0].b8 == 4);
    for (uint8_t i = 0; i < 4; ++i) CHECK(ds[1 + i].d32 == 1);
    CHECK(e.m.vcpu(0).blocks == 60);
  }
  SECTION("erun beyond bcost << 7: s_T = 128, capped by q(B,K)") {
    // 100 << 7 = 12800 < 60000: s_T = 128; s(4) = min(128, 16) = 16; nothing left.
    const auto ds = preempt_one(e, 64, 100, 60000);
    REQUIRE(ds[0].b8 == 4);
    for (uint8_t i = 0; i < 4; ++i) {
      CHECK(ds[1 + i].c16 == 16 * i);
      CHECK(ds[1 + i].d32 == 16);
    }
    CHECK(e.m.vcpu(0).blocks == 0);
  }
  SECTION("bcost << 7 below SYNC_COST_US: no shards") {
    // bcost 1: 1 << 7 = 128 < 200 = SYNC; s(k) <= 128 blocks of 1 us never pay.
    e.send(make_config(e.s(), cfg::kSyncCostUs, 200));
    const auto ds = preempt_one(e, 255, 1, 0);
    CHECK(ds[0].b8 == 0);
    CHECK(e.m.vcpu(0).blocks == 255);
  }
  e.check_state();
}

TEST_CASE("rtl 1.1: shards run in the background, SHARD_DONE answers ACK in any state", "[rtl][1.1]") {
  Engine e(seeded(23));
  const auto pre = preempt_one(e, 2, 100, 0);
  REQUIRE(pre[0].b8 == 2);
  const uint16_t u = 0;
  // The victim is queued at once (never SHARDED), its core field stays 0.
  CHECK(e.m.vcpu(u).state == VcpuState::kQueued);
  CHECK(e.m.vcpu(u).core == 0);
  CHECK(e.m.vcpu(u).shards == 2);
  // ... and the host may run it again while its shards run.
  REQUIRE(e.send(make_sched(e.s(), u, 5))[0].type == t(DecisionType::kRun));
  REQUIRE(e.send(make_shard_done(e.s(), u, pre[1].core))[0].type == t(DecisionType::kAck));
  CHECK(e.m.vcpu(u).state == VcpuState::kRunning);
  CHECK(e.m.vcpu(u).shards == 1);
  // A TICK on its remaining shard core charges it (6.1, 6.5).
  const int16_t credit = e.m.vcpu(u).credit;
  e.send(make_tick(e.s(), pre[2].core, 0, 5000));
  CHECK(e.m.vcpu(u).credit < credit);
  CHECK(e.m.vcpu(u).used == 5000);
  // Back on core 0 (v2 blocks), then preempted again: a vCPU whose shard
  // still runs is no sharding candidate (7.3 shards[u] = 0), K = 0.
  e.send(make_block(e.s(), 2));
  e.send(make_block(e.s(), u));
  REQUIRE(e.send(make_wake(e.s(), u, false))[0].core == 0);
  const auto again = e.send(make_wake(e.s(), 4, true));
  REQUIRE(again[0].type == t(DecisionType::kPreempt));
  CHECK(again[0].vcpu == u);
  CHECK(again[0].b8 == 0);
  // SHARD_DONE must name the vCPU whose shard the core holds.
  e.send_error(make_shard_done(e.s(), 1, pre[2].core), ErrorCode::kBadState);
  // Blocked, its last shard still ends with ACK.
  e.send(make_block(e.s(), u));
  REQUIRE(e.send(make_shard_done(e.s(), u, pre[2].core))[0].type == t(DecisionType::kAck));
  CHECK(e.m.vcpu(u).shards == 0);
  // The core is idle now, and a shard core must name the vCPU: E_BAD_STATE.
  e.send_error(make_shard_done(e.s(), u, pre[2].core), ErrorCode::kBadState);
  // All its shards ended: a candidate again, sized on the blocks it kept.
  CHECK(e.m.vcpu(u).shards == 0);
  e.send(make_profile(e.s(), u, 6, 100));
  e.send(make_block(e.s(), 4));
  REQUIRE(e.send(make_wake(e.s(), u, false))[0].core == 0);
  const auto third = e.send(make_wake(e.s(), 6, true));
  REQUIRE(third[0].type == t(DecisionType::kPreempt));
  CHECK(third[0].b8 == 4);  // K0 = min(6, 7, 4, 4)
  CHECK(e.m.vcpu(u).blocks == 2);
  for (size_t i = 1; i < third.size(); ++i) e.send(make_shard_done(e.s(), u, third[i].core));
  // ... and the next preemption shards what is left: B = 2, K = 2.
  REQUIRE(e.send(make_sched(e.s(), u, 3))[0].type == t(DecisionType::kRun));
  CHECK(e.send(make_wake(e.s(), 8, false))[0].core == 1);  // the lowest far idle core
  e.send(make_block(e.s(), 6));
  e.send(make_block(e.s(), u));
  REQUIRE(e.send(make_wake(e.s(), u, false))[0].core == 0);
  const auto fourth = e.send(make_wake(e.s(), 10, true));
  REQUIRE(fourth[0].type == t(DecisionType::kPreempt));
  CHECK(fourth[0].b8 == 2);
  CHECK(e.m.vcpu(u).blocks == 0);
  CHECK(e.types.count(t(DecisionType::kResume)) == 0);
  e.check_state();
}

TEST_CASE("rtl 1.1: a shard core's TICK changes its vCPU's victim cost on its own core", "[rtl][1.1]") {
  // u = v0 runs whole on core 3 while one of its shards runs on core 1: the
  // TICK on core 1 debits u, so core 3's victim key drops (the per-core
  // mirror of lat/credit must follow every table write of a RUNNING vCPU).
  Engine e(seeded(26));
  const auto pre = preempt_one(e, 2, 100, 0);  // shards on cores 1, 2; v2 (LAT) on core 0
  REQUIRE(pre[0].b8 == 2);
  REQUIRE(e.send(make_sched(e.s(), 0, 3))[0].type == t(DecisionType::kRun));
  REQUIRE(e.send(make_wake(e.s(), 4, false))[0].core == 4);
  // Costs (node 0 -> node 1, distance 20): u on core 3: 1280 + (-10 + 32768)
  // + 937 = 34975 (surcharge 2 * 4 + 2); v4 on core 4 after a 1024 us TICK:
  // 1280 + (-10 + 32768) + (28976 >> 5 = 905) = 34943: v4 is cheaper.
  e.send(make_tick(e.s(), 4, 0, 1024));
  // Every other core busy with latency vCPUs (rule 4 puts them on the far
  // idle cores), so the next latency wake of node 0 preempts a far victim.
  for (uint16_t v : {6, 8, 10}) REQUIRE(e.send(make_wake(e.s(), v, true))[0].type == t(DecisionType::kRun));
  CHECK(e.m.prestage(0).kind == PrestageKind::kPreempt);
  CHECK(e.m.prestage(0).core == 4);
  e.check_state();
  // u's shard on core 1 is charged 4096 us: debit 40, u's cost 34935 < 34943.
  e.send(make_tick(e.s(), pre[1].core, 0, 4096));
  CHECK(e.m.prestage(0).core == 3);
  e.check_state();
  const auto ds = e.send(make_wake(e.s(), 12, true));
  REQUIRE(ds[0].type == t(DecisionType::kPreempt));
  CHECK(ds[0].core == 3);
  CHECK(ds[0].vcpu == 0);
}

TEST_CASE("rtl 1.1: caps: PARK, E_CAPPED, used and ACCOUNT (6.5)", "[rtl][1.1]") {
  Engine e(seeded(24));
  e.topology();
  // vCPU 6, homed at node 0: ACCOUNT resets it in its sweep (entry 0 is
  // handled in the EXEC cycle, entries 1.. by the sweep).
  constexpr uint16_t kV = 6;
  e.send(make_vcpu_cfg(e.s(), kV, 0, 16, 1000));  // cap 1000 us per period
  REQUIRE(e.send(make_wake(e.s(), kV, false))[0].type == t(DecisionType::kRun));
  const uint8_t c = e.m.vcpu(kV).core;
  // used 600 < 1000: ACK; used 1100 >= 1000: PARK(v6, c), the core is free.
  REQUIRE(e.send(make_tick(e.s(), c, 50, 600))[0].type == t(DecisionType::kAck));
  auto ds = e.send(make_tick(e.s(), c, 50, 500));
  REQUIRE(ds[0].type == t(DecisionType::kPark));
  CHECK(ds[0].vcpu == kV);
  CHECK(ds[0].core == c);
  CHECK(e.m.core(c).occ == Occ::kIdle);
  CHECK(e.m.vcpu(kV).state == VcpuState::kQueued);
  CHECK(e.m.vcpu(kV).core == c);
  // Parked: SCHED refused, a wake (latency or not) queues it, with the boost.
  e.send_error(make_sched(e.s(), kV, c), ErrorCode::kCapped);
  e.send(make_block(e.s(), kV));
  const int16_t credit = e.m.vcpu(kV).credit;
  ds = e.send(make_wake(e.s(), kV, true));
  REQUIRE(ds[0].type == t(DecisionType::kQueued));
  CHECK(e.m.vcpu(kV).credit == credit + 100);
  CHECK(e.m.vcpu(kV).lat);
  // A COMMIT for a parked vCPU against the current entry does not hold.
  e.send(make_block(e.s(), kV));
  const PrestageEntry p0 = e.m.prestage(0);
  REQUIRE(p0.kind != PrestageKind::kNone);
  ds = e.send(make_commit(e.s(), kV, p0.core, 0, p0.epoch));
  REQUIRE(ds[0].type == t(DecisionType::kAbort));
  REQUIRE(ds[1].type == t(DecisionType::kQueued));
  // VCPU_CFG keeps used: raising the cap unparks it, lowering parks it again.
  e.send(make_vcpu_cfg(e.s(), kV, 0, 16, 2000));
  REQUIRE(e.send(make_sched(e.s(), kV, c))[0].type == t(DecisionType::kRun));
  e.send(make_vcpu_cfg(e.s(), kV, 0, 16, 1100));  // used 1100 >= 1100, still running
  REQUIRE(e.send(make_tick(e.s(), c, 50, 0))[0].type == t(DecisionType::kPark));
  // ACCOUNT resets used for every vCPU: placeable again.
  e.send(make_account(e.s()));
  CHECK(e.m.vcpu(kV).used == 0);
  REQUIRE(e.send(make_sched(e.s(), kV, c))[0].type == t(DecisionType::kRun));
  REQUIRE(e.send(make_tick(e.s(), c, 50, 999))[0].type == t(DecisionType::kAck));
  e.check_state();

  // used saturates at 65535: uncapped v2 is charged 2 x 65535 us; with a cap
  // of 65535 it is parked (a wrapping counter would hold 65534).
  REQUIRE(e.send(make_wake(e.s(), 2, false))[0].type == t(DecisionType::kRun));
  const uint8_t c2 = e.m.vcpu(2).core;
  e.send(make_tick(e.s(), c2, 0, 65535));
  REQUIRE(e.send(make_tick(e.s(), c2, 0, 65535))[0].type == t(DecisionType::kAck));
  CHECK(e.m.vcpu(2).used == 65535);
  e.send(make_vcpu_cfg(e.s(), 2, 0, 16, 65535));
  REQUIRE(e.send(make_tick(e.s(), c2, 0, 0))[0].type == t(DecisionType::kPark));

  e.check_state();
}

TEST_CASE("rtl 1.1: caps: shards count against the cap, only the whole vCPU is parked", "[rtl][1.1]") {
  // A shard's TICKs count against its vCPU's cap; only a core running the
  // vCPU whole is taken from it (PARK), its shards finish.
  Engine f(seeded(25));
  std::vector<Decision> ds;
  const auto pre = preempt_one(f, 2, 100, 0);
  REQUIRE(pre[0].b8 == 2);
  f.send(make_vcpu_cfg(f.s(), 0, 0, 16, 300));
  REQUIRE(f.send(make_sched(f.s(), 0, 7))[0].type == t(DecisionType::kRun));
  REQUIRE(f.send(make_tick(f.s(), pre[1].core, 0, 200))[0].type == t(DecisionType::kAck));
  REQUIRE(f.send(make_tick(f.s(), pre[2].core, 0, 200))[0].type == t(DecisionType::kAck));
  CHECK(f.m.vcpu(0).used == 400);
  CHECK(f.m.core(pre[1].core).occ == Occ::kShard);
  ds = f.send(make_tick(f.s(), 7, 0, 0));
  REQUIRE(ds[0].type == t(DecisionType::kPark));
  CHECK(ds[0].core == 7);
  REQUIRE(f.send(make_shard_done(f.s(), 0, pre[1].core))[0].type == t(DecisionType::kAck));
  f.check_state();
}
