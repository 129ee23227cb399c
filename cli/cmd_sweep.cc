// `vshard sweep`: a seed sweep split across machines.
//   plan   prints one `vshard sim ... --seeds 1 --json DIR/<scenario>/seed-S.json`
//          command per scenario x seed (for GNU parallel or a Slurm array);
//   merge  merges those single-seed reports of one scenario into the report
//          `vshard sim --seeds N` prints (same code, include/vshard/hostsim/sweep.h).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "commands.h"
#include "vshard/hostsim/report.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/sweep.h"
#include "vshard/error.h"

namespace vshard::cli {

namespace {
namespace fs = std::filesystem;

struct PlanArgs {
  std::vector<std::string> scenarios;
  int64_t seeds = 0;
  int64_t seed = -1;
  std::string policies;
  std::string engine;
  std::string prestage;
  double duration_ms = 0;
  std::string out = "sweep";
  std::string vshard;
};

struct MergeArgs {
  std::vector<std::string> reports;
  std::string json;
  std::string out;
  bool quiet = false;
};

// One word for sh: as is if it has only safe characters, else single-quoted.
std::string sh_quote(const std::string& s) {
  bool safe = !s.empty() && s.find_first_not_of(
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789_./:=,+-@%") == std::string::npos;
  if (safe) return s;
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

std::string self_path() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("vshard") : p.string();
}

void run_plan(const PlanArgs& a) {
  if (a.seeds < 1 || a.seeds > 100000)
    throw Error(Errc::kBadConfig, "--seeds " + std::to_string(a.seeds) + ": give 1 to 100000 seeds");
  const std::string exe = a.vshard.empty() ? self_path() : a.vshard;
  const fs::path out = fs::absolute(a.out).lexically_normal();
  std::map<std::string, std::string> stems;  // results folder -> scenario file
  size_t lines = 0;
  std::string first_dir;
  for (const auto& file : a.scenarios) {
    hostsim::Scenario sc = hostsim::load_scenario(file);  // refuse a bad file now, not on the cluster
    const std::string stem = fs::path(file).stem().string();
    const std::string abs = fs::absolute(file).lexically_normal().string();
    if (auto it = stems.find(stem); it != stems.end() && it->second != abs)
      throw Error(Errc::kBadConfig,
                  "scenarios " + it->second + " and " + abs + " would share " + (out / stem).string() + ": rename one");
    stems[stem] = abs;
    const uint64_t s0 = a.seed >= 0 ? static_cast<uint64_t>(a.seed) : sc.seed;
    if (s0 > static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(a.seeds - 1))
      throw Error(Errc::kBadConfig, "seed " + std::to_string(s0) + " + --seeds runs past the largest seed");
    for (int64_t i = 0; i < a.seeds; ++i) {
      const uint64_t s = s0 + static_cast<uint64_t>(i);
      std::string cmd = sh_quote(exe) + " sim " + sh_quote(abs) + " --seed " + std::to_string(s) +
                        " --seeds 1 --json " +
                        sh_quote((out / stem / ("seed-" + std::to_string(s) + ".json")).string()) + " --quiet";
      if (!a.policies.empty()) cmd += " --policy " + sh_quote(a.policies);
      if (!a.engine.empty()) cmd += " --engine " + sh_quote(a.engine);
      if (!a.prestage.empty()) cmd += " --prestage " + sh_quote(a.prestage);
      if (a.duration_ms > 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", a.duration_ms);
        cmd += std::string(" --duration-ms ") + buf;
      }
      std::printf("%s\n", cmd.c_str());
      ++lines;
    }
    if (first_dir.empty()) first_dir = (out / stem).string();
  }
  std::fprintf(stderr,
               "[sweep] %zu commands (%zu scenario(s) x %lld seeds). Then, per scenario:\n"
               "[sweep]   %s sweep merge %s/seed-*.json --out %s\n",
               lines, a.scenarios.size(), static_cast<long long>(a.seeds), sh_quote(exe).c_str(),
               sh_quote(first_dir).c_str(), sh_quote(first_dir).c_str());
}

void run_merge(const MergeArgs& a) {
  std::vector<hostsim::NamedReport> inputs;
  for (const auto& f : a.reports) inputs.push_back(hostsim::read_report(f));
  nlohmann::json report = hostsim::merge_reports(std::move(inputs));
  std::vector<uint64_t> gaps = hostsim::seed_gaps(report);
  if (!gaps.empty()) {
    std::string list;
    for (size_t i = 0; i < gaps.size() && i < 20; ++i) list += (i ? ", " : "") + std::to_string(gaps[i]);
    if (gaps.size() > 20) list += ", ...";
    std::fprintf(stderr,
                 "vshard sweep merge: warning: seeds %s are missing between %s and %s (a run failed?); "
                 "the report covers the %zu seeds given\n",
                 list.c_str(), report["seeds"].front().dump().c_str(), report["seeds"].back().dump().c_str(),
                 report["seeds"].size());
  }
  hostsim::publish_report(std::move(report), hostsim::ReportOutput{a.json, a.out, a.quiet});
}
}  // namespace

void register_sweep(CLI::App& app, int& exit_code) {
  (void)exit_code;
  CLI::App* sweep =
      app.add_subcommand("sweep", "Split a seed sweep across machines: plan the per-seed runs, merge their reports");
  sweep->require_subcommand(1);

  auto p = std::make_shared<PlanArgs>();
  CLI::App* plan = sweep->add_subcommand(
      "plan",
      "Print one `vshard sim` command per scenario x seed (one single-seed JSON report each), for "
      "`| parallel -j8` or a Slurm array (line $SLURM_ARRAY_TASK_ID); docs/scenarios.md");
  plan->add_option("scenarios", p->scenarios, "Scenario files (TOML)")->required()->check(CLI::ExistingFile);
  plan->add_option("--seeds", p->seeds, "Seeds per scenario: --seed, --seed + 1, ...")->required();
  plan->add_option("--seed", p->seed, "First seed (default: each scenario's sim.seed)");
  plan->add_option("--policy", p->policies, "Passed on to vshard sim (default: the scenario's sim.policies)");
  plan->add_option("--engine", p->engine, "Passed on to vshard sim");
  plan->add_option("--prestage", p->prestage, "Passed on to vshard sim")->check(CLI::IsMember({"on", "off"}));
  plan->add_option("--duration-ms", p->duration_ms, "Passed on to vshard sim");
  plan->add_option("--out", p->out, "Results directory: DIR/<scenario>/seed-S.json (made absolute)")
      ->default_str("sweep");
  plan->add_option("--vshard", p->vshard, "The vshard command in the printed lines (default: this binary)");
  plan->callback([p] { run_plan(*p); });

  auto m = std::make_shared<MergeArgs>();
  CLI::App* merge =
      sweep->add_subcommand("merge",
                            "Merge single-seed reports of one scenario into the report `vshard sim --seeds N` prints "
                            "(table, JSON, plots); refuses reports that do not belong together");
  merge->add_option("reports", m->reports, "Single-seed JSON reports (vshard sim --seeds 1 --json)")->required();
  merge->add_option("--json", m->json, "Write the merged JSON report here (default with --out: DIR/report.json)");
  merge->add_option("--out", m->out, "Directory for plots (PNG + SVG) and the JSON report");
  merge->add_flag("--quiet", m->quiet, "No progress on stderr");
  merge->callback([m] { run_merge(*m); });
}

}  // namespace vshard::cli
