// Subcommands of the `vshard` CLI. Each lives in its own cmd_*.cc file and
// registers itself on the CLI11 app; main.cc only wires them together.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

namespace vshard::cli {

// Each register_* adds a subcommand to app. The subcommand's callback does
// the work and throws vshard::Error on failure (main prints it and exits 1),
// or sets exit_code for a non-error failure (e.g. mismatches found).
void register_replay(CLI::App& app, int& exit_code);         // cmd_replay.cc (model)
void register_diff(CLI::App& app, int& exit_code);           // cmd_diff.cc (RTL vs model: vshard/sim/diff.h)
void register_bench(CLI::App& app, int& exit_code);          // cmd_bench.cc (engine cycle figures)
void register_info(CLI::App& app, int& exit_code);           // cmd_info.cc (driver)
void register_sim(CLI::App& app, int& exit_code);            // cmd_sim.cc (host simulator)
void register_sweep(CLI::App& app, int& exit_code);          // cmd_sweep.cc (seed sweeps across machines)
void register_serve(CLI::App& app, int& exit_code);          // cmd_serve.cc (offload: serve, keygen)
void register_bench_offload(CLI::App& app, int& exit_code);  // cmd_bench_offload.cc (offload figures)
void register_agent(CLI::App& app, int& exit_code);          // cmd_agent.cc (real vCPUs: vshard/agent/agent.h)

// The check of a number option: a finite number in [lo, hi]. CLI11's own
// CLI::Range lets "nan" through and an unsigned option takes "-1" as 2^64 - 1,
// so every bounded number of the CLI goes through this one check first; the
// error names the option (CLI11 prefixes it) and the value.
inline CLI::Validator number_in(double lo, double hi) {
  auto text = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.15g", v);
    return std::string(b);
  };
  return CLI::Validator(
      [lo, hi, text](std::string& s) -> std::string {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) return "'" + s + "' is not a number";
        if (errno == ERANGE || !std::isfinite(v) || v < lo || v > hi)
          return "'" + s + "' is out of range: give " + text(lo) + " to " + text(hi);
        return std::string();
      },
      "NUMBER in [" + text(lo) + ", " + text(hi) + "]");
}

}  // namespace vshard::cli
