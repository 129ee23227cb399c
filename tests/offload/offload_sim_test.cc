// `vshard sim --engine udp://…|shm://…` gives the report of `--engine model`
// (docs/offload.md): the host simulator's JSON report of every vShard
// decision path, with the engine behind an in-process `vshard serve`, equals
// the model's but for the engine's name and the CPU time.
#include <catch2/catch.hpp>

#include <string>

#include "../driver/offload_test_util.h"
#include "vshard/hostsim/report.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"
#include "vshard/offload.h"

using namespace vshard;
using namespace vshard::hostsim;

namespace {

nlohmann::json report(const Scenario& sc, const std::string& engine) {
  std::vector<PolicyResult> rs;
  for (const char* pol : {"shard-hw", "shard-pre"})
    rs.push_back(simulate(sc, parse_policy(pol, engine, false), {3, {}}));
  RunInfo info;
  info.engine = "-";  // the one field that names the engine on purpose
  info.seed = 3;
  nlohmann::json j = to_json(sc, info, rs);
  for (auto& [name, p] : j["policies"].items()) {
    p.erase("engine");
    p.erase("cpu_s");
    p.erase("sim_events_per_s");
    p.erase("wall_s");
  }
  return j;
}

}  // namespace

TEST_CASE("vshard sim through udp:// and shm:// gives the model's report", "[offload][unit]") {
  test::KeyDir keys(1, "-sim");
  offload::ServerOptions o;
  const std::string shm = "vshard-sim-" + std::to_string(getpid());
  o.listen = {"udp://127.0.0.1:0", "shm://" + shm};
  o.key_file = keys.key;
  offload::Server server(o);
  server.start();
  Scenario sc = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-small.toml");
  sc.duration_ms = 300;
  sc.warmup_ms = 30;
  const nlohmann::json want = report(sc, "model");
  REQUIRE(want["policies"]["shard-pre"]["commits"].get<uint64_t>() > 0);
  for (const std::string& engine : {server.addresses().at(0) + "?key=" + keys.key, "shm://" + shm}) {
    INFO("engine " << engine);
    const nlohmann::json got = report(sc, engine);
    CHECK(got.dump(1) == want.dump(1));
  }
}
