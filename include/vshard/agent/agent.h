// `vshard agent`: a small VMM plus co-scheduler on this machine's cores.
//
// One OS thread per vCPU (server vCPUs, batch vCPUs and, per batch VM, one
// shard-helper vCPU per core) runs a guest of vshard/agent/guest.h. The
// agent thread calls host::Scheduler's hooks in real time (CLOCK_MONOTONIC)
// and enforces its decisions without kernel changes: vCPU threads are
// parked on a futex between runs and released on a decision, preemption
// kicks a running vCPU, placement is CPU affinity. The agent blocks in
// epoll (eventfd, timerfd, signalfd) and never polls.
//
// One run measures three phases with the same guests: the mechanism floors
// (bare futex park -> run, kick -> parked), the agent, and the same guests
// under Linux's own scheduler with no agent (threads free, no affinity).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "vshard/host/hooks.h"
#include "vshard/metrics.h"
#include "vshard/trace.h"

namespace vshard::agent {

struct AgentScenario {
  std::string name = "unnamed";
  std::string path;
  // Host: cores to use (0 = every CPU of the process's affinity mask) and
  // the nodes the engine is told they form (cores split evenly, node by
  // node; 1 = what this machine is). See docs/agent.md on why a scenario
  // may split one real node in two.
  uint32_t cores = 0;
  uint32_t nodes = 1;
  uint32_t remote_distance = 20;
  double timeslice_us = 30000;
  double tick_us = 10000;  // Xen credit's tick
  double account_us = 30000;
  double profile_interval_us = 10000;
  // Latency server vCPUs: Poisson requests, each `service_us` of work.
  uint32_t servers = 2;
  double rate_per_s = 200;  // per server vCPU
  double service_us = 50;
  uint32_t server_home = 0;  // node of the server vCPUs
  // The batch VM: `vcpus` vCPUs sharing one queue of `blocks` blocks of
  // `block_us` each (the queue is sized to outlast a phase).
  uint32_t batch_vcpus = 2;
  double block_us = 100;
  uint32_t blocks = 100000;
  uint32_t batch_home = 0;
  // Phase (a): iterations of each floor measurement.
  uint32_t floor_iterations = 500;
};

// Parses a scenario; throws vshard::Error(kBadInput) naming the file, the
// line (and column for syntax) and the key for bad files, unknown keys and
// out-of-range values.
AgentScenario parse_agent_scenario(const std::string& text, const std::string& source_name);
AgentScenario load_agent_scenario(const std::string& path);

// Counters of the phase that runs, as the agent thread last published them
// (AgentOptions::on_counters): what --metrics-file shows while it runs.
struct LiveCounters {
  std::string phase;    // "agent" or "linux"
  std::string backend;  // the vCPUs' backend: "threads" or "kvm"
  std::string engine;   // the agent phase's engine ("-" under Linux)
  double seconds = 0;   // into this round of the phase
  uint64_t requests_injected = 0, requests_completed = 0;
  uint64_t blocks_claimed = 0;  // of the batch queue
  double agent_cpu_s = 0;       // the agent (or the generator) thread's CPU time
  host::SchedStats sched;       // the agent phase's scheduler (zero under Linux)
  bool final = false;           // the round's last publication
};

struct AgentOptions {
  double duration_s = 2.0;  // of each of phases (b) and (c)
  // Phases (b) and (c) alternate in this many rounds of duration_s / rounds
  // each, merged: on a shared machine both then see the same background.
  uint32_t rounds = 1;
  std::string vcpus = "auto";  // auto | threads | kvm
  std::string engine = "model";
  std::string baseline = "linux";  // linux | none
  std::string path = "software";   // software | hardware | prestaged (DecisionPath)
  bool floors = true;
  uint64_t seed = 1;
  // Stop flag polled by nothing: SIGINT/SIGTERM are read through a signalfd
  // by the agent thread when `handle_signals` (the CLI blocks them first).
  bool handle_signals = false;
  // Heartbeat bound: a parked vCPU thread whose agent has not beaten for
  // this long releases itself and runs under Linux.
  double heartbeat_bound_ms = 200;
  // The agent thread at SCHED_FIFO priority 1 while it runs (it blocks in
  // epoll; the vCPU threads keep SCHED_OTHER).
  bool agent_fifo = false;
  // Called on the agent thread at most every counters_period_ms while a
  // phase runs, and once at its end (final); must not block.
  std::function<void(const LiveCounters&)> on_counters;
  double counters_period_ms = 500;
  // Told when each phase starts (the CLI prints it on stderr).
  std::function<void(const std::string&)> progress;
  // Testing the safety net: the agent thread stops beating (and serving
  // events) after this many ms of phase (b) (0 = never).
  double stall_agent_after_ms = 0;
};

// A log-bucketed latency histogram (schbench-style): 2^k ranges of
// nanoseconds, each split into 16 linear sub-buckets (error <= 6.25 %).
class LogHistogram {
 public:
  void add(uint64_t ns);
  void merge(const LogHistogram& o);
  uint64_t count() const { return count_; }
  // Upper bound of the bucket holding the q-quantile, in µs (0 if empty).
  double quantile_us(double q) const;
  double max_us() const { return static_cast<double>(max_) / 1000.0; }

 private:
  static constexpr int kSub = 16;
  static size_t bucket(uint64_t ns);
  static uint64_t upper(size_t b);
  uint64_t buckets_[64 * kSub] = {};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

struct Percentiles {
  uint64_t n = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};
Percentiles percentiles(const LogHistogram& h);

// The agent's scheduling timeline (the lead connects it to the trace
// writer): per core, the slices it ran; instants of wakes, preemptions,
// shards, aborts and commits. Times in µs since the phase started.
struct Timeline {
  struct Slice {
    uint32_t core = 0, vcpu = 0;
    double start_us = 0, end_us = 0;
    enum class Kind : uint8_t { kRun, kShard } kind = Kind::kRun;
  };
  struct Instant {
    enum class Kind : uint8_t { kWake, kPreempt, kShard, kAbort, kCommit } kind = Kind::kWake;
    double t_us = 0;
    int32_t core = -1;
    uint32_t vcpu = 0;
  };
  std::vector<Slice> slices;
  std::vector<Instant> instants;
};

struct Floors {
  Percentiles wake;  // futex park -> the thread runs (on its core)
  Percentiles kick;  // kick() -> the vCPU is parked
};

// What one phase measured.
struct PhaseResult {
  std::string name;  // "agent" or "linux"
  double seconds = 0;
  uint64_t requests_injected = 0, requests_completed = 0;
  Percentiles wake_to_run;  // request injected -> the server vCPU starts running it
  Percentiles request;      // request arrival -> response
  uint64_t blocks_done = 0;
  double blocks_per_s = 0;
  uint64_t preemptions = 0, shard_preemptions = 0, shards = 0, shard_blocks = 0, joins_completed = 0;
  uint64_t joins_open = 0;  // preemptions whose shards were still out when the phase stopped
  uint64_t wakes = 0, rotations = 0, commits = 0, aborts = 0, engine_events = 0;
  double agent_cpu_s = 0;    // the agent (or the generator) thread's CPU time
  double agent_cpu_pct = 0;  // of one CPU over the phase
  // Agent: event handled -> the decided vCPU runs (wake path), and its
  // enforcement part only (Dispatcher::run -> the vCPU runs).
  Percentiles decision_path;
  Percentiles enforcement;
  Percentiles kick_to_parked;  // agent: stop() -> the vCPU is parked
  uint64_t released = 0;       // vCPU threads that released themselves (no heartbeat)
  bool engine_failed_over = false;
  bool agent_fifo = false;  // the agent thread ran at SCHED_FIFO
  std::string engine;
  // Checks (every request completed, every claimed block executed exactly
  // once with its checksum, shards ran on the chosen cores).
  uint64_t blocks_claimed = 0, blocks_in_flight = 0, blocks_bad = 0;
  uint64_t shard_runs = 0, shard_runs_on_wrong_core = 0;
  uint64_t runs = 0, runs_on_wrong_core = 0;
  uint64_t affinity_changes = 0;      // releases that moved a vCPU thread to another core
  std::vector<std::string> failures;  // empty: all checks passed
  uint64_t blocks_measured = 0;       // claimed by the end of the measured time (blocks_per_s)
  struct Histograms {
    LogHistogram wake_to_run, request, decision_path, enforcement, kick_to_parked;
  } hist;
  Timeline timeline;  // of the first round
  // Adds another round of the same phase (counters summed, histograms
  // merged, percentiles recomputed).
  void merge(const PhaseResult& o);
  void update_percentiles();
};

struct AgentResult {
  std::string scenario, backend, backend_note, engine;
  uint32_t cores = 0;
  std::vector<int> cpus;
  double work_rounds_per_us = 0;
  bool have_floors = false;
  Floors floors;
  std::vector<PhaseResult> phases;
  bool interrupted = false;  // SIGINT / SIGTERM
  bool ok() const;
};

// Runs the phases; throws vshard::Error on bad options or a vCPU fault.
AgentResult run_agent(const AgentScenario& sc, const AgentOptions& opt);

// The agent phase's timeline (its first round) as a Chrome trace-event
// file (docs/observability.md): a track per core with the vCPUs' run and
// shard slices, instants for wakes, preemptions, shards, commits and aborts
// (those not tied to a core on an "agent" track). vCPU labels follow the
// scenario: "server N", "batch N". The Linux phase has no timeline: nothing
// there decides placements to record. rec must have r.cores core tracks.
void record_agent_trace(trace::TraceRecorder& rec, const AgentResult& r, const AgentScenario& sc);

// --metrics-file: the counters of every phase, summed over its finished
// rounds plus the one running. update() from the agent thread (through
// AgentOptions::on_counters), exposition() from the metrics writer's.
class AgentMetrics {
 public:
  explicit AgentMetrics(std::string scenario);
  void update(const LiveCounters& c);
  metrics::Exposition exposition() const;

 private:
  struct Sums {
    LiveCounters done;     // finished rounds, summed
    LiveCounters current;  // the round that runs
    uint64_t rounds = 0;
  };
  static void add(LiveCounters& into, const LiveCounters& c);
  const std::string scenario_;
  mutable std::mutex mu_;
  std::string backend_ = "-", engine_ = "-";  // as the phases report them
  std::map<std::string, Sums> phases_;
};

std::string result_json(const AgentResult& r);   // pretty JSON
std::string result_table(const AgentResult& r);  // the side-by-side table

}  // namespace vshard::agent
