// `vshard agent` sessions, bounded (about 1 s a phase) with the threads
// backend here (KVM where /dev/kvm is usable): the checks the agent makes
// itself (every request completed, every claimed block executed exactly once
// with its checksum, every run on the core the scheduler chose), plus that
// shards really ran and the safety net that releases parked vCPUs. No timed
// assertion: the figures go to docs/agent.md, not here.
#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/agent/agent.h"
#include "vshard/agent/guest.h"
#include "vshard/error.h"

using namespace vshard;
using namespace vshard::agent;

namespace {
AgentScenario scenario(const char* file) {
  AgentScenario s = load_agent_scenario(std::string(VSHARD_SCENARIO_DIR) + "/" + file);
  s.floor_iterations = 50;
  return s;
}
}  // namespace

TEST_CASE("agent session: shard scenario, agent and Linux phases pass their checks", "[agent]") {
  AgentOptions opt;
  // The threads backend: these sessions' checks (requests completed in
  // a 1-s run, kick and wake floors) were set on it. On the nested KVM of
  // these machines a kick costs ~4 ms and the sessions do not complete
  // their requests; KVM sessions are not measured yet (docs/agent.md).
  opt.vcpus = "threads";
  opt.duration_s = 1.0;
  // The safety net's bound, raised from the 200 ms default: on a loaded CI
  // machine the agent thread can be kept off a CPU that long, and parked
  // vCPUs releasing themselves would fail this run's checks (the net itself
  // is tested below).
  opt.heartbeat_bound_ms = 2000;
  AgentResult r = run_agent(scenario("agent-shard.toml"), opt);
  INFO(result_table(r));
  REQUIRE(r.phases.size() == 2);
  CHECK(r.have_floors);
  CHECK(r.floors.wake.n == 50);
  CHECK(r.floors.kick.n == 50);
  for (const PhaseResult& p : r.phases) {
    CHECK(p.failures.empty());
    CHECK(p.requests_completed > 0);
    CHECK(p.requests_completed == p.requests_injected);
    CHECK(p.blocks_done > 0);
    CHECK(p.blocks_bad == 0);
  }
  const PhaseResult& a = r.phases[0];
  CHECK(a.name == "agent");
  CHECK(a.runs > 0);
  CHECK(a.runs_on_wrong_core == 0);
  // Shards ran, on the cores the engine chose, and each preemption's join
  // completed (the helpers arrive on the lock-free join themselves).
  CHECK(a.shards > 0);
  // (the phase may stop with the last preemption's shards dispatched but
  // not started or not finished: at most one per core)
  CHECK(a.shard_runs <= a.shards);
  CHECK(a.shard_runs + r.cores >= a.shards);
  CHECK(a.shard_runs_on_wrong_core == 0);
  CHECK(a.joins_completed + a.joins_open == a.shard_preemptions);
  CHECK(a.joins_open <= 1);
  CHECK(a.shard_blocks > 0);
  CHECK(a.released == 0);
  // The timeline (for the trace writer): per core, slices in time order that
  // do not overlap; instants of every kind the session had.
  const Timeline& tl = a.timeline;
  CHECK_FALSE(tl.slices.empty());
  std::vector<double> last_end(r.cores, 0.0);
  size_t shard_slices = 0, disorder = 0;
  for (const Timeline::Slice& sl : tl.slices) {
    disorder += sl.end_us < sl.start_us || sl.start_us < last_end[sl.core];
    last_end[sl.core] = sl.end_us;
    shard_slices += sl.kind == Timeline::Slice::Kind::kShard;
  }
  CHECK(disorder == 0);
  CHECK(shard_slices == a.shards);
  auto count = [&](Timeline::Instant::Kind k) {
    return std::count_if(tl.instants.begin(), tl.instants.end(), [&](const auto& i) { return i.kind == k; });
  };
  CHECK(count(Timeline::Instant::Kind::kWake) > 0);
  CHECK(static_cast<uint64_t>(count(Timeline::Instant::Kind::kPreempt)) == a.preemptions);
  CHECK(static_cast<uint64_t>(count(Timeline::Instant::Kind::kShard)) == a.shards);
  CHECK(r.phases[1].name == "linux");
  CHECK(r.ok());
  CHECK_THAT(result_json(r), Catch::Contains("\"wake_to_run\"") && Catch::Contains("\"ok\": true"));
}

TEST_CASE("agent session: a silent agent's parked vCPUs release themselves", "[agent]") {
  AgentOptions opt;
  // The threads backend: these sessions' checks (requests completed in
  // a 1-s run, kick and wake floors) were set on it. On the nested KVM of
  // these machines a kick costs ~4 ms and the sessions do not complete
  // their requests; KVM sessions are not measured yet (docs/agent.md).
  opt.vcpus = "threads";
  opt.duration_s = 2.0;
  opt.floors = false;
  opt.baseline = "none";
  opt.heartbeat_bound_ms = 50;
  opt.stall_agent_after_ms = 200;
  AgentResult r = run_agent(scenario("agent-shard.toml"), opt);
  REQUIRE(r.phases.size() == 1);
  const PhaseResult& a = r.phases[0];
  CHECK(a.released > 0);
  CHECK(a.blocks_bad == 0);
  CHECK_FALSE(r.ok());  // said: the run is not a valid measurement
}

TEST_CASE("agent session: bad options are refused before anything runs", "[agent][unit]") {
  AgentScenario s = scenario("agent-mixed.toml");
  AgentOptions opt;
  opt.vcpus = "vmware";
  CHECK_THROWS_WITH(run_agent(s, opt), Catch::Contains("--vcpus 'vmware'"));
  opt = AgentOptions{};
  opt.engine = "no-such-engine";
  CHECK_THROWS_AS(run_agent(s, opt), Error);
  std::string why;
  if (!kvm_usable(&why)) {  // --vcpus kvm refuses a machine without KVM, naming why
    opt = AgentOptions{};
    opt.vcpus = "kvm";
    try {
      run_agent(s, opt);
      FAIL("--vcpus kvm ran without a usable /dev/kvm");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::kDeviceNotFound);
      CHECK_THAT(e.what(), Catch::Contains("/dev/kvm"));
    }
  }
  opt = AgentOptions{};
  s.cores = 200;
  CHECK_THROWS_WITH(run_agent(s, opt), Catch::Contains("host.cores = 200"));
}

TEST_CASE("agent session: the prestaged decision path commits real wakes", "[agent]") {
  AgentOptions opt;
  // The threads backend: these sessions' checks (requests completed in
  // a 1-s run, kick and wake floors) were set on it. On the nested KVM of
  // these machines a kick costs ~4 ms and the sessions do not complete
  // their requests; KVM sessions are not measured yet (docs/agent.md).
  opt.vcpus = "threads";
  opt.duration_s = 0.7;
  opt.floors = false;
  opt.baseline = "none";
  opt.heartbeat_bound_ms = 2000;  // as in the shard session above
  opt.path = "prestaged";
  AgentResult r = run_agent(scenario("agent-shard.toml"), opt);
  INFO(result_table(r));
  REQUIRE(r.phases.size() == 1);
  const PhaseResult& a = r.phases[0];
  CHECK(a.failures.empty());
  CHECK(a.commits + a.aborts > 0);
  CHECK(a.runs_on_wrong_core == 0);
  CHECK(a.requests_completed == a.requests_injected);
}
