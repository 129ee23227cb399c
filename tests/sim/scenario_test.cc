#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "scenario.h"
#include "simulator.h"
#include "vshard/error.h"
#include "host/engine.h"

using namespace vshard;
using namespace vshard::hostsim;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "bad.toml");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kBadInput);
    return e.what();
  }
  return "no error";
}
const char* kMinimal = R"(
name = "t"
[host]
nodes = 2
cores_per_node = 2
[[workload]]
class = "batch"
vms = 2
)";
}  // namespace

TEST_CASE("the shipped scenarios load and fit their engines", "[sim][scenario]") {
  for (const char* f : {"demo-small.toml", "mixed-2s32c.toml", "overcommit-256c.toml", "latency-only.toml"}) {
    INFO(f);
    Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/" + f);
    CHECK_NOTHROW(s.validate());
    CHECK_FALSE(s.policies.empty());
  }
  Scenario big = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/overcommit-256c.toml");
  CHECK(big.topo.cores() == 256);
  CHECK(big.total_vcpus() == 1024);
  CHECK(big.engine_params_for() == Params::max());
}

TEST_CASE("scenario keys: defaults and values", "[sim][scenario]") {
  Scenario s = parse_scenario(kMinimal, "min.toml");
  CHECK(s.name == "t");
  CHECK(s.topo.cores() == 4);
  CHECK(s.topo.dist(0, 1) == 20);
  CHECK(s.workloads.size() == 1);
  CHECK_FALSE(s.workloads[0].latency);
  CHECK(s.workloads[0].blocks_per_job == 64);
  CHECK(s.engine_params_for() == Params::small());
  Scenario t = parse_scenario(R"(
[host]
nodes = 2
distance = [[10, 31], [31, 10]]
[engine.config]
sync_cost_us = 80
[[workload]]
service = { dist = "bimodal", a_us = 5, b_us = 50, p_a = 0.5 }
)", "t.toml");
  CHECK(t.topo.dist(1, 0) == 31);
  REQUIRE(t.engine_config.size() == 1);
  CHECK(t.engine_config[0] == std::pair<uint16_t, uint32_t>{0x13, 80});
  CHECK(t.workloads[0].service.mean() == Approx(27.5));
  Scenario sys = parse_scenario("[host]\ntopology = \"system\"\n[[workload]]\n", "sys.toml");
  CHECK(sys.topo.cores() == host::Topology::from_system().cores());
  CHECK_THAT(error_of("[host]\ntopology = \"system\"\nnodes = 2\n[[workload]]\n"),
             Catch::Contains("bad.toml:3") && Catch::Contains("host.nodes"));
}

TEST_CASE("malformed scenarios: the error names file, line and key", "[sim][scenario]") {
  CHECK_THAT(error_of("[host]\nnodes = 9\n[[workload]]\n"),
             Catch::Contains("bad.toml:2") && Catch::Contains("host.nodes") && Catch::Contains("[1, 8]"));
  CHECK_THAT(error_of("[host]\nnodes = 1\ncores = 4\n[[workload]]\n"),
             Catch::Contains("bad.toml:3") && Catch::Contains("host.cores") && Catch::Contains("unknown key"));
  CHECK_THAT(error_of("[[workload]]\nclass = \"batch\"\n\nblock_us = \"slow\"\n"),
             Catch::Contains("bad.toml:4") && Catch::Contains("workload[0].block_us"));
  CHECK_THAT(error_of("[[workload]]\nservice = { dist = \"pareto\" }\n"),
             Catch::Contains("bad.toml:2") && Catch::Contains("workload[0].service.dist"));
  CHECK_THAT(error_of("[sim]\nduration_ms = 10\nwarmup_ms = 20\n[[workload]]\n"),
             Catch::Contains("sim.warmup_ms"));
  CHECK_THAT(error_of("[engine.config]\nNOT_A_KEY = 1\n[[workload]]\n"),
             Catch::Contains("bad.toml:2") && Catch::Contains("engine.config.NOT_A_KEY"));
  CHECK_THAT(error_of("[engine.config]\nSHARD_ENABLE = 2\n[[workload]]\n"),
             Catch::Contains("E_BAD_ARG"));
  CHECK_THAT(error_of("[host]\nnodes = 2\n[[workload]]\nhome = 3\n"),
             Catch::Contains("bad.toml:4") && Catch::Contains("workload[0].home"));
  CHECK_THAT(error_of("[[workload]]\narrival = \"trace\"\n"), Catch::Contains("trace_us"));
  CHECK_THAT(error_of("[host\nnodes = 1\n"), Catch::Contains("bad.toml:1") && Catch::Contains("TOML syntax"));
  CHECK_THAT(error_of("name = \"x\"\n"), Catch::Contains("workload"));
  CHECK_THAT(error_of("[[workload]]\nvms = 5000\n"), Catch::Contains("workload[0].vms"));
  CHECK_THROWS_AS(load_scenario("/nonexistent/x.toml"), Error);
}

TEST_CASE("policy names", "[sim][scenario]") {
  CHECK(parse_policy("shard", "model", false).path == host::DecisionPath::kSoftware);
  CHECK(parse_policy("shard", "model", true).path == host::DecisionPath::kPrestaged);
  CHECK(parse_policy("shard", "verilator", false).path == host::DecisionPath::kHardware);
  CHECK(parse_policy("shard-sw", "verilator", false).engine == "model");
  CHECK(parse_policy("shard-pre", "model", false).path == host::DecisionPath::kPrestaged);
  CHECK(parse_policy("credit", "model", false).policy == host::Policy::kCredit);
  CHECK(parse_policy("credit", "model", false).peer == Peer::kNone);
  CHECK(parse_policy("credit2", "model", false).peer == Peer::kCredit2);
  CHECK(parse_policy("eevdf", "model", false).peer == Peer::kEevdf);
  CHECK(std::string(policy_name(parse_policy("eevdf", "model", false))) == "eevdf");
  CHECK(std::string(policy_name(parse_policy("shard-hw", "model", false))) == "shard");
  CHECK_THAT([] {
    try {
      parse_policy("cfs", "model", false);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  }(), Catch::Contains("credit2, eevdf"));
  CHECK(Scenario{}.policies[2] == "credit2");
  CHECK(Scenario{}.policies[3] == "eevdf");
}

TEST_CASE("deterministic for a seed; trace arrivals replay exactly", "[sim][scenario]") {
  // credit and shard-pre on demo-small; the peers (credit2, eevdf) on every
  // shipped scenario.
  std::vector<std::pair<std::string, std::string>> runs = {{"demo-small.toml", "credit"},
                                                           {"demo-small.toml", "shard-pre"}};
  for (const char* f : {"demo-small.toml", "mixed-2s32c.toml", "overcommit-256c.toml", "latency-only.toml"})
    for (const char* pol : {"credit2", "eevdf"}) runs.emplace_back(f, pol);
  for (const auto& [f, pol] : runs) {
    INFO(f << " " << pol);
    Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/" + f);
    s.duration_ms = f == "overcommit-256c.toml" ? 150 : 300;
    s.warmup_ms = s.duration_ms / 10;
    PolicySpec p = parse_policy(pol, "model", false);
    PolicyResult a = simulate(s, p, RunOptions{5, {}});
    PolicyResult b = simulate(s, p, RunOptions{5, {}});
    PolicyResult c = simulate(s, p, RunOptions{6, {}});
    CHECK(a.sim_events == b.sim_events);
    CHECK(a.request.mean == b.request.mean);
    CHECK(a.request.p999 == b.request.p999);
    CHECK(a.wake.p99 == b.wake.p99);
    CHECK(a.batch_blocks_per_s == b.batch_blocks_per_s);
    CHECK(a.sched.preemptions == b.sched.preemptions);
    CHECK(a.sched.steals == b.sched.steals);
    CHECK(a.request.mean != c.request.mean);
    CHECK(a.mean_decision_us > 0);
    if (p.peer != Peer::kNone) CHECK(a.sched.shards == 0);
  }
  // A trace: one request every 1000 µs, deterministic 100 µs service, one
  // core to itself: every request takes exactly 100 µs, every wake costs
  // the context switch plus the software decision.
  Scenario t;
  t.topo = host::Topology::uniform(1, 1);
  t.duration_ms = 50;
  t.warmup_ms = 5;
  Workload w;
  w.trace = true;
  w.trace_us = {0, 500};
  w.trace_period_us = 1000;
  w.service.kind = Dist::Kind::kDeterministic;
  w.service.mean_us = 100;
  t.workloads = {w};
  PolicyResult r = simulate(t, parse_policy("fifo", "model", false), RunOptions{1, {}});
  double wake = t.costs.context_switch_us + t.latency.software(1);
  CHECK(r.request.count == 90);
  CHECK(r.request.p50 == Approx(100 + wake));
  CHECK(r.request.max == Approx(100 + wake));
  CHECK(r.wake.p999 == Approx(wake));
}

TEST_CASE("policy sanity on demo-small: preemption cuts the latency tail", "[sim][policy]") {
  Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-small.toml");
  s.duration_ms = 600;
  s.warmup_ms = 60;
  auto run = [&](const char* p) { return simulate(s, parse_policy(p, "model", false), RunOptions{1, {}}); };
  PolicyResult fifo = run("fifo"), sw = run("shard-sw"), hw = run("shard-hw"), pre = run("shard-pre");
  CHECK(fifo.sched.preemptions == 0);
  CHECK(sw.sched.preemptions > 0);
  CHECK(sw.wake.p99 < fifo.wake.p99 / 100);
  // decision latency: prestaged < hardware < software (8 cores: 0.82 µs sw)
  CHECK(pre.mean_decision_us < hw.mean_decision_us);
  CHECK(hw.mean_decision_us == Approx(s.latency.hardware()));
  CHECK(sw.mean_decision_us == Approx(s.latency.software(8)));
  CHECK(pre.sched.commits > 0);
  // every batch vCPU keeps getting CPU
  CHECK(sw.jain > 0.8);
}

TEST_CASE("vShard through the driver's rings gives the same run as the model", "[sim][policy]") {
  if (!host::device_engines_available()) {
    WARN("driver not built in: the device-engine run is not compared");
    return;
  }
  Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-small.toml");
  s.duration_ms = 200;
  s.warmup_ms = 20;
  for (const char* pol : {"shard-hw", "shard-pre"}) {
    PolicyResult a = simulate(s, parse_policy(pol, "model", false), RunOptions{3, {}});
    PolicyResult b = simulate(s, parse_policy(pol, "driver:model", false), RunOptions{3, {}});
    CHECK(a.sim_events == b.sim_events);
    CHECK(a.request.p999 == b.request.p999);
    CHECK(a.sched.engine_decisions == b.sched.engine_decisions);
    CHECK(a.sched.preemptions == b.sched.preemptions);
  }
}
