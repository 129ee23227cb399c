// The host side of the card's ring protocol (include/vshard/sim/card_host.h).
#include "vshard/sim/card_host.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "vshard/error.h"
#include "vshard/regs.h"

namespace vshard::sim {

CardHost::CardHost(std::unique_ptr<CardHarness> card, const CardHostOptions& o) : card_(std::move(card)) {
  if (!card_) throw Error(Errc::kBadConfig, "CardHost: no card");
  if (o.ring_log2 < 1 || o.ring_log2 > 20)
    throw Error(Errc::kBadConfig, "CardHost: ring_log2 " + std::to_string(o.ring_log2) + " is not in 1..20");
  if (o.device_address % 4096 != 0) throw Error(Errc::kBadConfig, "CardHost: device address must be 4096-aligned");
  size_ = 1u << o.ring_log2;
  dev_ = o.device_address;
  // Layout: the table in the first page (writeback + one line per node),
  // then the event ring, then the decision ring.
  evq_off_ = 4096;
  dq_off_ = evq_off_ + 16ull * size_;
  const uint64_t bytes = dq_off_ + 16ull * size_;
  buf_.assign(bytes + 4096, 0);
  mem_ = buf_.data() + (4096 - reinterpret_cast<uintptr_t>(buf_.data()) % 4096) % 4096;
  card_->memory().add_region(mem_, dev_, bytes);

  card_->reset();
  card_->write32(regs::kCtrl, regs::kCtrlEnable | regs::kCtrlSoftReset);
  card_->wait_idle();
  const uint64_t evq = dev_ + evq_off_, dq = dev_ + dq_off_;
  card_->write32(regs::kEvqBaseLo, static_cast<uint32_t>(evq));
  card_->write32(regs::kEvqBaseHi, static_cast<uint32_t>(evq >> 32));
  card_->write32(regs::kEvqSizeLog2, o.ring_log2);
  card_->write32(regs::kDqBaseLo, static_cast<uint32_t>(dq));
  card_->write32(regs::kDqBaseHi, static_cast<uint32_t>(dq >> 32));
  card_->write32(regs::kDqSizeLog2, o.ring_log2);
  // LO first, then HI: the HI write commits the table address.
  card_->write32(regs::kPrestageBaseLo, static_cast<uint32_t>(dev_));
  card_->write32(regs::kPrestageBaseHi, static_cast<uint32_t>(dev_ >> 32));
  card_->wait_idle();
  check();
}

uint64_t CardHost::writeback() const {
  uint64_t w;
  std::memcpy(&w, mem_, 8);
  return w;
}

uint64_t CardHost::prestage_line(uint32_t node) const {
  uint64_t w;
  std::memcpy(&w, mem_ + 64ull * (1 + node), 8);
  return w;
}

size_t CardHost::submit(const Event* evs, size_t n) {
  n = std::min<size_t>(n, room());
  if (n == 0) return 0;
  for (size_t i = 0; i < n; ++i) encode(evs[i], mem_ + evq_off_ + 16ull * ((evq_tail_ + i) & (size_ - 1)));
  evq_tail_ += static_cast<uint32_t>(n);
  card_->write32(regs::kDoorbell, evq_tail_);
  return n;
}

size_t CardHost::harvest(std::vector<Decision>* out) {
  const uint32_t tail = dq_tail();
  const uint32_t n = tail - dq_head_;
  if (n == 0) return 0;
  if (n > size_)
    throw Error(Errc::kDeviceFailed, "the card's writeback announces " + std::to_string(n) +
                                         " decisions, more than the " + std::to_string(size_) + "-slot ring holds");
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* slot = mem_ + dq_off_ + 16ull * ((dq_head_ + i) & (size_ - 1));
    if (out) out->push_back(Decision{decode(slot)});
  }
  dq_head_ = tail;
  card_->write32(regs::kDqHead, dq_head_);
  return n;
}

void CardHost::check() const {
  if (card_->monitor().violations() != 0)
    throw Error(Errc::kDeviceFailed, "the card broke the AXI4 protocol: " + card_->monitor().first_violation());
  if (!card_->memory().first_decerr().empty())
    throw Error(Errc::kDeviceFailed, "the card accessed memory outside its buffer: " + card_->memory().first_decerr());
}

}  // namespace vshard::sim
