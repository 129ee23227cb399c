// The discrete-event host simulator: pCPUs on NUMA nodes, VMs with vCPUs,
// latency request/response and batch block workloads, context-switch,
// migration and shard-synchronisation costs; host::Scheduler decides with
// the engine for the vShard policies, hostsim::BaselineScheduler for the
// baselines, the peers for theirs. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vshard/host/scheduler.h"
#include "vshard/hostsim/scenario.h"

namespace vshard::trace {
class TraceRecorder;
}

namespace vshard::hostsim {

// A policy as run by the simulator: the baselines "fifo", "credit",
// "vtslice" (hostsim::BaselineScheduler over host::Scheduler's runqueues), the peers "credit2" (Xen) and "eevdf"
// (Linux) (sim/hostsim/peers), or vShard as "shard" (decision path from the run options), "shard-sw" (software
// decisions), "shard-hw" (hardware engine + PCIe), "shard-pre" (hardware engine + prestaged table).
enum class Peer { kNone, kCredit2, kEevdf };
struct PolicySpec {
  std::string label;
  Peer peer = Peer::kNone;                    // a peer scheduler instead of host::Scheduler
  host::Policy policy = host::Policy::kFifo;  // host::Scheduler's or a baseline's policy (peer kNone)
  host::DecisionPath path = host::DecisionPath::kSoftware;
  std::string engine = "model";  // decisions computed by (vShard policies)
};
// engine: model|verilator|xrt...; prestage: default for plain "shard".
// Throws vshard::Error(kBadConfig) on an unknown name.
PolicySpec parse_policy(const std::string& name, const std::string& engine, bool prestage);
// "credit2", "eevdf", or host::policy_name of the spec's policy.
const char* policy_name(const PolicySpec& spec);

struct LatencySummary {
  uint64_t count = 0;
  double mean = 0, p50 = 0, p99 = 0, p999 = 0, max = 0;
};
// Percentiles by the nearest-rank method. Sorts the samples.
LatencySummary summarize_latency(std::vector<double>& samples);

struct PolicyResult {
  PolicySpec spec;
  std::string engine_name;  // what actually decided ("-" for baselines)
  LatencySummary wake;      // latency-class wake-to-run, µs
  LatencySummary request;   // latency-class request response, µs
  // request response of every request/response workload, by name
  std::vector<std::pair<std::string, LatencySummary>> workload_request;
  std::vector<std::pair<double, double>> request_cdf;  // (µs, fraction)
  double batch_blocks_per_s = 0;
  // Batch work completed per simulated second, in cores: the CPU time of
  // the blocks done (at home-node speed; by the vCPUs or their shards) per
  // second. Unlike blocks/s it does not favour a policy that serves the
  // workloads with the shortest blocks.
  double batch_work_cores = 0;
  // The same per batch workload, by name, divided by its vCPUs: the cores'
  // worth of work each vCPU did (its share, e.g. against a cap or weight).
  std::vector<std::pair<std::string, double>> workload_work_cores_per_vcpu;
  double batch_lost_ms_per_s = 0;  // victim stall after preemption, ms per simulated s
  // The same stall per preemption of a batch vCPU (µs; 0 without any):
  // lost ms/s x 1000 / batch preemptions per s, over the measured window.
  double batch_lost_us_per_preemption = 0;
  double jain = 1.0;  // credit fairness over batch vCPUs (CPU time / weight)
  double mean_decision_us = 0;
  host::SchedStats sched;
  uint64_t sim_events = 0;
  double wall_s = 0;
  double cpu_s = 0;         // CPU time of the run (the machine may be shared)
  double events_per_s = 0;  // simulator events per CPU second
  double sim_ms = 0;
};

struct RunOptions {
  uint64_t seed = 1;
  // Called now and then during long runs: (policy label, fraction done).
  std::function<void(const std::string&, double)> progress;
  // Records the run's timeline (docs/observability.md), if set: what ran on
  // each core (vCPUs and shards), wakes, preemptions, shards, prestaged
  // commits and aborts, plus a track "wake queue" for wakes that did not get
  // a core in the wake hook. Its core count must be the scenario's. Not owned.
  trace::TraceRecorder* trace = nullptr;
};

// Runs one policy over the scenario.
PolicyResult simulate(const Scenario& scenario, const PolicySpec& policy, const RunOptions& opt);

}  // namespace vshard::hostsim
