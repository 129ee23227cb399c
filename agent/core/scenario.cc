// Agent scenarios in TOML (include/vshard/agent/agent.h).
#include "vshard/agent/agent.h"
#include "vshard/agent/guest.h"
#include "vshard/error.h"
#include "vshard/file.h"
#include "vshard/internal/toml_reader.h"

namespace vshard::agent {

using Reader = internal::TomlReader;

AgentScenario parse_agent_scenario(const std::string& text, const std::string& source_name) {
  const toml::table root = internal::parse_toml(text, source_name);
  Reader r(source_name);
  AgentScenario s;
  s.path = source_name;
  r.check_keys(root, "", {"name", "host", "latency", "batch", "floors"});
  if (const toml::node* n = root.get("name")) {
    auto v = n->value<std::string>();
    if (!v || !n->is_string()) r.fail(n, "name", "expected a string");
    s.name = *v;
  }
  if (const toml::table* t = r.table(root, "", "host")) {
    r.check_keys(*t, "host.",
                 {"cores", "nodes", "remote_distance", "timeslice_us", "tick_us", "account_us", "profile_interval_us"});
    s.cores = static_cast<uint32_t>(r.integer(*t, "host.", "cores", s.cores, 0, 256));
    s.nodes = static_cast<uint32_t>(r.integer(*t, "host.", "nodes", s.nodes, 1, 8));
    s.remote_distance = static_cast<uint32_t>(r.integer(*t, "host.", "remote_distance", s.remote_distance, 11, 255));
    s.timeslice_us = r.num(*t, "host.", "timeslice_us", s.timeslice_us, 100, 65535);
    s.tick_us = r.num(*t, "host.", "tick_us", s.tick_us, 100, 1e6);
    s.account_us = r.num(*t, "host.", "account_us", s.account_us, 1000, 1e7);
    s.profile_interval_us = r.num(*t, "host.", "profile_interval_us", s.profile_interval_us, 10, 1e6);
  }
  if (const toml::table* t = r.table(root, "", "latency")) {
    r.check_keys(*t, "latency.", {"vcpus", "rate_per_s", "service_us", "home"});
    s.servers = static_cast<uint32_t>(r.integer(*t, "latency.", "vcpus", s.servers, 0, 8));
    s.rate_per_s = r.num(*t, "latency.", "rate_per_s", s.rate_per_s, 1, 100000);
    s.service_us = r.num(*t, "latency.", "service_us", s.service_us, 1, 100000);
    s.server_home = static_cast<uint32_t>(r.integer(*t, "latency.", "home", s.server_home, 0, 7));
  }
  if (const toml::table* t = r.table(root, "", "batch")) {
    r.check_keys(*t, "batch.", {"vcpus", "block_us", "blocks", "home"});
    s.batch_vcpus = static_cast<uint32_t>(r.integer(*t, "batch.", "vcpus", s.batch_vcpus, 0, 8));
    s.block_us = r.num(*t, "batch.", "block_us", s.block_us, 1, 100000);
    s.blocks = static_cast<uint32_t>(r.integer(*t, "batch.", "blocks", s.blocks, 1, layout::kMaxBlocks));
    s.batch_home = static_cast<uint32_t>(r.integer(*t, "batch.", "home", s.batch_home, 0, 7));
  }
  if (const toml::table* t = r.table(root, "", "floors")) {
    r.check_keys(*t, "floors.", {"iterations"});
    s.floor_iterations = static_cast<uint32_t>(r.integer(*t, "floors.", "iterations", s.floor_iterations, 10, 100000));
  }
  auto bad = [&](const std::string& m) { throw Error(Errc::kBadInput, source_name + ": " + m); };
  if (s.servers + s.batch_vcpus == 0) bad("no vCPUs: give latency.vcpus or batch.vcpus");
  if (s.server_home >= s.nodes)
    bad("latency.home " + std::to_string(s.server_home) + " but host.nodes = " + std::to_string(s.nodes));
  if (s.batch_home >= s.nodes)
    bad("batch.home " + std::to_string(s.batch_home) + " but host.nodes = " + std::to_string(s.nodes));
  return s;
}

AgentScenario load_agent_scenario(const std::string& path) {
  return parse_agent_scenario(read_file(path, "agent scenario", kMaxTextFileBytes), path);
}

}  // namespace vshard::agent
