// Host-simulator scenarios: the host (NUMA topology, costs), the decision
// latency model, the engine settings and the workloads. Loaded from TOML
// (docs/scenarios.md documents every key) or built in code by tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vshard/host/engine.h"
#include "vshard/host/topology.h"
#include "vshard/hostsim/latency.h"
#include "vshard/descriptor.h"

namespace vshard::hostsim {

// A service-time (or any positive time) distribution, in µs.
struct Dist {
  enum class Kind { kExponential, kDeterministic, kLognormal, kBimodal };
  Kind kind = Kind::kExponential;
  double mean_us = 100.0;                        // exponential, deterministic, lognormal
  double sigma = 1.0;                            // lognormal: sigma of the underlying normal
  double a_us = 10.0, b_us = 1000.0, p_a = 0.9;  // bimodal: a with p_a, else b
  double mean() const;
};

struct Workload {
  std::string name;
  bool latency = true;   // latency class: wakes carry LAT (may preempt)
  bool requests = true;  // request/response work, else batch blocks
  uint32_t vms = 1;
  uint32_t vcpus_per_vm = 1;
  uint8_t weight = 16;
  uint8_t cap_pct = 0;  // Xen-style cap, % of one core per vCPU (0 = none)
  int home = -1;        // NUMA node of every VM, -1 = VMs spread round-robin
  // request/response classes
  enum class Arrival { kPoisson, kTrace, kBursty };
  Arrival arrival = Arrival::kPoisson;
  double rate_per_s = 1000.0;    // mean arrivals per second per vCPU (poisson, bursty)
  double burst_on_ms = 10.0;     // bursty: mean on period (exponential)
  double burst_off_ms = 40.0;    // bursty: mean off period (exponential), no arrivals
  std::vector<double> trace_us;  // arrival offsets (µs, ascending), cycled
  double trace_period_us = 0;    // cycle length (0: last offset + mean gap)
  Dist service;
  // batch class: jobs of blocks; the independent ones first (shardable),
  // then the sequential ones
  double block_us = 200.0;
  uint32_t blocks_per_job = 64;
  double independent_share = 0.75;
};

struct Costs {
  double context_switch_us = 2.0;
  double migration_us = 5.0;   // moving a vCPU or shard: migration_us * distance / 10
  double shard_sync_us = 5.0;  // each shard's completion (join, cache flush)
  // Running away from the home node: speed = 1 / (1 + remote_slowdown *
  // (distance - 10) / 10), i.e. 0.3 -> 23% slower at distance 20.
  double remote_slowdown = 0.3;
};

struct Scenario {
  std::string name = "unnamed";
  std::string path;    // file it came from, if any
  std::string digest;  // FNV-1a 64 of the file's text (hex), "" if built in code
  double duration_ms = 1000.0;
  double warmup_ms = 100.0;
  uint64_t seed = 1;
  std::vector<std::string> policies = {"fifo",    "credit",   "credit2",  "eevdf",
                                       "vtslice", "shard-sw", "shard-hw", "shard-pre"};
  host::Topology topo = host::Topology::uniform(1, 4);
  double tick_us = 10000.0;
  double account_us = 30000.0;
  double timeslice_us = 30000.0;
  double vtslice_short_us = 1000.0;
  double profile_interval_us = 1000.0;
  double abort_undo_us = 2.0;
  Costs costs;
  LatencyModel latency;
  std::string engine_params = "auto";  // auto, small, large, max
  std::vector<std::pair<uint16_t, uint32_t>> engine_config;
  std::vector<std::string> engine_settings;  // NAME=VALUE given on the command line (apply_engine_settings)
  std::vector<Workload> workloads;

  uint32_t total_vcpus() const;
  // Engine parameters: the named ones, or (auto) the smallest named
  // configuration that fits. Throws kBadConfig if none fits.
  Params engine_params_for() const;
  // Throws vshard::Error(kBadConfig) naming the inconsistent field.
  void validate() const;
};

// Loads a TOML scenario. Errors (vshard::Error kBadInput / kIo) name the
// file, the line and the key.
Scenario load_scenario(const std::string& path);
Scenario parse_scenario(const std::string& text, const std::string& source_name);

// The whole file; vshard::Error(kIo) "cannot read <what> <path>" if it
// cannot be opened.
std::string read_text_file(const std::string& path, const std::string& what);

// FNV-1a 64 of a scenario's text, 16 hex digits: tells reports of the same
// file apart from reports of an edited one (vshard sweep merge checks it).
std::string text_digest(const std::string& text);

// Applies `NAME=VALUE` engine register settings on top of a scenario's
// [engine.config] (they are written after it, so they win), checked like
// the file's; the scenario's digest changes with them, so reports of runs
// with different settings never merge. Throws Error(kBadInput) naming the
// setting.
void apply_engine_settings(Scenario& s, const std::vector<std::string>& settings);

// Engine configuration key by its spec name ("SYNC_COST_US",
// "NUMA_DIST[1][0]", case-insensitive); -1 if unknown.
int engine_key_by_name(const std::string& name);

}  // namespace vshard::hostsim
