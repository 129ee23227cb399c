// PlanInput from a golden-model state: what the planner sees when the latency
// wake of vCPU `preemptor` preempts the vCPU running on victim_core
// (docs/spec.md 7.5, WAKE rules 3 and 5).
#pragma once

#include <cstdint>

#include "vshard/model.h"
#include "vshard/hls/planner.h"

namespace vshard {

// Throws Error(kBadInput) if victim_core is out of range or does not run a
// vCPU, or the preemptor does not exist.
PlanInput plan_input_from_model(const Model& model, uint32_t victim_core, uint16_t preemptor);

// The planner's output as the model's ShardPlan (for a Model::set_shard_planner hook).
ShardPlan to_shard_plan(const PlanOutput& out);

}  // namespace vshard
