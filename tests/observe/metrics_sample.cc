// Prints an OpenMetrics exposition built from hostile strings and from
// SchedStats, for observe_cli_test.py to parse with prometheus_client's
// OpenMetrics parser and compare with the values it expects (the same
// strings, the same numbers, written in that test).
#include <cstdio>
#include <string>

#include "vshard/metrics.h"

int main() {
  using namespace vshard::metrics;
  Exposition m;
  const std::string hostile[] = {
      "plain",
      "quote \" and backslash \\ and newline \n end",
      "\\n is not a newline",
      "trailing backslash \\",
      "{braces},commas=\"equals\"",
      "invalid utf-8: \xff\xfe and a lone continuation \x80",
      "utf-8: \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
      "# EOF",
  };
  int i = 0;
  for (const auto& h : hostile)
    m.gauge("vshard_test_hostile", "label values that \"need\" escaping \\ or\nreplacing", i++,
            {{"value", h}, {"index", std::to_string(i)}});
  vshard::host::SchedStats s;
  s.wakes = 123456789012345ull;
  s.preemptions = 42;
  s.shard_preemptions = 7;
  s.shards = 21;
  s.commits = 1000;
  s.aborts = 3;
  s.decision_us_total = 1234.5;
  add_sched_stats(m, s, {{"policy", "shard"}, {"scenario", "a \"b\""}});
  s = {};
  s.wakes = 5;
  add_sched_stats(m, s, {{"policy", "credit"}, {"scenario", "a \"b\""}});
  m.info("vshard_test_build", "identity", {{"version", "0.1.0"}});
  const std::string text = m.text();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
