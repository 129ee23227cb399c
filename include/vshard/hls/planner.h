// vShard shard planner, C++ API (docs/spec.md sections 7.3-7.4).
//
// The planning rules live once, in vshard/hls/planner_core.h (portable C that
// also compiles as OpenCL C). This header offers them to C++:
//   plan_shards()     the host CPU path;
//   plan_shards_hls() the C-simulation of the Vitis-HLS top (hls/vs_plan_hls.cc);
//   vshard::OpenClPlanner (vshard/planner_opencl.h) the OpenCL kernel.
// All three give the same PlanOutput, byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vshard/hls/planner_core.h"

namespace vshard {

using PlanInput = vs_plan_in;
using PlanOutput = vs_plan_out;

// One layout in C++, C and OpenCL C (the OpenCL kernel reads these bytes).
static_assert(sizeof(PlanInput) == 40 + 64 + 2 * VS_PLAN_MAX_CORES, "vs_plan_in layout");
static_assert(offsetof(PlanInput, blocks) == 28 && offsetof(PlanInput, numa_dist) == 40);
static_assert(offsetof(PlanInput, core_info) == 104 && offsetof(PlanInput, util) == 360);
static_assert(sizeof(PlanOutput) == 32, "vs_plan_out layout");
static_assert(offsetof(PlanOutput, target) == 8 && offsetof(PlanOutput, count) == 24);

// Per-core description used to fill a PlanInput.
struct PlanCore {
  bool online = true;
  bool idle = true;  // occ == IDLE
  uint8_t util = 0;
  uint8_t freq = 3;
  uint8_t node = 0;
};

// core_info byte of one core (VS_PLAN_CI_* bits).
uint8_t plan_core_info(const PlanCore& core);
// Sets core c of in (c < VS_PLAN_MAX_CORES).
void set_plan_core(PlanInput& in, uint32_t c, const PlanCore& core);

// Throws vshard::Error(kBadInput) naming the first field out of its range
// (docs/spec.md sections 1, 2 and 5) and what it must be.
void validate_plan_input(const PlanInput& in);

// Host CPU path: validates, then plans.
PlanOutput plan_shards(const PlanInput& in);

// C-simulation of the HLS top function (same core, HLS interface wrapper).
// Plans n inputs as the hardware kernel would; validates each first.
void plan_shards_hls(const PlanInput* in, PlanOutput* out, uint32_t n);
PlanOutput plan_shards_hls(const PlanInput& in);

bool same_plan(const PlanOutput& a, const PlanOutput& b);
std::string to_string(const PlanOutput& out);
std::string to_string(const PlanInput& in);

}  // namespace vshard

// The Vitis-HLS top function (hls/vs_plan_hls.cc): n plans, m_axi in/out.
extern "C" void vs_plan_top(const vs_plan_in* in, vs_plan_out* out, unsigned n);
