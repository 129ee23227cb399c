#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"
#include "vshard/error.h"
#include "vshard/host/engine.h"

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
  auto load = [](const char* f) { return load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/" + f); };
  for (const char* f : {"demo-mixed.toml", "demo-small.toml", "mixed-2s32c.toml", "overcommit-256c.toml",
                        "latency-only.toml", "spare-remote.toml", "kv-tier.toml", "oltp-bimodal.toml",
                        "web-bursty.toml", "undercommit.toml", "capped-2to1.toml"}) {
    INFO(f);
    Scenario s = load(f);
    CHECK_NOTHROW(s.validate());
    CHECK_FALSE(s.policies.empty());
    CHECK(s.digest.size() == 16);
    CHECK(s.duration_ms <= 3000);  // every policy in a few seconds (overcommit-256c is the slow one)
  }
  Scenario big = load("overcommit-256c.toml");
  CHECK(big.topo.cores() == 256);
  CHECK(big.total_vcpus() == 1024);
  CHECK(big.engine_params_for() == Params::max());

  // The new scenarios model what their header comments say.
  auto vcpus = [](const Workload& w) { return w.vms * w.vcpus_per_vm; };
  Scenario sr = load("spare-remote.toml");  // 4 x 16, nodes 0 and 2 full of batch, latency homed there
  CHECK(sr.topo.nodes == 4);
  CHECK(sr.topo.cores() == 64);
  std::vector<uint32_t> batch_on(4, 0);
  for (const auto& w : sr.workloads) {
    REQUIRE(w.home >= 0);
    if (!w.requests) batch_on[w.home] += vcpus(w);
    if (w.latency) CHECK((w.home == 0 || w.home == 2));
    if (w.latency) CHECK(w.service.mean() < 100);
  }
  CHECK(batch_on[0] >= 16);
  CHECK(batch_on[2] >= 16);
  CHECK(batch_on[1] < 16);
  CHECK(batch_on[3] < 16);
  const Scenario kv_sc = load("kv-tier.toml");  // kept: a reference into a temporary dangles
  const Workload& kv = kv_sc.workloads[0];      // exponential, 20-40 µs, high rate
  CHECK(kv.latency);
  CHECK(kv.service.kind == Dist::Kind::kExponential);
  CHECK(kv.service.mean() >= 20);
  CHECK(kv.service.mean() <= 40);
  CHECK(kv.rate_per_s >= 5000);
  const Scenario oltp_sc = load("oltp-bimodal.toml");  // kept: a reference into a temporary dangles
  const Workload& oltp = oltp_sc.workloads[0];         // mostly ~5 µs, a few ~1 ms
  CHECK(oltp.service.kind == Dist::Kind::kBimodal);
  CHECK(oltp.service.a_us == 5);
  CHECK(oltp.service.b_us == 1000);
  CHECK(oltp.service.p_a > 0.9);
  const Scenario web_sc = load("web-bursty.toml");  // kept: a reference into a temporary dangles
  const Workload& web = web_sc.workloads[0];
  CHECK(web.arrival == Workload::Arrival::kBursty);
  CHECK(web.service.kind == Dist::Kind::kLognormal);
  Scenario under = load("undercommit.toml");  // fewer vCPUs than cores on every node
  CHECK(under.total_vcpus() < under.topo.cores());
  bool capped = false, weighted = false;
  Scenario cap = load("capped-2to1.toml");
  CHECK(cap.total_vcpus() == 2 * cap.topo.cores());
  for (const auto& w : cap.workloads) {
    capped = capped || w.cap_pct > 0;
    weighted = weighted || w.weight != cap.workloads[0].weight;
  }
  CHECK(capped);
  CHECK(weighted);
  for (const char* f : {"demo-small.toml", "mixed-2s32c.toml", "kv-tier.toml", "oltp-bimodal.toml", "web-bursty.toml",
                        "capped-2to1.toml"}) {  // these are overcommitted
    INFO(f);
    Scenario s = load(f);
    CHECK(s.total_vcpus() > s.topo.cores());
  }
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
)",
                              "t.toml");
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
  CHECK_THAT(error_of("[sim]\nduration_ms = 10\nwarmup_ms = 20\n[[workload]]\n"), Catch::Contains("sim.warmup_ms"));
  CHECK_THAT(error_of("[engine.config]\nNOT_A_KEY = 1\n[[workload]]\n"),
             Catch::Contains("bad.toml:2") && Catch::Contains("engine.config.NOT_A_KEY"));
  CHECK_THAT(error_of("[engine.config]\nSHARD_ENABLE = 2\n[[workload]]\n"), Catch::Contains("E_BAD_ARG"));
  CHECK_THAT(error_of("[host]\nnodes = 2\n[[workload]]\nhome = 3\n"),
             Catch::Contains("bad.toml:4") && Catch::Contains("workload[0].home"));
  CHECK_THAT(error_of("[[workload]]\narrival = \"trace\"\n"), Catch::Contains("trace_us"));
  CHECK_THAT(error_of("[host\nnodes = 1\n"), Catch::Contains("bad.toml:1") && Catch::Contains("TOML syntax"));
  CHECK_THAT(error_of("name = \"x\"\n"), Catch::Contains("workload"));
  CHECK_THAT(error_of("[[workload]]\nvms = 5000\n"), Catch::Contains("workload[0].vms"));
  // Floats where integers belong, one too large for int64_t (toml++ would
  // cast it: undefined behaviour, found by the fuzz campaign).
  CHECK_THAT(error_of("[[workload]]\nvms = 5e34\n"),
             Catch::Contains("bad.toml:2") && Catch::Contains("workload[0].vms") && Catch::Contains("integer"));
  CHECK_THAT(error_of("[engine.config]\nSHARD_ENABLE = 1e300\n[[workload]]\n"), Catch::Contains("expected an integer"));
  CHECK_THAT(error_of("[host]\nnodes = 2\ndistance = [[10, 2e40], [20, 10]]\n[[workload]]\n"),
             Catch::Contains("host.distance") && Catch::Contains("integer"));
  CHECK_THROWS_AS(load_scenario("/nonexistent/x.toml"), Error);
}

TEST_CASE("bursty arrivals: keys, defaults and errors", "[sim][scenario]") {
  Scenario s = parse_scenario(
      "[[workload]]\narrival = \"bursty\"\nrate_per_s = 500\nburst_on_ms = 2\nburst_off_ms = 18\n"
      "[[workload]]\narrival = \"bursty\"\n[[workload]]\n",
      "b.toml");
  CHECK(s.workloads[0].arrival == Workload::Arrival::kBursty);
  CHECK(s.workloads[0].rate_per_s == 500);
  CHECK(s.workloads[0].burst_on_ms == 2);
  CHECK(s.workloads[0].burst_off_ms == 18);
  CHECK(s.workloads[1].burst_on_ms == 10);  // defaults
  CHECK(s.workloads[1].burst_off_ms == 40);
  CHECK(s.workloads[2].arrival == Workload::Arrival::kPoisson);
  CHECK_THAT(error_of("[[workload]]\nrate_per_s = 10\nburst_on_ms = 2\n"),
             Catch::Contains("bad.toml:3") && Catch::Contains("workload[0].burst_on_ms") &&
                 Catch::Contains("only with arrival = \"bursty\""));
  CHECK_THAT(error_of("[[workload]]\narrival = \"bursty\"\nburst_off_ms = 0\n"),
             Catch::Contains("bad.toml:3") && Catch::Contains("workload[0].burst_off_ms") &&
                 Catch::Contains("[0.001, 1e+07]"));
  CHECK_THAT(error_of("[[workload]]\narrival = \"bursty\"\nrate_per_s = 1e8\nburst_on_ms = 1\nburst_off_ms = 9\n"),
             Catch::Contains("bad.toml:4") && Catch::Contains("peak rate"));
  CHECK_THAT(error_of("[[workload]]\narrival = \"bursts\"\n"),
             Catch::Contains("bad.toml:2") && Catch::Contains("poisson, trace, bursty"));
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
  CHECK_THAT(
      [] {
        try {
          parse_policy("cfs", "model", false);
        } catch (const Error& e) { return std::string(e.what()); }
        return std::string("no error");
      }(),
      Catch::Contains("credit2, eevdf"));
  CHECK(Scenario{}.policies[2] == "credit2");
  CHECK(Scenario{}.policies[3] == "eevdf");
}

TEST_CASE("deterministic for a seed, trace arrivals replay exactly", "[sim][scenario]") {
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
  w.arrival = Workload::Arrival::kTrace;
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

TEST_CASE("batch progress lost per preemption = lost ms/s x 1000 / preemptions per s", "[sim][policy]") {
  // No warm-up, so the measured window is the whole run; vShard preempts
  // only vCPUs without the latency class, here all batch vCPUs, so every
  // preemption counted by the scheduler is a batch preemption.
  Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-small.toml");
  s.duration_ms = 400;
  s.warmup_ms = 0;
  PolicyResult r = simulate(s, parse_policy("shard-sw", "model", false), RunOptions{2, {}});
  REQUIRE(r.sched.preemptions > 100);
  CHECK(r.batch_lost_ms_per_s > 0);
  const double per_s = static_cast<double>(r.sched.preemptions) / 0.4;
  CHECK(r.batch_lost_us_per_preemption == Approx(r.batch_lost_ms_per_s * 1000 / per_s));
  PolicyResult f = simulate(s, parse_policy("fifo", "model", false), RunOptions{2, {}});
  CHECK(f.sched.preemptions == 0);
  CHECK(f.batch_lost_us_per_preemption == 0);
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

TEST_CASE("spec 1.1 caps in the simulator: the engine parks capped vCPUs, like the host's baselines", "[sim][policy]") {
  // capped-2to1: bronze vCPUs are capped at 40 % of a core. With the cap
  // they get less work done than the same run without it, for vShard as for
  // credit; and vShard's parks come from the engine's PARK decisions.
  Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/capped-2to1.toml");
  s.duration_ms = 600;
  s.warmup_ms = 60;
  Scenario uncapped = s;
  for (auto& w : uncapped.workloads) w.cap_pct = 0;
  auto bronze = [](const PolicyResult& r) {
    for (const auto& [name, cores] : r.workload_work_cores_per_vcpu)
      if (name == "bronze") return cores;
    FAIL("no bronze workload");
    return 0.0;
  };
  for (const char* pol : {"credit", "shard-pre"}) {
    INFO(pol);
    const PolicyResult capped = simulate(s, parse_policy(pol, "model", false), RunOptions{1, {}});
    const PolicyResult free = simulate(uncapped, parse_policy(pol, "model", false), RunOptions{1, {}});
    CHECK(capped.sched.parks > 0);
    CHECK(free.sched.parks == 0);
    CHECK(bronze(capped) < 0.9 * bronze(free));
    // The cap is checked at the 10 ms tick: at most cap + one tick per 30 ms period.
    CHECK(bronze(capped) <= (0.4 * 30000 + 10000) / 30000);
  }
}

TEST_CASE("batch work = blocks x block cost, per workload and in total", "[sim][policy]") {
  Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/mixed-2s32c.toml");
  s.duration_ms = 400;
  s.warmup_ms = 40;
  const PolicyResult r = simulate(s, parse_policy("shard-pre", "model", false), RunOptions{1, {}});
  REQUIRE(r.sched.shards > 0);  // shards' blocks count too
  double total = 0;
  for (const auto& [name, per_vcpu] : r.workload_work_cores_per_vcpu) {
    for (const Workload& w : s.workloads)
      if (w.name == name) total += per_vcpu * w.vms * w.vcpus_per_vm;
  }
  CHECK(total == Approx(r.batch_work_cores).epsilon(1e-9));
  CHECK(r.workload_work_cores_per_vcpu.size() == 2);  // analytics, build
  CHECK(r.batch_work_cores > 0);
  CHECK(r.batch_work_cores <= 32);
}

TEST_CASE("engine settings from the command line (vshard sim --engine-config): checked, part of the digest",
          "[sim][scenario]") {
  Scenario s = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/mixed-2s32c.toml");
  const std::string digest = s.digest;
  const size_t n = s.engine_config.size();
  apply_engine_settings(s, {"shard_enable=0", "SYNC_COST_US=0x20"});
  REQUIRE(s.engine_config.size() == n + 2);
  CHECK(s.engine_config[n] == std::make_pair(uint16_t{cfg::kShardEnable}, uint32_t{0}));
  CHECK(s.engine_config[n + 1] == std::make_pair(uint16_t{cfg::kSyncCostUs}, uint32_t{32}));
  CHECK(s.digest != digest);
  CHECK(s.engine_settings == std::vector<std::string>{"shard_enable=0", "SYNC_COST_US=0x20"});
  auto error_of = [&](const std::string& kv) {
    Scenario t = s;
    try {
      apply_engine_settings(t, {kv});
    } catch (const Error& e) {
      CHECK(e.code() == Errc::kBadInput);
      CHECK(t.engine_config.size() == s.engine_config.size());  // nothing applied
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("SHARD_ENABLE"), Catch::Contains("expected NAME=VALUE"));
  CHECK_THAT(error_of("=1"), Catch::Contains("expected NAME=VALUE"));
  CHECK_THAT(error_of("NOPE=1"), Catch::Contains("unknown register 'NOPE'"));
  CHECK_THAT(error_of("SHARD_ENABLE=2"), Catch::Contains("E_BAD_ARG"));
  CHECK_THAT(error_of("SHARD_ENABLE=1x"), Catch::Contains("not a 32-bit integer"));
  CHECK_THAT(error_of("NUMA_DIST[0][1]=30"), Catch::Contains("[host]"));
  CHECK_THAT(error_of("SLICE_US=99999999999"), Catch::Contains("not a 32-bit integer"));
}

TEST_CASE("total_vcpus saturates instead of wrapping past the engine's limit", "[sim][scenario]") {
  Scenario s;
  Workload w;
  w.vms = 4096;
  w.vcpus_per_vm = 4096;
  s.workloads.assign(256, w);  // 2^32 vCPUs: 0 in 32-bit arithmetic
  CHECK(s.total_vcpus() == UINT32_MAX);
  s.workloads.resize(1);
  CHECK(s.total_vcpus() == 4096u * 4096u);
}
