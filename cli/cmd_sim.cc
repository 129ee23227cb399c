// `vshard sim`: runs a host-simulator scenario under several policies and
// compares them (table on stdout, JSON report, gnuplot plots).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "report.h"
#include "scenario.h"
#include "simulator.h"
#include "vshard/error.h"

namespace vshard::cli {

namespace {
struct SimArgs {
  std::string scenario;
  std::string policies;
  std::string engine = "model";
  std::string prestage = "off";
  int64_t seed = -1;
  double duration_ms = 0;
  std::string json;
  std::string out;
  bool quiet = false;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

void run_sim(const SimArgs& a, int& exit_code) {
  using namespace hostsim;
  Scenario sc = load_scenario(a.scenario);
  if (a.duration_ms > 0) {
    sc.duration_ms = a.duration_ms;
    if (sc.warmup_ms >= sc.duration_ms) sc.warmup_ms = sc.duration_ms / 10;
  }
  RunInfo info;
  info.engine = a.engine;
  info.prestage = a.prestage == "on";
  info.seed = a.seed >= 0 ? static_cast<uint64_t>(a.seed) : sc.seed;
  std::vector<std::string> names = a.policies.empty() ? sc.policies : split(a.policies);
  if (names.empty()) throw Error(Errc::kBadConfig, "--policy: no policy named");
  std::vector<PolicySpec> specs;
  for (const auto& n : names) specs.push_back(parse_policy(n, a.engine, info.prestage));

  bool tty = isatty(fileno(stderr));
  auto last = std::chrono::steady_clock::now();
  RunOptions opt;
  opt.seed = info.seed;
  if (!a.quiet)
    opt.progress = [&](const std::string& label, double frac) {
      auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::seconds(1)) return;
      last = now;
      std::fprintf(stderr, "%s[sim] %s: %3.0f%%%s", tty ? "\r" : "", label.c_str(), frac * 100,
                   tty ? "" : "\n");
    };
  std::vector<PolicyResult> results;
  for (const auto& ps : specs) {
    if (!a.quiet) std::fprintf(stderr, "[sim] %s: running %s (%.0f ms simulated)\n", sc.name.c_str(),
                               ps.label.c_str(), sc.duration_ms);
    results.push_back(simulate(sc, ps, opt));
    if (!a.quiet)
      std::fprintf(stderr, "%s[sim] %s: done, %llu events in %.2f s (%.3g events/s)\n",
                   tty ? "\r" : "", ps.label.c_str(),
                   static_cast<unsigned long long>(results.back().sim_events), results.back().wall_s,
                   results.back().events_per_s);
  }
  print_table(stdout, sc, info, results);
  nlohmann::json j = to_json(sc, info, results);
  std::string json_path = a.json;
  if (json_path.empty() && !a.out.empty()) json_path = a.out + "/report.json";
  if (!a.out.empty()) {
    std::string why = write_plots(a.out, sc, results);
    if (!why.empty()) {
      std::fprintf(stderr, "vshard sim: plots not written: %s (the JSON report is)\n", why.c_str());
      j["plots_error"] = why;
    } else if (!a.quiet) {
      std::fprintf(stderr, "[sim] plots: %s/latency_cdf.{png,svg} %s/throughput.{png,svg}\n",
                   a.out.c_str(), a.out.c_str());
    }
  }
  if (!json_path.empty()) {
    std::ofstream f(json_path);
    if (!f) throw Error(Errc::kIo, "cannot write the JSON report " + json_path + ": check the directory");
    f << j.dump(2) << '\n';
    if (!a.quiet) std::fprintf(stderr, "[sim] JSON report: %s\n", json_path.c_str());
  }
  (void)exit_code;
}
}  // namespace

void register_sim(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimArgs>();
  CLI::App* sub = app.add_subcommand(
      "sim", "Run a host-simulator scenario under several scheduling policies and compare them");
  sub->add_option("scenario", args->scenario, "Scenario file (TOML, see docs/scenarios.md)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--policy", args->policies,
                  "Comma-separated policies: fifo, credit, credit2, eevdf, vtslice, shard, "
                  "shard-sw, shard-hw, shard-pre (default: the scenario's sim.policies)");
  sub->add_option("--engine", args->engine,
                  "Where vShard decisions are computed: model (in process), verilator[?config=..] "
                  "or xrt://<index>")
      ->default_str("model");
  sub->add_option("--prestage", args->prestage, "Prestaged commit path for policy 'shard': on|off")
      ->check(CLI::IsMember({"on", "off"}))
      ->default_str("off");
  sub->add_option("--seed", args->seed, "Random seed (default: the scenario's sim.seed)");
  sub->add_option("--duration-ms", args->duration_ms, "Override the simulated duration (ms)");
  sub->add_option("--json", args->json, "Write the JSON report to this file (default with --out: DIR/report.json)");
  sub->add_option("--out", args->out, "Directory for plots (PNG + SVG) and the JSON report");
  sub->add_flag("--quiet", args->quiet, "No progress on stderr");
  sub->callback([args, &exit_code] { run_sim(*args, exit_code); });
}

}  // namespace vshard::cli
