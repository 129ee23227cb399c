// Host CPU path of the shard planner and the PlanInput helpers.
#include "vshard/hls/planner.h"

#include <cstring>
#include <sstream>

#include "vshard/error.h"

namespace vshard {

namespace {

[[noreturn]] void bad(const std::string& field, long long value, const std::string& want) {
  throw Error(Errc::kBadInput,
              "shard planner input: " + field + " = " + std::to_string(value) + " is out of range; it must be " + want);
}

}  // namespace

uint8_t plan_core_info(const PlanCore& core) {
  return static_cast<uint8_t>((core.online ? VS_PLAN_CI_ONLINE : 0u) | (core.idle ? VS_PLAN_CI_IDLE : 0u) |
                              ((core.freq & 3u) << VS_PLAN_CI_FREQ_SHIFT) |
                              ((core.node & 7u) << VS_PLAN_CI_NODE_SHIFT));
}

void set_plan_core(PlanInput& in, uint32_t c, const PlanCore& core) {
  if (c >= VS_PLAN_MAX_CORES) bad("core index", c, "below 256");
  if (core.freq > 3) bad("freq of core " + std::to_string(c), core.freq, "0..3");
  if (core.node > 7) bad("node of core " + std::to_string(c), core.node, "0..7");
  in.core_info[c] = plan_core_info(core);
  in.util[c] = core.util;
}

void validate_plan_input(const PlanInput& in) {
  if (in.ncores < 1 || in.ncores > VS_PLAN_MAX_CORES) bad("ncores", in.ncores, "1..256 (parameter NCores)");
  if (in.max_shards_param < 2 || in.max_shards_param > VS_PLAN_MAX_SHARDS)
    bad("max_shards_param", in.max_shards_param, "2..8 (parameter MaxShards)");
  if (in.credit < -32767 || in.credit > 32767) bad("credit", in.credit, "-32767..32767");
  if (in.shard_min_credit < -32767 || in.shard_min_credit > 32767)
    bad("shard_min_credit", in.shard_min_credit, "-32767..32767 (SHARD_MIN_CREDIT)");
  if (in.bcost > 0xFFFF) bad("bcost", in.bcost, "0..65535 (16-bit block cost)");
  if (in.sync_cost_us > 0xFFFF) bad("sync_cost_us", in.sync_cost_us, "0..65535 (SYNC_COST_US)");
  if (in.erun > 0xFFFF) bad("erun", in.erun, "0..65535 (the preemptor's 16-bit expected run, µs)");
  if (in.load_hot_cores > in.ncores) bad("load_hot_cores", in.load_hot_cores, "0..ncores (LOAD_HOT_CORES)");
  if (in.home >= VS_PLAN_MAX_NODES) bad("home", in.home, "0..7 (a NUMA node)");
  if (in.victim_core >= in.ncores) bad("victim_core", in.victim_core, "below ncores");
  if (in.shard_enable > 1) bad("shard_enable", in.shard_enable, "0 or 1 (SHARD_ENABLE)");
  if (in.max_shards_cfg < 1 || in.max_shards_cfg > in.max_shards_param)
    bad("max_shards_cfg", in.max_shards_cfg, "1..max_shards_param (MAX_SHARDS)");
  if (in.shard_min_freq > 3) bad("shard_min_freq", in.shard_min_freq, "0..3 (SHARD_MIN_FREQ)");
  if (in.k_under_load < 1 || in.k_under_load > in.max_shards_param)
    bad("k_under_load", in.k_under_load, "1..max_shards_param (K_UNDER_LOAD)");
  if (in.shards > in.max_shards_param) bad("shards", in.shards, "0..max_shards_param (shards[u] still running)");
  if (in.reserved != 0) bad("reserved", in.reserved, "zero");
  for (uint32_t c = 0; c < VS_PLAN_MAX_CORES; ++c) {
    if (in.core_info[c] & 0x80u) bad("core_info[" + std::to_string(c) + "]", in.core_info[c], "without bit 7");
    if (c >= in.ncores && (in.core_info[c] != 0 || in.util[c] != 0))
      bad("core_info/util[" + std::to_string(c) + "]", in.core_info[c] | (in.util[c] << 8),
          "zero for cores at or past ncores");
  }
  if (in.core_info[in.victim_core] & VS_PLAN_CI_IDLE)
    bad("idle bit of victim_core " + std::to_string(in.victim_core), 1, "0 (the preempted core is busy)");
}

PlanOutput plan_shards(const PlanInput& in) {
  validate_plan_input(in);
  PlanOutput out;
  vs_plan_shards(&in, &out);
  return out;
}

void plan_shards_hls(const PlanInput* in, PlanOutput* out, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) validate_plan_input(in[i]);
  vs_plan_top(in, out, n);
}

PlanOutput plan_shards_hls(const PlanInput& in) {
  PlanOutput out;
  plan_shards_hls(&in, &out, 1);
  return out;
}

bool same_plan(const PlanOutput& a, const PlanOutput& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string to_string(const PlanOutput& out) {
  std::ostringstream s;
  s << "K=" << unsigned(out.k) << " K0=" << unsigned(out.k0) << " s=" << unsigned(out.size)
    << " candidate=" << unsigned(out.candidate) << " E=" << out.eligible << " H=" << out.hot;
  for (unsigned i = 0; i < out.k && i < VS_PLAN_MAX_SHARDS; ++i)
    s << " [" << i << ": core " << unsigned(out.target[i]) << " first " << unsigned(out.first[i]) << " count "
      << unsigned(out.count[i]) << "]";
  return s.str();
}

std::string to_string(const PlanInput& in) {
  std::ostringstream s;
  s << "ncores=" << in.ncores << " MaxShards=" << unsigned(in.max_shards_param)
    << " victim_core=" << unsigned(in.victim_core) << " blocks=" << unsigned(in.blocks) << " bcost=" << in.bcost
    << " credit=" << in.credit << " home=" << unsigned(in.home) << " shards=" << unsigned(in.shards)
    << " erun=" << in.erun << " reserved=" << unsigned(in.reserved) << " SHARD_ENABLE=" << unsigned(in.shard_enable)
    << " MAX_SHARDS=" << unsigned(in.max_shards_cfg) << " SHARD_MIN_CREDIT=" << in.shard_min_credit
    << " SHARD_UTIL_MAX=" << unsigned(in.shard_util_max) << " SHARD_MIN_FREQ=" << unsigned(in.shard_min_freq)
    << " SHARD_MAX_DIST=" << unsigned(in.shard_max_dist) << " LOAD_HOT_CORES=" << in.load_hot_cores
    << " K_UNDER_LOAD=" << unsigned(in.k_under_load) << " SYNC_COST_US=" << in.sync_cost_us << "\n  cores:";
  for (uint32_t c = 0; c < in.ncores && c < VS_PLAN_MAX_CORES; ++c) {
    unsigned ci = in.core_info[c];
    s << " " << c << "{" << ((ci & VS_PLAN_CI_ONLINE) ? "on" : "off") << ((ci & VS_PLAN_CI_IDLE) ? ",idle" : ",busy")
      << ",n" << ((ci >> VS_PLAN_CI_NODE_SHIFT) & 7u) << ",f" << ((ci >> VS_PLAN_CI_FREQ_SHIFT) & 3u) << ",u"
      << unsigned(in.util[c]) << "}";
  }
  s << "\n  dist[home]:";
  for (unsigned j = 0; j < VS_PLAN_MAX_NODES; ++j) s << " " << unsigned(in.numa_dist[(in.home & 7u) * 8 + j]);
  return s.str();
}

}  // namespace vshard
