// Agent scenarios in TOML (include/vshard/agent/agent.h).
#include <cmath>
#include <sstream>

// toml++ 3.3.0's TOML_ASSERT_ASSUME: the same workaround as
// sim/hostsim/scenario.cc (see there): no check and no assumption in any
// build, so malformed input reaches toml++'s own error reporting.
#define TOML_ASSERT(expr) static_cast<void>(0)
#ifdef NDEBUG
#define VSHARD_TOML_NDEBUG
#undef NDEBUG
#endif
#include <toml++/toml.h>
#ifdef VSHARD_TOML_NDEBUG
#define NDEBUG
#undef VSHARD_TOML_NDEBUG
#endif

#include "vshard/agent/agent.h"
#include "vshard/agent/guest.h"
#include "vshard/error.h"
#include "vshard/file.h"

namespace vshard::agent {
namespace {

class Reader {
 public:
  explicit Reader(std::string src) : src_(std::move(src)) {}

  [[noreturn]] void fail(const toml::node* n, const std::string& key, const std::string& msg) const {
    std::string where = src_;
    if (n) where += ":" + std::to_string(n->source().begin.line) + ":" + std::to_string(n->source().begin.column);
    throw Error(Errc::kBadInput, where + ": key '" + key + "': " + msg);
  }

  void check_keys(const toml::table& t, const std::string& prefix, std::initializer_list<const char*> allowed) const {
    for (const auto& [k, v] : t) {
      const std::string_view key = k.str();
      bool ok = false;
      for (const char* a : allowed) ok = ok || key == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        fail(&v, prefix + std::string(key), "unknown key; expected one of: " + list);
      }
    }
  }

  double num(const toml::table& t, const std::string& prefix, const char* key, double def, double lo, double hi) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    auto v = n->value<double>();
    if (!v || !n->is_number()) fail(n, prefix + key, "expected a number");
    if (!std::isfinite(*v) || *v < lo || *v > hi)
      fail(n, prefix + key, "value " + fmt(*v) + " is out of range [" + fmt(lo) + ", " + fmt(hi) + "]");
    return *v;
  }

  uint32_t integer(const toml::table& t, const std::string& prefix, const char* key, uint32_t def, int64_t lo,
                   int64_t hi) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    // is_integer() first: toml++ 3.3.0's value<int64_t>() of a float casts
    // it to int64_t before checking the range (undefined behaviour for 5e34;
    // found by tests/fuzz).
    if (!n->is_integer()) fail(n, prefix + key, "expected an integer");
    auto v = n->value<int64_t>();
    if (!v) fail(n, prefix + key, "expected an integer");
    if (*v < lo || *v > hi)
      fail(n, prefix + key,
           "value " + std::to_string(*v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<uint32_t>(*v);
  }

  const toml::table* table(const toml::table& t, const char* key) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(n, key, "expected a table");
    return n->as_table();
  }

  static std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }

 private:
  std::string src_;
};

}  // namespace

AgentScenario parse_agent_scenario(const std::string& text, const std::string& source_name) {
  check_toml_non_ascii(text, source_name);  // vshard/file.h: toml++ 3.3.0's undefined behaviour
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw Error(Errc::kBadInput, source_name + ":" + std::to_string(e.source().begin.line) + ":" +
                                     std::to_string(e.source().begin.column) +
                                     ": TOML syntax: " + std::string(e.description()));
  }
  Reader r(source_name);
  AgentScenario s;
  s.path = source_name;
  r.check_keys(root, "", {"name", "host", "latency", "batch", "floors"});
  if (const toml::node* n = root.get("name")) {
    auto v = n->value<std::string>();
    if (!v || !n->is_string()) r.fail(n, "name", "expected a string");
    s.name = *v;
  }
  if (const toml::table* t = r.table(root, "host")) {
    r.check_keys(*t, "host.",
                 {"cores", "nodes", "remote_distance", "timeslice_us", "tick_us", "account_us", "profile_interval_us"});
    s.cores = r.integer(*t, "host.", "cores", s.cores, 0, 256);
    s.nodes = r.integer(*t, "host.", "nodes", s.nodes, 1, 8);
    s.remote_distance = r.integer(*t, "host.", "remote_distance", s.remote_distance, 11, 255);
    s.timeslice_us = r.num(*t, "host.", "timeslice_us", s.timeslice_us, 100, 65535);
    s.tick_us = r.num(*t, "host.", "tick_us", s.tick_us, 100, 1e6);
    s.account_us = r.num(*t, "host.", "account_us", s.account_us, 1000, 1e7);
    s.profile_interval_us = r.num(*t, "host.", "profile_interval_us", s.profile_interval_us, 10, 1e6);
  }
  if (const toml::table* t = r.table(root, "latency")) {
    r.check_keys(*t, "latency.", {"vcpus", "rate_per_s", "service_us", "home"});
    s.servers = r.integer(*t, "latency.", "vcpus", s.servers, 0, 8);
    s.rate_per_s = r.num(*t, "latency.", "rate_per_s", s.rate_per_s, 1, 100000);
    s.service_us = r.num(*t, "latency.", "service_us", s.service_us, 1, 100000);
    s.server_home = r.integer(*t, "latency.", "home", s.server_home, 0, 7);
  }
  if (const toml::table* t = r.table(root, "batch")) {
    r.check_keys(*t, "batch.", {"vcpus", "block_us", "blocks", "home"});
    s.batch_vcpus = r.integer(*t, "batch.", "vcpus", s.batch_vcpus, 0, 8);
    s.block_us = r.num(*t, "batch.", "block_us", s.block_us, 1, 100000);
    s.blocks = r.integer(*t, "batch.", "blocks", s.blocks, 1, layout::kMaxBlocks);
    s.batch_home = r.integer(*t, "batch.", "home", s.batch_home, 0, 7);
  }
  if (const toml::table* t = r.table(root, "floors")) {
    r.check_keys(*t, "floors.", {"iterations"});
    s.floor_iterations = r.integer(*t, "floors.", "iterations", s.floor_iterations, 10, 100000);
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
