// UART receiver, 8N1, no parity. One byte per valid pulse (no back-pressure
// on a wire: a byte the consumer is not ready for is flagged as overrun).
module vs_uart_rx #(
  /// Clock cycles per bit (clock frequency / baud rate), >= 4.
  parameter int unsigned ClksPerBit = 104
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,
  output logic [7:0] data_o,
  output logic       valid_o
);
  localparam int unsigned CntW = $clog2(ClksPerBit + 1);
  localparam int unsigned Half = ClksPerBit / 2;

  logic sync1_q, sync2_q;
  logic [1:0] state_q, state_d;
  logic [CntW-1:0] cnt_q, cnt_d;
  logic [2:0] bit_q, bit_d;
  logic [7:0] shift_q, shift_d;
  logic valid_q, valid_d;

  localparam logic [1:0] SIdle = 2'd0, SStart = 2'd1, SData = 2'd2, SStop = 2'd3;

  always_comb begin
    state_d = state_q;
    cnt_d = cnt_q;
    bit_d = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    case (state_q)
      SIdle: begin
        cnt_d = '0;
        if (!sync2_q) state_d = SStart;
      end
      SStart: begin
        if (cnt_q == CntW'(Half)) begin
          cnt_d = '0;
          bit_d = '0;
          state_d = sync2_q ? SIdle : SData;  // glitch: back to idle
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end
      SData: begin
        if (cnt_q == CntW'(ClksPerBit - 1)) begin
          cnt_d = '0;
          shift_d = {sync2_q, shift_q[7:1]};
          bit_d = bit_q + 1'b1;
          if (bit_q == 3'd7) state_d = SStop;
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end
      default: begin  // SStop
        if (cnt_q == CntW'(ClksPerBit - 1)) begin
          cnt_d = '0;
          valid_d = sync2_q;  // framing error (stop bit 0): byte dropped
          state_d = SIdle;
        end else begin
          cnt_d = cnt_q + 1'b1;
        end
      end
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sync1_q <= 1'b1;
      sync2_q <= 1'b1;
      state_q <= SIdle;
      cnt_q <= '0;
      bit_q <= '0;
      shift_q <= '0;
      valid_q <= 1'b0;
    end else begin
      sync1_q <= rx_i;
      sync2_q <= sync1_q;
      state_q <= state_d;
      cnt_q <= cnt_d;
      bit_q <= bit_d;
      shift_q <= shift_d;
      valid_q <= valid_d;
    end
  end

  assign data_o = shift_q;
  assign valid_o = valid_q;
endmodule
