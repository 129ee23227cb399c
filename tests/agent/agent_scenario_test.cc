// Agent scenarios (TOML) and the latency histogram: fast unit tests.
#include <catch2/catch.hpp>

#include "vshard/agent/agent.h"
#include "vshard/agent/guest.h"
#include "vshard/error.h"

using namespace vshard;
using namespace vshard::agent;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_agent_scenario(text, "t.toml");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kBadInput);
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("agent scenario: the shipped scenarios parse", "[agent][unit]") {
  for (const char* f : {"agent-mixed.toml", "agent-shard.toml"}) {
    AgentScenario s = load_agent_scenario(std::string(VSHARD_SCENARIO_DIR) + "/" + f);
    CHECK(s.servers >= 1);
    CHECK(s.batch_vcpus >= 1);
    CHECK(s.blocks > 0);
  }
  AgentScenario s = load_agent_scenario(std::string(VSHARD_SCENARIO_DIR) + "/agent-shard.toml");
  CHECK(s.nodes == 2);
  CHECK(s.cores == 2);
  CHECK(s.service_us == 200);
}

TEST_CASE("agent scenario: values and defaults", "[agent][unit]") {
  AgentScenario s = parse_agent_scenario(
      "name = \"x\"\n[host]\nnodes = 2\n[latency]\nvcpus = 3\nrate_per_s = 50.5\nhome = 1\n[batch]\nblocks = 10\n",
      "t.toml");
  CHECK(s.name == "x");
  CHECK(s.nodes == 2);
  CHECK(s.servers == 3);
  CHECK(s.rate_per_s == 50.5);
  CHECK(s.server_home == 1);
  CHECK(s.blocks == 10);
  CHECK(s.batch_vcpus == AgentScenario{}.batch_vcpus);
}

TEST_CASE("agent scenario: errors name the file, the line and the key", "[agent][unit]") {
  CHECK_THAT(error_of("[host]\ncores = \n"), Catch::Contains("t.toml:2:") && Catch::Contains("TOML syntax"));
  CHECK_THAT(error_of("[host]\ncorez = 1\n"),
             Catch::Contains("t.toml:2:") && Catch::Contains("host.corez") && Catch::Contains("unknown key"));
  CHECK_THAT(error_of("[batch]\nblock_us = 0\n"),
             Catch::Contains("t.toml:2:") && Catch::Contains("batch.block_us") && Catch::Contains("out of range"));
  CHECK_THAT(error_of("[batch]\nblocks = 999999\n"),
             Catch::Contains("batch.blocks") && Catch::Contains(std::to_string(layout::kMaxBlocks)));
  CHECK_THAT(error_of("[latency]\nvcpus = \"two\"\n"), Catch::Contains("expected an integer"));
  // A float where an integer belongs, too large for int64_t (toml++ would
  // cast it: undefined behaviour, found by the fuzz campaign) or whole.
  CHECK_THAT(error_of("[latency]\nvcpus = 5e34\n"),
             Catch::Contains("latency.vcpus") && Catch::Contains("expected an integer"));
  CHECK_THAT(error_of("[latency]\nvcpus = 2.0\n"), Catch::Contains("expected an integer"));
  CHECK_THAT(error_of("[latency]\nrate_per_s = nan\n"), Catch::Contains("out of range"));
  CHECK_THAT(error_of("[latency]\nhome = 1\n"), Catch::Contains("latency.home 1 but host.nodes = 1"));
  CHECK_THAT(error_of("[latency]\nvcpus = 0\n[batch]\nvcpus = 0\n"), Catch::Contains("no vCPUs"));
  CHECK_THAT(error_of("host = 3\n"), Catch::Contains("expected a table"));
  CHECK_THAT(error_of("[floor]\n"), Catch::Contains("unknown key"));
  CHECK_THAT(error_of("name = \"\xc3\xa9\"\n"), Catch::Contains("non-ASCII"));
  CHECK_THROWS_AS(load_agent_scenario("/nonexistent/agent.toml"), Error);
}

TEST_CASE("agent histogram: log buckets within 1/16 of the value", "[agent][unit]") {
  LogHistogram h;
  CHECK(h.quantile_us(0.5) == 0);
  for (uint64_t i = 1; i <= 1000; ++i) h.add(i * 1000);  // 1 .. 1000 µs
  CHECK(h.count() == 1000);
  CHECK(h.quantile_us(0.5) >= 500);
  CHECK(h.quantile_us(0.5) <= 500 * 17.0 / 16);
  CHECK(h.quantile_us(0.99) >= 990);
  CHECK(h.quantile_us(0.99) <= 990 * 17.0 / 16);
  CHECK(h.quantile_us(1.0) == 1000);
  LogHistogram g;
  g.add(5);  // 5 ns: exact below 16 ns
  g.merge(h);
  CHECK(g.count() == 1001);
  CHECK(g.quantile_us(0.0001) == 0.005);
  Percentiles p = percentiles(h);
  CHECK(p.n == 1000);
  CHECK(p.max_us == 1000);
}
