// vshard::sim::CardHost: the host side of the card's ring protocol
// (docs/driver.md "Host memory") around a CardHarness, for the tools that
// drive vs_card_top directly (`vshard diff --frontend dma`, `vshard bench
// frontend`): one 4096-aligned host buffer served by the card's AxiMemory
// (prestaged table, then the event ring, then the decision ring), the ring
// registers programmed after a soft reset, events queued with one DOORBELL
// per batch, decisions taken as the writeback word announces them. Like the
// driver's hot path it reads no register: only DOORBELL and DQ_HEAD are
// written. (The driver itself reaches the card through the backend
// `verilator?frontend=dma`; this class is the same protocol without it.)
//
//   sim::CardHost host(sim::CardHarness::create("small", opts));
//   host.submit(events.data(), events.size());
//   while (host.pending()) { host.card().tick(); host.harvest(&decisions); }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "vshard/descriptor.h"
#include "vshard/sim/card_harness.h"

namespace vshard::sim {

struct CardHostOptions {
  uint32_t ring_log2 = 10;                   // both rings: 2^ring_log2 descriptors (1..20)
  uint64_t device_address = 0x4000'0000ull;  // where the card sees the buffer (4096-aligned)
};

class CardHost {
 public:
  // Resets the card, soft-resets and enables the engine, programs the rings
  // and the table, and waits until the card is idle. Throws
  // vshard::Error(kBadConfig) for bad options, kTimeout if the card hangs.
  explicit CardHost(std::unique_ptr<CardHarness> card, const CardHostOptions& o = {});
  CardHost(const CardHost&) = delete;
  CardHost& operator=(const CardHost&) = delete;

  CardHarness& card() { return *card_; }
  const CardHarness& card() const { return *card_; }

  // The host buffer and its layout (offsets from memory()).
  uint8_t* memory() { return mem_; }
  const uint8_t* memory() const { return mem_; }
  uint64_t device_address() const { return dev_; }
  uint32_t ring_size() const { return size_; }
  uint64_t evq_offset() const { return evq_off_; }
  uint64_t dq_offset() const { return dq_off_; }

  // The writeback word {DQ_TAIL, EVQ_HEAD} and node n's prestaged line
  // {epoch, entry}, as host memory holds them now.
  uint64_t writeback() const;
  uint32_t evq_head() const { return static_cast<uint32_t>(writeback()); }
  uint32_t dq_tail() const { return static_cast<uint32_t>(writeback() >> 32); }
  uint64_t prestage_line(uint32_t node) const;

  uint32_t evq_tail() const { return evq_tail_; }
  uint32_t dq_head() const { return dq_head_; }
  // Events queued that the card has not taken yet (by the writeback word).
  uint32_t pending() const { return evq_tail_ - evq_head(); }
  // Free event-ring slots.
  uint32_t room() const { return size_ - pending(); }

  // Queues up to n events (as many as fit) and rings the doorbell once;
  // returns how many were queued.
  size_t submit(const Event* evs, size_t n);
  // Takes every decision the writeback word announces (appended to *out
  // unless out is null) and writes DQ_HEAD once; returns how many.
  size_t harvest(std::vector<Decision>* out);

  // Throws vshard::Error(kDeviceFailed) if the card broke the AXI4 protocol
  // or reached memory outside the buffer.
  void check() const;

 private:
  std::unique_ptr<CardHarness> card_;
  std::vector<uint8_t> buf_;
  uint8_t* mem_ = nullptr;
  uint64_t dev_ = 0;
  uint32_t size_ = 0;
  uint64_t evq_off_ = 0, dq_off_ = 0;
  uint32_t evq_tail_ = 0, dq_head_ = 0;
};

}  // namespace vshard::sim
