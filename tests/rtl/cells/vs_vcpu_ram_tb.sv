// Self-checking testbench of rtl/vs_vcpu_ram.sv (CTest rtl_cell_vcpu_ram,
// through `verilator --binary --timing --assert`): random reads and writes
// against a reference array, Depth 64 / AW 6 (the small configuration, a
// power of two) and Depth 10 / AW 4 (addresses 10..15 not driven), Width 66.
//
// Why: the vCPU table lives here, and the engine's FSM is written for the
// documented behaviour: one-cycle synchronous read, and a read of the
// address written in the same cycle returns the old word (read-first). A
// write-first RAM, or a read a cycle late, would hand the FSM stale or
// future vCPU state. Every cycle the bench checks rdata_o against the
// reference word read at the previous posedge, before that posedge's
// write; a third of the cycles read the address being written, and the
// addresses are drawn from a small window now and then so reads often
// follow recent writes. A word never written is not compared (the RAM has no
// reset). After driving the next addresses it checks that rdata_o holds
// until the clock edge (a synchronous port). It also checks that the
// same-address case and reads of written words happened often enough.
//
// Mutants tried (copies of the cell in a temp dir, not committed); each made
// this bench fail: write-first (rdata_q takes wdata_i on an address match),
// and an asynchronous read (rdata_o = mem[raddr_i]; caught by the hold check
// and, like write-first, by the same-address reads).
module vs_vcpu_ram_chk #(
  parameter int Depth = 64,
  parameter int AW = 6
) (
  input logic clk
);
  localparam int W = 66;

  logic [AW-1:0] raddr, waddr;
  logic we;
  logic [W-1:0] wdata, rdata;

  vs_vcpu_ram #(.Width(W), .Depth(Depth), .AW(AW)) u_dut (
    .clk_i(clk), .raddr_i(raddr), .rdata_o(rdata), .we_i(we), .waddr_i(waddr), .wdata_i(wdata));

  logic [W-1:0] ref_mem [Depth];
  logic written [Depth];
  logic [W-1:0] exp_data;
  logic exp_known = 1'b0;
  int unsigned errors = 0, compared = 0, same_addr = 0;

  initial begin
    for (int i = 0; i < Depth; i++) written[i] = 1'b0;
    raddr = '0; waddr = '0; we = 1'b0; wdata = '0;
  end

  always @(negedge clk) begin
    int base;
    logic [W-1:0] rd_hold;
    rd_hold = rdata;
    // 1. The read issued at the last posedge.
    if (exp_known) begin
      compared++;
      if (rdata !== exp_data) begin
        errors++;
        if (errors <= 10) $display("vs_vcpu_ram_tb: Depth %0d: rdata %h, expected %h", Depth, rdata, exp_data);
      end
    end
    // 2. The next cycle's read and write; the reference reads before it writes.
    base = ($urandom % 4 == 0) ? ($urandom % Depth) : 0;
    raddr = AW'(($urandom % 8 == 0) ? $urandom % Depth : (base + $urandom % 4) % Depth);
    we = ($urandom % 3) != 0;
    waddr = ($urandom % 3 == 0) ? raddr : AW'($urandom % Depth);
    wdata = W'({$urandom, $urandom, $urandom});
    exp_known = written[raddr];
    exp_data = ref_mem[raddr];
    if (we && waddr == raddr) same_addr++;
    if (we) begin
      ref_mem[waddr] = wdata;
      written[waddr] = 1'b1;
    end
    // A synchronous read port: new addresses and data change nothing until the clock edge.
    #1;
    if (rdata !== rd_hold) begin
      errors++;
      if (errors <= 10) $display("vs_vcpu_ram_tb: Depth %0d: rdata_o changed without a clock edge", Depth);
    end
  end
endmodule

module vs_vcpu_ram_tb;
  logic clk = 1'b0;
  always #5 clk = ~clk;

  vs_vcpu_ram_chk #(.Depth(64), .AW(6)) u_d64 (.clk);
  vs_vcpu_ram_chk #(.Depth(10), .AW(4)) u_d10 (.clk);

  initial begin
    repeat (20000) @(posedge clk);
    @(negedge clk);
    if (u_d64.errors + u_d10.errors != 0)
      $fatal(1, "vs_vcpu_ram_tb: FAIL, %0d mismatches", u_d64.errors + u_d10.errors);
    if (u_d64.compared < 15000 || u_d10.compared < 15000 || u_d64.same_addr < 3000 || u_d10.same_addr < 3000)
      $fatal(1, "vs_vcpu_ram_tb: FAIL, stimulus too weak (compared %0d/%0d, same-address writes %0d/%0d)",
             u_d64.compared, u_d10.compared, u_d64.same_addr, u_d10.same_addr);
    $display("vs_vcpu_ram_tb: PASS (reads compared %0d/%0d, same-address read+write %0d/%0d)", u_d64.compared,
             u_d10.compared, u_d64.same_addr, u_d10.same_addr);
    $finish;
  end
endmodule
