#include <catch2/catch.hpp>

#include "host/profiler.h"
#include "host/topology.h"
#include "vshard/error.h"

using namespace vshard::host;

TEST_CASE("Topology::uniform and validation", "[host][topology]") {
  Topology t = Topology::uniform(2, 4, 21);
  CHECK(t.cores() == 8);
  CHECK(t.core_node[3] == 0);
  CHECK(t.core_node[4] == 1);
  CHECK(t.dist(0, 0) == 10);
  CHECK(t.dist(0, 1) == 21);
  CHECK(t.core_dist(0, 7) == 21);
  t.distance[1][0] = 0;
  CHECK_THROWS_AS(t.validate(), vshard::Error);
  CHECK_THROWS_AS(Topology::uniform(9, 1), vshard::Error);
  CHECK_THROWS_AS(Topology::uniform(1, 257), vshard::Error);
}

TEST_CASE("Topology::from_system sees this machine", "[host][topology]") {
  Topology t = Topology::from_system();
  CHECK(t.nodes >= 1);
  CHECK(t.cores() >= 1);
  CHECK(t.dist(0, 0) == 10);
  CHECK_NOTHROW(t.validate());
}

TEST_CASE("UtilTracker: EWMA with the engine's shift", "[host][topology]") {
  UtilTracker u(2, 2);
  CHECK(u.sample(0, 1.0) == 255);
  CHECK(u.util(0) == 63);  // 0 + (255 - 0) >> 2
  u.sample(0, 1.0);
  CHECK(u.util(0) == 63 + ((255 - 63) >> 2));
  u.sample(1, 0.5);
  CHECK(u.util(1) == (128 >> 2));
  CHECK(u.util(0) > u.util(1));
}

TEST_CASE("summarize: independent blocks are those with no pending dependency", "[host][profiler]") {
  std::vector<WorkBlock> pending = {{100, {}}, {300, {}}, {50, {0}}, {70, {1, 2}}, {201, {}}};
  Profile p = summarize(pending);
  CHECK(p.blocks == 3);
  CHECK(p.bcost_us == 201);  // ceil((100 + 300 + 201) / 3)
  CHECK(summarize({}) == Profile{});
  CHECK_THROWS_AS(summarize({{10, {5}}}), vshard::Error);
  CHECK_THROWS_AS(summarize({{10, {0}}}), vshard::Error);
  std::vector<WorkBlock> many(300, WorkBlock{10, {}});
  CHECK(summarize(many).blocks == 255);
}

TEST_CASE("Profiler: rate limit, with urgent changes across the shardable threshold",
          "[host][profiler]") {
  Profiler prof(2, 1000.0);
  auto a = prof.update(0, {10, 100}, 0);
  REQUIRE(a);
  CHECK(a->blocks == 10);
  CHECK_FALSE(prof.update(0, {10, 100}, 5000));  // unchanged
  CHECK_FALSE(prof.update(0, {9, 100}, 100));     // changed, too soon
  CHECK(prof.suppressed() == 1);
  auto b = prof.update(0, {1, 100}, 200);          // below 2: urgent
  REQUIRE(b);
  CHECK(b->blocks == 1);
  auto c = prof.update(0, {7, 100}, 1300);
  REQUIRE(c);
  prof.engine_consumed(0);
  auto d = prof.update(0, {7, 100}, 1350);  // the engine's count is 0 now: urgent again
  REQUIRE(d);
  CHECK(prof.sent() == 4);
}
