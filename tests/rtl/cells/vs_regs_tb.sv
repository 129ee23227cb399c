// Self-checking testbench of rtl/vs_regs.sv (CTest rtl_cell_regs, through
// `verilator --binary --timing --assert`): the AXI4-Lite side of the register
// block, with an engine whose "quiet" the bench decides.
//
// Why: since 2026-12-02 vs_regs registers AXI4-Lite's address and data at the
// handshake (a one-entry write buffer, a registered read address) and acts on
// the registers a cycle or more later (docs/rtl.md "Register interface
// notes"). A write that took its address or data from the bus after the
// handshake, a SOFT_RESET that fired while the engine was busy, a `hold_o`
// that did not cover the whole wait (or held events with no write waiting),
// a second SOFT_RESET pulse, or a read answered from the bus's current
// address would each corrupt the engine or the host's view of it.
//
// What it does: an AXI4-Lite master with random valid/ready timing that puts
// random garbage on AWADDR/WDATA/WSTRB/ARADDR as soon as a handshake is done
// (AXI allows it), random engine quiet (held low for a random number of
// cycles while a SOFT_RESET waits), and random EVENTS counter strobes between
// accesses. Against a model of the registers it checks: every read of MAGIC,
// NCORES, SCRATCH, CTRL, STATUS.ENABLED and EVENTS; partial writes
// (WSTRB != 0xF) ignored; SOFT_RESET pulses soft_rst_o exactly once, only
// while engine_quiet_i, clears EVENTS and keeps SCRATCH; hold_o is high on
// every cycle a SOFT_RESET waits for a busy engine and never without one;
// one write at a time (AWREADY low while B is pending); R data and B stable
// under valid && !ready. Prints "vs_regs_tb: PASS" or "FAIL".
//
// Mutants tried (copies of vs_regs.sv in a temp dir, not committed); each
// made this bench print FAIL: the write's data taken from s_axil_wdata_i
// when it takes effect instead of from the buffer; the read multiplexer
// addressed by s_axil_araddr_i instead of the registered address; aw_fire
// not waiting for engine_quiet_i; hold_o from the buffer alone (held for a
// SCRATCH write too).
module vs_regs_tb;
  localparam int NCores = 8, NVcpus = 64, NNodes = 2, MaxShards = 4;

  logic clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  logic [11:0] awaddr = '0, araddr = '0;
  logic        awvalid = 1'b0, wvalid = 1'b0, bready = 1'b0, arvalid = 1'b0, rready = 1'b0;
  logic [31:0] wdata = '0;
  logic [3:0]  wstrb = '0;
  logic        awready, wready, bvalid, arready, rvalid;
  logic [1:0]  bresp, rresp;
  logic [31:0] rdata;
  logic        quiet = 1'b1, ev_acc = 1'b0;
  logic        enable, soft_rst, hold;
  vs_regs_pkg::cfg_t          cfg;
  logic [NNodes*NNodes*8-1:0] numa;

  vs_regs #(.NCores(NCores), .NVcpus(NVcpus), .NNodes(NNodes), .MaxShards(MaxShards)) u_dut (
    .clk_i(clk), .rst_ni(rst_n),
    .s_axil_awaddr_i(awaddr), .s_axil_awvalid_i(awvalid), .s_axil_awready_o(awready),
    .s_axil_wdata_i(wdata), .s_axil_wstrb_i(wstrb), .s_axil_wvalid_i(wvalid), .s_axil_wready_o(wready),
    .s_axil_bresp_o(bresp), .s_axil_bvalid_o(bvalid), .s_axil_bready_i(bready),
    .s_axil_araddr_i(araddr), .s_axil_arvalid_i(arvalid), .s_axil_arready_o(arready),
    .s_axil_rdata_o(rdata), .s_axil_rresp_o(rresp), .s_axil_rvalid_o(rvalid), .s_axil_rready_i(rready),
    .engine_quiet_i(quiet), .idle_i(quiet),
    .config_we_i(1'b0), .config_key_i(16'd0), .config_value_i(32'd0),
    .error_i(1'b0), .error_code_i(8'd0), .error_seq_i(32'd0),
    .event_accepted_i(ev_acc), .decision_taken_i(1'b0),
    .count_preempt_i(1'b0), .count_shard_i(1'b0), .count_commit_i(1'b0), .count_abort_i(1'b0),
    .prestage_kind_i('0), .prestage_core_i('0), .prestage_vcpu_i('0), .prestage_epoch_i('0),
    .cfg_o(cfg), .numa_dist_o(numa), .enable_o(enable), .soft_rst_o(soft_rst), .hold_o(hold)
  );

  int unsigned errors = 0, writes = 0, reads = 0, soft_resets = 0, hold_cycles = 0, partial = 0;
  task automatic fail(input string what);
    errors++;
    if (errors <= 10) $display("vs_regs_tb: %s", what);
  endtask

  // the model
  logic [31:0] m_scratch = '0, m_events = '0;
  logic        m_enable = 1'b1;

  // set by the master for the monitor: a SOFT_RESET has been handed over and
  // not yet answered; the pulses seen since
  logic        sr_pending = 1'b0;
  int unsigned sr_pulses = 0;

  // ---- the monitor: every cycle, on settled values before the rising edge ---
  logic        b_hold = 1'b0, r_hold = 1'b0;
  logic [31:0] r_held = '0;
  always @(negedge clk) begin
    #1;
    if (rst_n) begin
      if (soft_rst && !quiet) fail("soft_rst_o while the engine is busy");
      if (soft_rst) sr_pulses++;
      if (hold && !sr_pending) fail("hold_o with no write waiting for a quiet engine");
      if (sr_pending && sr_pulses == 0 && !quiet && !hold) fail("a waiting SOFT_RESET without hold_o");
      if (hold) hold_cycles++;
      if (awready && bvalid) fail("AWREADY while B is pending");
      if (awready != wready) fail("AWREADY != WREADY");
      if (bresp != 2'b00 || rresp != 2'b00) fail("a response other than OKAY");
      if (b_hold && !bvalid) fail("BVALID dropped before BREADY");
      if (r_hold && (!rvalid || rdata != r_held)) fail("R changed under RVALID && !RREADY");
    end
  end
  always @(posedge clk) begin
    b_hold <= bvalid && !bready;
    r_hold <= rvalid && !rready;
    r_held <= rdata;
  end

  // ---- the master --------------------------------------------------------------
  task automatic garbage_w();
    awaddr = 12'($urandom);
    wdata  = $urandom;
    wstrb  = 4'($urandom);
  endtask

  task automatic axi_write(input logic [11:0] addr, input logic [31:0] data, input logic [3:0] strb,
                           input int busy_cycles);
    bit done;
    @(negedge clk);
    // the engine is busy for busy_cycles after the handshake (SOFT_RESET waits)
    awaddr = addr; wdata = data; wstrb = strb; awvalid = 1'b1; wvalid = 1'b1;
    done = 0;
    while (!done) begin
      #1;
      done = awready;
      if (done && busy_cycles > 0) quiet = 1'b0;
      @(posedge clk);
      @(negedge clk);
      if (!done && ($urandom % 4 == 0)) quiet = 1'b1;
    end
    awvalid = 1'b0; wvalid = 1'b0;
    garbage_w();
    if (addr == vs_regs_pkg::CTRL_OFFSET && strb == 4'hF && data[1]) begin
      sr_pending = 1'b1;
      sr_pulses  = 0;
    end
    // wait for B with a random BREADY, keeping the engine busy as asked
    done = 0;
    while (!done) begin
      if (busy_cycles > 0) begin
        busy_cycles--;
        quiet = 1'b0;
      end else begin
        quiet = 1'b1;
      end
      bready = ($urandom % 3 != 0);
      #1;
      done = bvalid && bready;
      @(posedge clk);
      @(negedge clk);
      garbage_w();
    end
    bready = 1'b0;
    quiet = 1'b1;
    if (sr_pending) begin
      if (sr_pulses != 1) fail($sformatf("SOFT_RESET pulsed soft_rst_o %0d times", sr_pulses));
      sr_pending = 1'b0;
      soft_resets++;
    end
    writes++;
  endtask

  task automatic axi_read(input logic [11:0] addr, output logic [31:0] data);
    bit done;
    @(negedge clk);
    araddr = addr; arvalid = 1'b1;
    done = 0;
    while (!done) begin
      #1;
      done = arready;
      @(posedge clk);
      @(negedge clk);
    end
    arvalid = 1'b0;
    done = 0;
    while (!done) begin
      araddr = 12'($urandom);
      rready = ($urandom % 3 != 0);
      #1;
      done = rvalid && rready;
      data = rdata;
      @(posedge clk);
      @(negedge clk);
    end
    rready = 1'b0;
    reads++;
  endtask

  task automatic check_read(input logic [11:0] addr, input logic [31:0] expect_v, input string name);
    logic [31:0] v;
    axi_read(addr, v);
    if (v !== expect_v) fail($sformatf("%s read 0x%08h, expected 0x%08h", name, v, expect_v));
  endtask

  task automatic strobe_events(input int n);
    for (int i = 0; i < n; i++) begin
      @(negedge clk);
      ev_acc = ($urandom % 2 == 0);
      if (ev_acc) m_events++;
    end
    @(negedge clk);
    ev_acc = 1'b0;
  endtask

  initial begin
    logic [31:0] d;
    logic [3:0]  s;
    void'($urandom(7));
    repeat (3) @(posedge clk);
    @(negedge clk) rst_n = 1'b1;
    check_read(vs_regs_pkg::MAGIC_OFFSET, vs_regs_pkg::MAGIC_VALUE, "MAGIC");
    check_read(vs_regs_pkg::NCORES_OFFSET, NCores, "NCORES");
    for (int it = 0; it < 400; it++) begin
      case ($urandom % 6)
        0, 1: begin  // SCRATCH, sometimes a partial write
          d = $urandom;
          s = ($urandom % 5 == 0) ? 4'($urandom % 15) : 4'hF;
          axi_write(vs_regs_pkg::SCRATCH_OFFSET, d, s, 0);
          if (s == 4'hF) m_scratch = d;
          else partial++;
          check_read(vs_regs_pkg::SCRATCH_OFFSET, m_scratch, "SCRATCH");
        end
        2: begin  // SOFT_RESET (enable written with it) while the engine is busy a while
          d = {30'd0, 1'b1, 1'($urandom)};
          axi_write(vs_regs_pkg::CTRL_OFFSET, d, 4'hF, $urandom % 12);
          m_enable = d[0];
          m_events = 0;
          check_read(vs_regs_pkg::EVENTS_OFFSET, m_events, "EVENTS after SOFT_RESET");
          check_read(vs_regs_pkg::SCRATCH_OFFSET, m_scratch, "SCRATCH after SOFT_RESET");
        end
        3: begin  // CTRL.ENABLE alone: needs no quiet engine
          d = {31'd0, 1'($urandom)};
          axi_write(vs_regs_pkg::CTRL_OFFSET, d, 4'hF, 0);
          m_enable = d[0];
          check_read(vs_regs_pkg::CTRL_OFFSET, {31'd0, m_enable}, "CTRL");
          axi_read(vs_regs_pkg::STATUS_OFFSET, d);
          if (d[2] != m_enable) fail("STATUS.ENABLED differs from CTRL.ENABLE");
        end
        default: begin  // the EVENTS counter
          strobe_events(1 + $urandom % 20);
          check_read(vs_regs_pkg::EVENTS_OFFSET, m_events, "EVENTS");
        end
      endcase
      if (enable != m_enable) fail("enable_o differs from the last CTRL.ENABLE written");
    end
    if (soft_resets < 20 || hold_cycles < 20 || partial < 5)
      fail($sformatf("too little exercised: %0d soft resets, %0d hold cycles, %0d partial writes",
                     soft_resets, hold_cycles, partial));
    $display("vs_regs_tb: %0d writes, %0d reads, %0d soft resets, %0d hold cycles, %0d partial writes",
             writes, reads, soft_resets, hold_cycles, partial);
    if (errors == 0) $display("vs_regs_tb: PASS");
    else $display("vs_regs_tb: FAIL (%0d errors)", errors);
    $finish;
  end

  initial begin
    #5000000;
    $display("vs_regs_tb: FAIL (timeout)");
    $finish;
  end
endmodule
