// The simulator against closed-form queueing results. All overheads are
// zero (context switch, migration, decision latency), so one core is an
// exact single-server queue.
//
// Tolerance: 5 % on means and percentiles over 200k+ requests (the
// standard error of the mean response at rho = 0.5 is about 1 % there).
#include <cmath>

#include <catch2/catch.hpp>

#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"

using namespace vshard;
using namespace vshard::hostsim;

namespace {

Scenario one_core() {
  Scenario s;
  s.name = "queueing";
  s.topo = host::Topology::uniform(1, 1);
  s.costs = {0.0, 0.0, 0.0, 0.0};
  s.latency.sw_base_us = 0;
  s.latency.sw_per_core_us = 0;
  s.latency.hw_cycles = 0;
  s.latency.pcie_rtt_us = 0;
  s.latency.pcie_posted_us = 0;
  s.latency.prestage_read_us = 0;
  s.timeslice_us = 1e12;  // no rotation: the queue is work-conserving FIFO
  s.warmup_ms = 1000;
  return s;
}

Workload requests(const std::string& name, bool latency, double rate, double mean_us) {
  Workload w;
  w.name = name;
  w.latency = latency;
  w.requests = true;
  w.rate_per_s = rate;
  w.service.kind = Dist::Kind::kExponential;
  w.service.mean_us = mean_us;
  return w;
}

constexpr double kTol = 0.05;

}  // namespace

TEST_CASE("M/M/1: mean, median and p99 response match 1/(mu - lambda)", "[sim][queueing]") {
  // lambda = 5000/s, mu = 10000/s: rho = 0.5, T = 1/(mu - lambda) = 200 µs.
  // The response time of M/M/1 FIFO is exponential with rate mu - lambda:
  // median T ln 2, p99 T ln 100.
  Scenario s = one_core();
  s.duration_ms = 60000;
  s.workloads = {requests("mm1", true, 5000, 100)};
  // One vCPU on one core: no policy has anything to preempt or rotate, so
  // every policy, the peers included, must be an exact M/M/1.
  for (const char* pol : {"fifo", "credit2", "eevdf", "shard-sw"}) {
    PolicyResult r = simulate(s, parse_policy(pol, "model", false), RunOptions{42, {}});
    INFO("policy " << pol << ": mean " << r.request.mean << " p50 " << r.request.p50 << " p99 " << r.request.p99
                   << " over " << r.request.count);
    CHECK(r.request.count > 250000);
    CHECK(r.request.mean == Approx(200.0).epsilon(kTol));
    CHECK(r.request.p50 == Approx(200.0 * std::log(2.0)).epsilon(kTol));
    CHECK(r.request.p99 == Approx(200.0 * std::log(100.0)).epsilon(kTol));
    // P(wake finds the server idle) = 1 - rho and the wake costs nothing.
    CHECK(r.wake.p50 == Approx(0.0).margin(1e-9));
  }
}

TEST_CASE("M/M/1 at rho = 0.8 (a seed changes samples, not the law)", "[sim][queueing]") {
  // lambda = 8000/s, mu = 10000/s: T = 500 µs.
  Scenario s = one_core();
  s.duration_ms = 60000;
  s.workloads = {requests("mm1", true, 8000, 100)};
  PolicyResult a = simulate(s, parse_policy("fifo", "model", false), RunOptions{1, {}});
  PolicyResult b = simulate(s, parse_policy("fifo", "model", false), RunOptions{2, {}});
  CHECK(a.request.mean != b.request.mean);
  // heavier load, stronger correlation: 8 % here
  CHECK(a.request.mean == Approx(500.0).epsilon(0.08));
  CHECK(b.request.mean == Approx(500.0).epsilon(0.08));
}

TEST_CASE("Preemptive-resume priority: two classes on one core", "[sim][queueing]") {
  // High class: the latency vCPU (its wake preempts), lambda1 = 2000/s,
  // mu1 = 10000/s. Low class: a request vCPU without the latency class,
  // lambda2 = 3000/s, mu2 = 10000/s. Exponential services.
  //   T1 = 1/(mu1 - lambda1)                                     = 125 µs
  //   T2 = (1/mu2)/(1 - rho1) + R/((1 - rho1)(1 - rho1 - rho2)),
  //   R  = sum lambda_i E[S_i^2]/2 = lambda1/mu1^2 + lambda2/mu2^2 = 50 µs
  //                                                              = 250 µs
  Scenario s = one_core();
  s.duration_ms = 80000;
  s.workloads = {requests("high", true, 2000, 100), requests("low", false, 3000, 100)};
  for (const char* pol : {"shard-sw", "shard-hw"}) {
    PolicyResult r = simulate(s, parse_policy(pol, "model", false), RunOptions{7, {}});
    REQUIRE(r.workload_request.size() == 2);
    const LatencySummary& hi = r.workload_request[0].second;
    const LatencySummary& lo = r.workload_request[1].second;
    INFO("policy " << pol << ": high " << hi.mean << " (" << hi.count << "), low " << lo.mean << " (" << lo.count
                   << ")");
    CHECK(hi.mean == Approx(125.0).epsilon(kTol));
    CHECK(lo.mean == Approx(250.0).epsilon(kTol));
    CHECK(r.sched.preemptions > 10000);
  }
  // Without preemption (fifo) the classes share one FIFO-ish queue: the
  // high class no longer sees an M/M/1 of its own.
  PolicyResult f = simulate(s, parse_policy("fifo", "model", false), RunOptions{7, {}});
  CHECK(f.workload_request[0].second.mean > 125.0 * 1.3);
}
