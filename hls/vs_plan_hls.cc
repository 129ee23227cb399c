// Vitis-HLS top function of the shard planner (docs/spec.md 7.3-7.4).
//
// Synthesised by Vitis HLS (bitstreams/alveo/) as a kernel with two AXI4
// masters (inputs, outputs) and an AXI4-Lite control port; in this tree it is
// compiled by g++ as the HLS C-simulation, the pragmas ignored. Fixed bounds:
// NCores <= 256, MaxShards <= 8; no dynamic memory. Each input is copied into
// on-chip arrays (partitioned so the per-core scans read one core per cycle),
// planned by the shared core, and written back.
#include "vshard/hls/planner_core.h"

extern "C" void vs_plan_top(const vs_plan_in* in, vs_plan_out* out, unsigned n) {
#pragma HLS INTERFACE mode = m_axi port = in offset = slave bundle = gmem0 depth = 1024 max_read_burst_length = 64
#pragma HLS INTERFACE mode = m_axi port = out offset = slave bundle = gmem1 depth = 1024
#pragma HLS INTERFACE mode = s_axilite port = in
#pragma HLS INTERFACE mode = s_axilite port = out
#pragma HLS INTERFACE mode = s_axilite port = n
#pragma HLS INTERFACE mode = s_axilite port = return
plan_loop:
  for (unsigned j = 0; j < n; ++j) {
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1024
    vs_plan_in local_in;
#pragma HLS ARRAY_PARTITION variable = local_in.numa_dist complete
    vs_plan_out local_out;
#pragma HLS ARRAY_PARTITION variable = local_out.target complete
#pragma HLS ARRAY_PARTITION variable = local_out.first complete
#pragma HLS ARRAY_PARTITION variable = local_out.count complete
    local_in = in[j];
    vs_plan_shards(&local_in, &local_out);
    out[j] = local_out;
  }
}
