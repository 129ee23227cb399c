// vs_fifo: first-word-fall-through FIFO with two write ports (an event may
// produce two decisions in one cycle, e.g. ABORT then RUN). Port 0 is
// written first. The caller guarantees room (free_o); writes to a full FIFO
// are an assertion failure. Output data is stable while out_valid_o and
// !out_ready_i (AXI-Stream rule).
module vs_fifo #(
  /// Entry width in bits.
  parameter int Width = 128,
  /// Depth in entries, a power of two >= 2.
  parameter int Depth = 16
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clear_i,   // synchronous flush
  input  logic             wr0_i,
  input  logic [Width-1:0] wdata0_i,
  input  logic             wr1_i,
  input  logic [Width-1:0] wdata1_i,
  output logic             out_valid_o,
  output logic [Width-1:0] out_data_o,
  input  logic             out_ready_i,
  output logic [$clog2(Depth):0] free_o,
  output logic             empty_o
);
  localparam int AW = $clog2(Depth);

  if (Depth < 2 || (1 << AW) != Depth) begin : gen_bad_depth
    $error("vs_fifo: Depth must be a power of two >= 2");
  end

  logic [Width-1:0] mem [Depth];
  logic [AW-1:0] wptr_q, wptr_d, rptr_q, rptr_d;
  logic [AW:0]   cnt_q, cnt_d;
  logic          pop;
  logic [AW:0]   n_push;
  logic [AW-1:0] waddr0, waddr1;

  assign pop    = out_valid_o && out_ready_i;
  assign n_push = {{AW{1'b0}}, wr0_i} + {{AW{1'b0}}, wr1_i};
  assign waddr0 = wptr_q;
  assign waddr1 = wr0_i ? (wptr_q + {{(AW-1){1'b0}}, 1'b1}) : wptr_q;

  always_comb begin
    wptr_d = wptr_q + n_push[AW-1:0];
    rptr_d = rptr_q + {{(AW-1){1'b0}}, pop};
    cnt_d  = cnt_q + n_push - {{AW{1'b0}}, pop};
    if (clear_i) begin
      wptr_d = '0;
      rptr_d = '0;
      cnt_d  = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      wptr_q <= wptr_d;
      rptr_q <= rptr_d;
      cnt_q  <= cnt_d;
    end
  end

  // Storage (no reset: a register file / distributed RAM).
  always_ff @(posedge clk_i) begin
    if (wr0_i) mem[waddr0] <= wdata0_i;
    if (wr1_i) mem[waddr1] <= wdata1_i;
  end

  localparam logic [AW:0] DepthC = Depth[AW:0];
  assign out_valid_o = (cnt_q != '0);
  assign out_data_o  = mem[rptr_q];
  assign free_o      = DepthC - cnt_q;
  assign empty_o     = (cnt_q == '0);

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni && !clear_i) begin
      assert ({1'b0, cnt_q} + {1'b0, n_push} <= {1'b0, DepthC} + {{AW{1'b0}}, 1'b0, pop})
        else $error("vs_fifo: write to a full FIFO");
    end
  end
`endif
endmodule
