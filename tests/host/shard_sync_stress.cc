// Stress of the shard synchronisation primitives with real threads (test
// host_shard_sync_stress, label threads). Exits non-zero on a wrong result;
// in the tsan sub-build (tests/sanitize) ThreadSanitizer fails it on any data
// race, in the asan one AddressSanitizer on any bad access.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "vshard/host/shard_sync.h"

using vshard::host::MpmcRing;
using vshard::host::ShardCompletion;
using vshard::host::ShardJoin;

int main() {
  constexpr int kProducers = 4, kConsumers = 3, kPerProducer = 20000;
  MpmcRing ring(64);
  std::atomic<uint64_t> sum{0}, count{0};
  std::atomic<int> producers_left{kProducers};
  std::vector<std::thread> th;
  for (int p = 0; p < kProducers; ++p)
    th.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        ShardCompletion c{static_cast<uint16_t>(p), 0, 0, static_cast<uint32_t>(i)};
        while (!ring.try_push(c)) std::this_thread::yield();
      }
      producers_left.fetch_sub(1);
    });
  for (int c = 0; c < kConsumers; ++c)
    th.emplace_back([&] {
      ShardCompletion v;
      for (;;) {
        if (ring.try_pop(v)) {
          sum.fetch_add(v.blocks_done);
          count.fetch_add(1);
        } else if (producers_left.load() == 0 && !ring.try_pop(v)) {
          break;
        } else {
          std::this_thread::yield();
        }
        (void)0;
      }
    });
  for (auto& t : th) t.join();
  // drain anything a consumer left (popped between its checks)
  ShardCompletion v;
  while (ring.try_pop(v)) {
    sum += v.blocks_done;
    ++count;
  }
  uint64_t want_sum = uint64_t{kProducers} * (uint64_t{kPerProducer} * (kPerProducer - 1) / 2);
  if (count != uint64_t{kProducers} * kPerProducer || sum != want_sum) {
    std::printf("ring: count %llu sum %llu, want %llu %llu\n", (unsigned long long)count.load(),
                (unsigned long long)sum.load(), (unsigned long long)kProducers * kPerProducer,
                (unsigned long long)want_sum);
    return 1;
  }
  // Join counters: K threads arrive, exactly one sees "last", many rounds.
  ShardJoin join;
  for (int round = 0; round < 2000; ++round) {
    const int k = 2 + round % 7;
    join.arm(static_cast<uint32_t>(k));
    std::atomic<int> lasts{0};
    std::vector<std::thread> ws;
    for (int i = 0; i < k; ++i)
      ws.emplace_back([&] {
        if (join.arrive()) lasts.fetch_add(1);
      });
    for (auto& w : ws) w.join();
    if (lasts != 1 || join.left() != 0) {
      std::printf("join round %d: %d last arrivals\n", round, lasts.load());
      return 1;
    }
  }
  std::printf("shard sync stress: ok (%llu completions, 2000 join rounds)\n", (unsigned long long)count.load());
  return 0;
}
