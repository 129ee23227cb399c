// vs_prestage: the prestaged table of docs/spec.md section 8, one entry per
// node: the placement a latency WAKE of a vCPU homed on n would get now,
// so the host can act on it before the engine answers (COMMIT, 7.5).
//
// spec 8 (1.1), in order: a near idle core (dist <= WAKE_MAX_DIST), a near
// victim, a far idle core, a far victim, none. The entry's epoch counts its
// changes (kind, core or vCPU).
//
// Timing: vs_exec raises update_i one cycle after the last state write of
// each event that changed state (not after ERROR); the registered searches
// reflect that write one cycle later, when the table is recomputed
// (update_q). entry_d_o is the table as it will be after this cycle: COMMIT
// compares against the entry as it stood before its own event.
// The forwarded table (kind_f_o, core_f_o, epoch_f_o; Forward = 1) is the
// table as it stands after every event before the current one, for a COMMIT
// taken during the EXEC of the event before it: when that event's update is
// still to come (update_i), the entry is computed now from vs_search's
// forwarded results (the state after that event's write, as the registered
// searches will describe it next cycle) and WAKE_MAX_DIST as it is now (a
// CONFIG of it makes every forwarded result stale: vs_search), and its epoch
// counts the change on top of the table after this cycle; otherwise it is
// that table (kind_d_o, ...). Where a node's forwarded results are stale the
// COMMIT waits a cycle (vs_exec), and then update_i has passed.
// WAKE_MAX_DIST is read one cycle late too (wake_max_dist_q), from the same
// cycle as the registered searches: an event taken during the EXEC of the
// one before it (the overlap rule, vs_accept) may be a CONFIG of
// WAKE_MAX_DIST, written in the cycle the searches are sampled for the
// previous event's update. With the key read live, that update mixed the
// new distance with searches of the old one: an entry neither table had,
// and two epochs the model does not count (vshard diff, dense streams).
module vs_prestage #(
  parameter int NNodes = 2,
  parameter bit Forward = 1'b1  // vs_top: the forwarded table for a COMMIT taken during an EXEC
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 soft_rst_i,
  input  logic                 update_i,      // an event's last state write was last cycle
  input  logic [7:0]           wake_max_dist_i,
  input  logic [NNodes-1:0]    idle_valid_i,  // registered searches (vs_search)
  input  logic [NNodes*8-1:0]  idle_core_i,
  input  logic [NNodes*8-1:0]  idle_dist_i,
  input  logic [NNodes-1:0]    victim_valid_i,
  input  logic [NNodes-1:0]    victim_far_i,
  input  logic [NNodes*8-1:0]  victim_core_i,
  input  logic [NNodes*12-1:0] victim_vcpu_i,
  output logic                 busy_o,        // an update is pending (the engine is not quiet)
  output logic [NNodes*2-1:0]  kind_o,        // the table, node n at [n*W +: W]
  output logic [NNodes*8-1:0]  core_o,
  output logic [NNodes*12-1:0] vcpu_o,
  output logic [NNodes*32-1:0] epoch_o,
  output logic [NNodes*2-1:0]  kind_d_o,      // the table after this cycle
  output logic [NNodes*8-1:0]  core_d_o,
  output logic [NNodes*32-1:0] epoch_d_o,
  // vs_search's forwarded results (the state as it is now) and the table they give
  input  logic [NNodes-1:0]    fwd_idle_valid_i,
  input  logic [NNodes*8-1:0]  fwd_idle_core_i,
  input  logic [NNodes*8-1:0]  fwd_idle_dist_i,
  input  logic [NNodes-1:0]    fwd_victim_valid_i,
  input  logic [NNodes-1:0]    fwd_victim_far_i,
  input  logic [NNodes*8-1:0]  fwd_victim_core_i,
  input  logic [NNodes*12-1:0] fwd_victim_vcpu_i,
  output logic [NNodes*2-1:0]  kind_f_o,      // the table after the events before the current one
  output logic [NNodes*8-1:0]  core_f_o,
  output logic [NNodes*32-1:0] epoch_f_o
);
  // spec 8 (1.1): the entry of one node from its searches
  function automatic logic [21:0] entry_f(input logic idle_valid, input logic [7:0] idle_core,
                                          input logic [7:0] idle_dist, input logic victim_valid,
                                          input logic victim_far, input logic [7:0] victim_core,
                                          input logic [11:0] victim_vcpu, input logic [7:0] wake_max_dist);
    // {kind, core, vcpu}
    if (idle_valid && (idle_dist <= wake_max_dist))  entry_f = {vs_pkg::PreIdle, idle_core, 12'd0};
    else if (victim_valid && !victim_far)            entry_f = {vs_pkg::PrePreempt, victim_core, victim_vcpu};
    else if (idle_valid)                             entry_f = {vs_pkg::PreIdle, idle_core, 12'd0};
    else if (victim_valid)                           entry_f = {vs_pkg::PrePreempt, victim_core, victim_vcpu};
    else                                             entry_f = {vs_pkg::PreNone, 8'd0, 12'd0};
  endfunction

  logic                 update_q;
  logic [NNodes*12-1:0] vcpu_d;
  logic [7:0]           wake_max_dist_q;  // as the registered searches saw it

  always_ff @(posedge clk_i) wake_max_dist_q <= wake_max_dist_i;

  for (genvar n = 0; n < NNodes; n++) begin : gen_node
    logic [1:0]  kind;
    logic [7:0]  core;
    logic [11:0] vcpu;
    logic        changed;
    assign {kind, core, vcpu} = entry_f(idle_valid_i[n], idle_core_i[n*8 +: 8], idle_dist_i[n*8 +: 8],
                                        victim_valid_i[n], victim_far_i[n], victim_core_i[n*8 +: 8],
                                        victim_vcpu_i[n*12 +: 12], wake_max_dist_q);
    assign changed = (kind != kind_o[n*2 +: 2]) || (core != core_o[n*8 +: 8]) ||
                     (vcpu != vcpu_o[n*12 +: 12]);
    assign kind_d_o[n*2 +: 2]   = soft_rst_i ? vs_pkg::PreNone : update_q ? kind : kind_o[n*2 +: 2];
    assign core_d_o[n*8 +: 8]   = soft_rst_i ? 8'd0 : update_q ? core : core_o[n*8 +: 8];
    assign vcpu_d[n*12 +: 12]   = soft_rst_i ? 12'd0 : update_q ? vcpu : vcpu_o[n*12 +: 12];
    assign epoch_d_o[n*32 +: 32] = soft_rst_i ? 32'd0 :
                                   (update_q && changed) ? epoch_o[n*32 +: 32] + 32'd1 :
                                   epoch_o[n*32 +: 32];

    if (Forward) begin : gen_fwd
      logic [1:0]  kind_f;
      logic [7:0]  core_f;
      logic [11:0] vcpu_f;
      logic        changed_f;
      assign {kind_f, core_f, vcpu_f} = entry_f(fwd_idle_valid_i[n], fwd_idle_core_i[n*8 +: 8],
                                                fwd_idle_dist_i[n*8 +: 8], fwd_victim_valid_i[n],
                                                fwd_victim_far_i[n], fwd_victim_core_i[n*8 +: 8],
                                                fwd_victim_vcpu_i[n*12 +: 12], wake_max_dist_i);
      assign changed_f = (kind_f != kind_d_o[n*2 +: 2]) || (core_f != core_d_o[n*8 +: 8]) ||
                         (vcpu_f != vcpu_d[n*12 +: 12]);
      assign kind_f_o[n*2 +: 2]   = update_i ? kind_f : kind_d_o[n*2 +: 2];
      assign core_f_o[n*8 +: 8]   = update_i ? core_f : core_d_o[n*8 +: 8];
      assign epoch_f_o[n*32 +: 32] = (update_i && changed_f) ? epoch_d_o[n*32 +: 32] + 32'd1
                                                              : epoch_d_o[n*32 +: 32];
    end else begin : gen_no_fwd
      assign kind_f_o[n*2 +: 2]    = kind_d_o[n*2 +: 2];
      assign core_f_o[n*8 +: 8]    = core_d_o[n*8 +: 8];
      assign epoch_f_o[n*32 +: 32] = epoch_d_o[n*32 +: 32];
    end
  end
  if (!Forward) begin : gen_no_fwd_unused
    logic unused_fwd;
    assign unused_fwd = ^{fwd_idle_valid_i, fwd_idle_core_i, fwd_idle_dist_i, fwd_victim_valid_i,
                          fwd_victim_far_i, fwd_victim_core_i, fwd_victim_vcpu_i};
  end

  assign busy_o = update_i || update_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      update_q <= 1'b0;
      kind_o   <= '0;
      core_o   <= '0;
      vcpu_o   <= '0;
      epoch_o  <= '0;
    end else begin
      update_q <= update_i && !soft_rst_i;
      kind_o   <= kind_d_o;
      core_o   <= core_d_o;
      vcpu_o   <= vcpu_d;
      epoch_o  <= epoch_d_o;
    end
  end
endmodule
