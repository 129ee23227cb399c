#include "vshard/hostsim/stats.h"

#include <algorithm>
#include <cmath>

namespace vshard::hostsim {

double student_t975(std::size_t df) {
  // t(0.975, df) for df = 1..30 (any statistics table).
  static constexpr double kTable[30] = {12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
                                        2.262157,  2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
                                        2.109816,  2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
                                        2.059539,  2.055529, 2.051831, 2.048407, 2.045230, 2.042272};
  if (df == 0) return 0.0;  // one sample: no interval
  if (df <= 30) return kTable[df - 1];
  // Cornish-Fisher: t = z + g1/v + g2/v^2 + g3/v^3 + g4/v^4 (Abramowitz &
  // Stegun 26.7.5), z = the normal 0.975 quantile. Equal to the table at 30.
  const double z = 1.959963984540054, v = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
  const double g1 = (z3 + z) / 4;
  const double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  const double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  const double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

CiSummary summarize_ci(const std::vector<double>& xs) {
  CiSummary s;
  s.n = xs.size();
  if (xs.empty()) return s;
  double sum = 0;
  for (double x : xs) sum += x;
  const double n = static_cast<double>(xs.size());
  s.mean = sum / n;
  s.min = *std::min_element(xs.begin(), xs.end());
  s.max = *std::max_element(xs.begin(), xs.end());
  if (xs.size() > 1 && s.min != s.max) {  // identical runs: exactly 0, no rounding residue
    double ss = 0;
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.ci95 = student_t975(xs.size() - 1) * std::sqrt(ss / (n - 1)) / std::sqrt(n);
  }
  return s;
}

}  // namespace vshard::hostsim
