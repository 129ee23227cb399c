#include <cstring>

#include "vshard/error.h"
#include "vshard/hls/planner_model.h"

namespace vshard {

PlanInput plan_input_from_model(const Model& model, uint32_t victim_core, uint16_t preemptor) {
  const Params& p = model.params();
  if (victim_core >= p.cores)
    throw Error(Errc::kBadInput, "plan_input_from_model: victim core " + std::to_string(victim_core) +
                                     " is not below NCores = " + std::to_string(p.cores));
  const CoreState& pc = model.core(victim_core);
  if (pc.occ != Occ::kRun)
    throw Error(Errc::kBadInput, "plan_input_from_model: core " + std::to_string(victim_core) +
                                     " runs no whole vCPU (occ must be RUN to be preempted)");
  if (preemptor >= p.vcpus)
    throw Error(Errc::kBadInput, "plan_input_from_model: preemptor vCPU " + std::to_string(preemptor) +
                                     " is not below NVcpus = " + std::to_string(p.vcpus));
  const VcpuInfo& u = model.vcpu(pc.vcpu);
  PlanInput in;
  std::memset(&in, 0, sizeof in);
  in.credit = u.credit;
  in.shard_min_credit = static_cast<int32_t>(model.config(cfg::kShardMinCredit));
  in.bcost = u.bcost;
  in.sync_cost_us = model.config(cfg::kSyncCostUs);
  in.erun = model.vcpu(preemptor).erun;
  in.shards = u.shards;
  in.ncores = p.cores;
  in.load_hot_cores = model.config(cfg::kLoadHotCores);
  in.blocks = u.blocks;
  in.home = u.home;
  in.victim_core = static_cast<uint8_t>(victim_core);
  in.max_shards_param = static_cast<uint8_t>(p.max_shards);
  in.shard_enable = static_cast<uint8_t>(model.config(cfg::kShardEnable));
  in.max_shards_cfg = static_cast<uint8_t>(model.config(cfg::kMaxShards));
  in.shard_util_max = static_cast<uint8_t>(model.config(cfg::kShardUtilMax));
  in.shard_min_freq = static_cast<uint8_t>(model.config(cfg::kShardMinFreq));
  in.shard_max_dist = static_cast<uint8_t>(model.config(cfg::kShardMaxDist));
  in.k_under_load = static_cast<uint8_t>(model.config(cfg::kKUnderLoad));
  for (uint32_t i = 0; i < p.nodes; ++i)
    for (uint32_t j = 0; j < p.nodes; ++j)
      in.numa_dist[i * 8 + j] =
          static_cast<uint8_t>(model.config(static_cast<uint16_t>(cfg::kNumaDistBase + 8 * i + j)));
  for (uint32_t c = 0; c < p.cores; ++c) {
    const CoreState& cs = model.core(c);
    PlanCore pcore;
    pcore.online = cs.online;
    pcore.idle = cs.occ == Occ::kIdle;
    pcore.util = cs.util;
    pcore.freq = cs.freq;
    pcore.node = cs.node;
    set_plan_core(in, c, pcore);
  }
  return in;
}

ShardPlan to_shard_plan(const PlanOutput& out) {
  ShardPlan plan;
  plan.k = out.k;
  for (size_t i = 0; i < plan.target.size(); ++i) {
    plan.target[i] = out.target[i];
    plan.first[i] = out.first[i];
    plan.count[i] = out.count[i];
  }
  return plan;
}

}  // namespace vshard
