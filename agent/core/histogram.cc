// LogHistogram (include/vshard/agent/agent.h): schbench-style log buckets.
#include <algorithm>
#include <bit>
#include <cmath>

#include "vshard/agent/agent.h"

namespace vshard::agent {

// Values below 16 ns get one bucket each; above, the range [2^k, 2^(k+1))
// is split into 16 equal sub-buckets.
size_t LogHistogram::bucket(uint64_t ns) {
  if (ns < kSub) return static_cast<size_t>(ns);
  const int k = 63 - std::countl_zero(ns);  // ns in [2^k, 2^(k+1)), k >= 4
  const uint64_t sub = (ns >> (k - 4)) & (kSub - 1);
  return static_cast<size_t>((k - 3) * kSub + sub);
}

uint64_t LogHistogram::upper(size_t b) {
  if (b < kSub) return b;
  const int k = static_cast<int>(b / kSub) + 3;
  const uint64_t sub = b % kSub;
  return (uint64_t{1} << k) + ((sub + 1) << (k - 4)) - 1;
}

void LogHistogram::add(uint64_t ns) {
  ++buckets_[std::min(bucket(ns), sizeof buckets_ / sizeof buckets_[0] - 1)];
  ++count_;
  max_ = std::max(max_, ns);
}

void LogHistogram::merge(const LogHistogram& o) {
  for (size_t i = 0; i < sizeof buckets_ / sizeof buckets_[0]; ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  max_ = std::max(max_, o.max_);
}

double LogHistogram::quantile_us(double q) const {
  if (count_ == 0) return 0;
  const uint64_t want = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < sizeof buckets_ / sizeof buckets_[0]; ++i) {
    seen += buckets_[i];
    if (seen >= want) return static_cast<double>(std::min(upper(i), max_)) / 1000.0;
  }
  return max_us();
}

Percentiles percentiles(const LogHistogram& h) {
  Percentiles p;
  p.n = h.count();
  p.p50_us = h.quantile_us(0.50);
  p.p99_us = h.quantile_us(0.99);
  p.p999_us = h.quantile_us(0.999);
  p.max_us = h.max_us();
  return p;
}

}  // namespace vshard::agent
