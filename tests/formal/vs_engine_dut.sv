// The engine as both engine proofs see it (vs_engine_formal.sv, port-level
// BMC; vs_engine_ind_formal.sv, k-induction): vs_top with its AXI4-Lite port
// held idle (no register access, so no configuration writes and no
// SOFT_RESET) and its two AXI-Streams and idle flag brought out.
module vs_engine_dut #(
  parameter int NCores = 2,
  parameter int NVcpus = 4,
  parameter int NNodes = 1,
  parameter int MaxShards = 2
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic [127:0] evt_tdata_i,
  input  logic         evt_tvalid_i,
  output logic         evt_tready_o,
  output logic [127:0] dec_tdata_o,
  output logic         dec_tvalid_o,
  input  logic         dec_tready_i,
  output logic         dec_tlast_o,
  output logic         idle_o
);
  logic awready, wready, bvalid, arready, rvalid;
  logic [1:0] bresp, rresp;
  logic [31:0] rdata;
  logic [NNodes*32-1:0] pre_entry, pre_epoch;

  vs_top #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_top (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i(12'd0), .s_axil_awvalid_i(1'b0), .s_axil_awready_o(awready),
    .s_axil_wdata_i(32'd0), .s_axil_wstrb_i(4'd0), .s_axil_wvalid_i(1'b0), .s_axil_wready_o(wready),
    .s_axil_bresp_o(bresp), .s_axil_bvalid_o(bvalid), .s_axil_bready_i(1'b1),
    .s_axil_araddr_i(12'd0), .s_axil_arvalid_i(1'b0), .s_axil_arready_o(arready),
    .s_axil_rdata_o(rdata), .s_axil_rresp_o(rresp), .s_axil_rvalid_o(rvalid), .s_axil_rready_i(1'b1),
    .s_axis_evt_tdata_i(evt_tdata_i), .s_axis_evt_tvalid_i(evt_tvalid_i), .s_axis_evt_tready_o(evt_tready_o),
    .m_axis_dec_tdata_o(dec_tdata_o), .m_axis_dec_tvalid_o(dec_tvalid_o), .m_axis_dec_tready_i(dec_tready_i),
    .m_axis_dec_tlast_o(dec_tlast_o), .idle_o, .pre_entry_o(pre_entry), .pre_epoch_o(pre_epoch)
  );

  logic unused;
  assign unused = ^{awready, wready, bvalid, bresp, arready, rvalid, rresp, rdata, pre_entry, pre_epoch};
endmodule
