// Random numbers and arrival processes of the host simulator. Each vCPU owns
// one Rng stream (seeded from the run's seed and its index), so every policy
// sees the same arrivals and service times. Header-only: these sit on the
// simulator's hot path.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "vshard/hostsim/scenario.h"
#include "vshard/splitmix64.h"

namespace vshard::hostsim {

// A splitmix64 stream (vshard::SplitMix64): small, fast, and the same on
// every platform.
struct Rng {
  static constexpr uint64_t kGamma = SplitMix64::kGamma;
  static constexpr uint64_t mix(uint64_t z) { return SplitMix64::mix(z); }

  uint64_t s;
  uint64_t next() { return mix(s += kGamma); }

  // Stream `index` (a vCPU) of run `seed`. The state is hashed from both:
  // splitmix64 steps its state by kGamma, so a state of seed x kGamma + c
  // would make seed s + 1 replay seed s's numbers shifted by one draw, and a
  // sweep over consecutive seeds would measure almost the same run N times.
  static Rng stream(uint64_t seed, uint64_t index) {
    return Rng{mix(mix(seed + kGamma) ^ ((index + 1) * 0xD1B54A32D192ED03ull))};
  }

  double uniform() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }  // (0,1]
  double exp(double mean) { return -mean * std::log(uniform()); }
  double normal() {
    double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double sample(const Dist& d) {
    switch (d.kind) {
      case Dist::Kind::kExponential: return exp(d.mean_us);
      case Dist::Kind::kDeterministic: return d.mean_us;
      case Dist::Kind::kLognormal: {
        double mu = std::log(d.mean_us) - d.sigma * d.sigma / 2;
        return std::exp(mu + d.sigma * normal());
      }
      case Dist::Kind::kBimodal: return uniform() <= d.p_a ? d.a_us : d.b_us;
    }
    return d.mean_us;
  }
};

// `arrival = "bursty"`: an on/off-modulated Poisson process (interrupted
// Poisson process). Periods alternate, on then off, each exponentially
// distributed with mean burst_on_ms / burst_off_ms; during an on period
// requests arrive as a Poisson process of rate
//   peak = rate_per_s x (on + off) / on,
// during an off period none arrive. So the long-run mean rate is
// peak x on / (on + off) = rate_per_s, the same load as `poisson` with the
// same rate_per_s, only clumped. The process starts in its stationary
// state (on with probability on / (on + off)).
class OnOffArrivals {
 public:
  void start(const Workload& w, Rng& rng) {
    on_us_ = w.burst_on_ms * 1000.0;
    off_us_ = w.burst_off_ms * 1000.0;
    peak_gap_us_ = 1e6 / peak_rate_per_s(w);
    on_ = rng.uniform() <= on_us_ / (on_us_ + off_us_);
    phase_end_ = rng.exp(on_ ? on_us_ : off_us_);  // memoryless: a fresh period
  }

  // The first arrival after t (t = the previous arrival, or 0 at start).
  double next(double t, Rng& rng) {
    for (;;) {
      if (on_) {
        double a = t + rng.exp(peak_gap_us_);
        if (a < phase_end_) return a;
        t = phase_end_;  // no arrival left in this burst; memoryless, so restart at its end
      } else {
        t = std::max(t, phase_end_);
      }
      on_ = !on_;
      phase_end_ = t + rng.exp(on_ ? on_us_ : off_us_);
    }
  }

  static double peak_rate_per_s(const Workload& w) {
    return w.rate_per_s * (w.burst_on_ms + w.burst_off_ms) / w.burst_on_ms;
  }

 private:
  double on_us_ = 1, off_us_ = 1, peak_gap_us_ = 1;
  bool on_ = true;
  double phase_end_ = 0;
};

}  // namespace vshard::hostsim
