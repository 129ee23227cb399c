// The configuration registers exactly as rtl/vs_top.sv wrote them by hand
// before they were generated (commit d50985b: the reset functions, the
// flops, the next-state logic and the configuration part of the register
// read, copied unchanged; only the ports are new). Frozen here as the
// reference of cfg_equiv_test.sh, which proves the generated vs_cfg_regs +
// vs_cfg_check bit-exact against it (issue 12: the engine must not change).
// A deliberate change of a configuration reset or range in
// regs/vshard_regs.json makes that proof fail: change this reference with it.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module vs_cfg_handwritten #(parameter int NCores = 8, parameter int NNodes = 2, parameter int MaxShards = 4) (
  input logic clk_i, input logic rst_ni, input logic soft_rst, input logic cfg_we,
  input logic [15:0] cfg_key, input logic [31:0] cfg_val, input logic [11:0] ra,
  output logic [31:0] rd_val, output logic [175:0] cfg_flat, output logic [NNodes*NNodes*8-1:0] numa_o);
  localparam int MaxShardsCfg = (MaxShards < 4) ? MaxShards : 4;
  localparam logic [3:0]  MaxShardsRst = MaxShardsCfg[3:0];
  localparam int LoadHotRst = (3 * NCores) / 4;
  localparam logic [8:0]  LoadHotRst9 = LoadHotRst[8:0];

  // NUMA_DIST reset: 10 on the diagonal, 20 elsewhere.
  function automatic logic [NNodes*NNodes*8-1:0] numa_reset();
    numa_reset = '0;
    for (int i = 0; i < NNodes; i++) begin
      for (int j = 0; j < NNodes; j++) begin
        numa_reset[(i*NNodes+j)*8 +: 8] = (i == j) ? 8'd10 : 8'd20;
      end
    end
  endfunction
  localparam logic [NNodes*NNodes*8-1:0] NumaRst = numa_reset();
  logic [15:0] cfg_slice_q, cfg_slice_d;
  logic [7:0]  cfg_cpm_q, cfg_cpm_d;
  logic [14:0] cfg_cap_q, cfg_cap_d;
  logic [7:0]  cfg_refill_q, cfg_refill_d;
  logic [14:0] cfg_boost_q, cfg_boost_d;
  logic [2:0]  cfg_ushift_q, cfg_ushift_d;
  logic [7:0]  cfg_wdist_q, cfg_wdist_d;
  logic [7:0]  cfg_vdist_q, cfg_vdist_d;
  logic [2:0]  cfg_vds_q, cfg_vds_d;
  logic [3:0]  cfg_vcs_q, cfg_vcs_d;
  logic [3:0]  cfg_vss_q, cfg_vss_d;
  logic        cfg_shen_q, cfg_shen_d;
  logic [3:0]  cfg_maxsh_q, cfg_maxsh_d;
  logic [15:0] cfg_smc_q, cfg_smc_d;
  logic [7:0]  cfg_sutil_q, cfg_sutil_d;
  logic [1:0]  cfg_sfreq_q, cfg_sfreq_d;
  logic [7:0]  cfg_sdist_q, cfg_sdist_d;
  logic [8:0]  cfg_lhc_q, cfg_lhc_d;
  logic [3:0]  cfg_kul_q, cfg_kul_d;
  logic [15:0] cfg_sync_q, cfg_sync_d;
  logic [7:0]  cfg_shcr_q, cfg_shcr_d;
  logic [7:0]  cfg_sycr_q, cfg_sycr_d;
  logic [NNodes*NNodes*8-1:0] cfg_numa_q, cfg_numa_d;  // [i][j] at (i*NNodes+j)*8
  always_comb begin
    cfg_slice_d = cfg_slice_q; cfg_cpm_d = cfg_cpm_q; cfg_cap_d = cfg_cap_q;
    cfg_refill_d = cfg_refill_q; cfg_boost_d = cfg_boost_q; cfg_ushift_d = cfg_ushift_q;
    cfg_wdist_d = cfg_wdist_q; cfg_vdist_d = cfg_vdist_q; cfg_vds_d = cfg_vds_q;
    cfg_vcs_d = cfg_vcs_q; cfg_vss_d = cfg_vss_q; cfg_shen_d = cfg_shen_q;
    cfg_maxsh_d = cfg_maxsh_q; cfg_smc_d = cfg_smc_q; cfg_sutil_d = cfg_sutil_q;
    cfg_sfreq_d = cfg_sfreq_q; cfg_sdist_d = cfg_sdist_q; cfg_lhc_d = cfg_lhc_q;
    cfg_kul_d = cfg_kul_q; cfg_sync_d = cfg_sync_q; cfg_shcr_d = cfg_shcr_q;
    cfg_sycr_d = cfg_sycr_q; cfg_numa_d = cfg_numa_q;
    if (cfg_we) begin
      if (cfg_key[15:6] == 10'd1) begin
        for (int i = 0; i < NNodes; i++) begin
          for (int j = 0; j < NNodes; j++) begin
            if (cfg_key[5:3] == i[2:0] && cfg_key[2:0] == j[2:0]) begin
              cfg_numa_d[(i*NNodes+j)*8 +: 8] = cfg_val[7:0];
            end
          end
        end
      end else begin
        case (cfg_key[4:0])
          5'h00: cfg_slice_d  = cfg_val[15:0];
          5'h01: cfg_cpm_d    = cfg_val[7:0];
          5'h02: cfg_cap_d    = cfg_val[14:0];
          5'h03: cfg_refill_d = cfg_val[7:0];
          5'h04: cfg_boost_d  = cfg_val[14:0];
          5'h05: cfg_ushift_d = cfg_val[2:0];
          5'h06: cfg_wdist_d  = cfg_val[7:0];
          5'h07: cfg_vdist_d  = cfg_val[7:0];
          5'h08: cfg_vds_d    = cfg_val[2:0];
          5'h09: cfg_vcs_d    = cfg_val[3:0];
          5'h0A: cfg_vss_d    = cfg_val[3:0];
          5'h0B: cfg_shen_d   = cfg_val[0];
          5'h0C: cfg_maxsh_d  = cfg_val[3:0];
          5'h0D: cfg_smc_d    = cfg_val[15:0];
          5'h0E: cfg_sutil_d  = cfg_val[7:0];
          5'h0F: cfg_sfreq_d  = cfg_val[1:0];
          5'h10: cfg_sdist_d  = cfg_val[7:0];
          5'h11: cfg_lhc_d    = cfg_val[8:0];
          5'h12: cfg_kul_d    = cfg_val[3:0];
          5'h13: cfg_sync_d   = cfg_val[15:0];
          5'h14: cfg_shcr_d   = cfg_val[7:0];
          5'h15: cfg_sycr_d   = cfg_val[7:0];
          default: ;
        endcase
      end
    end
    if (soft_rst) begin
      cfg_slice_d = 16'd30000; cfg_cpm_d = 8'd10; cfg_cap_d = 15'd600; cfg_refill_d = 8'd19;
      cfg_boost_d = 15'd100; cfg_ushift_d = 3'd2; cfg_wdist_d = 8'd10; cfg_vdist_d = 8'd20;
      cfg_vds_d = 3'd6; cfg_vcs_d = 4'd0; cfg_vss_d = 4'd5; cfg_shen_d = 1'b1;
      cfg_maxsh_d = MaxShardsRst; cfg_smc_d = 16'hFED4;  // -300
      cfg_sutil_d = 8'd192; cfg_sfreq_d = 2'd0; cfg_sdist_d = 8'd20; cfg_lhc_d = LoadHotRst9;
      cfg_kul_d = 4'd2; cfg_sync_d = 16'd50; cfg_shcr_d = 8'd4; cfg_sycr_d = 8'd2;
      cfg_numa_d = NumaRst;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cfg_slice_q  <= 16'd30000;
      cfg_cpm_q    <= 8'd10;
      cfg_cap_q    <= 15'd600;
      cfg_refill_q <= 8'd19;
      cfg_boost_q  <= 15'd100;
      cfg_ushift_q <= 3'd2;
      cfg_wdist_q  <= 8'd10;
      cfg_vdist_q  <= 8'd20;
      cfg_vds_q    <= 3'd6;
      cfg_vcs_q    <= 4'd0;
      cfg_vss_q    <= 4'd5;
      cfg_shen_q   <= 1'b1;
      cfg_maxsh_q  <= MaxShardsRst;
      cfg_smc_q    <= 16'hFED4;  // -300
      cfg_sutil_q  <= 8'd192;
      cfg_sfreq_q  <= 2'd0;
      cfg_sdist_q  <= 8'd20;
      cfg_lhc_q    <= LoadHotRst9;
      cfg_kul_q    <= 4'd2;
      cfg_sync_q   <= 16'd50;
      cfg_shcr_q   <= 8'd4;
      cfg_sycr_q   <= 8'd2;
      cfg_numa_q   <= NumaRst;
    end else begin
      cfg_slice_q  <= cfg_slice_d;
      cfg_cpm_q    <= cfg_cpm_d;
      cfg_cap_q    <= cfg_cap_d;
      cfg_refill_q <= cfg_refill_d;
      cfg_boost_q  <= cfg_boost_d;
      cfg_ushift_q <= cfg_ushift_d;
      cfg_wdist_q  <= cfg_wdist_d;
      cfg_vdist_q  <= cfg_vdist_d;
      cfg_vds_q    <= cfg_vds_d;
      cfg_vcs_q    <= cfg_vcs_d;
      cfg_vss_q    <= cfg_vss_d;
      cfg_shen_q   <= cfg_shen_d;
      cfg_maxsh_q  <= cfg_maxsh_d;
      cfg_smc_q    <= cfg_smc_d;
      cfg_sutil_q  <= cfg_sutil_d;
      cfg_sfreq_q  <= cfg_sfreq_d;
      cfg_sdist_q  <= cfg_sdist_d;
      cfg_lhc_q    <= cfg_lhc_d;
      cfg_kul_q    <= cfg_kul_d;
      cfg_sync_q   <= cfg_sync_d;
      cfg_shcr_q   <= cfg_shcr_d;
      cfg_sycr_q   <= cfg_sycr_d;
      cfg_numa_q   <= cfg_numa_d;
    end
  end

  always_comb begin
    rd_val = 32'd0;
    if (ra[11:8] == 4'h1 || ra[11:8] == 4'h2) begin
      // configuration: key = (addr - 0x100) / 4
      if (ra[11:8] == 4'h2) begin
        for (int i = 0; i < NNodes; i++) begin
          for (int j = 0; j < NNodes; j++) begin
            if (ra[7:5] == i[2:0] && ra[4:2] == j[2:0]) begin
              rd_val = {24'd0, cfg_numa_q[(i*NNodes+j)*8 +: 8]};
            end
          end
        end
      end else begin
        case (ra[7:2])
          6'h00: rd_val = {16'd0, cfg_slice_q};
          6'h01: rd_val = {24'd0, cfg_cpm_q};
          6'h02: rd_val = {17'd0, cfg_cap_q};
          6'h03: rd_val = {24'd0, cfg_refill_q};
          6'h04: rd_val = {17'd0, cfg_boost_q};
          6'h05: rd_val = {29'd0, cfg_ushift_q};
          6'h06: rd_val = {24'd0, cfg_wdist_q};
          6'h07: rd_val = {24'd0, cfg_vdist_q};
          6'h08: rd_val = {29'd0, cfg_vds_q};
          6'h09: rd_val = {28'd0, cfg_vcs_q};
          6'h0A: rd_val = {28'd0, cfg_vss_q};
          6'h0B: rd_val = {31'd0, cfg_shen_q};
          6'h0C: rd_val = {28'd0, cfg_maxsh_q};
          6'h0D: rd_val = {{16{cfg_smc_q[15]}}, cfg_smc_q};
          6'h0E: rd_val = {24'd0, cfg_sutil_q};
          6'h0F: rd_val = {30'd0, cfg_sfreq_q};
          6'h10: rd_val = {24'd0, cfg_sdist_q};
          6'h11: rd_val = {23'd0, cfg_lhc_q};
          6'h12: rd_val = {28'd0, cfg_kul_q};
          6'h13: rd_val = {16'd0, cfg_sync_q};
          6'h14: rd_val = {24'd0, cfg_shcr_q};
          6'h15: rd_val = {24'd0, cfg_sycr_q};
          default: rd_val = 32'd0;
        endcase
      end
    end
  end
  assign cfg_flat = {cfg_slice_q, cfg_cpm_q, cfg_cap_q, cfg_refill_q, cfg_boost_q, cfg_ushift_q, cfg_wdist_q,
    cfg_vdist_q, cfg_vds_q, cfg_vcs_q, cfg_vss_q, cfg_shen_q, cfg_maxsh_q, cfg_smc_q, cfg_sutil_q, cfg_sfreq_q,
    cfg_sdist_q, cfg_lhc_q, cfg_kul_q, cfg_sync_q, cfg_shcr_q, cfg_sycr_q};
  assign numa_o = cfg_numa_q;
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
