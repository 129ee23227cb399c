#include "vshard/hostsim/scenario.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "vshard/hostsim/random.h"
#include "vshard/internal/toml_reader.h"
#include "vshard/error.h"
#include "vshard/event_log.h"
#include "vshard/file.h"
#include "vshard/model.h"

namespace vshard::hostsim {

double Dist::mean() const {
  switch (kind) {
    case Kind::kExponential:
    case Kind::kDeterministic:
    case Kind::kLognormal: return mean_us;
    case Kind::kBimodal: return p_a * a_us + (1 - p_a) * b_us;
  }
  return mean_us;
}

uint32_t Scenario::total_vcpus() const {
  // Summed in 64 bits and saturated, so that many huge workloads cannot wrap
  // past the 4096-vCPU check (each product is below 2^32, their count too).
  uint64_t n = 0;
  for (const auto& w : workloads) n += uint64_t{w.vms} * w.vcpus_per_vm;
  return static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX));
}

Params Scenario::engine_params_for() const {
  auto fits = [&](const Params& p) {
    return topo.cores() <= p.cores && total_vcpus() <= p.vcpus && topo.nodes <= p.nodes;
  };
  if (engine_params != "auto") {
    Params p = Params::named(engine_params);
    if (!fits(p))
      throw Error(Errc::kBadConfig, "scenario " + name + ": engine configuration '" + engine_params +
                                        "' is too small for " + std::to_string(topo.cores()) + " cores, " +
                                        std::to_string(total_vcpus()) + " vCPUs, " + std::to_string(topo.nodes) +
                                        " nodes");
    return p;
  }
  for (const Params& p : {Params::small(), Params::large(), Params::max()})
    if (fits(p)) return p;
  throw Error(Errc::kBadConfig, "scenario " + name + ": " + std::to_string(topo.cores()) + " cores, " +
                                    std::to_string(total_vcpus()) + " vCPUs, " + std::to_string(topo.nodes) +
                                    " nodes exceed the largest engine (max = 256/4096/8)");
}

void Scenario::validate() const {
  topo.validate();
  auto bad = [&](const std::string& m) { throw Error(Errc::kBadConfig, "scenario " + name + ": " + m); };
  if (!(duration_ms > 0)) bad("duration_ms must be > 0");
  if (!(warmup_ms >= 0 && warmup_ms < duration_ms)) bad("warmup_ms must be in [0, duration_ms)");
  if (workloads.empty()) bad("no workloads");
  if (total_vcpus() == 0) bad("no vCPUs");
  for (const auto& w : workloads) {
    if (w.home >= static_cast<int>(topo.nodes))
      bad("workload " + w.name + " is homed on node " + std::to_string(w.home) + " of " + std::to_string(topo.nodes));
    if (w.weight == 0) bad("workload " + w.name + " has weight 0");
    if (w.latency && !w.requests) bad("workload " + w.name + ": the latency class is request/response");
    if (w.requests && w.arrival == Workload::Arrival::kTrace && w.trace_us.empty())
      bad("workload " + w.name + " has an empty trace");
    if (!w.requests && w.blocks_per_job == 0) bad("workload " + w.name + " has no blocks per job");
  }
  (void)engine_params_for();
}

std::string text_digest(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  for (unsigned char ch : text) h = (h ^ ch) * 0x100000001b3ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void apply_engine_settings(Scenario& s, const std::vector<std::string>& settings) {
  for (const std::string& kv : settings) {
    const auto eq = kv.find('=');
    const std::string what = "engine setting '" + kv + "'";
    if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
      throw Error(Errc::kBadInput, what + ": expected NAME=VALUE, e.g. SHARD_ENABLE=0");
    const std::string name = kv.substr(0, eq), text = kv.substr(eq + 1);
    const int id = engine_key_by_name(name);
    if (id < 0)
      throw Error(Errc::kBadInput, what + ": unknown register '" + name + "' (docs/spec.md section 5 lists them)");
    if (id >= static_cast<int>(cfg::kNumaDistBase))
      throw Error(Errc::kBadInput, what + ": NUMA_DIST comes from the scenario's [host]; change it there");
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(text.c_str(), &end, 0);
    if (errno != 0 || end == text.c_str() || *end != '\0' || v < INT32_MIN || v > static_cast<long long>(UINT32_MAX))
      throw Error(Errc::kBadInput, what + ": '" + text + "' is not a 32-bit integer");
    Model probe(Params::max());
    const ErrorCode ec = probe.write_config(static_cast<uint16_t>(id), static_cast<uint32_t>(v));
    if (ec != ErrorCode::kNone && id != cfg::kMaxShards && id != cfg::kKUnderLoad && id != cfg::kLoadHotCores)
      throw Error(Errc::kBadInput, what + ": value rejected by the engine (" +
                                       error_code_name(static_cast<uint8_t>(ec)) + "); see docs/spec.md section 5");
    s.engine_config.emplace_back(static_cast<uint16_t>(id), static_cast<uint32_t>(v));
    s.engine_settings.push_back(kv);
    s.digest = text_digest(s.digest + "\n" + kv);
  }
}

int engine_key_by_name(const std::string& raw) {
  std::string n;
  for (char ch : raw) n += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // The register map's names (regs::kCfgKeys), NUMA_DIST[i][j] included.
  const std::optional<uint16_t> key = config_key_from_name(n);
  return key ? static_cast<int>(*key) : -1;
}

namespace {

// Typed reads with errors that name the file, line, column and key.
using Reader = internal::TomlReader;

Dist read_dist(const Reader& r, const toml::table& t, const std::string& prefix) {
  r.check_keys(t, prefix, {"dist", "mean_us", "sigma", "a_us", "b_us", "p_a"});
  Dist d;
  std::string k = r.str(t, prefix, "dist", "exponential", {"exponential", "deterministic", "lognormal", "bimodal"});
  if (k == "exponential") d.kind = Dist::Kind::kExponential;
  if (k == "deterministic") d.kind = Dist::Kind::kDeterministic;
  if (k == "lognormal") d.kind = Dist::Kind::kLognormal;
  if (k == "bimodal") d.kind = Dist::Kind::kBimodal;
  d.mean_us = r.num(t, prefix, "mean_us", 100.0, 1e-3, 1e9);
  d.sigma = r.num(t, prefix, "sigma", 1.0, 0.0, 5.0);
  d.a_us = r.num(t, prefix, "a_us", 10.0, 1e-3, 1e9);
  d.b_us = r.num(t, prefix, "b_us", 1000.0, 1e-3, 1e9);
  d.p_a = r.num(t, prefix, "p_a", 0.9, 0.0, 1.0);
  return d;
}

std::vector<double> read_trace_file(const Reader& r, const toml::node* n, const std::string& key,
                                    const std::string& file, const std::string& scenario_path) {
  std::string path = file;
  if (!path.empty() && path[0] != '/' && !scenario_path.empty()) {
    auto slash = scenario_path.rfind('/');
    if (slash != std::string::npos) path = scenario_path.substr(0, slash + 1) + file;
  }
  std::string text;
  try {
    text = read_file(path, "trace file", kMaxTextFileBytes);
  } catch (const Error& e) { r.fail(n, key, e.what()); }
  std::istringstream in(text);
  std::vector<double> out;
  std::string line;
  int ln = 0;
  while (std::getline(in, line)) {
    ++ln;
    auto h = line.find('#');
    if (h != std::string::npos) line.resize(h);
    std::istringstream is(line);
    double t;
    if (!(is >> t)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      r.fail(n, key, path + ":" + std::to_string(ln) + " is not a time in µs");
    }
    out.push_back(t);
  }
  return out;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& source_name) {
  const toml::table root = internal::parse_toml(text, source_name);
  Reader r(source_name);
  Scenario s;
  s.path = source_name;
  s.digest = text_digest(text);
  r.check_keys(root, "", {"name", "sim", "host", "costs", "latency", "engine", "workload"});
  s.name = r.str(root, "", "name", "unnamed");

  if (const toml::table* t = r.table(root, "", "sim")) {
    r.check_keys(*t, "sim.", {"duration_ms", "warmup_ms", "seed", "policies"});
    s.duration_ms = r.num(*t, "sim.", "duration_ms", s.duration_ms, 1e-3, 1e7);
    s.warmup_ms = r.num(*t, "sim.", "warmup_ms", std::min(s.warmup_ms, s.duration_ms / 10), 0, 1e7);
    s.seed = static_cast<uint64_t>(r.integer(*t, "sim.", "seed", 1, 0, INT64_MAX));
    if (const toml::node* n = t->get("policies")) {
      const toml::array* a = n->as_array();
      if (!a || a->empty()) r.fail(n, "sim.policies", "expected a non-empty array of policy names");
      s.policies.clear();
      for (const auto& e : *a) {
        auto v = e.value<std::string>();
        if (!v) r.fail(&e, "sim.policies", "expected policy names (strings)");
        s.policies.push_back(*v);
      }
    }
    if (s.warmup_ms >= s.duration_ms)
      r.fail(t->get("warmup_ms") ? t->get("warmup_ms") : t, "sim.warmup_ms", "must be less than sim.duration_ms");
  }

  if (const toml::table* t = r.table(root, "", "host")) {
    r.check_keys(*t, "host.",
                 {"topology", "nodes", "cores_per_node", "remote_distance", "distance", "tick_us", "account_us",
                  "timeslice_us", "vtslice_short_us"});
    bool system = r.str(*t, "host.", "topology", "uniform", {"uniform", "system"}) == "system";
    if (system) {
      for (const char* k : {"nodes", "cores_per_node", "remote_distance", "distance"})
        if (t->get(k)) r.fail(t->get(k), std::string("host.") + k, "conflicts with host.topology = \"system\"");
    }
    uint32_t nodes = static_cast<uint32_t>(r.integer(*t, "host.", "nodes", 1, 1, 8));
    uint32_t cpn = static_cast<uint32_t>(r.integer(*t, "host.", "cores_per_node", 4, 1, 256));
    if (nodes * cpn > 256)
      r.fail(t->get("cores_per_node"), "host.cores_per_node",
             "nodes x cores_per_node = " + std::to_string(nodes * cpn) + " exceeds the engine's 256 cores");
    uint8_t remote = static_cast<uint8_t>(r.integer(*t, "host.", "remote_distance", 20, 1, 255));
    s.topo = system ? host::Topology::from_system() : host::Topology::uniform(nodes, cpn, remote);
    if (const toml::node* n = t->get("distance")) {
      const toml::array* a = n->as_array();
      if (!a || a->size() != nodes)
        r.fail(n, "host.distance",
               "expected " + std::to_string(nodes) + " rows of " + std::to_string(nodes) + " distances");
      for (uint32_t i = 0; i < nodes; ++i) {
        const toml::array* row = (*a)[i].as_array();
        if (!row || row->size() != nodes)
          r.fail(&(*a)[i], "host.distance",
                 "row " + std::to_string(i) + ": expected " + std::to_string(nodes) + " distances");
        for (uint32_t j = 0; j < nodes; ++j) {
          auto d = (*row)[j].is_integer() ? (*row)[j].value<int64_t>() : std::nullopt;  // see integer()
          if (!d || *d < 1 || *d > 255)
            r.fail(&(*row)[j], "host.distance",
                   "entry [" + std::to_string(i) + "][" + std::to_string(j) + "] must be an integer 1..255");
          s.topo.distance[i][j] = static_cast<uint8_t>(*d);
        }
      }
    }
    s.tick_us = r.num(*t, "host.", "tick_us", s.tick_us, 100, 65535);
    s.account_us = r.num(*t, "host.", "account_us", s.account_us, 100, 1e7);
    s.timeslice_us = r.num(*t, "host.", "timeslice_us", s.timeslice_us, 10, 1e9);
    s.vtslice_short_us = r.num(*t, "host.", "vtslice_short_us", s.vtslice_short_us, 1, 1e9);
  }

  if (const toml::table* t = r.table(root, "", "costs")) {
    r.check_keys(*t, "costs.",
                 {"context_switch_us", "migration_us", "shard_sync_us", "profile_interval_us", "abort_undo_us",
                  "remote_slowdown"});
    s.costs.remote_slowdown = r.num(*t, "costs.", "remote_slowdown", s.costs.remote_slowdown, 0, 100);
    s.costs.context_switch_us = r.num(*t, "costs.", "context_switch_us", s.costs.context_switch_us, 0, 1e6);
    s.costs.migration_us = r.num(*t, "costs.", "migration_us", s.costs.migration_us, 0, 1e6);
    s.costs.shard_sync_us = r.num(*t, "costs.", "shard_sync_us", s.costs.shard_sync_us, 0, 1e6);
    s.profile_interval_us = r.num(*t, "costs.", "profile_interval_us", s.profile_interval_us, 0, 1e9);
    s.abort_undo_us = r.num(*t, "costs.", "abort_undo_us", s.abort_undo_us, 0, 1e6);
  }

  if (const toml::table* t = r.table(root, "", "latency")) {
    r.check_keys(*t, "latency.",
                 {"sw_base_us", "sw_per_core_us", "hw_clock_mhz", "hw_cycles", "pcie_rtt_us", "pcie_posted_us",
                  "prestage_read_us"});
    auto& L = s.latency;
    L.sw_base_us = r.num(*t, "latency.", "sw_base_us", L.sw_base_us, 0, 1e6);
    L.sw_per_core_us = r.num(*t, "latency.", "sw_per_core_us", L.sw_per_core_us, 0, 1e3);
    L.hw_clock_mhz = r.num(*t, "latency.", "hw_clock_mhz", L.hw_clock_mhz, 1, 2000);
    L.hw_cycles = r.num(*t, "latency.", "hw_cycles", L.hw_cycles, 0, 1e6);
    L.pcie_rtt_us = r.num(*t, "latency.", "pcie_rtt_us", L.pcie_rtt_us, 0, 1e6);
    L.pcie_posted_us = r.num(*t, "latency.", "pcie_posted_us", L.pcie_posted_us, 0, 1e6);
    L.prestage_read_us = r.num(*t, "latency.", "prestage_read_us", L.prestage_read_us, 0, 1e6);
  }

  if (const toml::table* t = r.table(root, "", "engine")) {
    r.check_keys(*t, "engine.", {"params", "config"});
    s.engine_params = r.str(*t, "engine.", "params", "auto", {"auto", "small", "large", "max"});
    if (const toml::table* c = r.table(*t, "engine.", "config")) {
      for (const auto& [k, v] : *c) {
        std::string key = "engine.config." + std::string(k.str());
        int id = engine_key_by_name(std::string(k.str()));
        if (id < 0) r.fail(&v, key, "not an engine configuration key of docs/spec.md section 5");
        if (id >= cfg::kNumaDistBase)
          r.fail(&v, key, "NUMA distances come from the host topology: set host.distance instead");
        if (!v.is_integer()) r.fail(&v, key, "expected an integer");  // before value<>(): see integer()
        auto val = v.value<int64_t>();
        if (!val) r.fail(&v, key, "expected an integer");
        if (*val < INT32_MIN || *val > UINT32_MAX) r.fail(&v, key, "does not fit 32 bits");
        // Range-check now with the engine's own CONFIG checks, so the error
        // names this line rather than failing later inside a run.
        Model probe(Params::max());
        ErrorCode ec = probe.write_config(static_cast<uint16_t>(id), static_cast<uint32_t>(*val));
        if (ec != ErrorCode::kNone && id < static_cast<int>(cfg::kNumScalarKeys) && id != cfg::kMaxShards &&
            id != cfg::kKUnderLoad && id != cfg::kLoadHotCores)
          r.fail(&v, key,
                 std::string("value rejected by the engine (") + error_code_name(static_cast<uint8_t>(ec)) +
                     "); see docs/spec.md section 5");
        s.engine_config.emplace_back(static_cast<uint16_t>(id), static_cast<uint32_t>(*val));
      }
    }
  }

  if (const toml::node* wn = root.get("workload")) {
    const toml::array* arr = wn->as_array();
    if (!arr || !arr->is_array_of_tables()) r.fail(wn, "workload", "expected [[workload]] tables");
    size_t idx = 0;
    for (const auto& e : *arr) {
      const toml::table& t = *e.as_table();
      std::string p = "workload[" + std::to_string(idx++) + "].";
      r.check_keys(t, p,
                   {"name", "class", "vms", "vcpus_per_vm", "weight", "cap_pct", "home", "arrival", "rate_per_s",
                    "burst_on_ms", "burst_off_ms", "trace_us", "trace_file", "trace_period_us", "service", "block_us",
                    "blocks_per_job", "independent_share"});
      Workload w;
      w.name = r.str(t, p, "name", "workload" + std::to_string(idx - 1));
      std::string cls = r.str(t, p, "class", "latency", {"latency", "request", "batch"});
      w.latency = cls == "latency";
      w.requests = cls != "batch";
      w.vms = static_cast<uint32_t>(r.integer(t, p, "vms", 1, 1, 4096));
      w.vcpus_per_vm = static_cast<uint32_t>(r.integer(t, p, "vcpus_per_vm", 1, 1, 4096));
      w.weight = static_cast<uint8_t>(r.integer(t, p, "weight", 16, 1, 255));
      w.cap_pct = static_cast<uint8_t>(r.integer(t, p, "cap_pct", 0, 0, 100));
      if (const toml::node* h = t.get("home")) {
        if (auto hs = h->value<std::string>(); hs && h->is_string()) {
          if (*hs != "spread") r.fail(h, p + "home", "expected \"spread\" or a node number");
        } else {
          w.home = static_cast<int>(r.integer(t, p, "home", -1, 0, 7));
          if (w.home >= static_cast<int>(s.topo.nodes))
            r.fail(h, p + "home",
                   "node " + std::to_string(w.home) + " does not exist (host has " + std::to_string(s.topo.nodes) +
                       " nodes)");
        }
      }
      std::string arrival = r.str(t, p, "arrival", "poisson", {"poisson", "trace", "bursty"});
      w.arrival = arrival == "trace"    ? Workload::Arrival::kTrace
                  : arrival == "bursty" ? Workload::Arrival::kBursty
                                        : Workload::Arrival::kPoisson;
      const bool trace = w.arrival == Workload::Arrival::kTrace;
      w.rate_per_s = r.num(t, p, "rate_per_s", w.rate_per_s, 1e-6, 1e8);
      for (const char* k : {"burst_on_ms", "burst_off_ms"})
        if (t.get(k) && w.arrival != Workload::Arrival::kBursty)
          r.fail(t.get(k), p + k, "only with arrival = \"bursty\" (this workload's is \"" + arrival + "\")");
      w.burst_on_ms = r.num(t, p, "burst_on_ms", w.burst_on_ms, 1e-3, 1e7);
      w.burst_off_ms = r.num(t, p, "burst_off_ms", w.burst_off_ms, 1e-3, 1e7);
      if (w.arrival == Workload::Arrival::kBursty) {
        double peak = OnOffArrivals::peak_rate_per_s(w);
        if (peak > 1e8)
          r.fail(t.get("burst_on_ms") ? t.get("burst_on_ms") : t.get("rate_per_s"), p + "burst_on_ms",
                 "peak rate rate_per_s x (on + off) / on = " + Reader::fmt(peak) +
                     " per s exceeds 1e+08: lengthen burst_on_ms or lower rate_per_s");
      }
      if (const toml::node* n = t.get("trace_us")) {
        const toml::array* a = n->as_array();
        if (!a) r.fail(n, p + "trace_us", "expected an array of times in µs");
        for (const auto& x : *a) {
          auto v = x.value<double>();
          if (!v || *v < 0) r.fail(&x, p + "trace_us", "expected non-negative times in µs");
          w.trace_us.push_back(*v);
        }
      }
      if (const toml::node* n = t.get("trace_file")) {
        auto f = n->value<std::string>();
        if (!f) r.fail(n, p + "trace_file", "expected a file name");
        auto v = read_trace_file(r, n, p + "trace_file", *f, source_name);
        w.trace_us.insert(w.trace_us.end(), v.begin(), v.end());
      }
      if (trace) {
        if (w.trace_us.empty()) r.fail(&t, p + "arrival", "trace arrivals need trace_us or trace_file");
        if (!std::is_sorted(w.trace_us.begin(), w.trace_us.end()))
          r.fail(t.get("trace_us") ? t.get("trace_us") : t.get("trace_file"), p + "trace_us",
                 "arrival times must be ascending");
      }
      w.trace_period_us = r.num(t, p, "trace_period_us", 0, 0, 1e12);
      if (trace && w.trace_period_us > 0 && w.trace_period_us <= w.trace_us.back())
        r.fail(t.get("trace_period_us"), p + "trace_period_us", "must exceed the last trace time");
      if (const toml::node* n = t.get("service")) {
        if (!n->is_table()) r.fail(n, p + "service", "expected a table { dist = ..., mean_us = ... }");
        w.service = read_dist(r, *n->as_table(), p + "service.");
      }
      w.block_us = r.num(t, p, "block_us", w.block_us, 0.01, 1e8);
      w.blocks_per_job = static_cast<uint32_t>(r.integer(t, p, "blocks_per_job", 64, 1, 1 << 20));
      w.independent_share = r.num(t, p, "independent_share", w.independent_share, 0, 1);
      s.workloads.push_back(std::move(w));
    }
  }
  if (s.workloads.empty()) r.fail(&root, "workload", "the scenario has no [[workload]]");
  if (s.total_vcpus() > 4096)
    r.fail(root.get("workload"), "workload", std::to_string(s.total_vcpus()) + " vCPUs exceed the engine's 4096");
  try {
    s.validate();
  } catch (const Error& e) { throw Error(Errc::kBadInput, source_name + ": " + e.what()); }
  return s;
}

std::string read_text_file(const std::string& path, const std::string& what) {
  return read_file(path, what, kMaxTextFileBytes);
}

Scenario load_scenario(const std::string& path) { return parse_scenario(read_text_file(path, "scenario file"), path); }

}  // namespace vshard::hostsim
