// MoverCore: an engine on a card whose event and decision streams are fed by
// data-mover kernels in device memory (the Alveo build of bitstreams/alveo:
// vs_engine's AXI-Streams between the HLS kernels vs_mm2s and vs_s2mm). The
// engine has no DMA ring front-end of its own, so the host keeps the rings in
// software (RingFrontEnd) and moves events to the card in batches: one
// transfer = vs_mm2s reads n events from a device buffer into the engine,
// vs_s2mm writes the engine's decisions to another until it has seen n LAST
// flags. Registers go to the engine directly (xrt::ip).
//
// The card side is behind MoverLink so the batching and its checks are tested
// without a card (tests/driver/mover_core_test.cc); backend_xrt.cc has the XRT
// link. Private to driver/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vshard/driver/internal/ring_frontend.h"

namespace vshard::driver {

class MoverLink {
 public:
  virtual ~MoverLink() = default;
  virtual uint32_t reg_read(uint32_t offset) = 0;
  virtual void reg_write(uint32_t offset, uint32_t value) = 0;
  // Sends events[0..n) to the engine's event stream and collects its
  // decisions into out[0..max) until n LAST flags were seen or max decisions
  // were written; returns the number written. Throws vshard::Error
  // (kDeviceFailed, naming the kernel) when the card does not finish in time.
  virtual size_t transfer(const Event* events, size_t n, Decision* out, size_t max) = 0;
  virtual std::vector<std::pair<std::string, std::string>> details() const { return {}; }
};

class MoverCore : public EngineCore {
 public:
  // batch: most events per transfer (>= 1).
  MoverCore(std::unique_ptr<MoverLink> link, size_t batch);

  uint32_t reg_read(uint32_t off) override { return link_->reg_read(off); }
  void reg_write(uint32_t off, uint32_t v) override;
  bool offer(const Event& ev) override;
  bool take(Decision& out) override;
  void egress_ready(bool ready) override { held_ = !ready; }
  // Transfers the pending events when there are any, every decision of the
  // previous batch has been taken and the decision ring has room.
  bool run() override;
  // Nothing pending or untaken, and the engine's STATUS.IDLE set (an ACCOUNT
  // sweep keeps it busy after its ACK; the prestage registers follow after).
  bool idle() override;
  void freeze(bool on) override { frozen_ = on; }
  bool frozen() const override { return frozen_; }
  const std::string& fault() const override { return fault_; }
  std::vector<std::pair<std::string, std::string>> details() const override;

  // What moved so far (for details() and the tests).
  uint64_t transfers() const { return transfers_; }

 private:
  std::unique_ptr<MoverLink> link_;
  size_t batch_;
  std::vector<Event> pending_;
  std::vector<Decision> out_;  // transfer buffer, batch * kMaxDecisionsPerEvent
  std::deque<Decision> decisions_;
  bool held_ = false;
  bool frozen_ = false;
  std::string fault_;
  uint64_t transfers_ = 0, moved_events_ = 0;
};

}  // namespace vshard::driver
