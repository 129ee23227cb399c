// Shard Synchronization: how the shards of one vCPU report completion
// without locks. Each shard core pushes a completion record into a bounded
// MPMC ring (Vyukov's sequence-numbered cells) and decrements the vCPU's
// atomic join counter; whoever brings the counter to zero resumes the vCPU.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace vshard::host {

// Join counter for the K shards of one preemption.
class ShardJoin {
 public:
  // Arms the counter for k shards (k >= 1). Not concurrent with arrive().
  void arm(uint32_t k) {
    left_.store(k, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  // One shard finished. True for exactly one caller: the last shard.
  // Throws vshard::Error(kInternal) on more arrivals than shards.
  bool arrive();
  uint32_t left() const { return left_.load(std::memory_order_acquire); }
  uint32_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint32_t> left_{0};
  std::atomic<uint32_t> generation_{0};
};

// A shard completion as the shard core reports it.
struct ShardCompletion {
  uint16_t vcpu = 0;
  uint8_t core = 0;
  uint8_t shard = 0;
  uint32_t blocks_done = 0;
};

// Bounded multi-producer multi-consumer ring (capacity a power of two).
// try_push / try_pop never block and never allocate.
class MpmcRing {
 public:
  // capacity: a power of two >= 2, else vshard::Error(kBadConfig).
  explicit MpmcRing(size_t capacity);
  bool try_push(const ShardCompletion& v);
  bool try_pop(ShardCompletion& out);
  size_t capacity() const { return mask_ + 1; }

 private:
  struct alignas(64) Cell {
    std::atomic<size_t> seq;
    ShardCompletion value;
  };
  size_t mask_;
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<size_t> head_{0};  // next to pop
  alignas(64) std::atomic<size_t> tail_{0};  // next to push
};

}  // namespace vshard::host
