// Reports of a host-simulator run: the comparison table, the JSON report and
// gnuplot plots (latency CDF per policy, batch throughput bars).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario.h"
#include "simulator.h"

namespace vshard::hostsim {

struct RunInfo {
  std::string engine = "model";
  bool prestage = false;
  uint64_t seed = 1;
};

nlohmann::json to_json(const Scenario& sc, const RunInfo& info, const std::vector<PolicyResult>& results);
void print_table(std::FILE* out, const Scenario& sc, const RunInfo& info,
                 const std::vector<PolicyResult>& results);
// Writes <dir>/latency_cdf.{png,svg} and <dir>/throughput.{png,svg} (plus
// their .dat/.gp inputs). Returns "" on success, else why plotting failed
// (the caller reports it; the JSON is unaffected).
std::string write_plots(const std::string& dir, const Scenario& sc,
                        const std::vector<PolicyResult>& results);

const char* version_string();

}  // namespace vshard::hostsim
