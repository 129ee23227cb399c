// Backend "verilator": the verilated RTL engine (sim/harness) behind the
// software ring front-end. Register accesses are real AXI4-Lite transactions
// on vs_top; events and decisions go through its AXI-Stream ports; the
// prestaged table is copied from the PRE_ENTRY/PRE_EPOCH registers into host
// memory whenever the engine is idle after new events (as a DMA front-end
// would). The ring registers are served by the front-end (in the AXI-Stream
// RTL they are plain storage).
#include <memory>

#include "vshard/sim/harness.h"
#include "vshard/driver/internal/ring_frontend.h"
#include "vshard/error.h"

namespace vshard::driver {
namespace {

class VerilatorCore : public EngineCore {
 public:
  explicit VerilatorCore(std::unique_ptr<sim::Harness> h) : h_(std::move(h)) { h_->reset(); }

  uint32_t reg_read(uint32_t off) override { return h_->read32(off); }
  void reg_write(uint32_t off, uint32_t v) override { h_->write32(off, v); }

  bool offer(const Event& ev) override {
    // Keep at most two events queued at the stream's input: back-pressure
    // from the engine then holds the rest in the host's event ring.
    if (h_->frozen() || h_->events_pending() >= 2) return false;
    h_->push(ev);
    return true;
  }
  bool take(Decision& out) override { return !h_->frozen() && h_->pop(out); }
  void egress_ready(bool ready) override {
    held_ = !ready;
    h_->hold_decisions(held_);
  }
  bool run() override {
    if (h_->frozen() || (h_->events_pending() == 0 && h_->idle())) return false;
    const uint64_t acc = h_->events_accepted(), rec = h_->decisions_received();
    h_->tick(kCyclesPerRun);
    // Held by a full decision ring, the engine can only progress internally
    // for a few cycles; report progress only when a stream moved, so the
    // front-end stops clocking a stalled engine.
    return !held_ || h_->events_accepted() != acc || h_->decisions_received() != rec;
  }
  bool idle() override { return h_->events_pending() == 0 && h_->idle() && h_->decisions_available() == 0; }
  void freeze(bool on) override { h_->freeze(on); }
  bool frozen() const override { return h_->frozen(); }

 private:
  static constexpr uint64_t kCyclesPerRun = 8;
  std::unique_ptr<sim::Harness> h_;
  bool held_ = false;
};

}  // namespace

std::unique_ptr<EngineCore> make_verilator_core(const std::string& config) {
  auto h = sim::Harness::create(config);  // kBadConfig names the configurations linked in
  return std::make_unique<VerilatorCore>(std::move(h));
}

std::unique_ptr<Backend> make_verilator_backend(const std::string& config) {
  return std::make_unique<RingFrontEnd>("verilator", make_verilator_core(config));
}

}  // namespace vshard::driver
