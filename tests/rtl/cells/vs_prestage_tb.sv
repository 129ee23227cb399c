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
// next-state outputs (*_d_o) and busy_o, and the forwarded table (*_f_o,
// which a COMMIT reads): with update_i high this cycle, spec 8's choice from
// this cycle's forwarded results (random inputs of their own) and
// WAKE_MAX_DIST as it is now, its epoch counting a change on top of the next
// table; otherwise the next table. Prints "vs_prestage_tb: PASS" or stops
// with $fatal.
//
// Mutant tried (not committed): WAKE_MAX_DIST read live in the update
// cycle instead of with the searches (the cell before this bench, whose
// bug `vshard diff --stall-prob 0` found as a COMMIT aborted 2 epochs off):
// this bench fails at once. Mutants of the forwarded table (2026-12-01),
// each caught: the entry picked with WAKE_MAX_DIST of the snapshot instead
// of now; its epoch counted on every pending update, changed or not; its
// change compared with the table before this cycle (kind_o) instead of
// after it (kind_d_o).
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
  // vs_search's forwarded results: the state as it is now (not registered here)
  logic [NNodes-1:0]    f_iv, f_vv, f_vf;
  logic [NNodes*8-1:0]  f_ic, f_id, f_vc;
  logic [NNodes*12-1:0] f_vcpu;
  // WAKE_MAX_DIST is a register too (vs_cfg_regs): a CONFIG written at the
  // posedge the searches are sampled at changes it from the next cycle on.
  logic [7:0]           wmd_next, wmd_reg;
  logic                 update, soft_rst;

  logic                 busy;
  logic [NNodes*2-1:0]  kind, kind_d;
  logic [NNodes*8-1:0]  core, core_d;
  logic [NNodes*12-1:0] vcpu;
  logic [NNodes*32-1:0] epoch, epoch_d;
  logic [NNodes*2-1:0]  kind_f;
  logic [NNodes*8-1:0]  core_f;
  logic [NNodes*32-1:0] epoch_f;

  vs_prestage #(.NNodes(NNodes)) u_dut (
    .clk_i(clk), .rst_ni(rst_n), .soft_rst_i(soft_rst), .update_i(update), .wake_max_dist_i(wmd_reg),
    .idle_valid_i(iv), .idle_core_i(ic), .idle_dist_i(id), .victim_valid_i(vv), .victim_far_i(vf),
    .victim_core_i(vc), .victim_vcpu_i(vcpu_in), .busy_o(busy), .kind_o(kind), .core_o(core), .vcpu_o(vcpu),
    .epoch_o(epoch), .kind_d_o(kind_d), .core_d_o(core_d), .epoch_d_o(epoch_d),
    .fwd_idle_valid_i(f_iv), .fwd_idle_core_i(f_ic), .fwd_idle_dist_i(f_id), .fwd_victim_valid_i(f_vv),
    .fwd_victim_far_i(f_vf), .fwd_victim_core_i(f_vc), .fwd_victim_vcpu_i(f_vcpu),
    .kind_f_o(kind_f), .core_f_o(core_f), .epoch_f_o(epoch_f));

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
  int unsigned fwd_updates = 0, fwd_changes = 0;

  // spec 8 (the bench's own reference): near idle, near victim, far idle,
  // far victim, none; {kind, core, vcpu}
  function automatic logic [21:0] spec8(input logic iv1, input logic [7:0] ic1, input logic [7:0] id1,
                                        input logic vv1, input logic vf1, input logic [7:0] vc1,
                                        input logic [11:0] vcpu1, input logic [7:0] wmd);
    if (iv1 && id1 <= wmd)  spec8 = {vs_pkg::PreIdle, ic1, 12'd0};
    else if (vv1 && !vf1)   spec8 = {vs_pkg::PrePreempt, vc1, vcpu1};
    else if (iv1)           spec8 = {vs_pkg::PreIdle, ic1, 12'd0};
    else if (vv1)           spec8 = {vs_pkg::PrePreempt, vc1, vcpu1};
    else                    spec8 = {vs_pkg::PreNone, 8'd0, 12'd0};
  endfunction

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
    f_iv = '0; f_ic = '0; f_id = '0; f_vv = '0; f_vf = '0; f_vc = '0; f_vcpu = '0;
    void'($urandom(Seed));
  end

  always @(negedge clk) begin
    if (rst_n) begin
      logic [1:0]  e_kind;
      logic [7:0]  e_core;
      logic [11:0] e_vcpu;
      logic [31:0] e_epoch;
      logic [7:0]  vdist;
      // the forwarded results, built here and assigned whole below
      // (Verilator 5.006 did not propagate bit writes of them to the cell)
      logic [NNodes-1:0]    t_iv, t_vv, t_vf;
      logic [NNodes*8-1:0]  t_ic, t_id, t_vc;
      logic [NNodes*12-1:0] t_vcpu;
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
        // forwarded: often the registered results of this cycle, as when no
        // write changed them, else a result of its own
        if ($urandom % 2 == 0) begin
          t_iv[n] = iv[n]; t_ic[n*8 +: 8] = ic[n*8 +: 8]; t_id[n*8 +: 8] = id[n*8 +: 8]; t_vv[n] = vv[n];
          t_vf[n] = vf[n]; t_vc[n*8 +: 8] = vc[n*8 +: 8]; t_vcpu[n*12 +: 12] = vcpu_in[n*12 +: 12];
        end else begin
          t_iv[n] = ($urandom % 4) != 0;
          t_ic[n*8 +: 8] = 8'($urandom % 64);
          t_id[n*8 +: 8] = 8'($urandom % 10);
          t_vv[n] = ($urandom % 3) != 0;
          t_vc[n*8 +: 8] = 8'($urandom % 64);
          t_vcpu[n*12 +: 12] = 12'($urandom % 4);
          t_vf[n] = ($urandom % 2) != 0;
        end
      end
      f_iv = t_iv; f_ic = t_ic; f_id = t_id; f_vv = t_vv; f_vf = t_vf; f_vc = t_vc; f_vcpu = t_vcpu;
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
          {e_kind, e_core, e_vcpu} = spec8(iv[n], ic[n*8 +: 8], id[n*8 +: 8], vv[n], vf[n], vc[n*8 +: 8],
                                           vcpu_in[n*12 +: 12], snap_wmd);
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
        // the forwarded table: the next table, and this cycle's update on top
        begin
          logic [1:0]  g_kind;
          logic [7:0]  g_core;
          logic [11:0] g_vcpu;
          logic [31:0] g_epoch;
          g_kind = e_kind; g_core = e_core; g_vcpu = e_vcpu; g_epoch = e_epoch;
          if (update) begin
            {g_kind, g_core, g_vcpu} = spec8(f_iv[n], f_ic[n*8 +: 8], f_id[n*8 +: 8], f_vv[n], f_vf[n],
                                             f_vc[n*8 +: 8], f_vcpu[n*12 +: 12], wmd_reg);
            fwd_updates++;
            if (g_kind != e_kind || g_core != e_core || g_vcpu != e_vcpu) begin
              g_epoch = e_epoch + 32'd1;
              fwd_changes++;
            end
          end
          if (kind_f[n*2 +: 2] !== g_kind || core_f[n*8 +: 8] !== g_core || epoch_f[n*32 +: 32] !== g_epoch)
            fail($sformatf("node %0d: forwarded kind %0d core %0d epoch %0d, expected %0d %0d %0d (update %0d)",
                           n, kind_f[n*2 +: 2], core_f[n*8 +: 8], epoch_f[n*32 +: 32], g_kind, g_core, g_epoch,
                           update));
        end
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
        u_n2.changes < 1000 || u_n2.fwd_changes < 1000 || u_n2.fwd_updates - u_n2.fwd_changes < 1000)
      $fatal(1, "vs_prestage_tb: FAIL, stimulus too weak (distance moved %0d, kinds %0d/%0d/%0d, changes %0d)",
             u_n2.dist_moved, u_n4.kinds[0], u_n4.kinds[1], u_n4.kinds[2], u_n2.changes);
    $display("vs_prestage_tb: PASS (NNodes 1/2/4: %0d/%0d/%0d node updates, %0d/%0d/%0d changes, %0d updates after a WAKE_MAX_DIST change; NNodes 2: %0d forwarded updates, %0d changed)",
             u_n1.updates, u_n2.updates, u_n4.updates, u_n1.changes, u_n2.changes, u_n4.changes, u_n2.dist_moved,
             u_n2.fwd_updates, u_n2.fwd_changes);
    $finish;
  end
endmodule
