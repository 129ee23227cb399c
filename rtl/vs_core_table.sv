// vs_core_table: the per-core state of docs/spec.md section 2.1 in flops
// (node, online, util, freq, occupancy, the vCPU a core holds, the slice
// left) and a mirror of the running vCPU's `lat`, `credit`, `weight` and
// `home` (spec 7.2 reads lat and credit for every core at once, so they
// cannot stay in the vCPU RAM; ACCOUNT refills the mirrored credit from the
// mirrored weight; vs_preempt takes the victim's credit and home from its
// core's mirror, a register read where the vCPU RAM is a cycle away).
//
// Three write ports, all applied at the clock edge (the refill port is
// never used in a cycle with a mirror-port write: vs_exec):
//   * wr_i: the core an event names (vs_exec assembles it; each field group
//     has its own enable);
//   * the mirror port: every vCPU-table write that leaves an entry RUNNING
//     (but the refill sweep's) also writes lat, credit, weight and home of
//     that entry's core, so the mirror equals the table for every core with
//     occupancy RUN, up to the refills the word still owes;
//   * the refill port (ACCOUNT's ACCT, with the lazy refill, spec 6.2):
//     the credits of AcctLanes cores at once, group refill_group_i (cores
//     AcctLanes * g .. AcctLanes * g + AcctLanes - 1), each
//     clamp(credit + weight * REFILL_PER_WEIGHT, -CREDIT_CAP, CREDIT_CAP)
//     through its lane's credit unit. The table word of a vCPU running
//     there keeps its stamp: it owes the round, and the lazy refill of
//     vs_refill gives the same credit when it is read (the mirror takes
//     the refills one ACCOUNT at a time, the word k at once: the same
//     clamps, vs_refill).
// soft_rst_i (CTRL.SOFT_RESET) and rst_ni give the same values: online,
// node 0, util 0, freq 3, idle, no vCPU, slice 0.
//
// The state leaves as one flat vector per field, core c at [c*W +: W]
// (docs/rtl.md: the SV subset has no arrays of structs).
module vs_core_table #(
  /// Physical cores (1..256).
  parameter int NCores = 8,
  /// Credit units of the refill port: ACCT refills this many cores a cycle.
  parameter int AcctLanes = 8
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                soft_rst_i,
  input  vs_pkg::core_write_t wr_i,
  input  vs_pkg::mirror_write_t mirror_i,
  input  logic                refill_en_i,
  input  logic [7:0]          refill_group_i,
  input  logic [14:0]         credit_cap_i,         // CREDIT_CAP
  input  logic [7:0]          refill_per_weight_i,  // REFILL_PER_WEIGHT
  output logic [NCores*3-1:0]  node_o,
  output logic [NCores-1:0]    online_o,
  output logic [NCores*8-1:0]  util_o,
  output logic [NCores*2-1:0]  freq_o,
  output logic [NCores*2-1:0]  occ_o,
  output logic [NCores*12-1:0] vcpu_o,
  output logic [NCores*16-1:0] slice_o,
  output logic [NCores-1:0]    lat_o,     // mirror: lat of the vCPU running whole here
  output logic [NCores*16-1:0] credit_o,  // mirror: its credit
  output logic [NCores*8-1:0]  weight_o,  // mirror: its weight
  output logic [NCores*3-1:0]  home_o,    // mirror: its home node
  // read port: the core an event in EXEC names (0s for an id >= NCores)
  input  logic [7:0]           read_core_i,
  output logic                 read_online_o,
  output logic [7:0]           read_util_o,
  output logic [1:0]           read_occ_o,
  output logic [11:0]          read_vcpu_o,
  output logic [15:0]          read_slice_o,
  // peek port: the vCPU on the core an incoming event names (TICK reads its
  // table entry in the ACCEPT cycle)
  input  logic [7:0]           peek_core_i,
  output logic [11:0]          peek_vcpu_o
);
  logic [NCores*3-1:0]  node_d;
  logic [NCores-1:0]    online_d;
  logic [NCores*8-1:0]  util_d;
  logic [NCores*2-1:0]  freq_d;
  logic [NCores*2-1:0]  occ_d;
  logic [NCores*12-1:0] vcpu_d;
  logic [NCores*16-1:0] slice_d;
  logic [NCores-1:0]    lat_d;
  logic [NCores*16-1:0] credit_d;
  logic [NCores*8-1:0]  weight_d;
  logic [NCores*3-1:0]  home_d;

  // The refill port: lane l refills core AcctLanes * refill_group_i + l.
  localparam int Lanes = (AcctLanes < NCores) ? AcctLanes : NCores;
  localparam int Groups = (NCores + Lanes - 1) / Lanes;
  logic [Lanes*16-1:0] lane_credit;  // the lane's credit, refilled
  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic [15:0] credit;
    logic [7:0]  weight;
    always_comb begin
      credit = '0;
      weight = '0;
      for (int g = 0; g < Groups; g++) begin
        if ((g * Lanes + l < NCores) && (refill_group_i == g[7:0])) begin
          credit = credit_o[(g * Lanes + l) * 16 +: 16];
          weight = weight_o[(g * Lanes + l) * 8 +: 8];
        end
      end
    end
    vs_credit u_credit (
      .credit_i(credit), .sub_i(1'b0), .amount_i({1'b0, {8'd0, weight} * {8'd0, refill_per_weight_i}}),
      .cap_i(credit_cap_i), .credit_o(lane_credit[l*16 +: 16])
    );
  end

  for (genvar c = 0; c < NCores; c++) begin : gen_core
    localparam logic [7:0] C8 = c[7:0];
    localparam int Lane = c % Lanes;
    localparam int GroupI = c / Lanes;
    localparam logic [7:0] Group = GroupI[7:0];
    logic hit, mhit, rhit;
    assign hit  = wr_i.en && (wr_i.core == C8);
    assign mhit = mirror_i.en && (mirror_i.core == C8);
    assign rhit = refill_en_i && (refill_group_i == Group);
    assign node_d[c*3 +: 3]    = soft_rst_i ? 3'd0 :
                                 (hit && wr_i.cfg_en) ? wr_i.node : node_o[c*3 +: 3];
    assign online_d[c]         = soft_rst_i ? 1'b1 :
                                 (hit && wr_i.cfg_en) ? wr_i.online : online_o[c];
    assign util_d[c*8 +: 8]    = soft_rst_i ? 8'd0 :
                                 (hit && wr_i.util_en) ? wr_i.util : util_o[c*8 +: 8];
    assign freq_d[c*2 +: 2]    = soft_rst_i ? 2'd3 :
                                 (hit && wr_i.freq_en) ? wr_i.freq : freq_o[c*2 +: 2];
    assign occ_d[c*2 +: 2]     = soft_rst_i ? vs_pkg::OccIdle :
                                 (hit && wr_i.occ_en) ? wr_i.occ : occ_o[c*2 +: 2];
    assign vcpu_d[c*12 +: 12]  = soft_rst_i ? 12'd0 :
                                 (hit && wr_i.vcpu_en) ? wr_i.vcpu : vcpu_o[c*12 +: 12];
    assign slice_d[c*16 +: 16] = soft_rst_i ? 16'd0 :
                                 (hit && wr_i.slice_en) ? wr_i.slice : slice_o[c*16 +: 16];
    assign lat_d[c]            = soft_rst_i ? 1'b0 : mhit ? mirror_i.lat : lat_o[c];
    assign credit_d[c*16 +: 16] = soft_rst_i ? 16'd0 : mhit ? mirror_i.credit :
                                  rhit ? lane_credit[Lane*16 +: 16] : credit_o[c*16 +: 16];
    assign weight_d[c*8 +: 8]  = soft_rst_i ? 8'd0 : mhit ? mirror_i.weight : weight_o[c*8 +: 8];
    assign home_d[c*3 +: 3]    = soft_rst_i ? 3'd0 : mhit ? mirror_i.home : home_o[c*3 +: 3];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      node_o   <= '0;
      online_o <= '1;
      util_o   <= '0;
      freq_o   <= '1;
      occ_o    <= '0;
      vcpu_o   <= '0;
      slice_o  <= '0;
      lat_o    <= '0;
      credit_o <= '0;
      weight_o <= '0;
      home_o   <= '0;
    end else begin
      node_o   <= node_d;
      online_o <= online_d;
      util_o   <= util_d;
      freq_o   <= freq_d;
      occ_o    <= occ_d;
      vcpu_o   <= vcpu_d;
      slice_o  <= slice_d;
      lat_o    <= lat_d;
      credit_o <= credit_d;
      weight_o <= weight_d;
      home_o   <= home_d;
    end
  end

  always_comb begin
    read_online_o = '0; read_util_o = '0; read_occ_o = '0; read_vcpu_o = '0; read_slice_o = '0;
    peek_vcpu_o = 12'd0;
    for (int c = 0; c < NCores; c++) begin
      if (read_core_i == c[7:0]) begin
        read_online_o = online_o[c];
        read_util_o   = util_o[c*8 +: 8];
        read_occ_o    = occ_o[c*2 +: 2];
        read_vcpu_o   = vcpu_o[c*12 +: 12];
        read_slice_o  = slice_o[c*16 +: 16];
      end
      peek_vcpu_o = peek_vcpu_o | (vcpu_o[c*12 +: 12] & {12{peek_core_i == c[7:0]}});
    end
  end

`ifndef SYNTHESIS
  // Engine invariant 1 (spec 10.1): a write that claims a core (RUN, SHARD)
  // finds it online and idle. Checked in every Verilator run.
  logic [1:0] claimed_occ;
  logic       claimed_online;
  always_comb begin
    claimed_occ = vs_pkg::OccIdle;
    claimed_online = 1'b0;
    for (int c = 0; c < NCores; c++) begin
      if (wr_i.core == c[7:0]) begin
        claimed_occ = occ_o[c*2 +: 2];
        claimed_online = online_o[c];
      end
    end
  end
  always @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!(refill_en_i && mirror_i.en))
        else $error("vs_core_table: the refill port and the mirror port written in one cycle");
    end
    if (rst_ni && wr_i.en && wr_i.need_idle) begin
      assert ({1'b0, wr_i.core} < NCores[8:0] && claimed_online && claimed_occ == vs_pkg::OccIdle)
        else $error("vs_core_table: core %0d given a vCPU while not idle (occ %0d, online %0d)",
                    wr_i.core, claimed_occ, claimed_online);
    end
  end
`else
  logic unused_wr;
  assign unused_wr = wr_i.need_idle;
`endif
endmodule
