// Random PlanInputs for the cross-path tests (no model needed): every field
// within the ranges validate_plan_input() accepts, biased so that all
// planner branches (no candidate, shards of the victim still running, sync
// cost too high, load limit, each K, s_T from erun or capped at 128, s cut
// by q(B, K)) are hit often.
#pragma once

#include <cstring>
#include <random>

#include "vshard/hls/planner.h"

namespace vshard::test {

inline PlanInput random_plan_input(std::mt19937_64& rng) {
  auto u = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  PlanInput in;
  std::memset(&in, 0, sizeof in);
  uint32_t pick = u(0, 9);
  in.ncores = pick < 4 ? u(1, 16) : pick < 8 ? u(17, 96) : u(97, 256);
  in.max_shards_param = static_cast<uint8_t>(u(2, 8));
  uint32_t nodes = u(1, 8);
  in.credit = chance(0.5) ? static_cast<int32_t>(u(0, 2000)) - 1000 : static_cast<int32_t>(u(0, 65534)) - 32767;
  in.shard_min_credit =
      chance(0.7) ? static_cast<int32_t>(u(0, 1000)) - 800 : static_cast<int32_t>(u(0, 65534)) - 32767;
  in.bcost = chance(0.7) ? u(0, 200) : u(0, 65535);
  in.sync_cost_us = chance(0.7) ? u(0, 300) : u(0, 65535);
  // the preemptor's expected run (spec 1.1 7.4 T): unknown, short, long, any
  const uint32_t erun_kind = u(0, 3);
  in.erun = erun_kind == 0 ? 0 : erun_kind == 1 ? u(1, 300) : erun_kind == 2 ? u(300, 5000) : u(0, 65535);
  in.load_hot_cores = u(0, in.ncores);
  in.blocks = static_cast<uint8_t>(chance(0.6) ? u(0, 40) : u(0, 255));
  in.home = static_cast<uint8_t>(u(0, nodes - 1));
  in.victim_core = static_cast<uint8_t>(u(0, in.ncores - 1));
  in.shard_enable = chance(0.9) ? 1 : 0;
  in.max_shards_cfg = static_cast<uint8_t>(u(1, in.max_shards_param));
  in.shard_util_max = static_cast<uint8_t>(chance(0.7) ? u(120, 255) : u(0, 255));
  in.shard_min_freq = static_cast<uint8_t>(chance(0.6) ? 0 : u(0, 3));
  in.shard_max_dist = static_cast<uint8_t>(chance(0.7) ? u(10, 40) : u(0, 255));
  in.k_under_load = static_cast<uint8_t>(u(1, in.max_shards_param));
  in.shards = static_cast<uint8_t>(chance(0.85) ? 0 : u(1, in.max_shards_param));
  bool slit = chance(0.5);
  for (uint32_t i = 0; i < 8; ++i)
    for (uint32_t j = 0; j < 8; ++j)
      in.numa_dist[i * 8 + j] = static_cast<uint8_t>(slit ? (i == j ? 10 : 10 + 10 * u(1, 3)) : u(1, 255));
  double busy = u(0, 90) / 100.0;
  double online = u(60, 100) / 100.0;
  // A few large utilisation ties and node ties so "lowest index" matters.
  bool coarse_util = chance(0.3);
  for (uint32_t c = 0; c < in.ncores; ++c) {
    PlanCore pc;
    pc.online = c == in.victim_core || chance(online);
    pc.idle = c != in.victim_core && !(pc.online && chance(busy));
    pc.util = static_cast<uint8_t>(coarse_util ? 64 * u(0, 3) : u(0, 255));
    pc.freq = static_cast<uint8_t>(u(0, 3));
    pc.node = static_cast<uint8_t>(u(0, nodes - 1));
    set_plan_core(in, c, pc);
  }
  return in;
}

}  // namespace vshard::test
