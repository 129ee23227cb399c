// Shard planner (docs/spec.md 7.3-7.4): hand-computed cases, input
// validation, and the host, HLS C-simulation and OpenCL paths agreeing on
// random inputs. The golden-model comparison is planner_model_test.cc.
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <vector>

#include "plan_gen.h"
#include "vshard/error.h"
#include "vshard/planner.h"
#ifdef VSHARD_TEST_OPENCL
#include "vshard/planner_opencl.h"
#endif

using namespace vshard;

namespace {

// 8 cores, MaxShards 4, the reset configuration of spec section 5; core 0
// runs the victim, cores 1..7 idle; cores 0-3 on node 0, 4-7 on node 1.
PlanInput base_input() {
  PlanInput in;
  std::memset(&in, 0, sizeof in);
  in.ncores = 8;
  in.max_shards_param = 4;
  in.credit = 0;
  in.shard_min_credit = -300;
  in.bcost = 20;
  in.sync_cost_us = 50;
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

void check_shards(const PlanOutput& out, std::vector<std::array<unsigned, 3>> want) {
  REQUIRE(out.k == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("shard " << i);
    CHECK(out.target[i] == want[i][0]);
    CHECK(out.first[i] == want[i][1]);
    CHECK(out.count[i] == want[i][2]);
  }
  for (size_t i = want.size(); i < VS_PLAN_MAX_SHARDS; ++i) CHECK((out.target[i] | out.first[i] | out.count[i]) == 0);
}

}  // namespace

TEST_CASE("reciprocal table gives floor(B/k) for every B < 256, k 1..8", "[planner]") {
  for (uint32_t k = 1; k <= 8; ++k)
    for (uint32_t b = 0; b < 256; ++b) REQUIRE(vs_plan_q(b, k) == b / k);
}

TEST_CASE("planner: K from sync cost, targets by {dist, 3-freq, util}, block split", "[planner]") {
  PlanInput in = base_input();
  PlanOutput out = plan_shards(in);
  // E = cores 1,2,3,4,5,7 (core 6 is hot); H = 1 < 6 so L = MaxShards = 4.
  CHECK(out.eligible == 6);
  CHECK(out.hot == 1);
  CHECK(out.candidate == 1);
  CHECK(out.k0 == 4);
  // q(10,4)*20 = 40 < 50; q(10,3)*20 = 60 >= 50 -> K = 3. Order: core 2
  // {10,0,10}, core 1 {10,0,50}, core 3 {10,1,10}. q = 3, r = 1.
  check_shards(out, {{2, 0, 4}, {1, 4, 3}, {3, 7, 3}});
}

TEST_CASE("planner: load limit, candidate test and sync cost", "[planner]") {
  SECTION("H >= LOAD_HOT_CORES caps K at K_UNDER_LOAD") {
    PlanInput in = base_input();
    in.load_hot_cores = 1;
    check_shards(plan_shards(in), {{2, 0, 5}, {1, 5, 5}});
  }
  SECTION("LOAD_HOT_CORES = 0 is always under load") {
    PlanInput in = base_input();
    in.load_hot_cores = 0;
    in.util[6] = 0;
    PlanOutput out = plan_shards(in);
    CHECK(out.hot == 0);
    CHECK(out.k0 == 2);
  }
  SECTION("credit below SHARD_MIN_CREDIT: no candidate") {
    PlanInput in = base_input();
    in.credit = -301;
    PlanOutput out = plan_shards(in);
    CHECK(out.candidate == 0);
    check_shards(out, {});
    in.credit = -300;
    CHECK(plan_shards(in).k == 3);
  }
  SECTION("fewer than two blocks or SHARD_ENABLE = 0: no candidate") {
    PlanInput in = base_input();
    in.blocks = 1;
    CHECK(plan_shards(in).candidate == 0);
    in.blocks = 10;
    in.shard_enable = 0;
    CHECK(plan_shards(in).candidate == 0);
    CHECK(plan_shards(in).k == 0);
  }
  SECTION("shards not worth the sync cost: candidate but K = 0") {
    PlanInput in = base_input();
    in.bcost = 1;
    PlanOutput out = plan_shards(in);
    CHECK(out.candidate == 1);
    CHECK(out.k == 0);
  }
  SECTION("no eligible core: far node, slow or hot cores are skipped") {
    PlanInput in = base_input();
    in.shard_max_dist = 9;
    CHECK(plan_shards(in).eligible == 0);
    CHECK(plan_shards(in).candidate == 0);
    in = base_input();
    in.shard_min_freq = 3;  // core 3 (freq 2) drops out
    CHECK(plan_shards(in).eligible == 5);
    check_shards(plan_shards(in), {{2, 0, 4}, {1, 4, 3}, {4, 7, 3}});
  }
  SECTION("offline and busy cores are not targets; equal keys go to the lowest index") {
    PlanInput in = base_input();
    in.blocks = 8;
    in.bcost = 100;
    in.max_shards_cfg = 4;
    in.core_info[2] &= static_cast<uint8_t>(~VS_PLAN_CI_ONLINE);
    in.core_info[1] &= static_cast<uint8_t>(~VS_PLAN_CI_IDLE);
    for (uint32_t c : {3u, 4u, 5u, 7u}) in.util[c] = 7;  // core 6 stays hot
    // Eligible: 3 {10,1,7}, 4 {20,0,7}, 5 {20,0,7}, 7 {20,0,7}; K = 4.
    check_shards(plan_shards(in), {{3, 0, 2}, {4, 2, 2}, {5, 4, 2}, {7, 6, 2}});
  }
}

TEST_CASE("planner: bad input is refused with a message naming the field", "[planner]") {
  PlanInput in = base_input();
  in.max_shards_cfg = 5;
  try {
    plan_shards(in);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kBadInput);
    CHECK(std::string(e.what()).find("max_shards_cfg") != std::string::npos);
  }
  in = base_input();
  in.ncores = 300;
  CHECK_THROWS_AS(plan_shards(in), Error);
  in = base_input();
  in.util[9] = 1;  // past ncores
  CHECK_THROWS_AS(plan_shards_hls(in), Error);
  in = base_input();
  in.core_info[0] |= VS_PLAN_CI_IDLE;  // the preempted core is busy by definition
  CHECK_THROWS_AS(plan_shards(in), Error);
  in = base_input();
  in.bcost = 70000;
  CHECK_THROWS_AS(plan_shards(in), Error);
}

TEST_CASE("planner: HLS C-simulation top equals the host path on random inputs", "[planner]") {
  std::mt19937_64 rng(0x51a9d);
  const uint32_t n = 20000;
  std::vector<PlanInput> in(n);
  for (auto& x : in) x = test::random_plan_input(rng);
  std::vector<PlanOutput> hls(n);
  plan_shards_hls(in.data(), hls.data(), n);
  uint32_t k_hist[9] = {};
  for (uint32_t i = 0; i < n; ++i) {
    PlanOutput host = plan_shards(in[i]);
    if (!same_plan(host, hls[i])) {
      INFO("sample " << i << "\n" << to_string(in[i]));
      CHECK(to_string(host) == to_string(hls[i]));
      REQUIRE(same_plan(host, hls[i]));
    }
    ++k_hist[host.k];
  }
  // The generator reaches every K.
  for (uint32_t k = 2; k <= 8; ++k) CHECK(k_hist[k] > 20);
  CHECK(k_hist[0] > n / 10);
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
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kDeviceNotFound);
  }
}
#endif
