// Formal properties of rtl/vs_argmin.sv (proved with yosys-smtbmc + z3,
// tests/formal/run_formal.sh): the result is a minimum over the valid keys,
// it is the lowest index among equal minima, valid_o says whether any input
// is valid, and idx_o/key_o are 0 when none is. The pipelined variant
// (PipeEvery > 0) is checked against the inputs of `Latency` cycles earlier,
// kept in a shadow shift register, so k-induction proves it for all time.
module vs_argmin_formal #(
  parameter int N = 5,
  parameter int KeyW = 3,
  parameter int IdxW = 3,
  parameter int PipeEvery = 0
) (
  input logic              clk_i,
  input logic              rst_ni,
  input logic [N-1:0]      valid_i,
  input logic [N*KeyW-1:0] key_i
);
  localparam int Height = (N > 1) ? $clog2(N) : 0;
  localparam int Latency = (PipeEvery > 0) ? Height / PipeEvery : 0;

  logic            valid_o;
  logic [IdxW-1:0] idx_o;
  logic [KeyW-1:0] key_o;

  vs_argmin #(.N(N), .KeyW(KeyW), .IdxW(IdxW), .PipeEvery(PipeEvery)) u_dut (
    .clk_i, .rst_ni, .valid_i, .key_i, .valid_o, .idx_o, .key_o
  );

  // Inputs as they were Latency cycles ago, and whether that many cycles
  // have passed since reset.
  logic [N-1:0]      v_ref;
  logic [N*KeyW-1:0] k_ref;
  logic              ref_ok;
  if (Latency == 0) begin : gen_comb
    assign v_ref = valid_i;
    assign k_ref = key_i;
    assign ref_ok = 1'b1;
  end else begin : gen_hist
    // Flat shift registers, newest inputs in the low slice.
    logic [Latency*N-1:0]      vh_q;
    logic [Latency*N*KeyW-1:0] kh_q;
    logic [7:0]                age_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        vh_q  <= '0;
        kh_q  <= '0;
        age_q <= '0;
      end else begin
        vh_q <= {vh_q, valid_i};
        kh_q <= {kh_q, key_i};
        if (age_q != 8'hFF) age_q <= age_q + 8'd1;
      end
    end
    assign v_ref = vh_q[(Latency-1)*N +: N];
    assign k_ref = kh_q[(Latency-1)*N*KeyW +: N*KeyW];
    assign ref_ok = age_q >= Latency;
  end

  // Reset in the first cycle.
  always_comb begin
    if ($initstate) assume (!rst_ni);
  end

  logic [KeyW-1:0] kref_at_idx;
  assign kref_at_idx = k_ref[idx_o*KeyW +: KeyW];

  always_comb begin
    if (rst_ni && ref_ok) begin
      assert (valid_o == (|v_ref));
      if (valid_o) begin
        assert (idx_o < IdxW'(N));
        assert (v_ref[idx_o]);
        assert (key_o == kref_at_idx);
      end else begin
        assert (idx_o == '0);
        assert (key_o == '0);
      end
    end
  end

  for (genvar j = 0; j < N; j++) begin : gen_each
    logic [KeyW-1:0] kj;
    assign kj = k_ref[j*KeyW +: KeyW];
    always_comb begin
      if (rst_ni && ref_ok && v_ref[j]) begin
        // a minimum ...
        assert (valid_o && key_o <= kj);
        // ... and the lowest index among equal keys
        if (IdxW'(j) < idx_o) assert (kj > key_o);
      end
    end
  end
endmodule
