// vShard shard planner as an OpenCL C kernel: one work-item plans one
// preemption (docs/spec.md 7.3-7.4). The planning itself is the shared core
// in planner_core.h, the same code the host path and the HLS top compile.
// The host library embeds this file with the core pasted in place of the
// #include, so no include path is needed at run time.
#include "vshard/hls/planner_core.h"

__kernel void vs_plan(__global const vs_plan_in* in, __global vs_plan_out* out, const uint n) {
  uint gid = (uint)get_global_id(0);
  if (gid < n) {
    vs_plan_shards(in + gid, out + gid);
  }
}
