// Directed tests of the RTL engine (configuration "small": 8 cores, 64 vCPUs,
// 2 nodes, 4 shards), each event compared bit for bit with the golden model
// and the registers compared with it whenever the engine is idle.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "harness.h"
#include "state_check.h"
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

  explicit Engine(const HarnessOptions& o = {}) : h(Harness::create("small", o)), m(h->params()) {
    h->reset();
  }
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

Event raw(uint32_t seq, uint8_t type, uint8_t flags = 0, uint16_t vcpu = 0, uint8_t core = 0,
          uint8_t b8 = 0, uint16_t c16 = 0, uint32_t d32 = 0) {
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
  // the best victim on node 0 is preempted and sharded onto node 1.
  const auto pre = e.send(make_wake(e.s(), 10, true));
  REQUIRE(pre[0].type == t(DecisionType::kPreempt));
  REQUIRE(pre[0].b8 >= 2);
  REQUIRE(pre.size() == 1u + pre[0].b8);
  // Shards end one by one: ACKs, then RESUME of the victim.
  for (size_t i = 1; i < pre.size(); ++i) {
    const auto ds = e.send(make_shard_done(e.s(), pre[i].vcpu, pre[i].core));
    REQUIRE(ds[0].type == t(i + 1 < pre.size() ? DecisionType::kAck : DecisionType::kResume));
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
  const auto held = e.send(make_commit(e.s(), 20, p0.core, 0, p0.epoch));
  REQUIRE((held[0].flags & kFlagCommitted) != 0);
  // COMMIT with a stale epoch: ABORT, then the decisions of the wake.
  const PrestageEntry p1 = e.m.prestage(0);
  const auto aborted = e.send(make_commit(e.s(), 22, p1.core, 0, p1.epoch + 7));
  REQUIRE(aborted[0].type == t(DecisionType::kAbort));
  e.send(make_core_cfg(e.s(), 7, 1, e.m.core(7).occ != Occ::kIdle));
  e.send(raw(e.s(), 0x00));  // a zeroed descriptor: ERROR
  e.check_state();
  for (auto d : {DecisionType::kRun, DecisionType::kPreempt, DecisionType::kShard, DecisionType::kResume,
                 DecisionType::kQueued, DecisionType::kAck, DecisionType::kAbort, DecisionType::kError})
    CHECK(e.types.count(t(d)) == 1);
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
  e.send_error(raw(e.s(), 0x01, 0, 50, /*core*/ 1), E::kReserved);              // WAKE with a core
  e.send_error(raw(e.s(), 0x01, 0x02, 50), E::kReserved);                       // WAKE flag bit 1
  e.send_error(raw(e.s(), 0x08, 0, 0, 0, 0, 0, 1), E::kReserved);               // ACCOUNT d32
  e.send_error(raw(e.s(), 0x04, 0, /*vcpu*/ 1, 2, 10, 100), E::kReserved);      // TICK with a vcpu
  e.send_error(raw(e.s(), 0x0C, 0, 50, 0, 0, /*c16*/ 1, 0), E::kReserved);      // COMMIT c16
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
  e.check_state();
  for (uint8_t code = 0x01; code <= 0x0A; ++code) CHECK(e.errors.count(code) == 1);
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

  // Shard targets alike: the lowest idle cores, in order.
  e.h->reset();
  e.m.reset();
  e.send(make_config(e.s(), cfg::kWakeMaxDist, 0));  // no idle core is near
  e.send(make_wake(e.s(), 0, false));                // core 0
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
