// iCE40-HX8K breakout board top: the vShard engine (4 cores / 16 vCPUs /
// 2 nodes / 2 shards by default) behind the UART framing bridge
// (bitstreams/common/vs_uart_bridge.sv) on the board's FTDI channel B.
// 12 MHz board clock, 115200 baud. LEDs: 0 engine idle, 1 bridge overrun,
// 2 decision stream valid, 3 heartbeat; 4-7 off.
module vs_ice40_top #(
  /// Engine parameters (docs/spec.md section 1).
  parameter int unsigned NCores = 4,
  parameter int unsigned NVcpus = 16,
  parameter int unsigned NNodes = 2,
  parameter int unsigned MaxShards = 2,
  /// Board clock / UART baud rate.
  parameter int unsigned ClksPerBit = 104
) (
  input  logic       clk_i,
  input  logic       uart_rx_i,
  output logic       uart_tx_o,
  output logic [7:0] led_o
);
  // Power-on reset: 16 cycles (iCE40 flip-flops start at 0).
  logic [4:0] por_q = 5'd0;
  logic rst_n;
  always_ff @(posedge clk_i) begin
    if (!por_q[4]) por_q <= por_q + 5'd1;
  end
  assign rst_n = por_q[4];

  logic [11:0] awaddr, araddr;
  logic awvalid, awready, wvalid, wready, bvalid, bready, arvalid, arready, rvalid, rready;
  logic [31:0] wdata, rdata;
  logic [3:0] wstrb;
  logic [1:0] bresp, rresp;
  logic [127:0] evt_tdata, dec_tdata;
  logic evt_tvalid, evt_tready, dec_tvalid, dec_tready, dec_tlast, idle, overrun;
  logic [NNodes*32-1:0] pre_entry, pre_epoch;

  vs_uart_bridge #(.ClksPerBit(ClksPerBit)) u_bridge (
    .clk_i, .rst_ni(rst_n), .rx_i(uart_rx_i), .tx_o(uart_tx_o), .overrun_o(overrun),
    .m_axil_awaddr_o(awaddr), .m_axil_awvalid_o(awvalid), .m_axil_awready_i(awready),
    .m_axil_wdata_o(wdata), .m_axil_wstrb_o(wstrb), .m_axil_wvalid_o(wvalid), .m_axil_wready_i(wready),
    .m_axil_bresp_i(bresp), .m_axil_bvalid_i(bvalid), .m_axil_bready_o(bready),
    .m_axil_araddr_o(araddr), .m_axil_arvalid_o(arvalid), .m_axil_arready_i(arready),
    .m_axil_rdata_i(rdata), .m_axil_rresp_i(rresp), .m_axil_rvalid_i(rvalid), .m_axil_rready_o(rready),
    .m_axis_evt_tdata_o(evt_tdata), .m_axis_evt_tvalid_o(evt_tvalid), .m_axis_evt_tready_i(evt_tready),
    .s_axis_dec_tdata_i(dec_tdata), .s_axis_dec_tvalid_i(dec_tvalid), .s_axis_dec_tready_o(dec_tready)
  );

  // LazyRefill 0: ACCOUNT's lazy refill (a second credit unit, the sweep
  // logic) does not fit the HX8K; with 8 vCPUs the eager sweep is short.
  // Forward 0: nor does the WAKE overlap's forwarding; a WAKE waits for IDLE.
  // RingRegs 0: the rings block is storage for a DMA front-end, which this
  // board does not have; it reads 0 here.
  vs_top #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards), .LazyRefill(1'b0),
           .Forward(1'b0), .RingRegs(1'b0)) u_engine (
    .clk_i, .rst_ni(rst_n),
    .s_axil_awaddr_i(awaddr), .s_axil_awvalid_i(awvalid), .s_axil_awready_o(awready),
    .s_axil_wdata_i(wdata), .s_axil_wstrb_i(wstrb), .s_axil_wvalid_i(wvalid), .s_axil_wready_o(wready),
    .s_axil_bresp_o(bresp), .s_axil_bvalid_o(bvalid), .s_axil_bready_i(bready),
    .s_axil_araddr_i(araddr), .s_axil_arvalid_i(arvalid), .s_axil_arready_o(arready),
    .s_axil_rdata_o(rdata), .s_axil_rresp_o(rresp), .s_axil_rvalid_o(rvalid), .s_axil_rready_i(rready),
    .s_axis_evt_tdata_i(evt_tdata), .s_axis_evt_tvalid_i(evt_tvalid), .s_axis_evt_tready_o(evt_tready),
    .m_axis_dec_tdata_o(dec_tdata), .m_axis_dec_tvalid_o(dec_tvalid), .m_axis_dec_tready_i(dec_tready),
    .m_axis_dec_tlast_o(dec_tlast),
    .idle_o(idle), .pre_entry_o(pre_entry), .pre_epoch_o(pre_epoch)
  );

  logic [23:0] beat_q = 24'd0;
  always_ff @(posedge clk_i) beat_q <= beat_q + 24'd1;

  assign led_o = {4'b0000, beat_q[23], dec_tvalid, overrun, idle};

  logic unused;
  assign unused = ^{dec_tlast, pre_entry, pre_epoch};  // no DMA on this board: the host reads PRE_* over the UART
endmodule
