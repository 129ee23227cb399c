// Subcommands of the `vshard` CLI. Each lives in its own cmd_*.cc file and
// registers itself on the CLI11 app; main.cc only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace vshard::cli {

// Each register_* adds a subcommand to app. The subcommand's callback does
// the work and throws vshard::Error on failure (main prints it and exits 1),
// or sets exit_code for a non-error failure (e.g. mismatches found).
void register_replay(CLI::App& app, int& exit_code);  // cmd_replay.cc (model)
void register_diff(CLI::App& app, int& exit_code);    // cmd_diff.cc (RTL vs model: vshard/sim/diff.h)
void register_bench(CLI::App& app, int& exit_code);   // cmd_bench.cc (engine cycle figures)
void register_info(CLI::App& app, int& exit_code);    // cmd_info.cc (driver)
void register_sim(CLI::App& app, int& exit_code);     // cmd_sim.cc (host simulator)
void register_sweep(CLI::App& app, int& exit_code);   // cmd_sweep.cc (seed sweeps across machines)
void register_serve(CLI::App& app, int& exit_code);   // cmd_serve.cc (offload: serve, keygen)
void register_bench_offload(CLI::App& app, int& exit_code);  // cmd_bench_offload.cc (offload figures)

}  // namespace vshard::cli
