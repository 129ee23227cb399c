// Shard planner (docs/spec.md 7.3-7.4): hand-computed cases, input
// validation, and the host, HLS C-simulation and OpenCL paths agreeing on
// random inputs. The golden-model comparison is planner_model_test.cc.
#include <catch2/catch.hpp>
#include <array>
#include <cstring>
#include <string>
#include <random>
#include <vector>

#include "plan_gen.h"
#include "vshard/error.h"
#include "vshard/hls/planner.h"
#ifdef VSHARD_TEST_OPENCL
#include "vshard/hls/planner_opencl.h"
#endif

using namespace vshard;

namespace {

// 8 cores, MaxShards 4, the reset configuration of spec section 5; core 0
// runs the victim, cores 1..7 idle; cores 0-3 on node 0, 4-7 on node 1.
// The victim: 10 blocks of 20 us, credit 0, home 0, no shards running; the
// preemptor's expected run unknown (erun 0).
PlanInput base_input() {
  PlanInput in;
  std::memset(&in, 0, sizeof in);
  in.ncores = 8;
  in.max_shards_param = 4;
  in.credit = 0;
  in.shard_min_credit = -300;
  in.bcost = 20;
  in.sync_cost_us = 50;
  in.erun = 0;
  in.load_hot_cores = 6;
  in.blocks = 10;
  in.home = 0;
  in.victim_core = 0;
  in.shard_enable = 1;
  in.max_shards_cfg = 4;
  in.shard_util_max = 192;
  in.shard_min_freq = 0;
  in.shard_max_dist = 20;
  in.k_under_load = 2;
  in.shards = 0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) in.numa_dist[i * 8 + j] = i == j ? 10 : 20;
  const uint8_t util[8] = {0, 50, 10, 10, 0, 0, 200, 0};
  const uint8_t freq[8] = {3, 3, 3, 2, 3, 3, 3, 3};
  for (uint32_t c = 0; c < 8; ++c) {
    PlanCore pc;
    pc.idle = c != 0;
    pc.util = util[c];
    pc.freq = freq[c];
    pc.node = c < 4 ? 0 : 1;
    set_plan_core(in, c, pc);
  }
  return in;
}

// K = want.size() shards, each {target, first, count}; the size s is the
// count of every shard (1.1: all shards of a preemption are alike); nothing
// past K.
void check_shards(const PlanOutput& out, std::vector<std::array<unsigned, 3>> want) {
  INFO(to_string(out));
  REQUIRE(out.k == want.size());
  CHECK(out.size == (want.empty() ? 0u : want[0][2]));
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("shard " << i);
    CHECK(out.target[i] == want[i][0]);
    CHECK(out.first[i] == want[i][1]);
    CHECK(out.count[i] == want[i][2]);
  }
  for (size_t i = want.size(); i < VS_PLAN_MAX_SHARDS; ++i) CHECK((out.target[i] | out.first[i] | out.count[i]) == 0);
}

// plan_shards(in) refuses in with kBadInput, naming `field` and its value.
void check_refused(const PlanInput& in, const std::string& field, const std::string& value) {
  try {
    plan_shards(in);
    FAIL("no error for " << field);
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.code() == Errc::kBadInput);
    CHECK(std::string(e.what()).find(field + " = " + value + " is out of range") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("reciprocal table gives floor(B/k) for every B < 256, k 1..8", "[planner]") {
  for (uint32_t k = 1; k <= 8; ++k)
    for (uint32_t b = 0; b < 256; ++b) REQUIRE(vs_plan_q(b, k) == b / k);
}

TEST_CASE("planner: K from sync cost, targets by {dist, 3-freq, util}, block split", "[planner]") {
  PlanInput in = base_input();
  PlanOutput out = plan_shards(in);
  // E = cores 1,2,3,4,5,7 (core 6 is hot: 200 >= 192); H = 1 < 6, so
  // L = MaxShards = 4; K0 = min(B 10, E 6, MAX_SHARDS 4, L 4) = 4.
  CHECK(out.eligible == 6);
  CHECK(out.hot == 1);
  CHECK(out.candidate == 1);
  CHECK(out.k0 == 4);
  // T = max(erun 0, SYNC 50) = 50; 20 << 1 = 40 < 50 <= 20 << 2: s_T = 4.
  // s(4) = min(4, q(10,4) = 2) = 2: 2 * 20 = 40 < 50; s(3) = min(4, 3) = 3:
  // 60 >= 50, so K = 3 and s = 3 (cut by q(B,K)): 9 blocks out, 1 kept.
  // Order: core 2 {10,0,10}, core 1 {10,0,50}, core 3 {10,1,10}.
  check_shards(out, {{2, 0, 3}, {1, 3, 3}, {3, 6, 3}});

  SECTION("K falls until s(K) x bcost pays for the sync") {
    // bcost 10: T = 50, 10 << 3 = 80 >= 50 > 40: s_T = 8. s(4) = min(8, 2) = 2:
    // 20 < 50; s(3) = 3: 30 < 50; s(2) = min(8, 5) = 5: 50 >= 50. K = 2, s = 5.
    in.bcost = 10;
    check_shards(plan_shards(in), {{2, 0, 5}, {1, 5, 5}});
  }
  SECTION("s_T from the preemptor's erun: B=8, bcost=100, SYNC=50") {
    in.blocks = 8;
    in.bcost = 100;
    // erun 0: T = 50, 100 << 0 >= 50: s_T = 1. s(4) = min(1, q(8,4) = 2) = 1:
    // 100 >= 50, K = K0 = 4 shards of 1 block; the victim keeps 4.
    check_shards(plan_shards(in), {{2, 0, 1}, {1, 1, 1}, {3, 2, 1}, {4, 3, 1}});
    // erun 100: T = 100 = 100 << 0: still s_T = 1.
    in.erun = 100;
    CHECK(plan_shards(in).size == 1);
    // erun 101: T = 101 > 100, 100 << 1 = 200 >= 101: s_T = 2 = q(8,4): K = 4, s = 2.
    in.erun = 101;
    check_shards(plan_shards(in), {{2, 0, 2}, {1, 2, 2}, {3, 4, 2}, {4, 6, 2}});
    // erun 250: 200 < 250 <= 400: s_T = 4, but s(4) = min(4, q(8,4) = 2) = 2.
    in.erun = 250;
    CHECK(plan_shards(in).size == 2);
    // ... and with MAX_SHARDS 1: K0 = 1, s(1) = min(4, q(8,1) = 8) = 4, 4 kept.
    in.max_shards_cfg = 1;
    check_shards(plan_shards(in), {{2, 0, 4}});
    // erun below SYNC: T = SYNC. erun 30, SYNC 150: T = 150, s_T = 2.
    in.erun = 30;
    in.sync_cost_us = 150;
    check_shards(plan_shards(in), {{2, 0, 2}});
  }
  SECTION("s_T is capped at 128 blocks") {
    // bcost 1, erun 65535: 1 << 7 = 128 < 65535, no j <= 7 reaches T: s_T = 128.
    in.blocks = 255;
    in.bcost = 1;
    in.erun = 65535;
    in.max_shards_cfg = 1;
    // K0 = 1; s(1) = min(128, q(255,1) = 255) = 128: 128 >= 50. 127 kept.
    check_shards(plan_shards(in), {{2, 0, 128}});
    // Four shards: s(4) = min(128, q(255,4) = 63) = 63: 63 >= 50.
    in.max_shards_cfg = 4;
    check_shards(plan_shards(in), {{2, 0, 63}, {1, 63, 63}, {3, 126, 63}, {4, 189, 63}});
    // SYNC 200: B x bcost = 255 >= 200, a candidate; but s(1) = 128 < 200 and
    // every s(k) <= 128: K = 0, the one way a 1.1 candidate gets no shards.
    in.sync_cost_us = 200;
    const PlanOutput capped = plan_shards(in);
    CHECK(capped.candidate == 1);
    CHECK(capped.k0 == 4);
    check_shards(capped, {});
  }
}

TEST_CASE("planner: load limit, candidate test and sync cost", "[planner]") {
  SECTION("H >= LOAD_HOT_CORES caps K at K_UNDER_LOAD") {
    PlanInput in = base_input();
    in.load_hot_cores = 1;
    // H = 1 >= 1: L = 2, K0 = min(10, 6, 4, 2) = 2; s_T = 4, s(2) =
    // min(4, q(10,2) = 5) = 4: 80 >= 50. K = 2 shards of s_T = 4 blocks.
    const PlanOutput out = plan_shards(in);
    CHECK(out.k0 == 2);
    check_shards(out, {{2, 0, 4}, {1, 4, 4}});
    // H = 1 < 2: L = MaxShards, as in the base case.
    in.load_hot_cores = 2;
    CHECK(plan_shards(in).k0 == 4);
    // The busy victim core counts when hot: H = 2 >= 2.
    in.util[0] = 192;
    CHECK(plan_shards(in).hot == 2);
    CHECK(plan_shards(in).k0 == 2);
    // An offline hot core does not: H = 1 again.
    in.util[0] = 0;
    in.core_info[6] &= static_cast<uint8_t>(~VS_PLAN_CI_ONLINE);
    in.util[5] = 255;  // core 5: online, idle and hot (so no longer eligible)
    CHECK(plan_shards(in).hot == 1);
    CHECK(plan_shards(in).eligible == 5);  // cores 1, 2, 3, 4, 7
  }
  SECTION("LOAD_HOT_CORES = 0 is always under load") {
    PlanInput in = base_input();
    in.load_hot_cores = 0;
    in.util[6] = 0;
    PlanOutput out = plan_shards(in);
    CHECK(out.hot == 0);
    CHECK(out.k0 == 2);
    // K_UNDER_LOAD = 1: one shard of s(1) = min(s_T 4, 10) = 4 blocks.
    in.k_under_load = 1;
    check_shards(plan_shards(in), {{2, 0, 4}});
  }
  SECTION("credit below SHARD_MIN_CREDIT: no candidate") {
    PlanInput in = base_input();
    in.credit = -301;
    PlanOutput out = plan_shards(in);
    CHECK(out.candidate == 0);
    CHECK(out.k0 == 0);
    check_shards(out, {});
    in.credit = -300;
    CHECK(plan_shards(in).k == 3);
  }
  SECTION("shards of the victim still running: no candidate") {
    PlanInput in = base_input();
    for (uint8_t n = 1; n <= 4; ++n) {
      INFO("shards " << unsigned(n));
      in.shards = n;
      const PlanOutput out = plan_shards(in);
      CHECK(out.candidate == 0);
      check_shards(out, {});
    }
    in.shards = 0;
    CHECK(plan_shards(in).k == 3);
  }
  SECTION("B x bcost below SYNC_COST_US: no candidate") {
    PlanInput in = base_input();
    in.blocks = 2;  // 2 x 20 = 40 < 50
    PlanOutput out = plan_shards(in);
    CHECK(out.candidate == 0);
    check_shards(out, {});
    // B 3: 60 >= 50, a candidate. K0 = 3; s_T = 4; s(3) = s(2) = q = 1:
    // 20 < 50; s(1) = min(4, 3) = 3: 60 >= 50. K = 1, all 3 blocks.
    in.blocks = 3;
    out = plan_shards(in);
    CHECK(out.candidate == 1);
    CHECK(out.k0 == 3);
    check_shards(out, {{2, 0, 3}});
    // The product is 8 x 16 bits, unsigned: 255 x 65535 >= 65535.
    in.blocks = 255;
    in.bcost = 65535;
    in.sync_cost_us = 65535;
    CHECK(plan_shards(in).candidate == 1);
  }
  SECTION("one block is enough, no block is not; SHARD_ENABLE = 0") {
    PlanInput in = base_input();
    in.blocks = 1;
    in.bcost = 50;  // 1 x 50 >= 50; s_T = 1 (50 >= 50): K = 1 of 1 block
    check_shards(plan_shards(in), {{2, 0, 1}});
    in.blocks = 0;
    in.sync_cost_us = 0;  // 0 x 50 >= 0, but B >= 1 fails
    CHECK(plan_shards(in).candidate == 0);
    CHECK(plan_shards(in).k == 0);
    in = base_input();
    in.shard_enable = 0;
    CHECK(plan_shards(in).candidate == 0);
    CHECK(plan_shards(in).k == 0);
  }
  SECTION("no eligible core: far node, slow or hot cores are skipped") {
    PlanInput in = base_input();
    in.shard_max_dist = 9;
    CHECK(plan_shards(in).eligible == 0);
    CHECK(plan_shards(in).candidate == 0);
    in = base_input();
    in.shard_min_freq = 3;  // core 3 (freq 2) drops out; K = 3, s = 3 as in the base case
    CHECK(plan_shards(in).eligible == 5);
    check_shards(plan_shards(in), {{2, 0, 3}, {1, 3, 3}, {4, 6, 3}});
    in = base_input();
    in.shard_max_dist = 10;  // node 1 too far: E = 3 (cores 1, 2, 3), K0 = 3
    CHECK(plan_shards(in).eligible == 3);
    check_shards(plan_shards(in), {{2, 0, 3}, {1, 3, 3}, {3, 6, 3}});
  }
  SECTION("offline and busy cores are not targets; equal keys go to the lowest index") {
    PlanInput in = base_input();
    in.blocks = 8;
    in.bcost = 100;
    in.core_info[2] &= static_cast<uint8_t>(~VS_PLAN_CI_ONLINE);
    in.core_info[1] &= static_cast<uint8_t>(~VS_PLAN_CI_IDLE);
    for (uint32_t c : {3u, 4u, 5u, 7u}) in.util[c] = 7;  // core 6 stays hot
    // Eligible: 3 {10,1,7}, 4 {20,0,7}, 5 {20,0,7}, 7 {20,0,7}; K0 = 4;
    // s_T = 1 (100 >= 50): K = 4 shards of 1 block.
    check_shards(plan_shards(in), {{3, 0, 1}, {4, 1, 1}, {5, 2, 1}, {7, 3, 1}});
  }
}

TEST_CASE("planner: bad input is refused with a message naming the field", "[planner]") {
  PlanInput in = base_input();
  in.max_shards_cfg = 5;
  check_refused(in, "max_shards_cfg", "5");
  in = base_input();
  in.ncores = 300;
  check_refused(in, "ncores", "300");
  in = base_input();
  in.util[9] = 1;  // past ncores
  CHECK_THROWS_AS(plan_shards_hls(in), Error);
  in = base_input();
  in.core_info[0] |= VS_PLAN_CI_IDLE;  // the preempted core is busy by definition
  CHECK_THROWS_AS(plan_shards(in), Error);
  in = base_input();
  in.bcost = 70000;
  check_refused(in, "bcost", "70000");
  // Spec 1.1 fields: erun is 16 bits, shards at most MaxShards, reserved zero.
  in = base_input();
  in.erun = 65535;
  CHECK_NOTHROW(plan_shards(in));
  in.erun = 65536;
  check_refused(in, "erun", "65536");
  in = base_input();
  in.shards = 4;  // = max_shards_param
  CHECK_NOTHROW(plan_shards(in));
  in.shards = 5;
  check_refused(in, "shards", "5");
  in = base_input();
  in.reserved = 1;
  check_refused(in, "reserved", "1");
  // The HLS top validates the same way.
  in = base_input();
  in.erun = 0x10000;
  CHECK_THROWS_AS(plan_shards_hls(in), Error);
}

TEST_CASE("planner: HLS C-simulation top equals the host path on random inputs", "[planner]") {
  std::mt19937_64 rng(0x51a9d);
  const uint32_t n = 20000;
  std::vector<PlanInput> in(n);
  for (auto& x : in) x = test::random_plan_input(rng);
  std::vector<PlanOutput> hls(n);
  plan_shards_hls(in.data(), hls.data(), n);
  uint32_t k_hist[9] = {}, held_by_shards = 0, size_128 = 0, size_q = 0, size_s_t_from_erun = 0;
  for (uint32_t i = 0; i < n; ++i) {
    PlanOutput host = plan_shards(in[i]);
    if (!same_plan(host, hls[i])) {
      INFO("sample " << i << "\n" << to_string(in[i]));
      CHECK(to_string(host) == to_string(hls[i]));
      REQUIRE(same_plan(host, hls[i]));
    }
    ++k_hist[host.k];
    // Branches of 1.1 (7.3 shards[u] = 0; 7.4 s = min(s_T, q(B, K))).
    if (in[i].shards > 0) {
      PlanInput idle_victim = in[i];
      idle_victim.shards = 0;
      held_by_shards += plan_shards(idle_victim).k > 0;
    }
    if (host.k == 0) continue;
    const uint32_t q = vs_plan_q(in[i].blocks, host.k);
    size_128 += host.size == 128;
    size_q += host.size == q && (q & (q - 1)) != 0;  // not a power of two: not s_T
    size_s_t_from_erun += host.size < q && in[i].erun > in[i].sync_cost_us;
  }
  // The generator reaches every K (spec 1.1: from 1) and every branch.
  for (uint32_t k = 1; k <= 8; ++k) {
    INFO("K = " << k);
    CHECK(k_hist[k] > 20);
  }
  CHECK(k_hist[0] > n / 10);
  INFO("held by shards " << held_by_shards << ", s = 128: " << size_128 << ", s = q(B,K): " << size_q
                         << ", s = s_T < q(B,K) from erun: " << size_s_t_from_erun);
  CHECK(held_by_shards >= 100);
  CHECK(size_128 >= 10);
  CHECK(size_q >= 100);
  CHECK(size_s_t_from_erun >= 100);
}

#ifdef VSHARD_TEST_OPENCL
TEST_CASE("planner: OpenCL kernel equals the host path on random inputs", "[planner][opencl]") {
  OpenClPlanner cl;
  INFO("device " << cl.device_name());
  std::mt19937_64 rng(0xc1c1);
  const uint32_t n = 20000;
  std::vector<PlanInput> in(n);
  for (auto& x : in) x = test::random_plan_input(rng);
  std::vector<PlanOutput> out(n);
  std::memset(out.data(), 0xAB, n * sizeof(PlanOutput));
  cl.plan(in.data(), out.data(), n);
  for (uint32_t i = 0; i < n; ++i) {
    PlanOutput host = plan_shards(in[i]);
    if (!same_plan(host, out[i])) {
      INFO("sample " << i << "\n" << to_string(in[i]));
      CHECK(to_string(host) == to_string(out[i]));
      REQUIRE(same_plan(host, out[i]));
    }
  }
  CHECK(same_plan(cl.plan(base_input()), plan_shards(base_input())));
}

TEST_CASE("planner: OpenCL refuses bad input and unknown devices", "[planner][opencl]") {
  OpenClPlanner cl;
  PlanInput in = base_input();
  in.k_under_load = 0;
  CHECK_THROWS_AS(cl.plan(in), Error);
  try {
    OpenClPlanner none("no-such-opencl-device-xyz");
    FAIL("no error");
  } catch (const Error& e) { CHECK(e.code() == Errc::kDeviceNotFound); }
}
#endif
