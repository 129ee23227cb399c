// Engine invariants by k-induction: vs_top's own `ifdef FORMAL assertions
// (rtl/vs_top.sv, end of file) relate the per-core occupancy registers to
// the vCPU table and to the FSM context of the event in flight. Spec 1.1
// section 10: RUN / SCHED / SHARD placements only claim an idle, online
// core (10.1); a vCPU runs whole on at most one core, and shards[v] equals
// the number of SHARD cores of v in any state of v (10.2); no placement
// names a parked vCPU (10.6). Together the invariants imply that a core
// never holds two vCPUs and that a vCPU never runs whole on two cores.
// Environment: reset in the first cycle only; events and decision
// back-pressure completely free (any type, ids, flags, payload, any
// timing); the AXI4-Lite port idle (no configuration writes, no
// SOFT_RESET: configuration changes come through CONFIG events).
module vs_engine_ind_formal #(
  parameter int NCores = 2,
  parameter int NVcpus = 4,
  parameter int NNodes = 1,
  parameter int MaxShards = 2
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [127:0] evt_tdata_i,
  input logic         evt_tvalid_i,
  input logic         dec_tready_i
);
  logic evt_tready, dec_tvalid, dec_tlast, idle;
  logic [127:0] dec_tdata;

  vs_engine_dut #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_dut (
    .clk_i, .rst_ni, .evt_tdata_i, .evt_tvalid_i, .evt_tready_o(evt_tready), .dec_tdata_o(dec_tdata),
    .dec_tvalid_o(dec_tvalid), .dec_tready_i, .dec_tlast_o(dec_tlast), .idle_o(idle)
  );

  always_comb begin
    if ($initstate) assume (!rst_ni);
    else assume (rst_ni);
  end

  logic unused;
  assign unused = ^{evt_tready, dec_tvalid, dec_tlast, dec_tdata, idle};
endmodule
