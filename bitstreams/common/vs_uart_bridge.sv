// UART framing bridge to the vShard engine's streams and registers.
//
// Host -> FPGA frames (bytes, 8N1):
//   'E' (0x45) + 16 bytes          event descriptor, byte i = tdata[8i+7:8i]
//   'W' (0x57) + addr[2] + data[4]  AXI4-Lite write (little-endian)
//   'R' (0x52) + addr[2]            AXI4-Lite read
// FPGA -> host frames:
//   'D' (0x44) + 16 bytes          decision descriptor (LAST is its flag bit 0)
//   'w' (0x77) + bresp             write response
//   'r' (0x72) + data[4] + rresp   read response
//   '?' (0x3F) + byte              unknown command byte (ignored)
// Flow control is the host's: send the next event after the previous one's
// LAST decision, and the next register command after its response. A byte
// that arrives while the bridge is still handing a frame over is dropped and
// sets overrun_o (sticky until reset).
module vs_uart_bridge #(
  /// Clock cycles per UART bit (clock / baud).
  parameter int unsigned ClksPerBit = 104
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         rx_i,
  output logic         tx_o,
  output logic         overrun_o,
  // AXI4-Lite master
  output logic [11:0]  m_axil_awaddr_o,
  output logic         m_axil_awvalid_o,
  input  logic         m_axil_awready_i,
  output logic [31:0]  m_axil_wdata_o,
  output logic [3:0]   m_axil_wstrb_o,
  output logic         m_axil_wvalid_o,
  input  logic         m_axil_wready_i,
  input  logic [1:0]   m_axil_bresp_i,
  input  logic         m_axil_bvalid_i,
  output logic         m_axil_bready_o,
  output logic [11:0]  m_axil_araddr_o,
  output logic         m_axil_arvalid_o,
  input  logic         m_axil_arready_i,
  input  logic [31:0]  m_axil_rdata_i,
  input  logic [1:0]   m_axil_rresp_i,
  input  logic         m_axil_rvalid_i,
  output logic         m_axil_rready_o,
  // events out, decisions in
  output logic [127:0] m_axis_evt_tdata_o,
  output logic         m_axis_evt_tvalid_o,
  input  logic         m_axis_evt_tready_i,
  input  logic [127:0] s_axis_dec_tdata_i,
  input  logic         s_axis_dec_tvalid_i,
  output logic         s_axis_dec_tready_o
);
  localparam logic [7:0] CmdEvt = 8'h45, CmdWr = 8'h57, CmdRd = 8'h52;
  localparam logic [7:0] RspDec = 8'h44, RspWr = 8'h77, RspRd = 8'h72, RspUnk = 8'h3F;

  localparam logic [2:0] SCmd = 3'd0, SPay = 3'd1, SEvt = 3'd2, SWr = 3'd3, SB = 3'd4, SAr = 3'd5, SR = 3'd6;

  logic [7:0] rx_data;
  logic rx_valid;
  logic tx_ready;

  vs_uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i, .rst_ni, .rx_i, .data_o(rx_data), .valid_o(rx_valid)
  );

  // ---- receive side -------------------------------------------------------
  logic [2:0] state_q, state_d;
  logic [7:0] cmd_q, cmd_d;
  logic [4:0] left_q, left_d;
  logic [127:0] buf_q, buf_d;
  logic aw_done_q, aw_done_d, w_done_q, w_done_d;
  logic overrun_q, overrun_d;
  // a response waiting for the transmitter: {len, 6 bytes}
  logic rsp_pend_q, rsp_pend_d;
  logic [47:0] rsp_q, rsp_d;
  logic [2:0] rsp_len_q, rsp_len_d;
  logic unk_pend_q, unk_pend_d;
  logic [7:0] unk_q, unk_d;
  // transmitter
  logic [135:0] txb_q, txb_d;
  logic [4:0] txn_q, txn_d;
  logic tx_take_rsp, tx_take_unk, tx_take_dec;

  always_comb begin
    state_d = state_q;
    cmd_d = cmd_q;
    left_d = left_q;
    buf_d = buf_q;
    aw_done_d = aw_done_q;
    w_done_d = w_done_q;
    overrun_d = overrun_q;
    rsp_pend_d = rsp_pend_q;
    rsp_d = rsp_q;
    rsp_len_d = rsp_len_q;
    unk_pend_d = unk_pend_q;
    unk_d = unk_q;
    case (state_q)
      SCmd: begin
        if (rx_valid) begin
          cmd_d = rx_data;
          if (rx_data == CmdEvt) begin
            left_d = 5'd16;
            state_d = SPay;
          end else if (rx_data == CmdWr) begin
            left_d = 5'd6;
            state_d = SPay;
          end else if (rx_data == CmdRd) begin
            left_d = 5'd2;
            state_d = SPay;
          end else if (!unk_pend_q) begin
            unk_pend_d = 1'b1;
            unk_d = rx_data;
          end
        end
      end
      SPay: begin
        if (rx_valid) begin
          buf_d = {rx_data, buf_q[127:8]};
          left_d = left_q - 1'b1;
          if (left_q == 5'd1) begin
            if (cmd_q == CmdEvt) state_d = SEvt;
            else if (cmd_q == CmdWr) state_d = SWr;
            else state_d = SAr;
            aw_done_d = 1'b0;
            w_done_d = 1'b0;
          end
        end
      end
      SEvt: begin
        if (m_axis_evt_tready_i) state_d = SCmd;
      end
      SWr: begin
        if (m_axil_awready_i) aw_done_d = 1'b1;
        if (m_axil_wready_i) w_done_d = 1'b1;
        if ((aw_done_q || m_axil_awready_i) && (w_done_q || m_axil_wready_i)) state_d = SB;
      end
      SB: begin
        if (m_axil_bvalid_i && !rsp_pend_q) begin
          rsp_pend_d = 1'b1;
          rsp_d = {38'd0, m_axil_bresp_i, RspWr};
          rsp_len_d = 3'd2;
          state_d = SCmd;
        end
      end
      SAr: begin
        if (m_axil_arready_i) state_d = SR;
      end
      default: begin  // SR
        if (m_axil_rvalid_i && !rsp_pend_q) begin
          rsp_pend_d = 1'b1;
          rsp_d = {6'd0, m_axil_rresp_i, m_axil_rdata_i, RspRd};
          rsp_len_d = 3'd6;
          state_d = SCmd;
        end
      end
    endcase
    if (rx_valid && state_q != SCmd && state_q != SPay) overrun_d = 1'b1;
    if (tx_take_rsp) rsp_pend_d = 1'b0;
    if (tx_take_unk) unk_pend_d = 1'b0;
  end

  assign m_axis_evt_tdata_o = buf_q;
  assign m_axis_evt_tvalid_o = state_q == SEvt;
  assign m_axil_awaddr_o = buf_q[91:80];
  assign m_axil_wdata_o = buf_q[127:96];
  assign m_axil_wstrb_o = 4'hF;
  assign m_axil_awvalid_o = state_q == SWr && !aw_done_q;
  assign m_axil_wvalid_o = state_q == SWr && !w_done_q;
  assign m_axil_bready_o = state_q == SB && !rsp_pend_q;
  assign m_axil_araddr_o = buf_q[123:112];
  assign m_axil_arvalid_o = state_q == SAr;
  assign m_axil_rready_o = state_q == SR && !rsp_pend_q;
  assign overrun_o = overrun_q;

  // ---- transmit side: one frame buffer, responses before decisions -------
  logic tx_idle;
  assign tx_idle = txn_q == 5'd0;
  assign tx_take_rsp = tx_idle && rsp_pend_q;
  assign tx_take_unk = tx_idle && !rsp_pend_q && unk_pend_q;
  assign tx_take_dec = tx_idle && !rsp_pend_q && !unk_pend_q && s_axis_dec_tvalid_i;
  assign s_axis_dec_tready_o = tx_take_dec;

  always_comb begin
    txb_d = txb_q;
    txn_d = txn_q;
    if (tx_take_rsp) begin
      txb_d = {88'd0, rsp_q};
      txn_d = {2'b00, rsp_len_q};
    end else if (tx_take_unk) begin
      txb_d = {120'd0, unk_q, RspUnk};
      txn_d = 5'd2;
    end else if (tx_take_dec) begin
      txb_d = {s_axis_dec_tdata_i, RspDec};
      txn_d = 5'd17;
    end else if (!tx_idle && tx_ready) begin
      txb_d = {8'd0, txb_q[135:8]};
      txn_d = txn_q - 1'b1;
    end
  end

  vs_uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i, .rst_ni, .data_i(txb_q[7:0]), .valid_i(!tx_idle), .ready_o(tx_ready), .tx_o
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SCmd;
      cmd_q <= '0;
      left_q <= '0;
      buf_q <= '0;
      aw_done_q <= 1'b0;
      w_done_q <= 1'b0;
      overrun_q <= 1'b0;
      rsp_pend_q <= 1'b0;
      rsp_q <= '0;
      rsp_len_q <= '0;
      unk_pend_q <= 1'b0;
      unk_q <= '0;
      txb_q <= '0;
      txn_q <= '0;
    end else begin
      state_q <= state_d;
      cmd_q <= cmd_d;
      left_q <= left_d;
      buf_q <= buf_d;
      aw_done_q <= aw_done_d;
      w_done_q <= w_done_d;
      overrun_q <= overrun_d;
      rsp_pend_q <= rsp_pend_d;
      rsp_q <= rsp_d;
      rsp_len_q <= rsp_len_d;
      unk_pend_q <= unk_pend_d;
      unk_q <= unk_d;
      txb_q <= txb_d;
      txn_q <= txn_d;
    end
  end
endmodule
