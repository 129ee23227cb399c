// `vshard sim --trace`'s recorder hooks (sim/hostsim/simulator.cc): the
// timeline of a run agrees with the run's own counters, slices never
// overlap on a core, and recording does not change the run.
#include <map>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"
#include "vshard/trace.h"

using namespace vshard;
using namespace vshard::hostsim;
using nlohmann::json;

namespace {

struct Traced {
  PolicyResult result;
  json trace;
};

Traced run(const std::string& policy, bool prestage) {
  Scenario sc = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-mixed.toml");
  sc.duration_ms = 400;
  sc.warmup_ms = 0;  // the scheduler's counters then cover the whole run, as the trace does
  trace::TraceRecorder rec(sc.topo.cores(), trace::RecorderOptions{});  // no window, 1 M events
  RunOptions o;
  o.seed = 3;
  o.trace = &rec;
  Traced t{simulate(sc, parse_policy(policy, "model", prestage), o), json::parse(rec.json())};
  REQUIRE(rec.dropped() == 0);
  return t;
}

}  // namespace

TEST_CASE("sim trace: marks match the scheduler's counters, slices never overlap", "[trace][sim]") {
  for (auto [policy, prestage] : {std::pair{"shard", true}, std::pair{"shard", false}, std::pair{"credit", false}}) {
    INFO(policy << (prestage ? " prestaged" : ""));
    const Traced t = run(policy, prestage);
    std::map<std::string, uint64_t> marks;
    std::map<int, std::vector<std::pair<double, double>>> by_core;
    std::map<int, std::string> names;
    uint64_t shard_slices = 0;
    for (const auto& e : t.trace["traceEvents"]) {
      if (e["ph"] == "M" && e["name"] == "thread_name") names[e["tid"]] = e["args"]["name"];
      if (e["ph"] == "i") ++marks[e["name"]];
      if (e["ph"] == "X") {
        by_core[e["tid"]].push_back({e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>()});
        shard_slices += e["args"]["kind"] == "shard";
      }
    }
    const host::SchedStats& s = t.result.sched;
    CHECK(marks["wake"] == s.wakes);
    CHECK(marks["preempt"] == s.preemptions);
    CHECK(marks["shard"] == s.shards);
    CHECK(marks["commit"] == s.commits);
    CHECK(marks["abort"] == s.aborts);
    CHECK(shard_slices <= s.shards);  // a shard stopped before its start leaves no slice
    if (std::string(policy) == "shard") CHECK(s.shards > 0);
    if (prestage) CHECK(s.commits > 0);
    CHECK(by_core.size() == 8);
    for (auto& [tid, v] : by_core) {
      INFO(names[tid]);
      CHECK(names[tid].rfind("core ", 0) == 0);
      std::sort(v.begin(), v.end());
      for (size_t i = 1; i < v.size(); ++i) CHECK(v[i].first >= v[i - 1].second - 0.002);  // ns rounding
    }
  }
}

TEST_CASE("sim trace: recording does not change the run", "[trace][sim]") {
  Scenario sc = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-mixed.toml");
  sc.duration_ms = 300;
  const PolicySpec p = parse_policy("shard", "model", true);
  RunOptions plain;
  plain.seed = 5;
  const PolicyResult a = simulate(sc, p, plain);
  trace::RecorderOptions ro;
  ro.max_events = 100;  // bounded: most events dropped, the run is the same
  trace::TraceRecorder rec(sc.topo.cores(), ro);
  RunOptions traced = plain;
  traced.trace = &rec;
  const PolicyResult b = simulate(sc, p, traced);
  CHECK(rec.recorded() == 100);
  CHECK(rec.dropped() > 0);
  CHECK(a.sim_events == b.sim_events);
  CHECK(a.sched.wakes == b.sched.wakes);
  CHECK(a.sched.preemptions == b.sched.preemptions);
  CHECK(a.wake.p99 == b.wake.p99);
  CHECK(a.request.p999 == b.request.p999);
  CHECK(a.batch_work_cores == b.batch_work_cores);
}

TEST_CASE("sim trace: a recorder for another core count is refused", "[trace][sim]") {
  Scenario sc = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-mixed.toml");
  trace::TraceRecorder rec(3, trace::RecorderOptions{});
  RunOptions o;
  o.trace = &rec;
  CHECK_THROWS_WITH(simulate(sc, parse_policy("credit", "model", false), o), Catch::Contains("3 cores"));
}
