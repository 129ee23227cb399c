// vs_cfg_regs: INTERIM hand-written configuration registers (rtl-split
// branch); replaced by the file scripts/gen_regs.py generates.
module vs_cfg_regs #(
  parameter int NCores = 8,
  parameter int NNodes = 2,
  parameter int MaxShards = 4
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic soft_rst_i,
  input  logic we_i,
  input  logic [15:0] key_i,
  input  logic [31:0] value_i,
  input  logic [15:0] rkey_i,
  output logic [31:0] rdata_o,
  output vs_regs_pkg::cfg_t cfg_o,
  output logic [NNodes*NNodes*8-1:0] numa_dist_o
);
  localparam int MaxShardsCfg = (MaxShards < 4) ? MaxShards : 4;
  localparam logic [3:0]  MaxShardsRst = MaxShardsCfg[3:0];
  localparam int LoadHotRst = (3 * NCores) / 4;
  localparam logic [8:0]  LoadHotRst9 = LoadHotRst[8:0];
  function automatic logic [NNodes*NNodes*8-1:0] numa_reset();
    numa_reset = '0;
    for (int i = 0; i < NNodes; i++) begin
      for (int j = 0; j < NNodes; j++) begin
        numa_reset[(i*NNodes+j)*8 +: 8] = (i == j) ? 8'd10 : 8'd20;
      end
    end
  endfunction
  localparam logic [NNodes*NNodes*8-1:0] NumaRst = numa_reset();

  logic [15:0] slice_us_q, slice_us_d;
  logic [7:0] credit_per_ms_q, credit_per_ms_d;
  logic [14:0] credit_cap_q, credit_cap_d;
  logic [7:0] refill_per_weight_q, refill_per_weight_d;
  logic [14:0] lat_boost_q, lat_boost_d;
  logic [2:0] util_shift_q, util_shift_d;
  logic [7:0] wake_max_dist_q, wake_max_dist_d;
  logic [7:0] vict_max_dist_q, vict_max_dist_d;
  logic [2:0] vict_dist_shift_q, vict_dist_shift_d;
  logic [3:0] vict_credit_shift_q, vict_credit_shift_d;
  logic [3:0] vict_slice_shift_q, vict_slice_shift_d;
  logic [0:0] shard_enable_q, shard_enable_d;
  logic [3:0] max_shards_q, max_shards_d;
  logic [15:0] shard_min_credit_q, shard_min_credit_d;
  logic [7:0] shard_util_max_q, shard_util_max_d;
  logic [1:0] shard_min_freq_q, shard_min_freq_d;
  logic [7:0] shard_max_dist_q, shard_max_dist_d;
  logic [8:0] load_hot_cores_q, load_hot_cores_d;
  logic [3:0] k_under_load_q, k_under_load_d;
  logic [15:0] sync_cost_us_q, sync_cost_us_d;
  logic [7:0] shard_credit_q, shard_credit_d;
  logic [7:0] sync_credit_q, sync_credit_d;
  logic [NNodes*NNodes*8-1:0] numa_q, numa_d;
  always_comb begin
    slice_us_d = slice_us_q;
    credit_per_ms_d = credit_per_ms_q;
    credit_cap_d = credit_cap_q;
    refill_per_weight_d = refill_per_weight_q;
    lat_boost_d = lat_boost_q;
    util_shift_d = util_shift_q;
    wake_max_dist_d = wake_max_dist_q;
    vict_max_dist_d = vict_max_dist_q;
    vict_dist_shift_d = vict_dist_shift_q;
    vict_credit_shift_d = vict_credit_shift_q;
    vict_slice_shift_d = vict_slice_shift_q;
    shard_enable_d = shard_enable_q;
    max_shards_d = max_shards_q;
    shard_min_credit_d = shard_min_credit_q;
    shard_util_max_d = shard_util_max_q;
    shard_min_freq_d = shard_min_freq_q;
    shard_max_dist_d = shard_max_dist_q;
    load_hot_cores_d = load_hot_cores_q;
    k_under_load_d = k_under_load_q;
    sync_cost_us_d = sync_cost_us_q;
    shard_credit_d = shard_credit_q;
    sync_credit_d = sync_credit_q;
    numa_d = numa_q;
    if (we_i) begin
      if (key_i[15:6] == 10'd1) begin
        for (int i = 0; i < NNodes; i++) begin
          for (int j = 0; j < NNodes; j++) begin
            if (key_i[5:3] == i[2:0] && key_i[2:0] == j[2:0]) numa_d[(i*NNodes+j)*8 +: 8] = value_i[7:0];
          end
        end
      end else begin
        case (key_i[4:0])
          5'h00: slice_us_d = value_i[15:0];
          5'h01: credit_per_ms_d = value_i[7:0];
          5'h02: credit_cap_d = value_i[14:0];
          5'h03: refill_per_weight_d = value_i[7:0];
          5'h04: lat_boost_d = value_i[14:0];
          5'h05: util_shift_d = value_i[2:0];
          5'h06: wake_max_dist_d = value_i[7:0];
          5'h07: vict_max_dist_d = value_i[7:0];
          5'h08: vict_dist_shift_d = value_i[2:0];
          5'h09: vict_credit_shift_d = value_i[3:0];
          5'h0A: vict_slice_shift_d = value_i[3:0];
          5'h0B: shard_enable_d = value_i[0:0];
          5'h0C: max_shards_d = value_i[3:0];
          5'h0D: shard_min_credit_d = value_i[15:0];
          5'h0E: shard_util_max_d = value_i[7:0];
          5'h0F: shard_min_freq_d = value_i[1:0];
          5'h10: shard_max_dist_d = value_i[7:0];
          5'h11: load_hot_cores_d = value_i[8:0];
          5'h12: k_under_load_d = value_i[3:0];
          5'h13: sync_cost_us_d = value_i[15:0];
          5'h14: shard_credit_d = value_i[7:0];
          5'h15: sync_credit_d = value_i[7:0];
          default: ;
        endcase
      end
    end
    if (soft_rst_i) begin
      slice_us_d = 16'd30000;
      credit_per_ms_d = 8'd10;
      credit_cap_d = 15'd600;
      refill_per_weight_d = 8'd19;
      lat_boost_d = 15'd100;
      util_shift_d = 3'd2;
      wake_max_dist_d = 8'd10;
      vict_max_dist_d = 8'd20;
      vict_dist_shift_d = 3'd6;
      vict_credit_shift_d = 4'd0;
      vict_slice_shift_d = 4'd5;
      shard_enable_d = 1'b1;
      max_shards_d = MaxShardsRst;
      shard_min_credit_d = 16'hFED4;
      shard_util_max_d = 8'd192;
      shard_min_freq_d = 2'd0;
      shard_max_dist_d = 8'd20;
      load_hot_cores_d = LoadHotRst9;
      k_under_load_d = 4'd2;
      sync_cost_us_d = 16'd50;
      shard_credit_d = 8'd4;
      sync_credit_d = 8'd2;
      numa_d = NumaRst;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      slice_us_q <= 16'd30000;
      credit_per_ms_q <= 8'd10;
      credit_cap_q <= 15'd600;
      refill_per_weight_q <= 8'd19;
      lat_boost_q <= 15'd100;
      util_shift_q <= 3'd2;
      wake_max_dist_q <= 8'd10;
      vict_max_dist_q <= 8'd20;
      vict_dist_shift_q <= 3'd6;
      vict_credit_shift_q <= 4'd0;
      vict_slice_shift_q <= 4'd5;
      shard_enable_q <= 1'b1;
      max_shards_q <= MaxShardsRst;
      shard_min_credit_q <= 16'hFED4;
      shard_util_max_q <= 8'd192;
      shard_min_freq_q <= 2'd0;
      shard_max_dist_q <= 8'd20;
      load_hot_cores_q <= LoadHotRst9;
      k_under_load_q <= 4'd2;
      sync_cost_us_q <= 16'd50;
      shard_credit_q <= 8'd4;
      sync_credit_q <= 8'd2;
      numa_q <= NumaRst;
    end else begin
      slice_us_q <= slice_us_d;
      credit_per_ms_q <= credit_per_ms_d;
      credit_cap_q <= credit_cap_d;
      refill_per_weight_q <= refill_per_weight_d;
      lat_boost_q <= lat_boost_d;
      util_shift_q <= util_shift_d;
      wake_max_dist_q <= wake_max_dist_d;
      vict_max_dist_q <= vict_max_dist_d;
      vict_dist_shift_q <= vict_dist_shift_d;
      vict_credit_shift_q <= vict_credit_shift_d;
      vict_slice_shift_q <= vict_slice_shift_d;
      shard_enable_q <= shard_enable_d;
      max_shards_q <= max_shards_d;
      shard_min_credit_q <= shard_min_credit_d;
      shard_util_max_q <= shard_util_max_d;
      shard_min_freq_q <= shard_min_freq_d;
      shard_max_dist_q <= shard_max_dist_d;
      load_hot_cores_q <= load_hot_cores_d;
      k_under_load_q <= k_under_load_d;
      sync_cost_us_q <= sync_cost_us_d;
      shard_credit_q <= shard_credit_d;
      sync_credit_q <= sync_credit_d;
      numa_q <= numa_d;
    end
  end
  assign cfg_o = {slice_us_q, credit_per_ms_q, credit_cap_q, refill_per_weight_q, lat_boost_q, util_shift_q, wake_max_dist_q, vict_max_dist_q, vict_dist_shift_q, vict_credit_shift_q, vict_slice_shift_q, shard_enable_q, max_shards_q, shard_min_credit_q, shard_util_max_q, shard_min_freq_q, shard_max_dist_q, load_hot_cores_q, k_under_load_q, sync_cost_us_q, shard_credit_q, sync_credit_q};
  assign numa_dist_o = numa_q;
  always_comb begin
    rdata_o = 32'd0;
    if (rkey_i[15:6] == 10'd1) begin
      for (int i = 0; i < NNodes; i++) begin
        for (int j = 0; j < NNodes; j++) begin
          if (rkey_i[5:3] == i[2:0] && rkey_i[2:0] == j[2:0]) rdata_o = {24'd0, numa_q[(i*NNodes+j)*8 +: 8]};
        end
      end
    end else if (rkey_i[15:5] == 11'd0) begin
      case (rkey_i[4:0])
        5'h00: rdata_o = {16'd0, slice_us_q};
        5'h01: rdata_o = {24'd0, credit_per_ms_q};
        5'h02: rdata_o = {17'd0, credit_cap_q};
        5'h03: rdata_o = {24'd0, refill_per_weight_q};
        5'h04: rdata_o = {17'd0, lat_boost_q};
        5'h05: rdata_o = {29'd0, util_shift_q};
        5'h06: rdata_o = {24'd0, wake_max_dist_q};
        5'h07: rdata_o = {24'd0, vict_max_dist_q};
        5'h08: rdata_o = {29'd0, vict_dist_shift_q};
        5'h09: rdata_o = {28'd0, vict_credit_shift_q};
        5'h0A: rdata_o = {28'd0, vict_slice_shift_q};
        5'h0B: rdata_o = {31'd0, shard_enable_q};
        5'h0C: rdata_o = {28'd0, max_shards_q};
        5'h0D: rdata_o = {{16{shard_min_credit_q[15]}}, shard_min_credit_q};
        5'h0E: rdata_o = {24'd0, shard_util_max_q};
        5'h0F: rdata_o = {30'd0, shard_min_freq_q};
        5'h10: rdata_o = {24'd0, shard_max_dist_q};
        5'h11: rdata_o = {23'd0, load_hot_cores_q};
        5'h12: rdata_o = {28'd0, k_under_load_q};
        5'h13: rdata_o = {16'd0, sync_cost_us_q};
        5'h14: rdata_o = {24'd0, shard_credit_q};
        5'h15: rdata_o = {24'd0, sync_credit_q};
        default: rdata_o = 32'd0;
      endcase
    end
  end
  logic unused;
  assign unused = ^{value_i[31:16]};
endmodule
