// The OpenMetrics writer (include/vshard/metrics.h): the text the format
// defines, names and values checked, hostile label values escaped, the
// periodic file replaced whole. (Parsed by prometheus_client's OpenMetrics
// parser in observe_cli_test.py.)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "vshard/error.h"
#include "vshard/metrics.h"

using namespace vshard;
using namespace vshard::metrics;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("metrics: families grouped, counters as _total, info as _info, # EOF last", "[metrics]") {
  Exposition m;
  m.counter("vshard_x", "things seen", 3, {{"policy", "shard"}});
  m.gauge("vshard_load", "a load", 0.25);
  m.counter("vshard_x", "things seen", uint64_t{18446744073709551615u}, {{"policy", "credit"}});
  m.info("vshard_build", "build identity", {{"version", "0.1.0"}});
  m.counter("vshard_busy_seconds", "time busy", 1.5, {}, "seconds");
  m.gauge("vshard_g", "specials", std::numeric_limits<double>::quiet_NaN(), {{"k", "nan"}});
  m.gauge("vshard_g", "specials", -std::numeric_limits<double>::infinity(), {{"k", "-inf"}});
  m.gauge("vshard_g", "specials", -300, {{"k", "neg"}});
  CHECK(m.text() ==
        "# TYPE vshard_x counter\n"
        "# HELP vshard_x things seen\n"
        "vshard_x_total{policy=\"shard\"} 3\n"
        "vshard_x_total{policy=\"credit\"} 18446744073709551615\n"
        "# TYPE vshard_load gauge\n"
        "# HELP vshard_load a load\n"
        "vshard_load 0.25\n"
        "# TYPE vshard_build info\n"
        "# HELP vshard_build build identity\n"
        "vshard_build_info{version=\"0.1.0\"} 1\n"
        "# TYPE vshard_busy_seconds counter\n"
        "# UNIT vshard_busy_seconds seconds\n"
        "# HELP vshard_busy_seconds time busy\n"
        "vshard_busy_seconds_total 1.5\n"
        "# TYPE vshard_g gauge\n"
        "# HELP vshard_g specials\n"
        "vshard_g{k=\"nan\"} NaN\n"
        "vshard_g{k=\"-inf\"} -Inf\n"
        "vshard_g{k=\"neg\"} -300\n"
        "# EOF\n");
  CHECK(Exposition().text() == "# EOF\n");
}

TEST_CASE("metrics: label values and help are escaped, invalid UTF-8 replaced", "[metrics]") {
  CHECK(escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(escape("\xff") == "\xef\xbf\xbd");
  CHECK(escape("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");                  // overlong '/'
  CHECK(escape("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  CHECK(escape("\xe2\x82\xac") == "\xe2\x82\xac");
  Exposition m;
  m.gauge("g", "say \"hi\"\\\n", 1, {{"v", "}\"{,="}});
  CHECK(m.text() == "# TYPE g gauge\n# HELP g say \\\"hi\\\"\\\\\\n\ng{v=\"}\\\"{,=\"} 1\n# EOF\n");
}

TEST_CASE("metrics: bad names, values and declarations are refused", "[metrics]") {
  Exposition m;
  CHECK_THROWS_WITH(m.gauge("9lives", "", 1), Catch::Contains("not a metric name"));
  CHECK_THROWS_WITH(m.gauge("a-b", "", 1), Catch::Contains("not a metric name"));
  CHECK_THROWS_WITH(m.gauge("", "", 1), Catch::Contains("not a metric name"));
  CHECK_THROWS_WITH(m.gauge("ok", "", 1, {{"bad-label", "x"}}), Catch::Contains("not a label name"));
  CHECK_THROWS_WITH(m.gauge("ok", "", 1, {{"__name__", "x"}}), Catch::Contains("reserved"));
  CHECK_THROWS_WITH(m.gauge("ok", "", 1, {{"a", "x"}, {"a", "y"}}), Catch::Contains("twice"));
  CHECK_THROWS_WITH(m.counter("c_total", "", 1), Catch::Contains("without _total"));
  CHECK_THROWS_WITH(m.info("i_info", "", {}), Catch::Contains("without _info"));
  CHECK_THROWS_WITH(m.counter("c", "", -1), Catch::Contains(">= 0"));
  CHECK_THROWS_WITH(m.counter("c", "", std::numeric_limits<double>::infinity()), Catch::Contains(">= 0"));
  CHECK_THROWS_WITH(m.gauge("t_ms", "", 1, {}, "seconds"), Catch::Contains("must end in _seconds"));
  m.gauge("same", "", 1, {{"a", "1"}});
  CHECK_THROWS_WITH(m.counter("same", "", 1), Catch::Contains("declared a gauge"));
  CHECK_THROWS_WITH(m.gauge("same", "", 2, {{"a", "1"}}), Catch::Contains("same labels"));
  m.gauge("same", "", 2, {{"a", "2"}});
  CHECK(m.text() == "# TYPE same gauge\nsame{a=\"1\"} 1\nsame{a=\"2\"} 2\n# EOF\n");
}

TEST_CASE("metrics: SchedStats as counters, one family per counter across policies", "[metrics]") {
  host::SchedStats a, b;
  a.wakes = 10;
  a.preemptions = 4;
  a.commits = 2;
  a.aborts = 1;
  a.decision_us_total = 2500;
  b.wakes = 7;
  Exposition m;
  add_sched_stats(m, a, {{"policy", "shard"}});
  add_sched_stats(m, b, {{"policy", "credit"}});
  const std::string t = m.text();
  CHECK(t.find("vshard_sched_wakes_total{policy=\"shard\"} 10\nvshard_sched_wakes_total{policy=\"credit\"} 7\n") !=
        std::string::npos);
  CHECK(t.find("vshard_sched_preemptions_total{policy=\"shard\"} 4\n") != std::string::npos);
  CHECK(t.find("vshard_sched_commits_total{policy=\"shard\"} 2\n") != std::string::npos);
  CHECK(t.find("vshard_sched_aborts_total{policy=\"shard\"} 1\n") != std::string::npos);
  CHECK(t.find("# UNIT vshard_sched_decision_seconds seconds\n") != std::string::npos);
  CHECK(t.find("vshard_sched_decision_seconds_total{policy=\"shard\"} 0.0025\n") != std::string::npos);
  // the same labels twice is the caller's mistake, named
  CHECK_THROWS_WITH(add_sched_stats(m, a, {{"policy", "shard"}}), Catch::Contains("same labels"));
}

TEST_CASE("metrics: MetricsFile writes at once, every period, and last at destruction", "[metrics]") {
  char dir[] = "/tmp/vshard-metrics-XXXXXX";
  REQUIRE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/vshard.prom";
  std::atomic<uint64_t> n{0};
  auto collect = [&n] {
    Exposition m;
    m.counter("vshard_collects", "collect() calls", n.fetch_add(1) + 1);
    return m;
  };
  {
    MetricsFile f(path, std::chrono::milliseconds(2), collect);
    CHECK(f.writes() == 1);  // the constructor's write
    CHECK(slurp(path) ==
          "# TYPE vshard_collects counter\n# HELP vshard_collects collect() calls\n"
          "vshard_collects_total 1\n# EOF\n");
    // The thread writes again: wait for it (a bound, not a timing check).
    for (int i = 0; i < 10000 && f.writes() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(f.writes() >= 3);
    CHECK(f.last_error().empty());
  }
  // the destructor's write holds the last count
  CHECK(slurp(path) ==
        "# TYPE vshard_collects counter\n# HELP vshard_collects collect() calls\n"
        "vshard_collects_total " +
            std::to_string(n.load()) + "\n# EOF\n");
  CHECK(access((path + ".tmp").c_str(), F_OK) != 0);
  std::remove(path.c_str());
  rmdir(dir);

  CHECK_THROWS_WITH(MetricsFile("/nonexistent-dir/m.prom", std::chrono::milliseconds(10), collect),
                    Catch::Contains("/nonexistent-dir/m.prom.tmp"));
  CHECK_THROWS_AS(MetricsFile(path, std::chrono::milliseconds(0), collect), Error);
}
