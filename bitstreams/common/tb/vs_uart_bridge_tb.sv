// Self-checking testbench of vs_uart_bridge (run by `verilator --binary
// --timing`, CTest uart_bridge_tb): a serial host model sends framed
// events and register commands; a fake engine echoes each event back as a
// decision (bytes reversed, so ordering errors show) and serves a 4-register
// AXI4-Lite file with random ready delays. The host model decodes the TX
// line and checks every frame.
`timescale 1ns / 1ps
module vs_uart_bridge_tb;
  localparam int Cpb = 8;  // clocks per bit
  logic clk = 0, rst_n = 0, rx = 1, tx, overrun;
  always #5 clk = ~clk;

  logic [11:0] awaddr, araddr;
  logic awvalid, awready, wvalid, wready, bvalid, bready, arvalid, arready, rvalid, rready;
  logic [31:0] wdata, rdata;
  logic [3:0] wstrb;
  logic [127:0] evt, dec;
  logic evt_v, evt_r, dec_v, dec_r;

  vs_uart_bridge #(.ClksPerBit(Cpb)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .rx_i(rx), .tx_o(tx), .overrun_o(overrun),
    .m_axil_awaddr_o(awaddr), .m_axil_awvalid_o(awvalid), .m_axil_awready_i(awready),
    .m_axil_wdata_o(wdata), .m_axil_wstrb_o(wstrb), .m_axil_wvalid_o(wvalid), .m_axil_wready_i(wready),
    .m_axil_bresp_i(2'b00), .m_axil_bvalid_i(bvalid), .m_axil_bready_o(bready),
    .m_axil_araddr_o(araddr), .m_axil_arvalid_o(arvalid), .m_axil_arready_i(arready),
    .m_axil_rdata_i(rdata), .m_axil_rresp_i(2'b00), .m_axil_rvalid_i(rvalid), .m_axil_rready_o(rready),
    .m_axis_evt_tdata_o(evt), .m_axis_evt_tvalid_o(evt_v), .m_axis_evt_tready_i(evt_r),
    .s_axis_dec_tdata_i(dec), .s_axis_dec_tvalid_i(dec_v), .s_axis_dec_tready_o(dec_r)
  );

  // ---- fake engine -------------------------------------------------------
  logic [31:0] regs [4];
  logic have_aw = 0, have_w = 0;
  logic [11:0] aw_q;
  logic [31:0] w_q;
  always_ff @(posedge clk) begin
    awready <= ($urandom % 3) == 0 && !have_aw;
    wready <= ($urandom % 3) == 0 && !have_w;
    arready <= ($urandom % 2) == 0 && !rvalid;
    evt_r <= ($urandom % 4) == 0 && !dec_v;
    if (awvalid && awready) begin have_aw <= 1; aw_q <= awaddr; end
    if (wvalid && wready) begin have_w <= 1; w_q <= wdata; end
    if (have_aw && have_w && !bvalid) begin
      regs[aw_q[3:2]] <= w_q;
      bvalid <= 1;
      have_aw <= 0;
      have_w <= 0;
    end
    if (bvalid && bready) bvalid <= 0;
    if (arvalid && arready) begin rvalid <= 1; rdata <= regs[araddr[3:2]] ^ {20'd0, araddr}; end
    if (rvalid && rready) rvalid <= 0;
    if (evt_v && evt_r) begin
      dec_v <= 1;
      for (int i = 0; i < 16; i++) dec[8*i +: 8] <= evt[8*(15-i) +: 8];
    end
    if (dec_v && dec_r) dec_v <= 0;
    if (!rst_n) begin bvalid <= 0; rvalid <= 0; dec_v <= 0; end
  end

  // ---- host model --------------------------------------------------------
  task automatic send_byte(input logic [7:0] b);
    rx = 0;
    repeat (Cpb) @(posedge clk);
    for (int i = 0; i < 8; i++) begin
      rx = b[i];
      repeat (Cpb) @(posedge clk);
    end
    rx = 1;
    repeat (Cpb) @(posedge clk);
  endtask

  task automatic recv_byte(output logic [7:0] b);
    int guard = 0;
    while (tx !== 1'b0) begin
      @(posedge clk);
      guard++;
      if (guard > 100000) begin $display("FAIL: no byte on tx"); $fatal(1); end
    end
    repeat (Cpb / 2) @(posedge clk);
    for (int i = 0; i < 8; i++) begin
      repeat (Cpb) @(posedge clk);
      b[i] = tx;
    end
    repeat (Cpb) @(posedge clk);
    if (tx !== 1'b1) begin $display("FAIL: bad stop bit"); $fatal(1); end
  endtask

  int errors = 0;
  logic [7:0] b;
  logic [127:0] ev_sent, got;
  logic [31:0] v;
  initial begin
    repeat (4) @(posedge clk);
    rst_n = 1;
    for (int n = 0; n < 20; n++) begin
      // register write then read back
      v = $urandom;
      send_byte(8'h57); send_byte({4'd0, 2'(n), 2'b00}); send_byte(8'h00);
      for (int i = 0; i < 4; i++) send_byte(v[8*i +: 8]);
      recv_byte(b); if (b != 8'h77) begin $display("FAIL: write answer %h", b); errors++; end
      recv_byte(b); if (b != 8'h00) begin $display("FAIL: bresp %h", b); errors++; end
      send_byte(8'h52); send_byte({4'd0, 2'(n), 2'b00}); send_byte(8'h00);
      recv_byte(b); if (b != 8'h72) begin $display("FAIL: read answer %h", b); errors++; end
      for (int i = 0; i < 4; i++) begin recv_byte(b); got[8*i +: 8] = b; end
      if (got[31:0] != (v ^ {20'd0, 4'd0, 2'(n), 2'b00})) begin
        $display("FAIL: read %h want %h", got[31:0], v ^ {28'd0, 2'(n), 2'b00}); errors++;
      end
      recv_byte(b); if (b != 8'h00) begin $display("FAIL: rresp %h", b); errors++; end
      // event in, reversed decision out
      for (int i = 0; i < 4; i++) ev_sent[32*i +: 32] = $urandom;
      send_byte(8'h45);
      for (int i = 0; i < 16; i++) send_byte(ev_sent[8*i +: 8]);
      recv_byte(b); if (b != 8'h44) begin $display("FAIL: decision frame %h", b); errors++; end
      for (int i = 0; i < 16; i++) begin recv_byte(b); got[8*i +: 8] = b; end
      for (int i = 0; i < 16; i++)
        if (got[8*i +: 8] != ev_sent[8*(15-i) +: 8]) begin $display("FAIL: decision byte %0d", i); errors++; end
      // unknown command
      send_byte(8'h11);
      recv_byte(b); if (b != 8'h3F) begin $display("FAIL: unknown answer %h", b); errors++; end
      recv_byte(b); if (b != 8'h11) begin $display("FAIL: unknown echo %h", b); errors++; end
    end
    if (overrun) begin $display("FAIL: overrun set"); errors++; end
    if (errors == 0) $display("PASS: vs_uart_bridge 20 rounds of write/read/event/unknown");
    else $display("FAIL: %0d errors", errors);
    if (errors != 0) $fatal(1);
    $finish;
  end
endmodule
