#include <catch2/catch.hpp>

#include "vshard/host/profiler.h"
#include "vshard/host/topology.h"
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

TEST_CASE("Profiler: rate limit, with urgent changes across the shardable threshold", "[host][profiler]") {
  Profiler prof(2, 1000.0);
  auto a = prof.update(0, {10, 100}, 0);
  REQUIRE(a);
  CHECK(a->blocks == 10);
  CHECK_FALSE(prof.update(0, {10, 100}, 5000));  // unchanged
  CHECK_FALSE(prof.update(0, {9, 100}, 100));    // changed, too soon
  CHECK(prof.suppressed() == 1);
  auto b = prof.update(0, {0, 100}, 200);  // below 1 (spec 1.1 7.3): urgent
  REQUIRE(b);
  CHECK(b->blocks == 0);
  auto c = prof.update(0, {7, 100}, 1300);
  REQUIRE(c);
  prof.engine_took(0, 5);                       // shards took 5 of the 7 blocks: the engine holds 2
  CHECK_FALSE(prof.update(0, {2, 100}, 1310));  // which is what the vCPU has now: no event
  prof.engine_took(0, 9);                       // more than it holds: 0, not a wrap-around
  auto d = prof.update(0, {7, 100}, 1350);      // the engine's count is 0 now: urgent again
  REQUIRE(d);
  CHECK(prof.sent() == 4);
}

TEST_CASE("profiler: an expected run is republished only when it moves by 1/8 or more", "[host][profiler]") {
  Profiler prof(1, 0.0);  // no rate limit: only the 1/8 rule
  Profile p;
  p.erun_us = 80;
  REQUIRE(prof.update(0, p, 0));  // first: 80 published
  p.erun_us = 89;                 // |89 - 80| * 8 = 72 < 80: no change
  CHECK_FALSE(prof.update(0, p, 10));
  p.erun_us = 90;  // 10 * 8 = 80, not below 80: published
  auto a = prof.update(0, p, 20);
  REQUIRE(a);
  CHECK(a->erun_us == 90);
  p.erun_us = 79;  // 11 * 8 = 88 < 90: no change
  CHECK_FALSE(prof.update(0, p, 30));
  p.blocks = 3;  // a block count always counts, whatever erun did
  p.bcost_us = 50;
  CHECK(prof.update(0, p, 40));
}
