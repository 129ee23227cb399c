// Sweeps over seeds: every policy of a scenario run with N seeds on a pool
// of threads, and the merge of N single-seed reports into one report whose
// figures are means with 95 % confidence intervals.
//
// One path for both uses: `vshard sim --seeds N` runs the seeds here, turns
// each seed into the single-seed report `vshard sim --seeds 1 --json` would
// write, and merges those; `vshard sweep merge` reads the same reports from
// files (run elsewhere) and merges them with the same code. So the two give
// the same report by construction (tests/sim/sweep_test.cc checks it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vshard/hostsim/report.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"

namespace vshard::hostsim {

struct SweepOptions {
  uint64_t first_seed = 1;  // seeds first_seed .. first_seed + seeds - 1
  uint32_t seeds = 1;
  uint32_t jobs = 1;  // threads; runs are independent, the result does not depend on it
  // Called from the worker threads (the caller serialises its output):
  // progress of one run, and each finished run.
  std::function<void(const std::string& label, uint64_t seed, double fraction)> progress;
  std::function<void(const PolicyResult& r, uint64_t seed)> done;
};

// Runs every policy with every seed; returns one single-seed report
// (to_json) per seed, in seed order. jobs > 1 needs engines that may run in
// parallel: the in-process `model` (the simulator, host/ and model/ keep no
// global state); the caller runs device engines with one job. The first
// error of any run (in policy, seed order) is rethrown after all threads end.
std::vector<nlohmann::json> run_sweep(const Scenario& sc, const std::vector<PolicySpec>& policies, const RunInfo& info,
                                      const SweepOptions& opt);

// A report and where it came from (a file name, for error messages).
struct NamedReport {
  std::string source;
  nlohmann::json report;
};

// Reads a single-seed or merged JSON report. vshard::Error(kIo) if the file
// cannot be read, kBadInput (naming the file and the position) if it is not
// JSON.
NamedReport read_report(const std::string& path);

// Merges single-seed reports of one scenario (any order) into the report
// `vshard sim --seeds N` prints for those seeds: per policy the runs in seed
// order plus a `summary` (mean, ci95, n, min, max of every figure), a
// `timing` summary of the machine's figures (wall_s, cpu_s,
// sim_events_per_s), and the request CDF of the first seed. One input is
// returned unchanged (the single-seed format). Throws vshard::Error
// (kBadInput) naming the file and the field when the inputs do not belong
// together (scenario, its digest, duration, warm-up, engine, prestage, host,
// policy set, version), a seed repeats, a field is missing or has the wrong
// type, or an input is already a merged report.
nlohmann::json merge_reports(std::vector<NamedReport> inputs);

// Seeds missing between the smallest and the largest of a merged report
// (a failed array task, say); empty if they are consecutive.
std::vector<uint64_t> seed_gaps(const nlohmann::json& report);

}  // namespace vshard::hostsim
