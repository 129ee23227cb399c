// Reports of host-simulator runs: the JSON report, the comparison table and
// gnuplot plots. A report is one seed's (the runs of every policy with that
// seed, to_json) or the merge of several seeds' (sweep.h: every figure as
// mean and 95 % confidence interval); the table and the plots read either.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"

namespace vshard::hostsim {

struct RunInfo {
  std::string engine = "model";
  bool prestage = false;
  uint64_t seed = 1;
};

// The single-seed report (docs/scenarios.md lists its fields).
nlohmann::json to_json(const Scenario& sc, const RunInfo& info, const std::vector<PolicyResult>& results);

// True for a merged report (figures with confidence intervals).
bool is_multi_seed(const nlohmann::json& report);

// The comparison table: one row per policy; in a merged report each figure
// is "mean ±half-width" of its 95 % confidence interval. The body depends
// only on the simulated figures (no timing) in a merged report.
void print_table(std::FILE* out, const nlohmann::json& report);

// Writes <dir>/latency_cdf.{png,svg} and <dir>/throughput.{png,svg} (plus
// their .dat/.gp inputs); a merged report adds request_tail.{png,svg}
// (request p99 and p99.9 with CI bars), throughput gets CI bars and the CDF
// is the first seed's. Returns "" on success, else why plotting failed
// (the caller reports it; the JSON is unaffected).
std::string write_plots(const std::string& dir, const nlohmann::json& report);

// The report without the fields that measure the machine rather than the
// simulated host (wall_s, cpu_s, sim_events_per_s, a merged report's
// `timing`): what must be equal between two runs of the same arguments.
nlohmann::json without_timing(nlohmann::json report);

// Prints the table on stdout, writes the plots (plots_dir, if any) and the
// JSON (json_path, default plots_dir/report.json); progress on stderr
// unless quiet. A plotting failure is printed and recorded in the JSON as
// plots_error; a file that cannot be written throws vshard::Error(kIo).
struct ReportOutput {
  std::string json_path;
  std::string plots_dir;
  bool quiet = false;
};
void publish_report(nlohmann::json report, const ReportOutput& out);
// Creates the plots directory and the JSON report's directory now and throws
// Error(kIo) naming the path when they cannot be made or written, so a long
// run does not end in a report it cannot save.
void check_report_output(const ReportOutput& out);

const char* version_string();

}  // namespace vshard::hostsim
