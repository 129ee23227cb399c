#include "vshard/host/shard_sync.h"

#include <string>

#include "vshard/error.h"

namespace vshard::host {

bool ShardJoin::arrive() {
  uint32_t before = left_.fetch_sub(1, std::memory_order_acq_rel);
  if (before == 0) {
    left_.fetch_add(1, std::memory_order_relaxed);
    throw Error(Errc::kInternal, "shard join: more shard completions than shards armed");
  }
  return before == 1;
}

MpmcRing::MpmcRing(size_t capacity) : mask_(capacity - 1) {
  if (capacity < 2 || (capacity & (capacity - 1)) != 0)
    throw Error(Errc::kBadConfig, "shard ring capacity " + std::to_string(capacity) + " is not a power of two >= 2");
  cells_ = std::make_unique<Cell[]>(capacity);
  for (size_t i = 0; i < capacity; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
}

bool MpmcRing::try_push(const ShardCompletion& v) {
  size_t pos = tail_.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = cells_[pos & mask_];
    size_t seq = cell.seq.load(std::memory_order_acquire);
    intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
    if (diff == 0) {
      if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        cell.value = v;
        cell.seq.store(pos + 1, std::memory_order_release);
        return true;
      }
    } else if (diff < 0) {
      return false;  // full
    } else {
      pos = tail_.load(std::memory_order_relaxed);
    }
  }
}

bool MpmcRing::try_pop(ShardCompletion& out) {
  size_t pos = head_.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = cells_[pos & mask_];
    size_t seq = cell.seq.load(std::memory_order_acquire);
    intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1);
    if (diff == 0) {
      if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        out = cell.value;
        cell.seq.store(pos + mask_ + 1, std::memory_order_release);
        return true;
      }
    } else if (diff < 0) {
      return false;  // empty
    } else {
      pos = head_.load(std::memory_order_relaxed);
    }
  }
}

}  // namespace vshard::host
