// Self-checking testbench of rtl/vs_prestage.sv (CTest rtl_cell_prestage,
// through `verilator --binary --timing --assert`): NNodes 1, 2 and 4 side by
// side, each against a reference of spec 8.
//
// Why: the prestaged table is what the host acts on before the engine
// answers; a COMMIT holds only if its epoch is the entry's, so one spurious
// recomputation (an entry neither state had, and back) costs two epochs and
// aborts every COMMIT of that node until the host reads the table again.
// The contract the bench holds the cell to: an update describes one
// snapshot, the cycle the searches were sampled in. Each cycle the bench
// makes the "raw" search results of that cycle (what vs_search computes
// from the state: per node an idle core and its distance, a victim and
// whether it is far, i.e. its distance > WAKE_MAX_DIST of that same cycle)
// and registers them into the cell's inputs, as vs_search does; the
// WAKE_MAX_DIST input changes often (a CONFIG of it may be taken right
// after an event, the overlap rule of vs_accept). When update_i was high
// the cycle before, the table after this cycle must be spec 8's choice
// from the snapshot (searches and WAKE_MAX_DIST of the cycle before) and
// its epoch must count a change of kind, core or vCPU; otherwise the table
// holds; soft reset clears it. Checked every cycle: the table, the
// next-state outputs (*_d_o, which COMMIT reads) and busy_o. Prints
// "vs_prestage_tb: PASS" or stops with $fatal.
//
// Mutant tried (not committed): WAKE_MAX_DIST read live in the update
// cycle instead of with the searches (the cell before this bench, whose
// bug `vshard diff --stall-prob 0` found as a COMMIT aborted 2 epochs off):
// this bench fails at once.
module vs_prestage_chk #(
  parameter int NNodes = 2,
  parameter int Seed = 1
) (
  input logic clk,
  input logic rst_n
);
  // What vs_search would compute this cycle (raw) and has registered (the cell's inputs).
  logic [NNodes-1:0]    raw_iv, raw_vv, raw_vf, iv, vv, vf;
  logic [NNodes*8-1:0]  raw_ic, raw_id, raw_vc, ic, id, vc;
  logic [NNodes*12-1:0] raw_vcpu, vcpu_in;
  // WAKE_MAX_DIST is a register too (vs_cfg_regs): a CONFIG written at the
  // posedge the searches are sampled at changes it from the next cycle on.
  logic [7:0]           wmd_next, wmd_reg;
  logic                 update, soft_rst;

  logic                 busy;
  logic [NNodes*2-1:0]  kind, kind_d;
  logic [NNodes*8-1:0]  core, core_d;
  logic [NNodes*12-1:0] vcpu;
  logic [NNodes*32-1:0] epoch, epoch_d;

  vs_prestage #(.NNodes(NNodes)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .soft_rst_i(soft_rst), .update_i(update), .wake_max_dist_i(wmd_reg),
    .idle_valid_i(iv), .idle_core_i(ic), .idle_dist_i(id), .victim_valid_i(vv), .victim_far_i(vf),
    .victim_core_i(vc), .victim_vcpu_i(vcpu_in), .busy_o(busy), .kind_o(kind), .core_o(core), .vcpu_o(vcpu),
    .epoch_o(epoch), .kind_d_o(kind_d), .core_d_o(core_d), .epoch_d_o(epoch_d));

  // The registered searches (as in vs_search), the configuration register,
  // and the reference's snapshot: WAKE_MAX_DIST as the searches saw it.
  logic [7:0] snap_wmd;
  logic       r_update_q;  // the cell's update_q
  always_ff @(posedge clk) begin
    iv <= raw_iv; ic <= raw_ic; id <= raw_id; vv <= raw_vv; vf <= raw_vf; vc <= raw_vc; vcpu_in <= raw_vcpu;
    snap_wmd <= wmd_reg;
    wmd_reg <= wmd_next;
    r_update_q <= rst_n && update && !soft_rst;
  end

  // The reference table.
  logic [1:0]  r_kind[NNodes];
  logic [7:0]  r_core[NNodes];
  logic [11:0] r_vcpu[NNodes];
  logic [31:0] r_epoch[NNodes];
  int unsigned errors = 0, updates = 0, changes = 0, dist_moved = 0, kinds[3] = '{0, 0, 0};

  task automatic fail(input string what);
    errors++;
    if (errors <= 10) $display("vs_prestage_tb: NNodes %0d: %s", NNodes, what);
  endtask

  initial begin
    for (int n = 0; n < NNodes; n++) begin
      r_kind[n] = 2'd0; r_core[n] = 8'd0; r_vcpu[n] = 12'd0; r_epoch[n] = 32'd0;
    end
    wmd_next = 8'd3; wmd_reg = 8'd3; snap_wmd = 8'd3; r_update_q = 1'b0; update = 1'b0; soft_rst = 1'b0;
    raw_iv = '0; raw_ic = '0; raw_id = '0; raw_vv = '0; raw_vf = '0; raw_vc = '0; raw_vcpu = '0;
    void'($urandom(Seed));
  end

  always @(negedge clk) begin
    if (rst_n) begin
      logic [1:0]  e_kind;
      logic [7:0]  e_core;
      logic [11:0] e_vcpu;
      logic [31:0] e_epoch;
      logic [7:0]  vdist;
      // 1. The table after the last posedge.
      for (int n = 0; n < NNodes; n++) begin
        if (kind[n*2 +: 2] !== r_kind[n] || core[n*8 +: 8] !== r_core[n] || vcpu[n*12 +: 12] !== r_vcpu[n] ||
            epoch[n*32 +: 32] !== r_epoch[n])
          fail($sformatf("node %0d: table kind %0d core %0d vcpu %0d epoch %0d, expected %0d %0d %0d %0d", n,
                         kind[n*2 +: 2], core[n*8 +: 8], vcpu[n*12 +: 12], epoch[n*32 +: 32], r_kind[n],
                         r_core[n], r_vcpu[n], r_epoch[n]));
      end
      // 2. This cycle's inputs. The raw victim is far by this cycle's
      // WAKE_MAX_DIST (spec 7.2), as vs_search computes it.
      update = ($urandom % 2) == 0;
      soft_rst = ($urandom % 500) == 0;
      if ($urandom % 4 == 0) wmd_next = 8'($urandom % 8);
      for (int n = 0; n < NNodes; n++) begin
        raw_iv[n] = ($urandom % 4) != 0;
        raw_ic[n*8 +: 8] = 8'($urandom % 64);
        raw_id[n*8 +: 8] = 8'($urandom % 10);
        raw_vv[n] = ($urandom % 3) != 0;
        raw_vc[n*8 +: 8] = 8'($urandom % 64);
        raw_vcpu[n*12 +: 12] = 12'($urandom);
        vdist = 8'($urandom % 10);
        raw_vf[n] = vdist > wmd_reg;
      end
      #1;
      // 3. busy_o, and the table after the next posedge (*_d_o, which a
      // COMMIT reads) from the snapshot, against spec 8.
      if (busy !== (update || r_update_q)) fail($sformatf("busy_o %0d", busy));
      if (r_update_q && (wmd_reg != snap_wmd)) dist_moved++;
      for (int n = 0; n < NNodes; n++) begin
        e_kind = r_kind[n]; e_core = r_core[n]; e_vcpu = r_vcpu[n]; e_epoch = r_epoch[n];
        if (soft_rst) begin
          e_kind = 2'd0; e_core = 8'd0; e_vcpu = 12'd0; e_epoch = 32'd0;
        end else if (r_update_q) begin
          // spec 8: near idle, near victim, far idle, far victim, none
          if (iv[n] && id[n*8 +: 8] <= snap_wmd) begin
            e_kind = vs_pkg::PreIdle; e_core = ic[n*8 +: 8]; e_vcpu = 12'd0;
          end else if (vv[n] && !vf[n]) begin
            e_kind = vs_pkg::PrePreempt; e_core = vc[n*8 +: 8]; e_vcpu = vcpu_in[n*12 +: 12];
          end else if (iv[n]) begin
            e_kind = vs_pkg::PreIdle; e_core = ic[n*8 +: 8]; e_vcpu = 12'd0;
          end else if (vv[n]) begin
            e_kind = vs_pkg::PrePreempt; e_core = vc[n*8 +: 8]; e_vcpu = vcpu_in[n*12 +: 12];
          end else begin
            e_kind = vs_pkg::PreNone; e_core = 8'd0; e_vcpu = 12'd0;
          end
          updates++;
          kinds[e_kind]++;
          if (e_kind != r_kind[n] || e_core != r_core[n] || e_vcpu != r_vcpu[n]) begin
            e_epoch = r_epoch[n] + 32'd1;
            changes++;
          end
        end
        if (kind_d[n*2 +: 2] !== e_kind || core_d[n*8 +: 8] !== e_core || epoch_d[n*32 +: 32] !== e_epoch)
          fail($sformatf("node %0d: next kind %0d core %0d epoch %0d, expected %0d %0d %0d (update %0d)", n,
                         kind_d[n*2 +: 2], core_d[n*8 +: 8], epoch_d[n*32 +: 32], e_kind, e_core, e_epoch,
                         r_update_q));
        r_kind[n] = e_kind; r_core[n] = e_core; r_vcpu[n] = e_vcpu; r_epoch[n] = e_epoch;
      end
    end
  end
endmodule

module vs_prestage_tb;
  logic clk = 1'b0;
  logic rst_n = 1'b0;
  always #5 clk = ~clk;

  vs_prestage_chk #(.NNodes(1), .Seed(1)) u_n1 (.clk, .rst_n);
  vs_prestage_chk #(.NNodes(2), .Seed(2)) u_n2 (.clk, .rst_n);
  vs_prestage_chk #(.NNodes(4), .Seed(3)) u_n4 (.clk, .rst_n);

  initial begin
    repeat (3) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
    repeat (20000) @(posedge clk);
    @(negedge clk);
    if (u_n1.errors + u_n2.errors + u_n4.errors != 0)
      $fatal(1, "vs_prestage_tb: FAIL, %0d mismatches", u_n1.errors + u_n2.errors + u_n4.errors);
    // The stimulus must reach what the bench is for: updates whose
    // WAKE_MAX_DIST moved since their snapshot, and every kind of entry.
    if (u_n2.dist_moved < 1000 || u_n4.kinds[0] == 0 || u_n4.kinds[1] == 0 || u_n4.kinds[2] == 0 ||
        u_n2.changes < 1000)
      $fatal(1, "vs_prestage_tb: FAIL, stimulus too weak (distance moved %0d, kinds %0d/%0d/%0d, changes %0d)",
             u_n2.dist_moved, u_n4.kinds[0], u_n4.kinds[1], u_n4.kinds[2], u_n2.changes);
    $display("vs_prestage_tb: PASS (NNodes 1/2/4: %0d/%0d/%0d node updates, %0d/%0d/%0d changes, %0d updates after a WAKE_MAX_DIST change)",
             u_n1.updates, u_n2.updates, u_n4.updates, u_n1.changes, u_n2.changes, u_n4.changes, u_n2.dist_moved);
    $finish;
  end
endmodule
