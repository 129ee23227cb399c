// vshard::sim::AxilHarness: the clock, reset, AXI4-Lite master and waveform
// every verilated vShard top shares (the verilated class is behind put/get/eval).
#include "vshard/sim/axil_harness.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "vshard/error.h"
#include "vshard/sim/internal/hex.h"

namespace vshard::sim {
namespace {

using internal::hex;

}  // namespace

void AxilHarness::unknown_config(const std::string& what, const std::string& config,
                                 const std::vector<std::string>& have) {
  std::string list;
  for (const auto& n : have) list += (list.empty() ? "" : ", ") + n;
  throw Error(Errc::kBadConfig, what + " configuration '" + config + "' is not built into this binary (available: " +
                                    (list.empty() ? "none" : list) + "); use one of those");
}

// ---- life cycle ------------------------------------------------------------------

AxilHarness::AxilHarness(std::string config, Params params, const ClockOptions& opts)
    : config_(std::move(config)), params_(params), opts_(opts), ctx_(std::make_unique<VerilatedContext>()) {
  // Deterministic randomised initial values: --x-initial unique uses these.
  ctx_->randReset(2);
  ctx_->randSeed(static_cast<int>(opts.seed % 0x7FFFFFFEull) + 1);
  ctx_->fatalOnError(false);  // an RTL assertion becomes a vshard::Error, not abort()
  ctx_->traceEverOn(true);
}

void AxilHarness::init() {
  lite_in_ = LiteIn{};
  put();
  eval();
  get();
  idle_ = lite_out_.idle;
  if (!opts_.trace_path.empty()) start_trace(opts_.trace_path);
}

void AxilHarness::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // Verilator 5.006 destroys a model's scopes through the calling thread's
  // *current* context (VerilatedScope::~VerilatedScope uses
  // Verilated::threadContextp()), not the model's: with two harnesses alive
  // (diff's replay of a mismatch) that is the other one's, or a destroyed
  // one's, and the destructor deadlocked on its mutex. Make it ours.
  Verilated::threadContextp(ctx_.get());
  final_model();
  stop_trace();
}

AxilHarness::~AxilHarness() = default;

void AxilHarness::start_trace(const std::string& path) {
  stop_trace();
  trace_ = std::make_unique<VerilatedFstC>();
  attach_trace(trace_.get());
  trace_->open(path.c_str());
  if (!trace_->isOpen()) {
    trace_.reset();
    throw Error(Errc::kIo, "cannot open FST waveform file '" + path + "'");
  }
  // The model may still hold the clock high (step() leaves the falling edge
  // to the next eval() when there is no waveform): lower it first, so the
  // first dump shows the clock as it is.
  put();
  eval();
  trace_->dump(ctx_->time());
}

void AxilHarness::stop_trace() {
  if (!trace_) return;
  trace_->close();
  trace_.reset();
}

// ---- clocking -------------------------------------------------------------------

void AxilHarness::check_errors() {
  if (ctx_->gotError())
    throw Error(Errc::kDeviceFailed, "the RTL stopped on an assertion or $error at cycle " + std::to_string(cycle_) +
                                         " (message above); run with a waveform (--trace) to see why");
}

void AxilHarness::half_cycle(bool clk) {
  lite_in_.clk = clk;
  put();
  eval();
  ctx_->timeInc(5);
  if (trace_) trace_->dump(ctx_->time());
}

void AxilHarness::protocol_error(const std::string& msg) {
  if (protocol_errors_++ == 0) first_protocol_error_ = msg;
}

void AxilHarness::step() {
  if (!frozen_) drive();
  lite_in_.clk = false;
  put();
  eval();
  get();
  check_errors();
  if (frozen_) {
    // No clock edge: time passes, nothing is transferred.
    ctx_->timeInc(10);
    if (trace_) trace_->dump(ctx_->time());
    ++cycle_;
    return;
  }

  // Sample the handshakes before the rising edge (none while in reset).
  const bool rst_n = lite_in_.rst_n;
  ar_fire_ = rst_n && lite_in_.arvalid && lite_out_.arready;
  r_fire_ = rst_n && lite_out_.rvalid && lite_in_.rready;
  aw_fire_ = rst_n && lite_in_.awvalid && lite_out_.awready;
  w_fire_ = rst_n && lite_in_.wvalid && lite_out_.wready;
  b_fire_ = rst_n && lite_out_.bvalid && lite_in_.bready;
  rdata_ = lite_out_.rdata;
  rresp_ = lite_out_.rresp;
  bresp_ = lite_out_.bresp;
  if (rst_n) sample();

  half_cycle(true);
  if (trace_) {
    half_cycle(false);
  } else {
    // No waveform: the falling edge is not evaluated now but by the next
    // step's first eval(), which lowers the clock together with that cycle's
    // inputs. Nothing in the RTL acts on the falling clock edge (the only
    // negedge is rst_ni's asynchronous reset, still seen there), so the
    // outputs read below and every state after the next rising edge are the
    // same; this saves one eval() of three per cycle, and Verilator 5 runs
    // the whole input-combinational region (vs_top's per-core next-state
    // logic on large) on every eval(). With a waveform the falling edge is
    // dumped at its own time as before.
    lite_in_.clk = false;
    ctx_->timeInc(5);
  }
  get();
  idle_ = lite_out_.idle;
  check_errors();

  if (rst_n) commit();
  ++cycle_;
}

void AxilHarness::tick(uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) step();
}

void AxilHarness::reset(unsigned cycles) {
  clear_state();
  const bool was_frozen = frozen_;
  frozen_ = false;
  lite_in_ = LiteIn{};
  for (unsigned i = 0; i < std::max(cycles, 1u); ++i) step();
  lite_in_.rst_n = true;
  step();
  clear_state();
  // The engine may initialise its tables after reset: wait for idle_o.
  const uint64_t deadline = cycle_ + opts_.reset_timeout_cycles;
  while (!idle_) {
    if (cycle_ >= deadline) timeout("waiting for idle_o after reset", opts_.reset_timeout_cycles);
    step();
  }
  frozen_ = was_frozen;
}

[[noreturn]] void AxilHarness::timeout(const std::string& what, uint64_t cycles) const {
  throw Error(Errc::kTimeout, what + ": no answer within " + std::to_string(cycles) + " cycles (cycle " +
                                  std::to_string(cycle_) + (frozen_ ? ", engine frozen" : "") +
                                  "); the engine is hung or not clocked");
}

// ---- AXI4-Lite -------------------------------------------------------------------

uint32_t AxilHarness::read32(uint32_t addr) {
  const uint64_t deadline = cycle_ + opts_.axi_timeout_cycles;
  lite_in_.araddr = static_cast<uint16_t>(addr & 0xFFF);
  lite_in_.arvalid = true;
  lite_in_.rready = true;
  bool addr_done = false;
  for (;;) {
    if (cycle_ >= deadline) {
      lite_in_.arvalid = false;
      lite_in_.rready = false;
      timeout("AXI4-Lite read of " + hex(addr), opts_.axi_timeout_cycles);
    }
    step();
    if (ar_fire_) {
      addr_done = true;
      lite_in_.arvalid = false;
    }
    if (r_fire_ && addr_done) break;
  }
  lite_in_.rready = false;
  last_resp_ = rresp_;
  return rdata_;
}

void AxilHarness::write32(uint32_t addr, uint32_t data, uint8_t strb) {
  const uint64_t deadline = cycle_ + opts_.axi_timeout_cycles;
  lite_in_.awaddr = static_cast<uint16_t>(addr & 0xFFF);
  lite_in_.awvalid = true;
  lite_in_.wdata = data;
  lite_in_.wstrb = strb & 0xF;
  lite_in_.wvalid = true;
  lite_in_.bready = true;
  bool aw_done = false, w_done = false;
  for (;;) {
    if (cycle_ >= deadline) {
      lite_in_.awvalid = lite_in_.wvalid = lite_in_.bready = false;
      timeout("AXI4-Lite write of " + hex(data) + " to " + hex(addr), opts_.axi_timeout_cycles);
    }
    step();
    if (aw_fire_) {
      aw_done = true;
      lite_in_.awvalid = false;
    }
    if (w_fire_) {
      w_done = true;
      lite_in_.wvalid = false;
    }
    if (b_fire_ && aw_done && w_done) break;
  }
  lite_in_.bready = false;
  last_resp_ = bresp_;
}

}  // namespace vshard::sim
