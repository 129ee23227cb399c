#include "vshard/driver/internal/mover_core.h"

#include "vshard/driver/internal/regmap.h"
#include "vshard/error.h"

namespace vshard::driver {

MoverCore::MoverCore(std::unique_ptr<MoverLink> link, size_t batch)
    : link_(std::move(link)), batch_(batch), out_(batch * kMaxDecisionsPerEvent) {
  if (batch_ == 0) throw Error(Errc::kBadConfig, "mover core: the batch size must be at least 1 event");
  pending_.reserve(batch_);
}

void MoverCore::reg_write(uint32_t off, uint32_t v) {
  link_->reg_write(off, v);
  // A soft reset empties the engine; what the host had not yet sent or
  // taken belongs to the old run (the ring front-end resets the rings too).
  // A fault stays: after a failed transfer the movers may still be running,
  // and only reloading the xclbin (a new Device) clears them.
  if (off == reg::kCtrl && (v & reg::kCtrlSoftReset)) {
    pending_.clear();
    decisions_.clear();
  }
}

bool MoverCore::idle() {
  if (!pending_.empty() || !decisions_.empty()) return false;
  return fault_.empty() && (link_->reg_read(reg::kStatus) & reg::kStatusIdle) != 0;
}

bool MoverCore::offer(const Event& ev) {
  if (frozen_ || !fault_.empty() || pending_.size() >= batch_) return false;
  pending_.push_back(ev);
  return true;
}

bool MoverCore::take(Decision& out) {
  if (frozen_ || decisions_.empty()) return false;
  out = decisions_.front();
  decisions_.pop_front();
  return true;
}

bool MoverCore::run() {
  if (frozen_ || !fault_.empty() || pending_.empty() || held_ || !decisions_.empty()) return false;
  const size_t n = pending_.size();
  size_t got = 0;
  try {
    got = link_->transfer(pending_.data(), n, out_.data(), n * kMaxDecisionsPerEvent);
  } catch (const Error& e) {
    // The events of this batch may or may not have reached the engine: the
    // device stops here and says so (they stay in flight for the host).
    fault_ = std::string("transfer of ") + std::to_string(n) + " events failed: " + e.what();
    return false;
  }
  if (got > n * kMaxDecisionsPerEvent) {
    fault_ = "the decision mover reports " + std::to_string(got) + " decisions for " + std::to_string(n) +
             " events, more than the buffer of " + std::to_string(n * kMaxDecisionsPerEvent);
    return false;
  }
  // Every event ends with exactly one LAST (spec 4); fewer means the engine
  // stopped answering or the mover stopped at the buffer's end. Nothing of a
  // short batch is delivered: the host would otherwise see half an event.
  size_t lasts = 0;
  for (size_t i = 0; i < got; ++i) lasts += (out_[i].flags & kFlagLast) ? 1 : 0;
  if (lasts != n) {
    fault_ = std::to_string(n) + " events came back with " + std::to_string(lasts) + " LAST flags in " +
             std::to_string(got) + " decisions (expected " + std::to_string(n) + ")";
    return false;
  }
  decisions_.insert(decisions_.end(), out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(got));
  pending_.clear();
  ++transfers_;
  moved_events_ += n;
  return true;
}

std::vector<std::pair<std::string, std::string>> MoverCore::details() const {
  auto d = link_->details();
  d.emplace_back("batch", std::to_string(batch_) + " events per transfer");
  d.emplace_back("transfers", std::to_string(transfers_) + " (" + std::to_string(moved_events_) + " events)");
  return d;
}

}  // namespace vshard::driver
