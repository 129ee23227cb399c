// Directed tests: one or more per rule and per error code of docs/spec.md,
// named by section.
#include <catch2/catch.hpp>

#include "rig.h"
#include "vshard/error.h"
#include "vshard/model.h"

using namespace vshard;
using vshard::test::Rig;
using vshard::test::T;

namespace {

// small config: cores 0-3 on node 0, 4-7 on node 1; v0..v3 running on cores
// 0..3 (home 0); cores 4..7 idle. A latency wake homed at node 0 then finds
// no near idle core (dist 20 > WAKE_MAX_DIST 10) and preempts core 0 (all
// victims cost the same; lowest index).
void shard_setup(Rig& r) {
  for (uint8_t c = 4; c < 8; ++c) r.node(c, 1);
  for (uint8_t c = 0; c < 4; ++c) r.place(c, c);
}

std::vector<Decision> lat_wake(Rig& r, uint16_t v) { return r.step(make_wake(0, v, true)); }

}  // namespace

// ---- 1 / 2: parameters and reset -------------------------------------------------------------

TEST_CASE("1 named parameters and ranges") {
  CHECK(Params::named("small") == Params{8, 64, 2, 4});
  CHECK(Params::named("large") == Params{64, 1024, 4, 8});
  CHECK(Params::named("max") == Params{256, 4096, 8, 8});
  CHECK_THROWS_AS(Params::named("huge"), Error);
  CHECK_NOTHROW(Params{1, 1, 1, 2}.validate());
  CHECK_NOTHROW(Params{256, 4096, 8, 8}.validate());
  for (Params bad : {Params{0, 64, 2, 4}, Params{257, 64, 2, 4}, Params{8, 0, 2, 4}, Params{8, 4097, 2, 4},
                     Params{8, 64, 0, 4}, Params{8, 64, 9, 4}, Params{8, 64, 2, 1}, Params{8, 64, 2, 9}}) {
    try {
      Model m(bad);
      FAIL("accepted bad parameters");
    } catch (const Error& e) { CHECK(e.code() == Errc::kBadConfig); }
  }
}

TEST_CASE("2 reset state") {
  Model m(Params::small());
  for (uint32_t c = 0; c < 8; ++c) CHECK(m.core(c) == CoreState{0, true, 0, 3, Occ::kIdle, 0, 0});
  for (uint32_t v = 0; v < 64; ++v) {
    const VcpuInfo& i = m.vcpu(v);
    CHECK(i.state == VcpuState::kBlocked);
    CHECK(i.credit == 0);
    CHECK(i.weight == 16);
    CHECK(i.home == 0);
    CHECK(!i.lat);
  }
  const uint32_t expect[cfg::kNumScalarKeys] = {30000, 10, 600,         19,  100, 2,  10, 20, 6,  0, 5,
                                                1,     4,  0xFFFFFED4u, 192, 0,   20, 6,  2,  50, 4, 2};
  for (uint16_t k = 0; k < cfg::kNumScalarKeys; ++k) CHECK(m.config(k) == expect[k]);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) CHECK(m.config(static_cast<uint16_t>(0x40 + 8 * i + j)) == (i == j ? 10u : 20u));
  CHECK_THROWS_AS(m.config(0x16), Error);
  for (uint32_t n = 0; n < 2; ++n) CHECK(m.prestage(n) == PrestageEntry{});
  CHECK(m.counters() == Counters{});
  CHECK(m.err_sticky() == 0);
  // Parameter-dependent reset values.
  Model l(Params::large());
  CHECK(l.config(cfg::kLoadHotCores) == 48);
  CHECK(l.config(cfg::kMaxShards) == 4);
  Model t(Params{1, 1, 1, 2});
  CHECK(t.config(cfg::kLoadHotCores) == 0);
  CHECK(t.config(cfg::kMaxShards) == 2);
}

TEST_CASE("2 reset() returns to the reset state") {
  Rig r;
  shard_setup(r);
  r.err(make_wake(0, 999, false));
  r.m.reset();
  Model fresh(Params::small());
  for (uint32_t c = 0; c < 8; ++c) CHECK(r.m.core(c) == fresh.core(c));
  for (uint32_t v = 0; v < 64; ++v) CHECK(r.m.vcpu(v) == fresh.vcpu(v));
  CHECK(r.m.counters() == Counters{});
  CHECK(r.m.err_sticky() == 0);
  CHECK(r.m.prestage(0) == PrestageEntry{});
}

// ---- 3: event descriptors: type and reserved fields -------------------------------------------

TEST_CASE("3 E_BAD_TYPE for type 0 and every code above 0x0C") {
  Rig r;
  for (int t = 0; t < 256; ++t) {
    if (t >= 1 && t <= 0x0C) continue;
    Event e;
    e.type = static_cast<uint8_t>(t);
    e.vcpu = 5;
    e.d32 = 7;  // fields are not looked at: the type check comes first
    CHECK(r.err(e) == ErrorCode::kBadType);
  }
}

TEST_CASE("3 E_RESERVED for every unused field and flag bit of every type") {
  // Used fields per type: V vcpu, C core, B b8, H c16, D d32 (2: only d32[15:0],
  // spec 1.1 PROFILE erun and VCPU_CFG cap); defined flag bits.
  struct U {
    uint8_t type;
    bool v, c, b, h;
    int d;
    uint8_t flags;
  };
  const U used[] = {{0x01, 1, 0, 0, 0, 0, 0x01}, {0x02, 1, 0, 0, 0, 0, 0}, {0x03, 1, 1, 0, 0, 0, 0},
                    {0x04, 0, 1, 1, 1, 0, 0},    {0x05, 1, 0, 1, 1, 2, 0}, {0x06, 0, 1, 1, 0, 0, 0x03},
                    {0x07, 1, 1, 0, 0, 0, 0},    {0x08, 0, 0, 0, 0, 0, 0}, {0x09, 0, 0, 0, 1, 1, 0},
                    {0x0A, 0, 1, 1, 0, 0, 0x01}, {0x0B, 1, 0, 1, 1, 2, 0}, {0x0C, 1, 1, 1, 0, 1, 0}};
  Rig r;
  for (const U& u : used) {
    INFO("type " << int(u.type));
    auto base = [&] {
      Event e;
      e.type = u.type;
      // Out-of-range ids in used fields: the reserved check must come before them.
      if (u.v) e.vcpu = 0xFFFF;
      return e;
    };
    for (int bit = 0; bit < 8; ++bit) {
      if (u.flags & (1 << bit)) continue;
      Event e = base();
      e.flags = static_cast<uint8_t>(1 << bit);
      CHECK(r.err(e) == ErrorCode::kReserved);
    }
    Event e;
    if (!u.v) {
      e = base();
      e.vcpu = 1;
      CHECK(r.err(e) == ErrorCode::kReserved);
    }
    if (!u.c) {
      e = base();
      e.core = 1;
      CHECK(r.err(e) == ErrorCode::kReserved);
    }
    if (!u.b) {
      e = base();
      e.b8 = 0x80;
      CHECK(r.err(e) == ErrorCode::kReserved);
    }
    if (!u.h) {
      e = base();
      e.c16 = 0x8000;
      CHECK(r.err(e) == ErrorCode::kReserved);
    }
    if (!u.d) {
      e = base();
      e.d32 = 0x80000000u;
      CHECK(r.err(e) == ErrorCode::kReserved);
    }
    if (u.d == 2)  // every bit of d32[31:16]
      for (int bit = 16; bit < 32; ++bit) {
        e = base();
        e.d32 = 1u << bit;
        CHECK(r.err(e) == ErrorCode::kReserved);
      }
  }
  CHECK(r.m.counters().errors == r.m.counters().events);
}

// ---- 4: decisions ---------------------------------------------------------------------------

TEST_CASE("4 ERROR decision echoes the event and changes no state") {
  Rig r;
  r.ack(make_profile(0, 3, 5, 9));
  const PrestageEntry before = r.m.prestage(0);
  Event e = make_sched(77, 3, 200);  // core 200 out of range in small
  std::vector<Decision> d = r.step(e);
  REQUIRE(d.size() == 1);
  CHECK(d[0].type == T(DecisionType::kError));
  CHECK(d[0].seq == 77);
  CHECK(d[0].vcpu == 3);
  CHECK(d[0].core == 200);
  CHECK(d[0].b8 == static_cast<uint8_t>(ErrorCode::kBadCore));
  CHECK(d[0].c16 == 0x03);
  CHECK(d[0].d32 == 0);
  CHECK(d[0].flags == kFlagLast);
  CHECK(r.m.prestage(0) == before);
  CHECK(r.m.vcpu(3).state == VcpuState::kBlocked);
  CHECK(r.m.err_sticky() == (1u << 4));
  CHECK(r.m.last_err_seq() == 77);
  CHECK(r.m.last_err_code() == 4);
  // ERROR echoes the whole type byte of an unknown type.
  Event bad;
  bad.type = 0xEE;
  bad.seq = 78;
  d = r.step(bad);
  CHECK(d[0].c16 == 0xEE);
  CHECK(d[0].b8 == 1);
}

TEST_CASE("4 ACK echoes vcpu, core and type") {
  Rig r;
  Decision d = r.one(make_tick(5, 3, 10, 20));
  CHECK(d == Decision{{T(DecisionType::kAck), kFlagLast, 0, 5, 3, 0x04, 0, 0}});
  d = r.one(make_profile(6, 12, 3, 4));
  CHECK(d == Decision{{T(DecisionType::kAck), kFlagLast, 12, 6, 0, 0x05, 0, 0}});
}

TEST_CASE("4 at most 2 + MaxShards decisions, LAST only on the last") {
  // large: MaxShards 8. An aborted COMMIT that preempts and creates 8 shards.
  Rig r(Params::large());
  r.cfg(cfg::kMaxShards, 8);
  r.cfg(cfg::kLoadHotCores, 64);
  for (uint8_t c = 32; c < 64; ++c) r.node(c, 1);
  for (uint8_t c = 0; c < 32; ++c) r.place(c, c);
  r.ack(make_profile(0, 0, 200, 100));
  const PrestageEntry e = r.m.prestage(0);
  REQUIRE(e.kind == PrestageKind::kPreempt);
  const auto d = r.step(make_commit(0, 100, e.core, 0, e.epoch + 5));
  REQUIRE(d.size() == 10);
  CHECK(d[0].type == T(DecisionType::kAbort));
  CHECK(d[1].type == T(DecisionType::kPreempt));
  CHECK(d[1].b8 == 8);
  for (size_t i = 0; i < d.size(); ++i) {
    CHECK(d[i].seq == r.seq);
    CHECK(((d[i].flags & kFlagLast) != 0) == (i + 1 == d.size()));
  }
}

// ---- 5: configuration ------------------------------------------------------------------------

TEST_CASE("5 CONFIG E_BAD_KEY for unknown keys") {
  Rig r;
  for (uint32_t k = cfg::kNumScalarKeys; k < 0x40; ++k)
    CHECK(r.err(make_config(0, static_cast<uint16_t>(k), 1)) == ErrorCode::kBadKey);
  for (uint32_t k : {0x80u, 0x81u, 0x100u, 0xFFFFu})
    CHECK(r.err(make_config(0, static_cast<uint16_t>(k), 1)) == ErrorCode::kBadKey);
}

TEST_CASE("5 CONFIG NUMA_DIST: E_BAD_NODE beyond NNodes, E_BAD_ARG outside 1..255") {
  Rig r;  // NNodes = 2
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      const uint16_t key = static_cast<uint16_t>(0x40 + 8 * i + j);
      if (i < 2 && j < 2) {
        CHECK(r.err(make_config(0, key, 0)) == ErrorCode::kBadArg);
        CHECK(r.err(make_config(0, key, 256)) == ErrorCode::kBadArg);
        r.cfg(key, 1);
        r.cfg(key, 255);
        CHECK(r.m.config(key) == 255);
      } else {
        CHECK(r.err(make_config(0, key, 0)) == ErrorCode::kBadNode);  // node check before value
        CHECK(r.err(make_config(0, key, 30)) == ErrorCode::kBadNode);
      }
    }
}

TEST_CASE("5 CONFIG value ranges of every scalar key") {
  Rig r;  // small: NCores 8, MaxShards 4
  struct K {
    uint16_t key;
    uint32_t lo, hi;
  };
  const K keys[] = {{0x00, 1, 65535}, {0x01, 0, 255}, {0x02, 1, 32767}, {0x03, 0, 255}, {0x04, 0, 32767}, {0x05, 0, 7},
                    {0x06, 0, 255},   {0x07, 0, 255}, {0x08, 0, 7},     {0x09, 0, 15},  {0x0A, 0, 15},    {0x0B, 0, 1},
                    {0x0C, 1, 4},     {0x0E, 0, 255}, {0x0F, 0, 3},     {0x10, 0, 255}, {0x11, 0, 8},     {0x12, 1, 4},
                    {0x13, 0, 65535}, {0x14, 0, 255}, {0x15, 0, 255}};
  for (const K& k : keys) {
    INFO("key " << k.key);
    r.cfg(k.key, k.lo);
    CHECK(r.m.config(k.key) == k.lo);
    r.cfg(k.key, k.hi);
    CHECK(r.m.config(k.key) == k.hi);
    if (k.lo > 0) CHECK(r.err(make_config(0, k.key, k.lo - 1)) == ErrorCode::kBadArg);
    CHECK(r.err(make_config(0, k.key, k.hi + 1)) == ErrorCode::kBadArg);
    CHECK(r.err(make_config(0, k.key, 0x80000000u | k.lo)) == ErrorCode::kBadArg);  // bits above the width
    CHECK(r.m.config(k.key) == k.hi);                                               // rejected writes change nothing
  }
}

TEST_CASE("5 CONFIG SHARD_MIN_CREDIT is a sign-extended 16-bit value") {
  Rig r;
  r.cfg(cfg::kShardMinCredit, static_cast<uint32_t>(-32767));
  CHECK(r.m.config(cfg::kShardMinCredit) == 0xFFFF8001u);
  r.cfg(cfg::kShardMinCredit, 32767);
  CHECK(r.err(make_config(0, cfg::kShardMinCredit, static_cast<uint32_t>(-32768))) == ErrorCode::kBadArg);
  CHECK(r.err(make_config(0, cfg::kShardMinCredit, 32768)) == ErrorCode::kBadArg);
  CHECK(r.err(make_config(0, cfg::kShardMinCredit, 0x0000FFFFu)) == ErrorCode::kBadArg);  // no sign extension
  CHECK(r.m.config(cfg::kShardMinCredit) == 32767);
}

TEST_CASE("5 register path write_config applies the same checks") {
  Model m(Params::small());
  CHECK(m.write_config(cfg::kSliceUs, 0) == ErrorCode::kBadArg);
  CHECK(m.write_config(0x30, 1) == ErrorCode::kBadKey);
  CHECK(m.write_config(0x40 + 8 * 2, 10) == ErrorCode::kBadNode);
  CHECK(m.write_config(cfg::kSliceUs, 1234) == ErrorCode::kNone);
  CHECK(m.config(cfg::kSliceUs) == 1234);
  CHECK(m.counters() == Counters{});  // not an event
  CHECK(m.prestage(0) == PrestageEntry{});
  // The next event sees the value.
  std::vector<Decision> d;
  m.step(make_wake(1, 0, false), d);
  CHECK(m.core(0).slice == 1234);
}

// ---- 6: credits ------------------------------------------------------------------------------

TEST_CASE("6.1 TICK debit math") {
  Rig r;
  r.place(1, 2);
  r.ack(make_tick(0, 2, 0, 1000));  // (1000 * 10) >> 10 = 9
  CHECK(r.m.vcpu(1).credit == -9);
  r.ack(make_tick(0, 2, 0, 102));  // 1020 >> 10 = 0
  CHECK(r.m.vcpu(1).credit == -9);
  r.cfg(cfg::kCreditPerMs, 255);
  r.ack(make_tick(0, 2, 0, 2000));  // 510000 >> 10 = 498
  CHECK(r.m.vcpu(1).credit == -507);
  r.ack(make_tick(0, 2, 0, 65535));  // clamps at -cap
  CHECK(r.m.vcpu(1).credit == -600);
  // An idle core charges nobody.
  r.ack(make_tick(0, 5, 0, 65535));
  for (uint32_t v = 0; v < 64; ++v)
    if (v != 1) CHECK(r.m.vcpu(v).credit == 0);
}

TEST_CASE("6.1 TICK debits a sharded vCPU once per shard core") {
  Rig r;
  shard_setup(r);
  r.ack(make_profile(0, 0, 10, 100));
  lat_wake(r, 9);
  REQUIRE(r.m.vcpu(0).shards == 4);  // on cores 4..7; v0 itself is queued
  const int16_t c0 = r.m.vcpu(0).credit;
  r.ack(make_tick(0, 4, 0, 1024));  // 10 per shard core
  r.ack(make_tick(0, 5, 0, 1024));
  CHECK(r.m.vcpu(0).credit == c0 - 20);
  CHECK(r.m.vcpu(0).used == 2048);  // 6.5: charged on the same cores
  // ... and on its own core once it runs again (v9 blocks, v0 is placed on core 0)
  r.ack(make_block(0, 9));
  r.one(make_sched(0, 0, 0));
  r.ack(make_tick(0, 0, 0, 1024));
  CHECK(r.m.vcpu(0).credit == c0 - 30);
  CHECK(r.m.vcpu(0).used == 3072);
}

TEST_CASE("6.2 ACCOUNT refill by weight and clamp") {
  Rig r;
  r.ack(make_vcpu_cfg(0, 3, 0, 1));
  r.ack(make_vcpu_cfg(0, 4, 0, 255));
  r.ack(make_account(0));
  CHECK(r.m.vcpu(0).credit == 16 * 19);
  CHECK(r.m.vcpu(3).credit == 19);
  CHECK(r.m.vcpu(4).credit == 600);  // 255 * 19 = 4845 clamps at cap
  r.ack(make_account(0));
  CHECK(r.m.vcpu(0).credit == 600);  // 608 clamps
  CHECK(r.m.vcpu(3).credit == 38);
  r.cfg(cfg::kRefillPerWeight, 0);
  r.cfg(cfg::kCreditCap, 1);
  r.ack(make_account(0));  // x = credit + 0, clamped by the new cap
  CHECK(r.m.vcpu(0).credit == 1);
  CHECK(r.m.vcpu(3).credit == 1);
}

TEST_CASE("6 lowering CREDIT_CAP clamps each credit at its next update") {
  Rig r;
  r.place(7, 0);
  r.ack(make_account(0));
  r.ack(make_account(0));
  REQUIRE(r.m.vcpu(7).credit == 600);
  r.cfg(cfg::kCreditCap, 100);
  CHECK(r.m.vcpu(7).credit == 600);  // no rescale
  CHECK(r.m.vcpu(8).credit == 600);
  r.ack(make_tick(0, 0, 0, 0));  // debit 0 is still an update
  CHECK(r.m.vcpu(7).credit == 100);
  CHECK(r.m.vcpu(8).credit == 600);
}

TEST_CASE("6.3 latency boost, bounded by the cap") {
  Rig r;
  r.one(make_wake(0, 5, true));
  CHECK(r.m.vcpu(5).credit == 100);
  CHECK(r.m.vcpu(5).lat);
  r.ack(make_block(0, 5));
  r.cfg(cfg::kLatBoost, 32767);
  r.one(make_wake(0, 5, true));
  CHECK(r.m.vcpu(5).credit == 600);
  r.ack(make_block(0, 5));
  r.one(make_wake(0, 5, false));  // no boost, lat cleared
  CHECK(r.m.vcpu(5).credit == 600);
  CHECK(!r.m.vcpu(5).lat);
}

TEST_CASE("6.4 sharding surcharge") {
  Rig r;
  shard_setup(r);
  r.cfg(cfg::kShardCredit, 7);
  r.cfg(cfg::kSyncCredit, 3);
  r.ack(make_profile(0, 0, 10, 100));
  const auto d = lat_wake(r, 9);
  REQUIRE(d[0].b8 == 4);
  CHECK(r.m.vcpu(0).credit == -(4 * 7 + 3));
  // Clamped at -cap.
  Rig s;
  shard_setup(s);
  s.cfg(cfg::kShardCredit, 255);
  s.cfg(cfg::kSyncCredit, 255);
  s.cfg(cfg::kCreditCap, 500);
  s.ack(make_profile(0, 0, 10, 100));
  lat_wake(s, 9);
  CHECK(s.m.vcpu(0).credit == -500);
}

TEST_CASE("6.5 caps: used per accounting period, PARK at the cap, E_CAPPED, queued wakes, aborted commits") {
  Rig r;
  r.ack(make_vcpu_cfg(0, 1, 0, 16, 1500));  // cap 1500 µs per accounting period
  CHECK(r.m.vcpu(1).cap == 1500);
  r.place(1, 0);
  r.ack(make_tick(0, 0, 0, 1000));  // used 1000 < 1500
  CHECK(r.m.vcpu(1).used == 1000);
  CHECK(!r.m.vcpu(1).parked());
  // used 1600 >= 1500: the vCPU loses core 0 (the debit still applies: 600 * 10 >> 10 = 5).
  Decision d = r.one(make_tick(0, 0, 0, 600));
  CHECK(d == Decision{{T(DecisionType::kPark), kFlagLast, 1, r.seq, 0, 0, 0, 0}});
  CHECK(r.m.vcpu(1).parked());
  CHECK(r.m.vcpu(1).state == VcpuState::kQueued);
  CHECK(r.m.vcpu(1).credit == -(9 + 5));
  CHECK(r.m.core(0).occ == Occ::kIdle);
  CHECK(r.err(make_sched(0, 1, 2)) == ErrorCode::kCapped);  // after the other SCHED checks
  CHECK(r.err(make_sched(0, 1, 8)) == ErrorCode::kBadCore);
  // A parked vCPU may block; its wakes are queued, even latency ones with idle cores around.
  r.ack(make_block(0, 1));
  d = r.one(make_wake(0, 1, true));
  CHECK(d == Decision{{T(DecisionType::kQueued), kFlagLast, 1, r.seq, 0, 0, 0, 0}});
  CHECK(r.m.vcpu(1).credit == -14 + 100);  // the boost still applies
  r.ack(make_block(0, 1));
  // A commit for it aborts even against the current entry (idle core 0, epoch e).
  const PrestageEntry e = r.m.prestage(0);
  REQUIRE(e.kind == PrestageKind::kIdle);
  auto ds = r.step(make_commit(0, 1, e.core, 0, e.epoch));
  REQUIRE(ds.size() == 2);
  CHECK(ds[0] == Decision{{T(DecisionType::kAbort), 0, 1, r.seq, e.core, 0, 0, e.epoch}});
  CHECK(ds[1].type == T(DecisionType::kQueued));
  CHECK(r.m.counters().aborts == 1);
  r.ack(make_block(0, 1));
  // ACCOUNT clears used: the vCPU is placed again.
  r.ack(make_account(0));
  CHECK(r.m.vcpu(1).used == 0);
  CHECK(r.one(make_wake(0, 1, false)).type == T(DecisionType::kRun));
  // VCPU_CFG keeps used; a cap below it parks at the next TICK of its core.
  r.ack(make_tick(0, r.m.vcpu(1).core, 0, 300));
  r.ack(make_vcpu_cfg(0, 1, 0, 16, 200));
  CHECK(r.m.vcpu(1).used == 300);
  CHECK(r.one(make_tick(0, r.m.vcpu(1).core, 0, 1)).type == T(DecisionType::kPark));
  // Uncapped: used saturates at 65535 and never parks.
  Rig s;
  s.place(2, 3);
  s.ack(make_tick(0, 3, 0, 65535));
  s.ack(make_tick(0, 3, 0, 65535));
  CHECK(s.m.vcpu(2).used == 65535);
  CHECK(s.m.vcpu(2).state == VcpuState::kRunning);
}

TEST_CASE("6.5 caps: shards count against the cap, a capped vCPU keeps its shards") {
  Rig r;
  shard_setup(r);
  r.ack(make_vcpu_cfg(0, 0, 0, 16, 2000));
  r.ack(make_profile(0, 0, 10, 100));
  REQUIRE(lat_wake(r, 9)[0].b8 == 4);
  r.ack(make_tick(0, 4, 0, 1500));  // shard cores charge v0
  r.ack(make_tick(0, 5, 0, 1500));
  CHECK(r.m.vcpu(0).used == 3000);
  CHECK(r.m.vcpu(0).parked());
  CHECK(r.m.core(4).occ == Occ::kShard);  // its shards run on
  r.ack(make_block(0, 9));
  CHECK(r.err(make_sched(0, 0, 0)) == ErrorCode::kCapped);
}

TEST_CASE("7.5 PROFILE sets the expected run, VCPU_CFG the cap") {
  Rig r;
  r.ack(make_profile(0, 3, 5, 40, 777));
  CHECK(r.m.vcpu(3).erun == 777);
  CHECK(r.m.vcpu(3).blocks == 5);
  r.ack(make_profile(0, 3, 5, 40, 65535));
  CHECK(r.m.vcpu(3).erun == 65535);
  r.ack(make_vcpu_cfg(0, 3, 1, 20, 65535));
  CHECK(r.m.vcpu(3).cap == 65535);
  CHECK(r.m.vcpu(3).home == 1);
}

// ---- 7.1 / 7.2: idle core and victim ---------------------------------------------------------------

TEST_CASE("7.1 idle core: minimum {dist, util}, ties to the lowest index") {
  Rig r;
  for (uint8_t c = 4; c < 8; ++c) r.node(c, 1);
  r.ack(make_util(0, 0, 50, 3));
  r.ack(make_util(0, 1, 30, 3));
  r.ack(make_util(0, 2, 30, 3));
  r.ack(make_util(0, 3, 40, 3));
  r.ack(make_util(0, 4, 0, 3));  // node 1: farther for home 0 even with util 0
  CHECK(reference_idle(r.m, 0) == 1);
  CHECK(r.m.prestage(0).kind == PrestageKind::kIdle);
  CHECK(r.m.prestage(0).core == 1);
  Decision d = r.one(make_wake(0, 20, false));
  CHECK(d == Decision{{T(DecisionType::kRun), kFlagLast, 20, r.seq, 1, 0, 0, 0}});
  d = r.one(make_wake(0, 21, true));
  CHECK(d.core == 2);
  // Home node 1: core 4 (dist 10) even though node 0 has lower-index cores.
  r.home(22, 1);
  d = r.one(make_wake(0, 22, true));
  CHECK(d.core == 4);
  CHECK(r.m.core(4).occ == Occ::kRun);
  CHECK(r.m.core(4).slice == 30000);
  CHECK(r.m.vcpu(22).state == VcpuState::kRunning);
  CHECK(r.m.vcpu(22).core == 4);
}

TEST_CASE("7.2 victim cost: distance, credit and slice terms, lat vCPUs never victims") {
  Rig r;
  for (uint8_t c = 4; c < 8; ++c) r.node(c, 1);
  for (uint8_t c = 0; c < 8; ++c) r.place(c, c);
  // All equal: cost(0, c) = 10<<6 + 32768 + 30000>>5 on node 0; ties -> core 0.
  CHECK(reference_victim(r.m, 0) == 0);
  CHECK(reference_victim(r.m, 1) == 4);
  CHECK(r.m.prestage(0) == PrestageEntry{PrestageKind::kPreempt, 0, 0, r.m.prestage(0).epoch});
  // Tick core 2: slice 29000 (>>5 = 906, was 937) and credit -9: cheaper.
  r.ack(make_tick(0, 2, 0, 1000));
  CHECK(r.m.prestage(0).core == 2);
  CHECK(r.m.prestage(0).vcpu == 2);
  // Core 5 (node 1, slice 0, credit -600) costs 1280 + 32168 + 0, less than
  // core 2's 640 + 32759 + 906, but it is far (20 > WAKE_MAX_DIST 10): the
  // key {far [1], cost [18]} keeps a near victim first (spec 1.1, 7.2).
  r.ack(make_tick(0, 5, 0, 65535));
  CHECK(r.m.prestage(0).core == 2);
  CHECK(reference_victim(r.m, 0) == 2);
  // With WAKE_MAX_DIST 20 both nodes are near for home 0, and the cost decides.
  r.cfg(cfg::kWakeMaxDist, 20);
  CHECK(r.m.prestage(0).core == 5);
  CHECK(reference_victim(r.m, 0) == 5);
  // VICT_MAX_DIST 19 excludes node 1 for home 0.
  r.cfg(cfg::kVictMaxDist, 19);
  CHECK(r.m.prestage(0).core == 2);
  // VICT_DIST_SHIFT 0 and a node-1 victim again allowed.
  r.cfg(cfg::kVictMaxDist, 20);
  r.cfg(cfg::kVictDistShift, 0);
  CHECK(r.m.prestage(0).core == 5);
  r.cfg(cfg::kWakeMaxDist, 10);
  // VICT_CREDIT_SHIFT and VICT_SLICE_SHIFT at 15: credit term (credit + 32768) >> 15 is 1 for
  // credit 0 and 0 for core 2's -9; slice terms are 0. Core 2 costs 640, cores 0, 1, 3 cost 641.
  r.cfg(cfg::kVictDistShift, 6);
  r.cfg(cfg::kVictCreditShift, 15);
  r.cfg(cfg::kVictSliceShift, 15);
  CHECK(r.m.prestage(0).core == 2);
  // The preemption itself.
  const auto d = lat_wake(r, 9);
  REQUIRE(d.size() == 1);
  CHECK(d[0] == Decision{{T(DecisionType::kPreempt), kFlagLast, 2, r.seq, 2, 0, 9, 0}});
  CHECK(r.m.vcpu(2).state == VcpuState::kQueued);
  CHECK(r.m.vcpu(9).state == VcpuState::kRunning);
  CHECK(r.m.vcpu(9).core == 2);
  CHECK(r.m.core(2).vcpu == 9);
  CHECK(r.m.core(2).slice == 30000);
  CHECK(r.m.counters().preempts == 1);
  // v9 is latency-class: not a victim; the rest tie at 641 -> lowest index, core 0.
  CHECK(r.m.prestage(0).core == 0);
  CHECK(r.m.prestage(0).vcpu == 0);
}

TEST_CASE("7.2 no victim candidate: latency wake falls back to a far idle core, then QUEUED") {
  Rig r;
  for (uint8_t c = 4; c < 8; ++c) r.node(c, 1);
  for (uint8_t c = 0; c < 4; ++c) {
    r.one(make_wake(0, static_cast<uint16_t>(10 + c), true));  // latency vCPUs fill node 0
  }
  CHECK(r.m.prestage(0).kind == PrestageKind::kIdle);
  CHECK(r.m.prestage(0).core == 4);  // far
  const Decision d = r.one(make_wake(0, 20, true));
  CHECK(d.type == T(DecisionType::kRun));
  CHECK(d.core == 4);
  for (uint8_t c = 5; c < 8; ++c) r.one(make_wake(0, static_cast<uint16_t>(20 + c), true));
  CHECK(r.m.prestage(0).kind == PrestageKind::kNone);
  const Decision q = r.one(make_wake(0, 40, true));
  CHECK(q == Decision{{T(DecisionType::kQueued), kFlagLast, 40, r.seq, 0, 0, 0, 0}});
  CHECK(r.m.vcpu(40).state == VcpuState::kQueued);
}

// ---- 7.3 / 7.4: sharding -----------------------------------------------------------------------

TEST_CASE("7.5 WAKE rules 3-5: near victim, then far idle core, then far victim") {
  Rig r;
  for (uint8_t c = 4; c < 8; ++c) r.node(c, 1);
  for (uint8_t c = 0; c < 5; ++c) r.place(c, c);  // node 0 full of batch vCPUs, core 4 too
  // Rule 3: a near victim (core 0, dist 10) although idle cores 5..7 exist on node 1.
  REQUIRE(r.m.prestage(0) == PrestageEntry{PrestageKind::kPreempt, 0, 0, r.m.prestage(0).epoch});
  auto d = lat_wake(r, 9);
  CHECK(d[0].type == T(DecisionType::kPreempt));
  CHECK(d[0].core == 0);
  // Make node 0 all latency-class (no near victim): cores 1..3 preempted too.
  for (uint16_t v = 10; v < 13; ++v) CHECK(lat_wake(r, v)[0].type == T(DecisionType::kPreempt));
  // Rule 4: a far idle core (5, util 0, lowest index) before the far victim on core 4.
  CHECK(r.m.prestage(0) == PrestageEntry{PrestageKind::kIdle, 5, 0, r.m.prestage(0).epoch});
  d = lat_wake(r, 20);
  CHECK(d == std::vector<Decision>{Decision{{T(DecisionType::kRun), kFlagLast, 20, r.seq, 5, 0, 0, 0}}});
  lat_wake(r, 21);
  lat_wake(r, 22);  // cores 6, 7
  // Rule 5: no idle core left: the far victim on core 4 (v4).
  CHECK(r.m.prestage(0) == PrestageEntry{PrestageKind::kPreempt, 4, 4, r.m.prestage(0).epoch});
  d = lat_wake(r, 23);
  CHECK(d[0] == Decision{{T(DecisionType::kPreempt), d[0].flags, 4, r.seq, 4, d[0].b8, 23, 0}});
  // Rule 6: nothing left.
  CHECK(r.m.prestage(0).kind == PrestageKind::kNone);
  CHECK(lat_wake(r, 24)[0].type == T(DecisionType::kQueued));
  // Prestaged entries and the reference agree at every step (checked in 10 on long streams).
  CHECK(reference_prestage(r.m, 0) == r.m.prestage(0));
}

TEST_CASE("7.4 sharded preemption: K, size, targets, state") {
  Rig r;
  shard_setup(r);
  r.ack(make_profile(0, 0, 10, 100));
  const auto d = lat_wake(r, 9);
  // v9's erun is unknown (0): T = max(0, SYNC_COST_US 50) = 50; s_T = 1 (100 << 0 >= 50).
  // K0 = min(B 10, E 4, MAX_SHARDS 4, L 4) = 4; s(4) = min(1, q(10,4) = 2) = 1, 1 * 100 >= 50:
  // K = 4 shards of one block at 0, 1, 2, 3; v0 keeps 6 blocks.
  REQUIRE(d.size() == 5);
  CHECK(d[0] == Decision{{T(DecisionType::kPreempt), 0, 0, r.seq, 0, 4, 9, 0}});
  for (int i = 0; i < 4; ++i) {
    INFO("shard " << i);
    CHECK(d[1 + i] == Decision{{T(DecisionType::kShard), uint8_t(i == 3 ? kFlagLast : 0), 0, r.seq, uint8_t(4 + i),
                                uint8_t(i), uint16_t(i), 1}});
    CHECK(r.m.core(4 + i).occ == Occ::kShard);
    CHECK(r.m.core(4 + i).vcpu == 0);
    CHECK(r.m.core(4 + i).slice == 30000);
  }
  const VcpuInfo& u = r.m.vcpu(0);
  CHECK(u.state == VcpuState::kQueued);  // goes on without its shards
  CHECK(u.core == 0);                    // its last core
  CHECK(u.shards == 4);
  CHECK(u.blocks == 6);
  CHECK(u.credit == -(4 * 4 + 2));
  CHECK(r.m.vcpu(9).state == VcpuState::kRunning);
  CHECK(r.m.vcpu(9).credit == 100);
  CHECK(r.m.counters().shards == 4);
  CHECK(r.m.counters().preempts == 1);
}

TEST_CASE("7.4 shard size from the preemptor's expected run") {
  auto plan = [](uint16_t erun, uint8_t blocks, uint16_t bcost, uint32_t max_shards) {
    Rig r;
    shard_setup(r);
    r.cfg(cfg::kMaxShards, max_shards);
    r.ack(make_profile(0, 0, blocks, bcost));
    r.ack(make_profile(0, 9, 0, 0, erun));
    const auto d = lat_wake(r, 9);
    std::vector<std::pair<uint16_t, uint32_t>> shards;  // (first, count)
    for (size_t i = 1; i < d.size(); ++i) shards.emplace_back(d[i].c16, d[i].d32);
    CHECK(d[0].b8 == shards.size());
    CHECK(r.m.vcpu(0).blocks == blocks - (shards.empty() ? 0 : shards.size() * shards[0].second));
    return shards;
  };
  using S = std::vector<std::pair<uint16_t, uint32_t>>;
  // T = 150: s_T = 2 (100 < 150 <= 200); K = 4, s = min(2, q(20,4) = 5) = 2.
  CHECK(plan(150, 20, 100, 4) == S{{0, 2}, {2, 2}, {4, 2}, {6, 2}});
  // T = 350: s_T = 4 (200 < 350 <= 400); s = min(4, 5) = 4; v0 keeps 20 - 16 = 4.
  CHECK(plan(350, 20, 100, 4) == S{{0, 4}, {4, 4}, {8, 4}, {12, 4}});
  // T = 1000: s_T = 16 (800 < 1000 <= 1600), cut to q(20,4) = 5 blocks each: all 20 handed out.
  CHECK(plan(1000, 20, 100, 4) == S{{0, 5}, {5, 5}, {10, 5}, {15, 5}});
  // One shard (MAX_SHARDS 1, allowed since 1.1): s = min(16, q(20,1) = 20) = 16, v0 keeps 4.
  CHECK(plan(1000, 20, 100, 1) == S{{0, 16}});
  // s_T saturates at 128: bcost 1, T = 60000 (1 << 7 = 128 < 60000); B 255, K 1: 128 blocks.
  CHECK(plan(60000, 255, 1, 1) == S{{0, 128}});
  // T below SYNC_COST_US: erun 10 < 50, so T = 50: s_T = 1 with bcost 100.
  CHECK(plan(10, 20, 100, 4) == S{{0, 1}, {1, 1}, {2, 1}, {3, 1}});
}

TEST_CASE("7.4 K limited by MAX_SHARDS") {
  Rig r;
  shard_setup(r);
  r.cfg(cfg::kMaxShards, 3);
  r.ack(make_profile(0, 0, 10, 100));
  const auto d = lat_wake(r, 9);
  REQUIRE(d.size() == 4);
  CHECK(d[0].b8 == 3);
  // s(3) = min(1, q(10,3) = 3) = 1: one block each at 0, 1, 2.
  CHECK((d[1].c16 == 0 && d[1].d32 == 1 && d[2].c16 == 1 && d[2].d32 == 1 && d[3].c16 == 2 && d[3].d32 == 1));
}

TEST_CASE("7.4 K limited by E (eligible cores) and by B (blocks)") {
  Rig r;
  shard_setup(r);
  r.ack(make_util(0, 6, 192, 3));  // hot: not eligible
  r.ack(make_profile(0, 0, 10, 100));
  auto d = lat_wake(r, 9);
  REQUIRE(d.size() == 4);
  CHECK((d[1].core == 4 && d[2].core == 5 && d[3].core == 7));
  Rig s;
  shard_setup(s);
  s.ack(make_profile(0, 0, 3, 100));
  d = s.step(make_wake(0, 9, true));
  REQUIRE(d.size() == 4);  // K0 = min(B 3, E 4, ...) = 3
  for (int i = 0; i < 3; ++i) CHECK((d[1 + i].c16 == i && d[1 + i].d32 == 1));
  CHECK(s.m.vcpu(0).blocks == 0);
}

TEST_CASE("7.4 K limited by SYNC_COST_US") {
  auto k_for = [](uint16_t bcost, uint32_t sync) {
    Rig r;
    shard_setup(r);
    r.cfg(cfg::kSyncCostUs, sync);
    r.ack(make_profile(0, 0, 10, bcost));
    return lat_wake(r, 9)[0].b8;
  };
  // B = 10, erun 0: T = SYNC_COST_US; s(k) = min(s_T, q(10,k)), q = 10, 5, 3, 2 for k = 1..4.
  CHECK(k_for(25, 50) == 4);        // s_T = 2; s(4) = 2: 50 >= 50
  CHECK(k_for(24, 50) == 3);        // s_T = 4; s(4) = 2: 48 < 50; s(3) = 3: 72
  CHECK(k_for(10, 50) == 2);        // s_T = 8; s(4) = 2: 20, s(3) = 3: 30 < 50; s(2) = 5: 50
  CHECK(k_for(9, 50) == 1);         // s_T = 8; 18, 27, 45 < 50; s(1) = 8: 72 (1.0: no shards)
  CHECK(k_for(4, 50) == 0);         // 7.3: B * bcost = 40 < 50, not a candidate: victim queued
  CHECK(k_for(0, 0) == 4);          // 0 >= 0
  CHECK(k_for(65535, 65535) == 4);  // wide products: 65535 << 0 >= 65535
}

TEST_CASE("7.4 K limited by K_UNDER_LOAD when H >= LOAD_HOT_CORES") {
  Rig r;
  shard_setup(r);
  r.cfg(cfg::kLoadHotCores, 2);
  r.ack(make_util(0, 1, 200, 3));  // H = 1 < 2: L = MaxShards
  r.ack(make_profile(0, 0, 10, 100));
  Rig s = r;
  CHECK(lat_wake(r, 9)[0].b8 == 4);
  s.ack(make_util(0, 2, 255, 3));  // H = 2: L = K_UNDER_LOAD = 2
  CHECK(lat_wake(s, 9)[0].b8 == 2);
  // Offline hot cores do not count.
  Rig t;
  shard_setup(t);
  t.cfg(cfg::kLoadHotCores, 1);
  t.ack(make_util(0, 7, 255, 3));
  t.ack(make_core_cfg(0, 7, 1, false));
  t.ack(make_profile(0, 0, 10, 100));
  CHECK(lat_wake(t, 9)[0].b8 == 3);  // E = 3 (core 7 offline), L = 4
  // K_UNDER_LOAD = 1 under load: one shard.
  Rig u;
  shard_setup(u);
  u.cfg(cfg::kLoadHotCores, 0);
  u.cfg(cfg::kKUnderLoad, 1);
  u.ack(make_profile(0, 0, 10, 100));
  CHECK(lat_wake(u, 9)[0].b8 == 1);
}

TEST_CASE("7.4 targets ordered by {dist, 3 - freq, util}, ties to the lowest index") {
  Rig r;
  shard_setup(r);
  r.ack(make_util(0, 4, 0, 2));   // (20, 1, 0)
  r.ack(make_util(0, 5, 50, 3));  // (20, 0, 50)
  r.ack(make_profile(0, 0, 8, 100));
  auto d = lat_wake(r, 9);
  REQUIRE(d.size() == 5);
  CHECK((d[1].core == 6 && d[2].core == 7 && d[3].core == 5 && d[4].core == 4));
  // Distance first: the near idle core 3, though slow and busy-ish, leads.
  // (A latency wake would take that near idle core itself, WAKE rule 2, so
  // the plan is read from own_shard_plan: the 7.3-7.4 code a preemption
  // of core 0 by v9 applies.)
  Rig s;
  for (uint8_t c = 4; c < 8; ++c) s.node(c, 1);
  for (uint8_t c = 0; c < 3; ++c) s.place(c, c);
  s.ack(make_util(0, 3, 150, 0));  // near, slow and busy-ish, still first
  s.ack(make_profile(0, 0, 8, 100));
  const ShardPlan p = s.m.own_shard_plan(0, 9);
  REQUIRE(p.k == 4);
  CHECK((p.target[0] == 3 && p.target[1] == 4 && p.target[2] == 5 && p.target[3] == 6));
}

TEST_CASE("7.3 sharding-candidate test: each condition") {
  auto k_with = [](auto setup) {
    Rig r;
    shard_setup(r);
    r.ack(make_profile(0, 0, 10, 100));
    setup(r);
    const auto d = lat_wake(r, 9);
    return d[0].b8;
  };
  CHECK(k_with([](Rig&) {}) == 4);
  CHECK(k_with([](Rig& r) { r.cfg(cfg::kShardEnable, 0); }) == 0);
  CHECK(k_with([](Rig& r) { r.ack(make_profile(0, 0, 0, 100)); }) == 0);  // B = 0
  CHECK(k_with([](Rig& r) { r.ack(make_profile(0, 0, 1, 100)); }) == 1);  // B = 1: one shard (1.1)
  CHECK(k_with([](Rig& r) { r.ack(make_profile(0, 0, 2, 100)); }) == 2);
  CHECK(k_with([](Rig& r) { r.ack(make_profile(0, 0, 1, 49)); }) == 0);  // B * bcost 49 < 50
  CHECK(k_with([](Rig& r) { r.ack(make_profile(0, 0, 1, 50)); }) == 1);  // 50 >= 50
  CHECK(k_with([](Rig& r) { r.cfg(cfg::kShardMinCredit, 1); }) == 0);    // credit 0 < 1
  CHECK(k_with([](Rig& r) { r.cfg(cfg::kShardMinCredit, 0); }) == 4);    // 0 >= 0
  CHECK(k_with([](Rig& r) {                                              // credit -9 < -8 (signed compare)
          r.ack(make_tick(0, 0, 0, 1000));
          r.cfg(cfg::kShardMinCredit, static_cast<uint32_t>(-8));
        }) == 0);
  CHECK(k_with([](Rig& r) { r.cfg(cfg::kShardMaxDist, 19); }) == 0);  // E = 0
  CHECK(k_with([](Rig& r) {
          r.cfg(cfg::kShardMinFreq, 3);
          r.ack(make_util(0, 4, 0, 2));
        }) == 3);
  CHECK(k_with([](Rig& r) { r.cfg(cfg::kShardUtilMax, 0); }) == 0);  // util < 0 never
  // shards[u] = 0: a victim whose shards still run gets no more. v0 is
  // sharded (4 shards), runs again on core 0 when v9 blocks, and is the
  // victim again (its credit, -18, is the lowest): K = 0.
  Rig s;
  shard_setup(s);
  s.ack(make_profile(0, 0, 10, 100));
  REQUIRE(lat_wake(s, 9)[0].b8 == 4);
  s.ack(make_block(0, 9));
  s.one(make_sched(0, 0, 0));
  for (uint8_t c = 4; c < 8; ++c) {  // the shards end but one: E = 3 idle cores again
    if (c != 7) s.ack(make_shard_done(0, 0, c));
  }
  REQUIRE(s.m.vcpu(0).shards == 1);
  auto d = lat_wake(s, 10);
  CHECK(d[0].type == T(DecisionType::kPreempt));
  CHECK(d[0].vcpu == 0);
  CHECK(d[0].b8 == 0);
  CHECK(d.size() == 1);
  // The surcharge and queueing when K = 0.
  Rig r;
  shard_setup(r);
  r.ack(make_profile(0, 0, 0, 100));
  lat_wake(r, 9);
  CHECK(r.m.vcpu(0).state == VcpuState::kQueued);
  CHECK(r.m.vcpu(0).credit == 0);
  CHECK(r.m.vcpu(0).blocks == 0);
  CHECK(r.m.vcpu(0).shards == 0);
}

TEST_CASE("7.4 q table equals floor(B / k) exhaustively") {
  for (uint32_t b = 0; b < 256; ++b)
    for (uint32_t k = 1; k <= 8; ++k) {
      INFO(b << " / " << k);
      REQUIRE(spec_div(b, k) == b / k);
    }
}

// The exposed computations the RTL cell benches compare with (tests/rtl/cells), on cases worked by hand from
// the spec's text.
TEST_CASE("7.3/7.4 spec_shard_size by hand") {
  auto size = [](uint32_t b, uint32_t bcost, uint32_t erun, uint32_t sync, uint32_t e, uint32_t h, uint32_t max_reg,
                 uint32_t load_hot, uint32_t k_load, uint32_t param) {
    ShardSizeIn in;
    in.blocks = b;
    in.bcost = bcost;
    in.erun = erun;
    in.sync = sync;
    in.elig = e;
    in.hot = h;
    in.max_shards = max_reg;
    in.load_hot = load_hot;
    in.k_under_load = k_load;
    in.max_shards_param = param;
    const ShardSize r = spec_shard_size(in);
    return std::pair<uint32_t, uint32_t>{r.k, r.s};
  };
  using P = std::pair<uint32_t, uint32_t>;
  // T = 450, s_T = 8 (100 << 3 >= 450), K0 = min(10, 8, 4, 8) = 4, s(4) = min(8, 2) = 2, 2 x 100 >= 200.
  CHECK(size(10, 100, 450, 200, 8, 0, 4, 1, 2, 8) == P{4, 2});
  // Under load (H 3 >= 2): L = K_UNDER_LOAD = 2, s(2) = min(8, 5) = 5.
  CHECK(size(10, 100, 450, 200, 8, 3, 4, 2, 2, 8) == P{2, 5});
  // SYNC 300: s(4) x 100 = 200 is too little, s(3) = 3 gives 300.
  CHECK(size(10, 100, 450, 300, 8, 0, 4, 1, 2, 8) == P{3, 3});
  // s_T caps the size: T = 100 -> s_T = 1, then k = 1 only if 1 x bcost >= SYNC.
  CHECK(size(10, 100, 100, 100, 8, 0, 4, 1, 2, 8) == P{4, 1});
  // 7.3: B x bcost < SYNC, B = 0, E = 0: no shards.
  CHECK(size(2, 100, 0, 300, 8, 0, 4, 1, 2, 8) == P{0, 0});
  CHECK(size(0, 100, 0, 0, 8, 0, 4, 1, 2, 8) == P{0, 0});
  CHECK(size(10, 100, 450, 200, 0, 0, 4, 1, 2, 8) == P{0, 0});
  // Registers beyond their CONFIG range: K stays within MaxShards.
  CHECK(size(255, 1000, 0, 1, 511, 0, 15, 1, 15, 8) == P{8, 1});
  CHECK(size(255, 1000, 0, 1, 511, 0, 15, 1, 15, 2) == P{2, 1});
}

TEST_CASE("6 spec_clamp_credit by hand") {
  CHECK(spec_clamp_credit(40000, 32767) == 32767);
  CHECK(spec_clamp_credit(-40000, 100) == -100);
  CHECK(spec_clamp_credit(-100, 100) == -100);
  CHECK(spec_clamp_credit(101, 100) == 100);
  CHECK(spec_clamp_credit(5, 100) == 5);
}

// ---- 7.5: events in detail ---------------------------------------------------------------------

TEST_CASE("7.5 WAKE checks: E_BAD_VCPU, E_BAD_STATE") {
  Rig r;
  CHECK(r.err(make_wake(0, 64, false)) == ErrorCode::kBadVcpu);
  CHECK(r.err(make_wake(0, 0xFFFF, true)) == ErrorCode::kBadVcpu);
  r.one(make_wake(0, 1, false));
  CHECK(r.err(make_wake(0, 1, false)) == ErrorCode::kBadState);  // running
  for (uint16_t v = 2; v < 9; ++v) r.one(make_wake(0, v, false));
  r.one(make_wake(0, 20, false));  // no idle core: queued
  CHECK(r.m.vcpu(20).state == VcpuState::kQueued);
  CHECK(r.err(make_wake(0, 20, true)) == ErrorCode::kBadState);
}

TEST_CASE("7.5 WAKE rule 3: a non-latency wake takes any idle core, never preempts") {
  Rig r;
  for (uint8_t c = 4; c < 8; ++c) r.node(c, 1);
  for (uint8_t c = 0; c < 4; ++c) r.place(c, c);
  Decision d = r.one(make_wake(0, 30, false));  // home 0, only far idle cores
  CHECK(d.type == T(DecisionType::kRun));
  CHECK(d.core == 4);
  for (uint8_t c = 5; c < 8; ++c) r.one(make_wake(0, static_cast<uint16_t>(30 + c), false));
  d = r.one(make_wake(0, 50, false));
  CHECK(d.type == T(DecisionType::kQueued));
  CHECK(r.m.counters().preempts == 0);
}

TEST_CASE("7.5 BLOCK") {
  Rig r;
  CHECK(r.err(make_block(0, 64)) == ErrorCode::kBadVcpu);
  CHECK(r.err(make_block(0, 3)) == ErrorCode::kBadState);  // blocked
  r.place(3, 5);
  Decision d = r.one(make_block(0, 3));
  CHECK(d == Decision{{T(DecisionType::kAck), kFlagLast, 3, r.seq, 0, 0x02, 0, 0}});
  CHECK(r.m.vcpu(3).state == VcpuState::kBlocked);
  CHECK(r.m.core(5).occ == Occ::kIdle);
  // QUEUED -> BLOCKED
  for (uint16_t v = 10; v < 18; ++v) r.one(make_wake(0, v, false));
  r.one(make_wake(0, 30, false));
  REQUIRE(r.m.vcpu(30).state == VcpuState::kQueued);
  r.ack(make_block(0, 30));
  CHECK(r.m.vcpu(30).state == VcpuState::kBlocked);
  // A victim whose shards run is QUEUED (spec 1.1): it may block; its shards go on.
  Rig s;
  shard_setup(s);
  s.ack(make_profile(0, 0, 10, 100));
  lat_wake(s, 9);
  s.ack(make_block(0, 0));
  CHECK(s.m.vcpu(0).state == VcpuState::kBlocked);
  CHECK(s.m.vcpu(0).shards == 4);
  CHECK(s.m.core(4).occ == Occ::kShard);
}

TEST_CASE("7.5 SCHED checks in order and placement") {
  Rig r;
  for (uint16_t v = 0; v < 8; ++v) r.one(make_wake(0, v, false));
  r.one(make_wake(0, 20, false));
  REQUIRE(r.m.vcpu(20).state == VcpuState::kQueued);
  CHECK(r.err(make_sched(0, 64, 200)) == ErrorCode::kBadVcpu);
  CHECK(r.err(make_sched(0, 20, 8)) == ErrorCode::kBadCore);
  CHECK(r.err(make_sched(0, 20, 3)) == ErrorCode::kCoreBusy);
  r.ack(make_block(0, 3));
  r.ack(make_core_cfg(0, 3, 0, false));
  CHECK(r.err(make_sched(0, 5, 3)) == ErrorCode::kCoreOffline);  // offline before busy/state
  r.ack(make_core_cfg(0, 3, 0, true));
  CHECK(r.err(make_sched(0, 21, 3)) == ErrorCode::kBadState);  // blocked vCPU
  r.ack(make_tick(0, 3, 0, 700));
  const Decision d = r.one(make_sched(0, 20, 3));
  CHECK(d == Decision{{T(DecisionType::kRun), kFlagLast, 20, r.seq, 3, 0, 0, 0}});
  CHECK(r.m.core(3).slice == 30000);
  CHECK(r.m.vcpu(20).state == VcpuState::kRunning);
  CHECK(r.err(make_sched(0, 20, 3)) == ErrorCode::kCoreBusy);
}

TEST_CASE("7.5 TICK: utilisation EWMA, slice, checks") {
  Rig r;
  CHECK(r.err(make_tick(0, 8, 0, 0)) == ErrorCode::kBadCore);
  r.ack(make_tick(0, 1, 255, 0));
  CHECK(r.m.core(1).util == 63);  // 0 + (255 >> 2)
  r.ack(make_tick(0, 1, 0, 0));
  CHECK(r.m.core(1).util == 47);  // 63 + (-63 >>> 2 = -16)
  r.ack(make_tick(0, 1, 46, 0));
  CHECK(r.m.core(1).util == 46);  // -1 >>> 2 = -1
  r.ack(make_tick(0, 1, 49, 0));
  CHECK(r.m.core(1).util == 46);  // 3 >> 2 = 0
  r.cfg(cfg::kUtilShift, 0);
  r.ack(make_tick(0, 1, 200, 0));
  CHECK(r.m.core(1).util == 200);
  r.cfg(cfg::kUtilShift, 7);
  r.ack(make_tick(0, 1, 0, 0));
  CHECK(r.m.core(1).util == 198);  // -200 >>> 7 = -2
  // slice saturates at 0
  r.place(4, 1);
  r.ack(make_tick(0, 1, 0, 29999));
  CHECK(r.m.core(1).slice == 1);
  r.ack(make_tick(0, 1, 0, 2));
  CHECK(r.m.core(1).slice == 0);
  // offline
  r.ack(make_core_cfg(0, 6, 0, false));
  CHECK(r.err(make_tick(0, 6, 0, 0)) == ErrorCode::kCoreOffline);
}

TEST_CASE("7.5 PROFILE and UTIL") {
  Rig r;
  CHECK(r.err(make_profile(0, 64, 1, 1)) == ErrorCode::kBadVcpu);
  r.ack(make_profile(0, 63, 255, 65535));
  CHECK(r.m.vcpu(63).blocks == 255);
  CHECK(r.m.vcpu(63).bcost == 65535);
  CHECK(r.err(make_util(0, 8, 1, 1)) == ErrorCode::kBadCore);
  r.ack(make_core_cfg(0, 7, 1, false));
  r.ack(make_util(0, 7, 99, 1));  // offline cores take UTIL
  CHECK(r.m.core(7).util == 99);
  CHECK(r.m.core(7).freq == 1);
}

TEST_CASE("7.5 SHARD_DONE: ACK, the core idle, shards - 1, the vCPU's state untouched") {
  Rig r;
  shard_setup(r);
  r.ack(make_profile(0, 0, 10, 100));
  lat_wake(r, 9);
  CHECK(r.err(make_shard_done(0, 64, 4)) == ErrorCode::kBadVcpu);
  CHECK(r.err(make_shard_done(0, 0, 8)) == ErrorCode::kBadCore);
  CHECK(r.err(make_shard_done(0, 1, 4)) == ErrorCode::kBadState);  // core 4 runs a shard of v0, not v1
  CHECK(r.err(make_shard_done(0, 0, 1)) == ErrorCode::kBadState);  // core not a shard
  Decision d = r.one(make_shard_done(0, 0, 5));
  CHECK(d == Decision{{T(DecisionType::kAck), kFlagLast, 0, r.seq, 5, 0x07, 0, 0}});
  CHECK(r.m.vcpu(0).shards == 3);
  CHECK(r.m.core(5).occ == Occ::kIdle);
  CHECK(r.err(make_shard_done(0, 0, 5)) == ErrorCode::kBadState);  // already done
  // The victim runs again while shards remain (v9 blocks; v0 is placed on core 0) ...
  r.ack(make_block(0, 9));
  r.one(make_sched(0, 0, 0));
  r.ack(make_shard_done(0, 0, 4));
  CHECK(r.m.vcpu(0).state == VcpuState::kRunning);
  // ... or blocks, as in a fork-join: the last shard changes nothing but the count.
  r.ack(make_block(0, 0));
  r.ack(make_shard_done(0, 0, 7));
  d = r.one(make_shard_done(0, 0, 6));
  CHECK(d.type == T(DecisionType::kAck));  // no RESUME since 1.1
  CHECK(r.m.vcpu(0).state == VcpuState::kBlocked);
  CHECK(r.m.vcpu(0).shards == 0);
  CHECK(r.m.core(6).occ == Occ::kIdle);
  // A SHARD core of another vCPU does not match.
  Rig s;
  shard_setup(s);
  s.ack(make_profile(0, 0, 10, 100));
  lat_wake(s, 9);
  s.ack(make_block(0, 1));
  s.ack(make_profile(0, 2, 4, 100));
  CHECK(s.err(make_shard_done(0, 2, 4)) == ErrorCode::kBadState);
}

TEST_CASE("7.5 ACCOUNT has no checks beyond reserved fields") {
  Rig r;
  const Decision d = r.one(make_account(0));
  CHECK(d == Decision{{T(DecisionType::kAck), kFlagLast, 0, r.seq, 0, 0x08, 0, 0}});
}

TEST_CASE("7.5 CORE_CFG") {
  Rig r;
  CHECK(r.err(make_core_cfg(0, 8, 0, true)) == ErrorCode::kBadCore);
  CHECK(r.err(make_core_cfg(0, 1, 2, true)) == ErrorCode::kBadNode);
  r.ack(make_core_cfg(0, 1, 1, true));
  CHECK(r.m.core(1).node == 1);
  r.place(5, 2);
  CHECK(r.err(make_core_cfg(0, 2, 0, false)) == ErrorCode::kCoreBusy);
  r.ack(make_core_cfg(0, 2, 1, true));  // a busy core may move node while online
  CHECK(r.m.core(2).node == 1);
  r.ack(make_core_cfg(0, 3, 0, false));
  CHECK(!r.m.core(3).online);
  // Offline cores are neither idle nor victims.
  for (uint8_t c = 0; c < 8; ++c)
    if (c != 3 && c != 2) r.ack(make_core_cfg(0, c, 0, false));
  CHECK(r.m.prestage(0).kind == PrestageKind::kPreempt);
  CHECK(r.m.prestage(0).core == 2);
}

TEST_CASE("7.5 VCPU_CFG") {
  Rig r;
  CHECK(r.err(make_vcpu_cfg(0, 64, 0, 1)) == ErrorCode::kBadVcpu);
  CHECK(r.err(make_vcpu_cfg(0, 1, 2, 1)) == ErrorCode::kBadNode);
  CHECK(r.err(make_vcpu_cfg(0, 1, 1, 0)) == ErrorCode::kBadArg);
  Event e = make_vcpu_cfg(0, 1, 1, 1);
  e.c16 = 256;
  CHECK(r.err(e) == ErrorCode::kBadArg);
  r.ack(make_vcpu_cfg(0, 1, 1, 255));
  CHECK(r.m.vcpu(1).home == 1);
  CHECK(r.m.vcpu(1).weight == 255);
}

TEST_CASE("7.5 COMMIT checks in order") {
  Rig r;
  r.home(5, 1);
  CHECK(r.err(make_commit(0, 64, 0, 0, 0)) == ErrorCode::kBadVcpu);
  CHECK(r.err(make_commit(0, 5, 8, 1, 0)) == ErrorCode::kBadCore);
  CHECK(r.err(make_commit(0, 5, 0, 2, 0)) == ErrorCode::kBadNode);
  CHECK(r.err(make_commit(0, 5, 0, 0, 0)) == ErrorCode::kBadArg);  // not its home
  r.one(make_wake(0, 5, false));
  CHECK(r.err(make_commit(0, 5, 0, 1, 0)) == ErrorCode::kBadState);
}

TEST_CASE("7.5 COMMIT holds: processed as WAKE(LAT) with COMMITTED on the first decision") {
  Rig r;
  r.ack(make_profile(0, 1, 0, 0));
  PrestageEntry e = r.m.prestage(0);
  REQUIRE(e == PrestageEntry{PrestageKind::kIdle, 0, 0, 1});
  Decision d = r.one(make_commit(0, 7, 0, 0, 1));
  CHECK(d == Decision{{T(DecisionType::kRun), kFlagLast | kFlagCommitted, 7, r.seq, 0, 0, 0, 0}});
  CHECK(r.m.vcpu(7).lat);
  CHECK(r.m.vcpu(7).credit == 100);
  CHECK(r.m.counters().commits == 1);
  CHECK(r.m.counters().aborts == 0);
  // Held commit of a sharded preemption.
  Rig s;
  shard_setup(s);
  s.ack(make_profile(0, 0, 10, 100));
  e = s.m.prestage(0);
  REQUIRE(e.kind == PrestageKind::kPreempt);
  const auto ds = s.step(make_commit(0, 9, e.core, 0, e.epoch));
  REQUIRE(ds.size() == 5);
  CHECK(ds[0].type == T(DecisionType::kPreempt));
  CHECK(ds[0].flags == kFlagCommitted);
  for (int i = 1; i < 5; ++i) CHECK((ds[i].flags & kFlagCommitted) == 0);
  CHECK(ds[4].flags == kFlagLast);
}

TEST_CASE("7.5 COMMIT aborts on a stale epoch, another core or a NONE entry") {
  Rig r;
  r.ack(make_profile(0, 1, 0, 0));
  const PrestageEntry e = r.m.prestage(0);
  // Stale epoch.
  auto d = r.step(make_commit(0, 7, 0, 0, e.epoch - 1));
  REQUIRE(d.size() == 2);
  CHECK(d[0] == Decision{{T(DecisionType::kAbort), 0, 7, r.seq, 0, 0, 0, e.epoch}});
  CHECK(d[1] == Decision{{T(DecisionType::kRun), kFlagLast, 7, r.seq, 0, 0, 0, 0}});
  CHECK(r.m.counters().aborts == 1);
  CHECK(r.m.vcpu(7).lat);
  // Another core (the entry is now core 1 at a new epoch).
  const PrestageEntry e2 = r.m.prestage(0);
  REQUIRE(e2.core == 1);
  REQUIRE(e2.epoch == e.epoch + 1);
  d = r.step(make_commit(0, 8, 2, 0, e2.epoch));
  REQUIRE(d.size() == 2);
  CHECK(d[0].type == T(DecisionType::kAbort));
  CHECK(d[0].core == 2);
  CHECK(d[0].d32 == e2.epoch);
  CHECK(d[1].core == 1);  // the authoritative placement
  // NONE entry right after reset (epoch 0, core 0) never holds.
  Rig s;
  d = s.step(make_commit(0, 3, 0, 0, 0));
  REQUIRE(d.size() == 2);
  CHECK(d[0].type == T(DecisionType::kAbort));
  CHECK(d[0].d32 == 0);
  CHECK(s.m.counters().commits == 0);
}

// ---- 8: prestaged table -----------------------------------------------------------------------------

TEST_CASE("8 prestaged table: epochs count changes of each entry, not events") {
  Rig r;
  CHECK(r.m.prestage(0) == PrestageEntry{PrestageKind::kNone, 0, 0, 0});
  r.ack(make_profile(0, 1, 1, 1));  // first recompute: both nodes see core 0 (node 1: far)
  CHECK(r.m.prestage(0) == PrestageEntry{PrestageKind::kIdle, 0, 0, 1});
  CHECK(r.m.prestage(1) == PrestageEntry{PrestageKind::kIdle, 0, 0, 1});
  r.ack(make_profile(0, 2, 1, 1));  // nothing changed
  CHECK(r.m.prestage(0).epoch == 1);
  r.err(make_wake(0, 99, false));  // errors change nothing
  CHECK(r.m.prestage(0).epoch == 1);
  r.node(7, 1);  // node 1 now has a near idle core 7; node 0 keeps core 0
  CHECK(r.m.prestage(0) == PrestageEntry{PrestageKind::kIdle, 0, 0, 1});
  CHECK(r.m.prestage(1) == PrestageEntry{PrestageKind::kIdle, 7, 0, 2});
  r.one(make_wake(0, 4, false));  // takes core 0: node 0 entry moves to core 1
  CHECK(r.m.prestage(0) == PrestageEntry{PrestageKind::kIdle, 1, 0, 2});
  CHECK(r.m.prestage(1).epoch == 2);
  // PREEMPT entries name the victim's vCPU; a vCPU change is an entry change.
  Rig s;
  for (uint8_t c = 0; c < 8; ++c) s.place(static_cast<uint16_t>(10 + c), c);
  PrestageEntry p = s.m.prestage(0);
  CHECK(p.kind == PrestageKind::kPreempt);
  CHECK(p.core == 0);
  CHECK(p.vcpu == 10);
  s.ack(make_block(0, 10));
  s.one(make_wake(0, 30, false));  // same core, same cost, other vCPU
  CHECK(s.m.prestage(0).vcpu == 30);
  CHECK(s.m.prestage(0).epoch == p.epoch + 2);  // IDLE core 0, then PREEMPT core 0 / v30
}

TEST_CASE("8 epochs wrap modulo 2^32") {
  // Drive one entry through many changes and check it increments by one each time.
  Rig r;
  r.ack(make_profile(0, 1, 1, 1));
  uint32_t last = r.m.prestage(0).epoch;
  for (int i = 0; i < 50; ++i) {
    r.ack(make_util(0, 0, static_cast<uint8_t>(i % 2 ? 0 : 9), 3));  // core 0 vs core 1 alternate
    CHECK(r.m.prestage(0).epoch == last + 1);
    last = r.m.prestage(0).epoch;
  }
}

// ---- 9: errors, counters ------------------------------------------------------------------------------

TEST_CASE("9 counters and sticky errors") {
  Rig r;
  shard_setup(r);
  const Counters base = r.m.counters();
  r.ack(make_profile(0, 0, 10, 100));
  lat_wake(r, 9);  // PREEMPT + 4 SHARD
  r.err(make_wake(0, 1000, false));
  r.err(make_config(0, 0x30, 0));
  Event bad;
  bad.type = 0;
  r.err(bad);
  const Counters& c = r.m.counters();
  CHECK(c.events == base.events + 5);
  CHECK(c.decisions == base.decisions + 1 + 5 + 3);
  CHECK(c.errors == 3);
  CHECK(c.preempts == 1);
  CHECK(c.shards == 4);
  CHECK(r.m.err_sticky() == ((1u << 3) | (1u << 6) | (1u << 1)));
  CHECK(r.m.last_err_code() == 1);
  CHECK(r.m.last_err_seq() == r.seq);
  r.m.clear_err_sticky(1u << 6);
  CHECK(r.m.err_sticky() == ((1u << 3) | (1u << 1)));
  r.m.clear_err_sticky(0xFFFFFFFF);
  CHECK(r.m.err_sticky() == 0);
  // Register-interface errors set sticky bits without decisions.
  r.m.set_err_sticky(ErrorCode::kCfgLocked);
  r.m.set_err_sticky(ErrorCode::kRingOverflow);
  CHECK(r.m.err_sticky() == ((1u << 12) | (1u << 11)));
  CHECK(r.m.counters().errors == 3);
  CHECK_THROWS_AS(r.m.set_err_sticky(ErrorCode::kNone), Error);
}

TEST_CASE("9 every event-reachable error code") {
  // One directed event per code, all on a fresh small model.
  Rig r;
  Event t0;
  CHECK(r.err(t0) == ErrorCode::kBadType);
  Event res = make_block(0, 1);
  res.d32 = 1;
  CHECK(r.err(res) == ErrorCode::kReserved);
  CHECK(r.err(make_block(0, 64)) == ErrorCode::kBadVcpu);
  CHECK(r.err(make_tick(0, 8, 0, 0)) == ErrorCode::kBadCore);
  CHECK(r.err(make_core_cfg(0, 0, 2, true)) == ErrorCode::kBadNode);
  CHECK(r.err(make_config(0, 0x20, 0)) == ErrorCode::kBadKey);
  CHECK(r.err(make_vcpu_cfg(0, 0, 0, 0)) == ErrorCode::kBadArg);
  r.ack(make_core_cfg(0, 0, 0, false));
  CHECK(r.err(make_tick(0, 0, 0, 0)) == ErrorCode::kCoreOffline);
  r.place(1, 1);
  CHECK(r.err(make_core_cfg(0, 1, 0, false)) == ErrorCode::kCoreBusy);
  CHECK(r.err(make_block(0, 2)) == ErrorCode::kBadState);
  CHECK(r.m.err_sticky() == 0x7FEu);
}
