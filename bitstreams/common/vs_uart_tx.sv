// UART transmitter, 8N1, valid/ready byte input.
module vs_uart_tx #(
  /// Clock cycles per bit (clock frequency / baud rate), >= 2.
  parameter int unsigned ClksPerBit = 104
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic [7:0] data_i,
  input  logic       valid_i,
  output logic       ready_o,
  output logic       tx_o
);
  localparam int unsigned CntW = $clog2(ClksPerBit + 1);

  logic busy_q, busy_d;
  logic [CntW-1:0] cnt_q, cnt_d;
  logic [3:0] bit_q, bit_d;    // 0 start, 1..8 data, 9 stop
  logic [9:0] frame_q, frame_d;

  always_comb begin
    busy_d = busy_q;
    cnt_d = cnt_q;
    bit_d = bit_q;
    frame_d = frame_q;
    if (!busy_q) begin
      if (valid_i) begin
        busy_d = 1'b1;
        cnt_d = '0;
        bit_d = '0;
        frame_d = {1'b1, data_i, 1'b0};
      end
    end else if (cnt_q == CntW'(ClksPerBit - 1)) begin
      cnt_d = '0;
      frame_d = {1'b1, frame_q[9:1]};
      bit_d = bit_q + 1'b1;
      if (bit_q == 4'd9) busy_d = 1'b0;
    end else begin
      cnt_d = cnt_q + 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      cnt_q <= '0;
      bit_q <= '0;
      frame_q <= 10'h3FF;
    end else begin
      busy_q <= busy_d;
      cnt_q <= cnt_d;
      bit_q <= bit_d;
      frame_q <= frame_d;
    end
  end

  assign ready_o = !busy_q;
  assign tx_o = busy_q ? frame_q[0] : 1'b1;
endmodule
