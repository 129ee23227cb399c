// Self-checking testbench of rtl/vs_core_table.sv (CTest rtl_cell_core_table,
// through `verilator --binary --timing --assert`): NCores / AcctLanes 13/4
// (a last group of one core), 5/8 (fewer cores than lanes), 64/8 (large)
// and 1/1, side by side, each against a reference of the core state (spec
// 2.1) and of the mirror.
//
// Why: the searches read every core's state and the mirrored credits at
// once, so a write that lands on the wrong core, or an ACCOUNT refill that
// skips a core of a group, refills one twice or uses another core's
// weight, changes the victim of every later WAKE; the engine-level diff
// runs only NCores = 8 (one group) and 64 (eight full groups) and would not
// see a mapping that breaks on a partial group.
// Each cycle the bench drives what vs_exec would, within its contract: a
// random core write (each field group enabled at random, core ids up to
// NCores + 1, so some name no core; need_idle only where the core is idle
// and online, as vs_exec guarantees); a random mirror write (lat, credit,
// weight, home) or, never in the same cycle, a refill of a random group (up to
// one past the last) with random CREDIT_CAP and REFILL_PER_WEIGHT; credits
// anywhere in 16 bits, beyond the cap on both sides; now and then a soft
// reset. After every posedge every field of every core is checked against
// the reference (soft reset first, then the core write, then the mirror,
// then the refill: clamp(credit + weight * REFILL_PER_WEIGHT, -cap, cap) of
// every core of the group, from the credit and weight before the edge),
// and every cycle the read and peek ports for a random core id (0s for an
// id >= NCores). Prints "vs_core_table_tb: PASS" or stops with $fatal.
//
// Mutants tried (copies of the cell, not committed); each made this bench
// fail: the group of core c computed as (c + 1) / Lanes; a lane reading
// the weight of the core before its own; the lanes' multiplexer built for
// full groups only (floor(NCores / Lanes) groups: the 13th core of 13/4 is
// never refilled); the weight kept across a soft reset; the mirrored home
// kept across a soft reset.
module vs_core_table_chk #(
  parameter int NCores = 8,
  parameter int AcctLanes = 8,
  parameter int Seed = 1
) (
  input logic clk,
  input logic rst_n
);
  localparam int Lanes = (AcctLanes < NCores) ? AcctLanes : NCores;
  localparam int Groups = (NCores + Lanes - 1) / Lanes;

  logic                soft_rst;
  vs_pkg::core_write_t wr;
  vs_pkg::mirror_write_t mirror;
  logic                refill_en;
  logic [7:0]          refill_group, read_core, peek_core;
  logic [14:0]         cap;
  logic [7:0]          rpw;
  logic [NCores*3-1:0]  node, home;
  logic [NCores-1:0]    online, lat;
  logic [NCores*8-1:0]  util, weight;
  logic [NCores*2-1:0]  freq, occ;
  logic [NCores*12-1:0] vcpu;
  logic [NCores*16-1:0] slice, credit;
  logic                 read_online;
  logic [7:0]           read_util;
  logic [1:0]           read_occ;
  logic [11:0]          read_vcpu, peek_vcpu;
  logic [15:0]          read_slice;

  vs_core_table #(.NCores(NCores), .AcctLanes(AcctLanes)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .soft_rst_i(soft_rst), .wr_i(wr),
    .mirror_i(mirror), .refill_en_i(refill_en), .refill_group_i(refill_group), .credit_cap_i(cap),
    .refill_per_weight_i(rpw),
    .node_o(node), .online_o(online), .util_o(util), .freq_o(freq), .occ_o(occ), .vcpu_o(vcpu),
    .slice_o(slice), .lat_o(lat), .credit_o(credit), .weight_o(weight), .home_o(home),
    .read_core_i(read_core), .read_online_o(read_online), .read_util_o(read_util), .read_occ_o(read_occ),
    .read_vcpu_o(read_vcpu), .read_slice_o(read_slice), .peek_core_i(peek_core), .peek_vcpu_o(peek_vcpu)
  );

  // the reference, per core
  int r_node[NCores], r_online[NCores], r_util[NCores], r_freq[NCores], r_occ[NCores], r_vcpu[NCores];
  int r_slice[NCores], r_lat[NCores], r_credit[NCores], r_weight[NCores], r_home[NCores];
  int unsigned errors = 0;
  int unsigned refills = 0, clamps_hi = 0, clamps_lo = 0, mirrors = 0, writes = 0, soft_resets = 0;

  task automatic fail(input string what);
    errors++;
    if (errors <= 10) $display("vs_core_table_tb: NCores %0d lanes %0d: %s", NCores, AcctLanes, what);
  endtask

  task automatic reset_ref();
    for (int c = 0; c < NCores; c++) begin
      r_node[c] = 0; r_online[c] = 1; r_util[c] = 0; r_freq[c] = 3; r_occ[c] = 0; r_vcpu[c] = 0;
      r_slice[c] = 0; r_lat[c] = 0; r_credit[c] = 0; r_weight[c] = 0; r_home[c] = 0;
    end
  endtask

  initial begin
    reset_ref();
    soft_rst = 1'b0; wr = '0; mirror = '0; refill_en = 1'b0; refill_group = '0; cap = 15'd100; rpw = 8'd1;
    read_core = '0; peek_core = '0;
    void'($urandom(Seed));
  end

  always @(negedge clk) begin
    if (rst_n) begin
      int c, g, wc, a, capi;
      logic [63:0] rnd64;
      vs_pkg::core_write_t w;
      // 1. The state after the last posedge.
      for (c = 0; c < NCores; c++) begin
        if (int'(node[c*3 +: 3]) != r_node[c] || int'(online[c]) != r_online[c] ||
            int'(util[c*8 +: 8]) != r_util[c] || int'(freq[c*2 +: 2]) != r_freq[c] ||
            int'(occ[c*2 +: 2]) != r_occ[c] || int'(vcpu[c*12 +: 12]) != r_vcpu[c] ||
            int'(slice[c*16 +: 16]) != r_slice[c] || int'(lat[c]) != r_lat[c] ||
            int'($signed(credit[c*16 +: 16])) != r_credit[c] || int'(weight[c*8 +: 8]) != r_weight[c] ||
            int'(home[c*3 +: 3]) != r_home[c])
          fail($sformatf("core %0d: node %0d online %0d util %0d freq %0d occ %0d vcpu %0d slice %0d lat %0d credit %0d weight %0d home %0d, expected %0d %0d %0d %0d %0d %0d %0d %0d %0d %0d %0d",
                         c, node[c*3 +: 3], online[c], util[c*8 +: 8], freq[c*2 +: 2], occ[c*2 +: 2],
                         vcpu[c*12 +: 12], slice[c*16 +: 16], lat[c], $signed(credit[c*16 +: 16]),
                         weight[c*8 +: 8], home[c*3 +: 3], r_node[c], r_online[c], r_util[c], r_freq[c], r_occ[c],
                         r_vcpu[c], r_slice[c], r_lat[c], r_credit[c], r_weight[c], r_home[c]));
      end
      // 2. This cycle's inputs.
      soft_rst = ($urandom % 1500) == 0;
      wc = int'($urandom % (NCores + 2));
      rnd64 = {$urandom, $urandom};
      w = vs_pkg::core_write_t'(rnd64[$bits(vs_pkg::core_write_t)-1:0]);
      w.en = ($urandom % 3) != 0;
      w.core = 8'(wc);
      // vs_exec claims only an idle, online core
      w.need_idle = w.en && wc < NCores && r_occ[wc < NCores ? wc : 0] == 0 && r_online[wc < NCores ? wc : 0] == 1 &&
                    ($urandom % 2 == 0);
      wr = w;
      rnd64 = {$urandom, $urandom};
      mirror = vs_pkg::mirror_write_t'(rnd64[$bits(vs_pkg::mirror_write_t)-1:0]);
      mirror.en = ($urandom % 3) == 0;
      mirror.core = 8'($urandom % (NCores + 2));
      refill_en = !mirror.en && ($urandom % 4) == 0;
      refill_group = 8'($urandom % (Groups + 1));
      if ($urandom % 8 == 0) begin
        cap = 15'($urandom % 32767 + 1);
        rpw = 8'($urandom % 4 == 0 ? 0 : $urandom);
      end
      read_core = 8'($urandom % (NCores + 2));
      peek_core = 8'($urandom % (NCores + 2));
      #1;
      // 3. The read and peek ports, as the table stands.
      c = int'(read_core);
      if (c < NCores) begin
        if (int'(read_online) != r_online[c] || int'(read_util) != r_util[c] || int'(read_occ) != r_occ[c] ||
            int'(read_vcpu) != r_vcpu[c] || int'(read_slice) != r_slice[c])
          fail($sformatf("read port, core %0d", c));
      end else if (read_online !== 1'b0 || read_util !== '0 || read_occ !== '0 || read_vcpu !== '0 ||
                   read_slice !== '0)
        fail($sformatf("read port, core %0d (none): not 0", c));
      c = int'(peek_core);
      if (int'(peek_vcpu) != ((c < NCores) ? r_vcpu[c] : 0)) fail($sformatf("peek port, core %0d", c));
      // 4. The reference after the next posedge: soft reset, else the core
      // write, the mirror write, the refill (before-edge credit and weight).
      if (soft_rst) begin
        reset_ref();
        soft_resets++;
      end else begin
        if (w.en && wc < NCores) begin
          writes++;
          if (w.cfg_en) begin r_node[wc] = int'(w.node); r_online[wc] = int'(w.online); end
          if (w.util_en) r_util[wc] = int'(w.util);
          if (w.freq_en) r_freq[wc] = int'(w.freq);
          if (w.occ_en) r_occ[wc] = int'(w.occ);
          if (w.vcpu_en) r_vcpu[wc] = int'(w.vcpu);
          if (w.slice_en) r_slice[wc] = int'(w.slice);
        end
        if (mirror.en && int'(mirror.core) < NCores) begin
          mirrors++;
          r_lat[int'(mirror.core)] = int'(mirror.lat);
          r_credit[int'(mirror.core)] = int'($signed(mirror.credit));
          r_weight[int'(mirror.core)] = int'(mirror.weight);
          r_home[int'(mirror.core)] = int'(mirror.home);
        end
        if (refill_en) begin
          g = int'(refill_group);
          capi = int'(cap);
          for (c = g * Lanes; c < g * Lanes + Lanes && c < NCores; c++) begin
            a = r_weight[c] * int'(rpw);
            r_credit[c] = r_credit[c] + a;
            if (r_credit[c] > capi) begin r_credit[c] = capi; clamps_hi++; end
            else if (r_credit[c] < -capi) begin r_credit[c] = -capi; clamps_lo++; end
            refills++;
          end
        end
      end
    end
  end
endmodule

module vs_core_table_tb;
  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;

  vs_core_table_chk #(.NCores(13), .AcctLanes(4), .Seed(1)) u_c13 (.clk, .rst_n);
  vs_core_table_chk #(.NCores(5), .AcctLanes(8), .Seed(2)) u_c5 (.clk, .rst_n);
  vs_core_table_chk #(.NCores(64), .AcctLanes(8), .Seed(3)) u_c64 (.clk, .rst_n);
  vs_core_table_chk #(.NCores(1), .AcctLanes(1), .Seed(4)) u_c1 (.clk, .rst_n);

  initial begin
    int unsigned errors;
    repeat (3) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
    repeat (20000) @(posedge clk);
    @(negedge clk);
    errors = u_c13.errors + u_c5.errors + u_c64.errors + u_c1.errors;
    if (errors != 0) $fatal(1, "vs_core_table_tb: FAIL, %0d mismatches", errors);
    // The stimulus must reach what the bench is for: refills of every size
    // of group, clamped on both sides, mirror and core writes, soft resets.
    if (u_c13.refills < 5000 || u_c5.refills < 5000 || u_c64.refills < 10000 || u_c1.refills < 1000 ||
        u_c64.clamps_hi < 100 || u_c64.clamps_lo < 100 || u_c13.mirrors < 1000 || u_c13.writes < 1000 ||
        u_c64.soft_resets == 0)
      $fatal(1, "vs_core_table_tb: FAIL, stimulus too weak (refills %0d/%0d/%0d/%0d, clamps %0d/%0d, mirrors %0d, writes %0d, soft resets %0d)",
             u_c13.refills, u_c5.refills, u_c64.refills, u_c1.refills, u_c64.clamps_hi, u_c64.clamps_lo,
             u_c13.mirrors, u_c13.writes, u_c64.soft_resets);
    $display("vs_core_table_tb: PASS (NCores/lanes 13/4, 5/8, 64/8, 1/1: %0d/%0d/%0d/%0d cores refilled, %0d/%0d clamped on 64, %0d mirror writes and %0d core writes on 13, %0d soft resets on 64)",
             u_c13.refills, u_c5.refills, u_c64.refills, u_c1.refills, u_c64.clamps_hi, u_c64.clamps_lo,
             u_c13.mirrors, u_c13.writes, u_c64.soft_resets);
    $finish;
  end
endmodule
