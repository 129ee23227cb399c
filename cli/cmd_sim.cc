// `vshard sim`: runs a host-simulator scenario under several policies and
// compares them (table on stdout, JSON report, gnuplot plots); with
// --seeds N every policy runs with N seeds on --jobs threads and every
// figure is reported as mean and 95 % confidence interval.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "commands.h"
#include "vshard/host/engine.h"
#include "vshard/hostsim/report.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"
#include "vshard/hostsim/sweep.h"
#include "vshard/error.h"
#include "vshard/metrics.h"
#include "vshard/trace.h"

namespace vshard::cli {

namespace {
struct SimArgs {
  std::string scenario;
  std::string policies;
  std::string engine = "model";
  std::string prestage = "off";
  int64_t seed = -1;
  int64_t seeds = 1;
  int64_t jobs = 0;  // 0: the number of online CPUs
  double duration_ms = 0;
  std::vector<std::string> engine_settings;
  std::string json;
  std::string out;
  bool quiet = false;
  // --trace: the timeline of one policy's run (docs/observability.md)
  std::string trace;
  std::string trace_policy;   // default: the run's first vShard policy (shard*), else its first
  double trace_from_ms = -1;  // default: the end of the warm-up
  double trace_to_ms = -1;    // default: 200 ms after trace_from_ms
  int64_t trace_max_events = 1'000'000;
  std::string metrics;  // --metrics: every run's scheduler counters, OpenMetrics
};

// A file we will write at the end of a long run: its directory is made
// (as --json's is) and a failure comes now, not after the runs.
void check_writable(const std::string& path, const char* option) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec)
    throw Error(Errc::kIo, std::string(option) + " " + path + ": cannot create the directory '" + dir.string() +
                               "': " + ec.message());
  if (std::filesystem::is_directory(path, ec))
    throw Error(Errc::kIo, std::string(option) + " " + path + ": is a directory: name a file");
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST)
    throw Error(Errc::kIo, std::string(option) + " " + path + ": cannot write '" + tmp + "': " + std::strerror(errno));
  if (fd >= 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
  }
}

// The timeline of one policy's run, the first seed's: the same run as the
// report's (the simulator is deterministic for a seed), repeated with the
// recorder on, so the sweep's runs stay as they are.
struct TraceWindow {
  double from_ms, to_ms;
};

TraceWindow trace_window(const SimArgs& a, const hostsim::Scenario& sc) {
  const double from_ms = a.trace_from_ms >= 0 ? a.trace_from_ms : sc.warmup_ms;
  const double to_ms = a.trace_to_ms >= 0 ? a.trace_to_ms : from_ms + 200;
  auto ms = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g ms", v);
    return std::string(b);
  };
  if (to_ms <= from_ms)
    throw Error(Errc::kBadConfig, "--trace-to-ms " + ms(to_ms) + " is not after --trace-from-ms " + ms(from_ms));
  if (from_ms >= sc.duration_ms)
    throw Error(Errc::kBadConfig, "--trace-from-ms " + ms(from_ms) + " is past the end of the run (" +
                                      ms(sc.duration_ms) + "): the trace would be empty");
  return {from_ms, to_ms};
}

void write_trace(const SimArgs& a, const hostsim::Scenario& sc, const hostsim::PolicySpec& spec, uint64_t seed) {
  const auto [from_ms, to_ms] = trace_window(a, sc);
  trace::RecorderOptions ro;
  ro.from_us = from_ms * 1000;
  ro.to_us = to_ms * 1000;
  ro.max_events = static_cast<size_t>(a.trace_max_events);
  ro.process_name = "vshard sim " + sc.name + " (" + spec.label + ", seed " + std::to_string(seed) + ")";
  trace::TraceRecorder rec(sc.topo.cores(), ro);
  rec.set_other("source", "vshard sim");
  rec.set_other("scenario", sc.name);
  rec.set_other("policy", spec.label);
  rec.set_other("seed", std::to_string(seed));
  rec.set_other("clock", "simulated time, us from the start of the run");
  hostsim::RunOptions ro2;
  ro2.seed = seed;
  ro2.trace = &rec;
  hostsim::simulate(sc, spec, ro2);
  rec.write(a.trace);
  if (!a.quiet)
    std::fprintf(
        stderr, "[sim] trace of %s seed %llu, %.3f to %.3f ms: %llu events in %s%s\n", spec.label.c_str(),
        static_cast<unsigned long long>(seed), from_ms, to_ms, static_cast<unsigned long long>(rec.recorded()),
        a.trace.c_str(),
        rec.dropped() ? (" (" + std::to_string(rec.dropped()) + " dropped past --trace-max-events)").c_str() : "");
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

uint32_t online_cpus() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<uint32_t>(n) : 1;
}

void run_sim(const SimArgs& a, bool jobs_given) {
  using namespace hostsim;
  if (a.seeds < 1 || a.seeds > 100000)
    throw Error(Errc::kBadConfig, "--seeds " + std::to_string(a.seeds) + ": give 1 to 100000 seeds");
  if (jobs_given && (a.jobs < 1 || a.jobs > 4096))
    throw Error(Errc::kBadConfig, "--jobs " + std::to_string(a.jobs) + ": give 1 to 4096 threads");
  host::check_engine_spec(a.engine);
  Scenario sc = load_scenario(a.scenario);
  apply_engine_settings(sc, a.engine_settings);
  if (a.duration_ms > 0) {  // given: number_in bounds it as sim.duration_ms
    sc.duration_ms = a.duration_ms;
    if (sc.warmup_ms >= sc.duration_ms) sc.warmup_ms = sc.duration_ms / 10;
  }
  RunInfo info;
  info.engine = a.engine;
  info.prestage = a.prestage == "on";
  info.seed = a.seed >= 0 ? static_cast<uint64_t>(a.seed) : sc.seed;
  if (info.seed > static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(a.seeds - 1))
    throw Error(Errc::kBadConfig, "--seed " + std::to_string(info.seed) + " + --seeds " + std::to_string(a.seeds) +
                                      " runs past the largest seed (2^63 - 1)");
  std::vector<std::string> names = a.policies.empty() ? sc.policies : split(a.policies);
  if (names.empty()) throw Error(Errc::kBadConfig, "--policy: no policy named");
  std::vector<PolicySpec> specs;
  for (const auto& n : names) specs.push_back(parse_policy(n, a.engine, info.prestage));
  const PolicySpec* traced = nullptr;
  if (!a.trace.empty()) {
    for (const auto& s : specs)
      if (a.trace_policy.empty() ? !traced && s.label.rfind("shard", 0) == 0 : s.label == a.trace_policy) traced = &s;
    if (!traced && a.trace_policy.empty()) traced = &specs.front();
    if (!traced) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw Error(Errc::kBadConfig,
                  "--trace-policy " + a.trace_policy + ": not one of this run's policies (" + list + ")");
    }
    trace_window(a, sc);  // refuse a bad window now, not after the runs
    check_writable(a.trace, "--trace");
  }
  if (!a.metrics.empty()) check_writable(a.metrics, "--metrics");

  SweepOptions so;
  so.first_seed = info.seed;
  so.seeds = static_cast<uint32_t>(a.seeds);
  so.jobs = jobs_given ? static_cast<uint32_t>(a.jobs) : online_cpus();
  if (a.engine != "model" && so.jobs > 1) {
    // A device engine (RTL, card, driver rings) is one shared resource.
    if (jobs_given && !a.quiet)
      std::fprintf(stderr, "[sim] --engine %s: runs one at a time (--jobs %lld ignored)\n", a.engine.c_str(),
                   static_cast<long long>(a.jobs));
    so.jobs = 1;
  }
  check_report_output(ReportOutput{a.json, a.out, a.quiet});
  const size_t runs = specs.size() * so.seeds;
  std::map<std::pair<std::string, uint64_t>, PolicyResult> results;  // for --metrics
  const bool tty = isatty(fileno(stderr));
  std::mutex mu;
  size_t finished = 0;
  auto last = std::chrono::steady_clock::now();
  if (!a.quiet) {
    std::fprintf(stderr, "[sim] %s: %zu policies x %u seed(s) from %llu, %.0f ms simulated each, %u job(s)\n",
                 sc.name.c_str(), specs.size(), so.seeds, static_cast<unsigned long long>(so.first_seed),
                 sc.duration_ms, std::min<uint32_t>(so.jobs, static_cast<uint32_t>(runs)));
    so.progress = [&](const std::string& label, uint64_t seed, double frac) {
      std::lock_guard<std::mutex> lock(mu);
      auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::seconds(1)) return;
      last = now;
      std::fprintf(stderr, "%s[sim] %s seed %llu: %3.0f%%%s", tty ? "\r" : "", label.c_str(),
                   static_cast<unsigned long long>(seed), frac * 100, tty ? "" : "\n");
    };
    so.done = [&](const PolicyResult& r, uint64_t seed) {
      std::lock_guard<std::mutex> lock(mu);
      if (!a.metrics.empty()) results[{r.spec.label, seed}] = r;
      ++finished;
      std::fprintf(stderr, "%s[sim] %s seed %llu: done (%zu/%zu), %llu events in %.2f s (%.3g events/s)\n",
                   tty ? "\r" : "", r.spec.label.c_str(), static_cast<unsigned long long>(seed), finished, runs,
                   static_cast<unsigned long long>(r.sim_events), r.wall_s, r.events_per_s);
    };
  }
  if (a.quiet && !a.metrics.empty())
    so.done = [&](const PolicyResult& r, uint64_t seed) {
      std::lock_guard<std::mutex> lock(mu);
      results[{r.spec.label, seed}] = r;
    };
  auto t0 = std::chrono::steady_clock::now();
  std::vector<nlohmann::json> per_seed = run_sweep(sc, specs, info, so);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<NamedReport> inputs;
  for (auto& r : per_seed) inputs.push_back({"seed " + r["seed"].dump(), std::move(r)});
  nlohmann::json report = merge_reports(std::move(inputs));
  if (!a.quiet && so.seeds > 1) std::fprintf(stderr, "[sim] %zu runs in %.1f s wall\n", runs, wall);
  publish_report(std::move(report), ReportOutput{a.json, a.out, a.quiet});
  if (!a.metrics.empty()) {
    metrics::Exposition m;
    for (const auto& spec : specs)
      for (uint64_t seed = so.first_seed; seed < so.first_seed + so.seeds; ++seed) {
        auto it = results.find({spec.label, seed});
        if (it == results.end())
          throw Error(Errc::kInternal, "--metrics: no result for " + spec.label + " seed " + std::to_string(seed));
        const PolicyResult& r = it->second;
        const metrics::Labels l{{"scenario", sc.name}, {"policy", spec.label}, {"seed", std::to_string(seed)}};
        metrics::add_sched_stats(m, r.sched, l);
        m.gauge("vshard_sim_wake_p99_seconds", "latency-class wake to run, 99th percentile", r.wake.p99 / 1e6, l,
                "seconds");
        m.gauge("vshard_sim_request_p99_seconds", "latency-class request response, 99th percentile",
                r.request.p99 / 1e6, l, "seconds");
        m.gauge("vshard_sim_batch_work_cores", "batch work done per simulated second, in cores", r.batch_work_cores, l);
      }
    metrics::write_file_atomic(a.metrics, m.text());
  }
  if (traced) write_trace(a, sc, *traced, so.first_seed);
}
}  // namespace

void register_sim(CLI::App& app, int& exit_code) {
  (void)exit_code;
  auto args = std::make_shared<SimArgs>();
  CLI::App* sub =
      app.add_subcommand("sim", "Run a host-simulator scenario under several scheduling policies and compare them");
  sub->add_option("scenario", args->scenario, "Scenario file (TOML, see docs/scenarios.md)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--policy", args->policies,
                  "Comma-separated policies: fifo, credit, credit2, eevdf, vtslice, shard, "
                  "shard-sw, shard-hw, shard-pre (default: the scenario's sim.policies; "
                  "docs/scenarios.md lists them)");
  sub->add_option("--engine", args->engine,
                  "Where vShard decisions are computed: model (in process), verilator[?config=..], "
                  "xrt://<index> or driver:<spec>; engines other than model run one run at a time")
      ->default_str("model");
  sub->add_option("--prestage", args->prestage, "Prestaged commit path for policy 'shard': on|off")
      ->check(CLI::IsMember({"on", "off"}))
      ->default_str("off");
  sub->add_option("--seed", args->seed, "Random seed, or the first of --seeds (default: the scenario's sim.seed)");
  sub->add_option("--seeds", args->seeds,
                  "Run every policy with N seeds (--seed, --seed + 1, ...) and report each figure as mean "
                  "and 95 % confidence interval (Student t); 1 = one run per policy, no intervals")
      ->default_str("1");
  CLI::Option* jobs =
      sub->add_option("--jobs", args->jobs,
                      "Runs (policy x seed) in parallel on this many threads (default: the online CPUs); the report "
                      "does not depend on it. Only with --engine model: other engines run with one job");
  sub->add_option("--duration-ms", args->duration_ms, "Override the simulated duration (ms)")
      ->check(number_in(1e-3, 1e7));
  sub->add_option("--engine-config", args->engine_settings,
                  "Engine register NAME=VALUE (docs/spec.md section 5) on top of the scenario's [engine.config], "
                  "e.g. SHARD_ENABLE=0; repeatable. Recorded in the report; reports with different settings "
                  "do not merge");
  sub->add_option("--json", args->json, "Write the JSON report to this file (default with --out: DIR/report.json)");
  sub->add_option("--out", args->out, "Directory for plots (PNG + SVG) and the JSON report");
  sub->add_flag("--quiet", args->quiet, "No progress on stderr");
  sub->add_option("--trace", args->trace,
                  "Write the scheduling timeline of one policy's run (the first seed's) to this file: Chrome "
                  "trace-event JSON for Perfetto / chrome://tracing, or scripts/trace-timeline "
                  "(docs/observability.md). The run is repeated with the recorder on, after the report");
  sub->add_option("--trace-policy", args->trace_policy,
                  "The policy --trace records, one of the run's (default: its first vShard policy, shard*, else its "
                  "first)");
  sub->add_option("--trace-from-ms", args->trace_from_ms,
                  "Start of the traced window, simulated ms (default: the end of the warm-up)")
      ->check(number_in(0, 1e7));
  sub->add_option("--trace-to-ms", args->trace_to_ms,
                  "End of the traced window, simulated ms (default: 200 ms after its start)")
      ->check(number_in(0, 1e7));
  sub->add_option("--trace-max-events", args->trace_max_events,
                  "Events the trace keeps at most; more are counted in its otherData.dropped_events")
      ->default_str("1000000")
      ->check(number_in(1, 1e8));
  sub->add_option("--metrics", args->metrics,
                  "Write every run's scheduler counters (and wake/request p99, batch work) to this file in the "
                  "OpenMetrics text format, labelled by scenario, policy and seed");
  sub->callback([args, jobs] { run_sim(*args, jobs->count() > 0); });
}

}  // namespace vshard::cli
