// Bursty arrivals (arrival = "bursty", include/vshard/hostsim/random.h) against the
// closed forms of the interrupted Poisson process: on periods with mean
// E[on] = 1/a, off periods with mean E[off] = 1/b (both exponential), Poisson
// arrivals of rate L while on, none while off.
//   mean rate                    L x b / (a + b)            (= rate_per_s)
//   index of dispersion of the counts in windows of W >> 1/(a + b)
//     IDC(W) = 1 + 2 L a / (a + b)^2 x (1 - (1 - e^-(a+b)W) / ((a+b)W))
// (a Poisson process has IDC = 1: the second check fails for one).
#include <algorithm>
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/hostsim/random.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"

using namespace vshard;
using namespace vshard::hostsim;

namespace {
Workload bursty(double rate, double on_ms, double off_ms) {
  Workload w;
  w.arrival = Workload::Arrival::kBursty;
  w.rate_per_s = rate;
  w.burst_on_ms = on_ms;
  w.burst_off_ms = off_ms;
  return w;
}
}  // namespace

TEST_CASE("bursty arrivals: mean rate and burstiness match the closed forms", "[sim][arrival]") {
  // rate 1000/s, on 5 ms, off 15 ms: peak L = 1000 x 20 / 5 = 4000/s,
  // a = 200/s, b = 66.7/s; IDC(1 s) = 1 + 2 x 4000 x 200 / 266.7^2 x
  // (1 - 1/266.7) = 23.41. Over 2000 s: 2e6 arrivals, the count's standard
  // deviation sqrt(23.4 x 2e6) = 0.34 % (tolerance 2 %); the IDC over 2000
  // windows has a relative standard error of about 3 % (tolerance 15 %).
  const Workload w = bursty(1000, 5, 15);
  CHECK(OnOffArrivals::peak_rate_per_s(w) == Approx(4000));
  for (uint64_t seed : {1u, 2u}) {
    Rng rng = Rng::stream(seed, 0);
    OnOffArrivals p;
    p.start(w, rng);
    const double total_s = 2000, window_us = 1e6;
    std::vector<double> counts(static_cast<size_t>(total_s), 0.0);
    double t = 0;
    uint64_t n = 0;
    bool ascending = true;
    for (;;) {
      double next = p.next(t, rng);
      ascending = ascending && next >= t;
      t = next;
      if (t >= total_s * 1e6) break;
      ++counts[static_cast<size_t>(t / window_us)];
      ++n;
    }
    const double mean_rate = static_cast<double>(n) / total_s;
    double m = 0, v = 0;
    for (double c : counts) m += c;
    m /= static_cast<double>(counts.size());
    for (double c : counts) v += (c - m) * (c - m);
    v /= static_cast<double>(counts.size() - 1);
    const double a = 1e3 / 5, b = 1e3 / 15, L = 4000, x = (a + b) * window_us / 1e6;
    const double idc = 1 + 2 * L * a / ((a + b) * (a + b)) * (1 - (1 - std::exp(-x)) / x);
    INFO("seed " << seed << ": " << n << " arrivals, rate " << mean_rate << "/s, IDC " << v / m << " (closed form "
                 << idc << ")");
    CHECK(ascending);
    CHECK(mean_rate == Approx(1000).epsilon(0.02));
    CHECK(v / m == Approx(idc).epsilon(0.15));
  }
}

TEST_CASE("bursty arrivals in the simulator: requests per second = rate_per_s", "[sim][arrival]") {
  // Four vCPUs on four cores (each vCPU has a core to itself), 100 µs
  // deterministic service, no overheads: rho = 0.2, stable, so completed
  // requests per measured second = the arrival rate. rate 2000/s, on 2 ms,
  // off 8 ms; 100 s (90 s measured): 720 000 requests, IDC(90 s) ~ 1 + 2 x
  // 10000 x 500 / 625^2 = 26.6, standard deviation sqrt(26.6 x 720000) =
  // 0.6 % (tolerance 4 %).
  Scenario s;
  s.topo = host::Topology::uniform(1, 4);
  s.costs = {0.0, 0.0, 0.0, 0.0};
  s.latency.sw_base_us = 0;
  s.latency.sw_per_core_us = 0;
  s.duration_ms = 100000;
  s.warmup_ms = 10000;
  Workload w = bursty(2000, 2, 8);
  w.vms = 4;
  w.service.kind = Dist::Kind::kDeterministic;
  w.service.mean_us = 100;
  s.workloads = {w};
  PolicyResult r = simulate(s, parse_policy("fifo", "model", false), RunOptions{9, {}});
  const double per_vcpu_rate = static_cast<double>(r.request.count) / 90.0 / 4;
  INFO(r.request.count << " requests: " << per_vcpu_rate << " per s per vCPU, mean response " << r.request.mean);
  CHECK(per_vcpu_rate == Approx(2000).epsilon(0.04));
  // Poisson arrivals at the same rate make an M/D/1 queue: mean response
  // S + rho S / (2 (1 - rho)) = 100 + 12.5 µs. Inside a burst the rate is
  // 10 000/s, rho = 1: requests queue behind each other.
  CHECK(r.request.mean > 2 * 112.5);
}

TEST_CASE("random streams: neighbouring seeds and vCPUs do not share numbers", "[sim][arrival]") {
  // A seed sweep runs seeds s, s+1, ...: their streams must be independent,
  // not one sequence shifted by a draw (splitmix64 seeded with
  // seed x gamma + c would be exactly that).
  auto draws = [](Rng r) {
    std::vector<uint64_t> v(4096);
    for (auto& x : v) x = r.next();
    std::sort(v.begin(), v.end());
    return v;
  };
  const auto base = draws(Rng::stream(7, 0));
  for (Rng other : {Rng::stream(8, 0), Rng::stream(6, 0), Rng::stream(7, 1), Rng::stream(8, 1)}) {
    auto v = draws(other);
    std::vector<uint64_t> common;
    std::set_intersection(base.begin(), base.end(), v.begin(), v.end(), std::back_inserter(common));
    CHECK(common.empty());
  }
}
