#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/host/shard_sync.h"
#include "vshard/error.h"

using namespace vshard::host;

TEST_CASE("MpmcRing: FIFO order, full and empty", "[host][shard_sync]") {
  MpmcRing r(4);
  ShardCompletion c;
  CHECK_FALSE(r.try_pop(c));
  for (uint32_t i = 0; i < 4; ++i) CHECK(r.try_push({1, 2, 3, i}));
  CHECK_FALSE(r.try_push({1, 2, 3, 99}));
  for (uint32_t i = 0; i < 4; ++i) {
    REQUIRE(r.try_pop(c));
    CHECK(c.blocks_done == i);
    CHECK(c.vcpu == 1);
    CHECK(c.core == 2);
    CHECK(c.shard == 3);
  }
  CHECK_FALSE(r.try_pop(c));
  // wraps around many times
  for (uint32_t i = 0; i < 1000; ++i) {
    REQUIRE(r.try_push({0, 0, 0, i}));
    REQUIRE(r.try_pop(c));
    CHECK(c.blocks_done == i);
  }
}

TEST_CASE("MpmcRing: capacity must be a power of two", "[host][shard_sync]") {
  CHECK_THROWS_AS(MpmcRing(3), vshard::Error);
  CHECK_THROWS_AS(MpmcRing(1), vshard::Error);
  CHECK(MpmcRing(8).capacity() == 8);
}

TEST_CASE("MpmcRing: every item delivered exactly once under concurrency", "[host][shard_sync]") {
  constexpr int kProducers = 4, kConsumers = 4, kPer = 50000;
  MpmcRing ring(128);
  std::atomic<int> producers_left{kProducers};
  std::vector<std::vector<uint32_t>> got(kConsumers);
  std::vector<std::thread> th;
  for (int p = 0; p < kProducers; ++p)
    th.emplace_back([&, p] {
      for (int i = 0; i < kPer; ++i) {
        ShardCompletion c{static_cast<uint16_t>(p), 0, 0, static_cast<uint32_t>(p * kPer + i)};
        while (!ring.try_push(c)) std::this_thread::yield();
      }
      producers_left.fetch_sub(1);
    });
  for (int c = 0; c < kConsumers; ++c)
    th.emplace_back([&, c] {
      ShardCompletion v;
      while (true) {
        if (ring.try_pop(v)) {
          got[c].push_back(v.blocks_done);
        } else if (producers_left.load() == 0) {
          while (ring.try_pop(v)) got[c].push_back(v.blocks_done);
          break;
        }
      }
    });
  for (auto& t : th) t.join();
  std::vector<char> seen(kProducers * kPer, 0);
  size_t total = 0;
  for (auto& g : got) {
    // per-producer order is preserved within one consumer
    std::vector<int> last(kProducers, -1);
    for (uint32_t x : g) {
      REQUIRE(x < seen.size());
      CHECK(seen[x] == 0);
      seen[x] = 1;
      int p = static_cast<int>(x) / kPer;
      CHECK(static_cast<int>(x) > last[p]);
      last[p] = static_cast<int>(x);
      ++total;
    }
  }
  CHECK(total == static_cast<size_t>(kProducers * kPer));
}

TEST_CASE("ShardJoin: exactly one last arrival per round, across threads", "[host][shard_sync]") {
  ShardJoin join;
  for (int round = 0; round < 500; ++round) {
    const uint32_t k = 2 + round % 7;
    join.arm(k);
    std::atomic<int> lasts{0};
    std::vector<std::thread> ws;
    for (uint32_t i = 0; i < k; ++i)
      ws.emplace_back([&] {
        if (join.arrive()) ++lasts;
      });
    for (auto& w : ws) w.join();
    REQUIRE(lasts == 1);
    REQUIRE(join.left() == 0);
  }
  CHECK(join.generation() == 500);
}

TEST_CASE("ShardJoin: more arrivals than shards is an error", "[host][shard_sync]") {
  ShardJoin j;
  j.arm(2);
  CHECK_FALSE(j.arrive());
  CHECK(j.arrive());
  CHECK_THROWS_AS(j.arrive(), vshard::Error);
  CHECK(j.left() == 0);
}
