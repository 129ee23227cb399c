// `vshard agent`: runs the guests of an agent scenario on this machine's
// cores under the co-scheduler and, in the same run, under Linux alone
// (docs/agent.md). Prints the side-by-side table; --json writes the report.
// SIGINT/SIGTERM stop it cleanly: the summary of what ran, exit status 130.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "commands.h"
#include "vshard/agent/agent.h"
#include "vshard/metrics.h"
#include "vshard/error.h"

namespace vshard::cli {

namespace {
struct AgentArgs {
  std::string scenario;
  std::string json;
  double duration_s = 2.0;
  std::string vcpus = "auto";
  std::string engine = "model";
  std::string baseline = "linux";
  std::string path = "software";
  int64_t seed = 1;
  int64_t rounds = 1;
  bool no_floors = false;
  std::string agent_priority = "normal";
  double stall_after_ms = 0;
  std::string trace;
  std::string metrics_file;
  double metrics_period_ms = 1000;
  double heartbeat_bound_ms = 200;
};

void run(const AgentArgs& a, int& exit_code) {
  // SIGINT/SIGTERM stay blocked for the whole command: the agent reads them
  // through a signalfd, and a second one arriving after the run (a shell or
  // timeout(1) signals the process group as well as the process) is then
  // discarded at exit instead of killing the summary.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  agent::AgentScenario sc = agent::load_agent_scenario(a.scenario);
  agent::AgentOptions opt;
  opt.duration_s = a.duration_s;
  opt.vcpus = a.vcpus;
  opt.engine = a.engine;
  opt.baseline = a.baseline;
  opt.path = a.path;
  opt.seed = static_cast<uint64_t>(a.seed);
  opt.rounds = static_cast<uint32_t>(a.rounds);
  opt.floors = !a.no_floors;
  opt.agent_fifo = a.agent_priority == "fifo";
  opt.handle_signals = true;
  opt.stall_agent_after_ms = a.stall_after_ms;
  opt.heartbeat_bound_ms = a.heartbeat_bound_ms;
  opt.progress = [](const std::string& m) { std::fprintf(stderr, "vshard agent: %s\n", m.c_str()); };
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--json", a.json},
                                   std::pair<const char*, const std::string&>{"--trace", a.trace}})
    if (!path.empty()) {  // fail before a long run, not after it
      std::ofstream probe(path, std::ios::app);
      if (!probe) throw Error(Errc::kIo, std::string("cannot write ") + flag + " file " + path);
    }
  // --metrics-file: rewritten every period while the phases run (the
  // writer's first write happens here, so a bad path fails at once).
  std::unique_ptr<agent::AgentMetrics> live;
  std::unique_ptr<metrics::MetricsFile> metrics_file;
  if (!a.metrics_file.empty()) {
    live = std::make_unique<agent::AgentMetrics>(sc.name);
    agent::AgentMetrics* m = live.get();
    opt.on_counters = [m](const agent::LiveCounters& c) { m->update(c); };
    opt.counters_period_ms = std::min(500.0, a.metrics_period_ms);
    metrics_file = std::make_unique<metrics::MetricsFile>(
        a.metrics_file, std::chrono::milliseconds(static_cast<int64_t>(a.metrics_period_ms)),
        [m] { return m->exposition(); });
  }
  agent::AgentResult r = agent::run_agent(sc, opt);
  metrics_file.reset();  // stops the writer after a last write of the final counts
  if (!a.trace.empty()) {
    trace::RecorderOptions to;
    to.process_name = "vshard agent";
    trace::TraceRecorder rec(std::max<uint32_t>(1, r.cores), to);
    agent::record_agent_trace(rec, r, sc);
    rec.write(a.trace);
  }
  std::fputs(agent::result_table(r).c_str(), stdout);
  std::fflush(stdout);
  if (!a.json.empty()) {
    std::ofstream out(a.json, std::ios::trunc);
    out << agent::result_json(r);
    if (!out) throw Error(Errc::kIo, "cannot write --json file " + a.json);
  }
  if (r.interrupted) exit_code = 130;
  else if (!r.ok()) exit_code = 2;
}
}  // namespace

void register_agent(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AgentArgs>();
  CLI::App* sub = app.add_subcommand(
      "agent",
      "Schedule real vCPUs (KVM, or threads without /dev/kvm) on this machine's cores with the engine's "
      "decisions, and measure them against Linux's own scheduler in the same run");
  sub->add_option("--scenario", args->scenario, "Agent scenario (TOML), e.g. scenarios/agent-mixed.toml")->required();
  sub->add_option("--duration-s", args->duration_s, "Seconds of each measured phase (agent, linux)")
      ->check(number_in(0.01, 3600));
  sub->add_option("--json", args->json, "Write the JSON report to this file");
  sub->add_option("--vcpus", args->vcpus, "vCPU backend: auto (kvm when usable, else threads), threads, kvm")
      ->check(CLI::IsMember({"auto", "threads", "kvm"}));
  sub->add_option("--engine", args->engine, "Engine spec: model, verilator?config=small, driver:model, ...");
  sub->add_option("--baseline", args->baseline, "linux: also run the guests under Linux alone; none: skip it")
      ->check(CLI::IsMember({"linux", "none"}));
  sub->add_option("--path", args->path, "Decision path of the scheduler: software, hardware, prestaged")
      ->check(CLI::IsMember({"software", "hardware", "prestaged"}));
  sub->add_option("--rounds", args->rounds,
                  "Alternate the agent and Linux phases in this many rounds (merged), so both see the same "
                  "background load; each round lasts duration / rounds")
      ->check(number_in(1, 1000));
  sub->add_option("--seed", args->seed, "Seed of the request arrivals")->check(number_in(0, 9e15));
  sub->add_option(
         "--agent-priority", args->agent_priority,
         "The agent thread's policy: normal (default) or fifo (SCHED_FIFO 1 while it runs; it blocks, never polls)")
      ->check(CLI::IsMember({"fifo", "normal"}));
  sub->add_option("--trace", args->trace,
                  "Write the agent phase's scheduling timeline (its first round) as Chrome trace-event JSON "
                  "(Perfetto, chrome://tracing; scripts/trace-timeline draws it)");
  sub->add_option("--metrics-file", args->metrics_file,
                  "Keep this file up to date with the run's counters in the OpenMetrics text format");
  sub->add_option("--metrics-period-ms", args->metrics_period_ms, "How often --metrics-file is rewritten")
      ->check(number_in(10, 60000));
  sub->add_option("--heartbeat-bound-ms", args->heartbeat_bound_ms,
                  "A parked vCPU whose agent has been silent this long runs on under Linux (the safety net if the "
                  "agent dies; such a run fails its checks)")
      ->check(number_in(10, 60000));
  sub->add_flag("--no-floors", args->no_floors, "Skip phase (a), the bare park/kick mechanism floors");
  sub->add_option("--stall-agent-after-ms", args->stall_after_ms,
                  "Testing only: the agent goes silent after this many ms of its phase, so that the parked vCPU "
                  "threads release themselves (the safety net when the agent dies)")
      ->check(number_in(0, 3.6e6));
  sub->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace vshard::cli
