// Confidence intervals over seeds: the mean of a figure over N independent
// runs and the half-width of its 95 % confidence interval (Student t with
// N - 1 degrees of freedom).
#pragma once

#include <cstddef>
#include <vector>

namespace vshard::hostsim {

struct CiSummary {
  double mean = 0;
  double ci95 = 0;  // half-width: the interval is mean +- ci95 (0 for n = 1)
  std::size_t n = 0;
  double min = 0, max = 0;
};

// The 0.975 quantile of Student's t with df degrees of freedom (df >= 1):
// a table for df <= 30, the Cornish-Fisher expansion above (error < 1e-6).
double student_t975(std::size_t df);

// mean, ci95 = t(0.975, n-1) x s / sqrt(n) with s the sample standard
// deviation, min, max. Empty input: all zero.
CiSummary summarize_ci(const std::vector<double>& xs);

}  // namespace vshard::hostsim
