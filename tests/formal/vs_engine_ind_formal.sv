// Engine invariants by k-induction: vs_top's own `ifdef FORMAL assertions
// (rtl/vs_top.sv, end of file) relate the per-core occupancy registers to
// the vCPU table and to the FSM context of the event in flight; the one
// that matters is spec 10.1: RUN / SCHED / SHARD placements only claim an
// idle, online core. Together the invariants imply that a core never holds
// two vCPUs and that a vCPU never runs whole on two cores.
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
  logic awready, wready, bvalid, arready, rvalid;
  logic [1:0] bresp, rresp;
  logic [31:0] rdata;

  vs_top #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_dut (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i(12'd0), .s_axil_awvalid_i(1'b0), .s_axil_awready_o(awready),
    .s_axil_wdata_i(32'd0), .s_axil_wstrb_i(4'd0), .s_axil_wvalid_i(1'b0), .s_axil_wready_o(wready),
    .s_axil_bresp_o(bresp), .s_axil_bvalid_o(bvalid), .s_axil_bready_i(1'b1),
    .s_axil_araddr_i(12'd0), .s_axil_arvalid_i(1'b0), .s_axil_arready_o(arready),
    .s_axil_rdata_o(rdata), .s_axil_rresp_o(rresp), .s_axil_rvalid_o(rvalid), .s_axil_rready_i(1'b1),
    .s_axis_evt_tdata_i(evt_tdata_i), .s_axis_evt_tvalid_i(evt_tvalid_i), .s_axis_evt_tready_o(evt_tready),
    .m_axis_dec_tdata_o(dec_tdata), .m_axis_dec_tvalid_o(dec_tvalid), .m_axis_dec_tready_i(dec_tready_i),
    .m_axis_dec_tlast_o(dec_tlast), .idle_o(idle)
  );

  always_comb begin
    if ($initstate) assume (!rst_ni);
    else assume (rst_ni);
  end

  logic unused;
  assign unused = ^{evt_tready, dec_tvalid, dec_tlast, dec_tdata, awready, wready, bvalid, bresp,
                    arready, rvalid, rresp, rdata, idle};
endmodule
