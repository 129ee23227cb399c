// vshard::sim::AxilHarness: what every verilated vShard top shares, whatever
// else it has: the VerilatedContext, the clock (tick(), freeze), reset with
// its wait for idle_o, the AXI4-Lite master on the register map (read32 /
// write32) and the FST waveform. Harness (vs_top, AXI-Stream) and CardHarness
// (vs_card_top, AXI4 master to host memory) derive from it and add their
// ports through three hooks called once per clock cycle:
//
//   drive()   before the cycle's evaluation: set the derived inputs
//   sample()  after it, before the rising edge: the cycle's handshakes
//   commit()  after the edge: act on what was transferred
//
// Clocking: tick() is one full clock cycle. Inputs are driven and the
// handshakes sampled before the rising edge; the rising edge then commits
// them. Every blocking call has a cycle deadline and throws
// vshard::Error(kTimeout) when it passes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vshard/descriptor.h"

class VerilatedContext;
class VerilatedFstC;

namespace vshard::sim {

// The options every harness takes.
struct ClockOptions {
  // Seeds Verilator's randomised initial/X values (--x-initial unique,
  // --x-assign unique) and the derived harness's random stalls.
  uint64_t seed = 1;
  // FST waveform file; empty = no waveform (start_trace() can open one later).
  std::string trace_path;
  // Deadline of one AXI4-Lite access, in cycles.
  uint64_t axi_timeout_cycles = 1000;
  // Deadline for idle_o after reset (the engine may sweep its tables).
  uint64_t reset_timeout_cycles = 200000;
};

class AxilHarness {
 public:
  virtual ~AxilHarness();
  AxilHarness(const AxilHarness&) = delete;
  AxilHarness& operator=(const AxilHarness&) = delete;

  const std::string& config() const { return config_; }
  const Params& params() const { return params_; }

  // Holds rst_ni low for `cycles` clock cycles (inputs idle), releases it
  // and waits for idle_o (kTimeout after reset_timeout_cycles). The derived
  // harness drops its queued traffic (clear_state()).
  void reset(unsigned cycles = 8);
  // Advances n clock cycles (when frozen, time passes but the design sees no
  // clock edge).
  void tick(uint64_t n = 1);
  // Clock cycles since creation (including frozen ones).
  uint64_t cycle() const { return cycle_; }
  // Stops (true) or restarts (false) clocking the design.
  void freeze(bool on) { frozen_ = on; }
  bool frozen() const { return frozen_; }

  // idle_o after the last clock edge.
  bool idle() const { return idle_; }

  // ---- AXI4-Lite -----------------------------------------------------------
  // Blocking single accesses; throw vshard::Error(kTimeout) if the slave does
  // not complete within axi_timeout_cycles. The response code of the last
  // access is last_resp() (0 OKAY, 2 SLVERR, 3 DECERR).
  uint32_t read32(uint32_t addr);
  void write32(uint32_t addr, uint32_t data, uint8_t strb = 0xF);
  uint8_t last_resp() const { return last_resp_; }

  // ---- waveform ------------------------------------------------------------
  void start_trace(const std::string& fst_path);
  void stop_trace();
  bool tracing() const { return static_cast<bool>(trace_); }

  // Protocol violations the harness saw on the design's outputs (the derived
  // harness says which); tests assert zero.
  uint64_t protocol_errors() const { return protocol_errors_; }
  const std::string& first_protocol_error() const { return first_protocol_error_; }

  // The AXI4-Lite slave pins (same names on vs_top and vs_card_top), clock,
  // reset and idle_o; public so a configuration's pin copy (lite_pins.h) can
  // take them.
  struct LiteIn {
    bool clk = false, rst_n = false;
    uint16_t awaddr = 0;
    bool awvalid = false;
    uint32_t wdata = 0;
    uint8_t wstrb = 0;
    bool wvalid = false, bready = false;
    uint16_t araddr = 0;
    bool arvalid = false, rready = false;
  };
  struct LiteOut {
    bool awready = false, wready = false;
    uint8_t bresp = 0;
    bool bvalid = false, arready = false;
    uint32_t rdata = 0;
    uint8_t rresp = 0;
    bool rvalid = false, idle = false;
  };

 protected:
  AxilHarness(std::string config, Params params, const ClockOptions& opts);

  // The per-configuration part: one verilated class behind these calls.
  // put() writes every input (lite_in() and the derived ones), get() reads
  // every output.
  virtual void put() = 0;
  virtual void get() = 0;
  virtual void eval() = 0;
  virtual void attach_trace(VerilatedFstC* tfp) = 0;
  virtual void final_model() = 0;

  // The derived harness's ports (see the top of this file). drive() is not
  // called while frozen, sample() and commit() not while frozen or in reset.
  virtual void drive() {}
  virtual void sample() {}
  virtual void commit() {}
  // Drops queued traffic and protocol state: before and after reset.
  virtual void clear_state() {}

  // The derived constructor calls this once its model exists.
  void init();
  // The derived destructor calls this before its model is destroyed.
  void shutdown();
  VerilatedContext* context() { return ctx_.get(); }
  const LiteIn& lite_in() const { return lite_in_; }
  LiteOut& lite_out() { return lite_out_; }
  bool in_reset() const { return !lite_in_.rst_n; }
  const ClockOptions& clock_options() const { return opts_; }

  void protocol_error(const std::string& msg);
  [[noreturn]] void timeout(const std::string& what, uint64_t cycles) const;
  // kBadConfig naming the configurations of `what` linked into this binary.
  [[noreturn]] static void unknown_config(const std::string& what, const std::string& config,
                                          const std::vector<std::string>& have);

 private:
  void step();
  void half_cycle(bool clk);
  void check_errors();

  std::string config_;
  Params params_;
  ClockOptions opts_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<VerilatedFstC> trace_;
  bool shut_down_ = false;

  LiteIn lite_in_;
  LiteOut lite_out_;
  bool idle_ = false;
  uint64_t cycle_ = 0;
  bool frozen_ = false;

  // AXI4-Lite handshakes of the last clock edge.
  bool ar_fire_ = false, r_fire_ = false, aw_fire_ = false, w_fire_ = false, b_fire_ = false;
  uint32_t rdata_ = 0;
  uint8_t rresp_ = 0, bresp_ = 0, last_resp_ = 0;

  uint64_t protocol_errors_ = 0;
  std::string first_protocol_error_;
};

}  // namespace vshard::sim
