// `vshard diff`: differential verification of the RTL engine against the
// golden model; the runner is vshard::sim::run_diff (include/vshard/sim/diff.h).
// The last line printed is exactly "mismatches: N"; the exit code is 1 when
// there are any.
#include <memory>
#include <string>

#include "commands.h"
#include "vshard/error.h"
#include "vshard/sim/diff.h"

namespace vshard::cli {

void register_diff(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<sim::DiffOptions>();
  auto engine = std::make_shared<std::string>("verilator");
  CLI::App* c = app.add_subcommand("diff", "Differential test: the RTL engine (Verilator) against the golden model");
  c->add_option("--engine", *engine, "Engine under test (verilator)")->capture_default_str();
  c->add_option("--config", o->config, "RTL configuration: small or large")->capture_default_str();
  c->add_option("--frontend", o->frontend,
                "stream: vs_top on its AXI-Streams; dma: vs_card_top, the engine behind its DMA front-end, "
                "through rings in host memory (an AXI4 memory model with random latency, reordering and "
                "back-pressure; small only)")
      ->check(CLI::IsMember({"stream", "dma"}))
      ->capture_default_str();
  c->add_option("--events", o->events, "Random events to generate")->check(number_in(1, 1e12))->capture_default_str();
  c->add_option("--seed", o->seed, "Seed of the events, the stall pattern and the RTL's X values")
      ->capture_default_str();
  c->add_option("--bad-fraction", o->bad_fraction, "Share of events built to be rejected")
      ->check(number_in(0, 1))
      ->capture_default_str();
  c->add_option("--stall-prob", o->stall_prob, "Per-cycle stall probability on each stream")
      ->check(number_in(0, 0.99))
      ->capture_default_str();
  c->add_option("--out", o->out, "Directory for mismatch artifacts and waveforms")->capture_default_str();
  c->add_flag("--trace", o->trace, "Write an FST waveform (OUT/trace.fst, or OUT/replay.fst with --replay)");
  c->add_option("--trace-from", o->trace_from, "First event index in the waveform")->capture_default_str();
  c->add_option("--trace-window", o->trace_window, "Events before a mismatch in its waveform")
      ->check(number_in(1, 1e9))
      ->capture_default_str();
  c->add_option("--replay", o->replay, "Replay an event log (binary or text) instead of generating events");
  c->add_option("--check-every", o->check_every, "Events between register comparisons (engine idle)")
      ->check(number_in(1, 1e12))
      ->capture_default_str();
  c->add_option("--max-mismatches", o->max_mismatches, "Stop after this many mismatches")
      ->check(number_in(1, 1e6))
      ->capture_default_str();
  c->add_flag("--quiet", o->quiet, "No header or progress lines");
  c->callback([o, engine, &exit_code] {
    if (*engine != "verilator")
      throw Error(Errc::kUnsupported,
                  "vshard diff compares the RTL with the model: --engine must be "
                  "'verilator', not '" +
                      *engine + "'");
    exit_code = sim::run_diff(*o, stdout).ok() ? 0 : 1;
  });
}

}  // namespace vshard::cli
