// The differential test of the RTL engine against the golden model, the
// runner behind `vshard diff` and the RTL tests. Seeded random events (bad
// ones included) or an event log go into the verilated engine (a
// configuration linked into the binary, Harness::create), with random
// back-pressure on both streams -- or into the card, vs_card_top, through
// host memory (DiffOptions::frontend) -- and into vshard::Model; the decision
// streams must agree bit for bit, and the registers (prestage table,
// counters, sticky errors, configuration) must agree whenever the engine is
// idle. On the first mismatch it writes the event log (binary + text), a
// report and an FST waveform of a replay of the window around it to `out`,
// and prints the one command that replays it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "vshard/model.h"

namespace vshard::sim {

struct DiffOptions {
  std::string config = "small";  // RTL configuration (Harness::create)
  // "stream": vs_top on its AXI-Streams, with random stalls on both; "dma":
  // vs_card_top through host memory (sim::CardHost), its AXI4 master
  // answered by an AxiMemory with random read latency (4-64 cycles),
  // reordered reads and ready back-pressure at stall_prob, every AXI4
  // handshake checked, and the prestaged lines and writeback word in host
  // memory compared with the model at each idle check.
  std::string frontend = "stream";
  uint64_t events = 100000;             // random events to generate
  uint64_t seed = 1;                    // of the events, the stall pattern and the RTL's X values
  double bad_fraction = 0.02;           // share of events built to be rejected, in [0, 1]
  double stall_prob = 0.1;              // per-cycle stall probability on each stream, in [0, 1)
  std::string out = "vshard-diff-out";  // directory for mismatch artifacts and waveforms
  bool trace = false;                   // FST waveform of the run (out/trace.fst, out/replay.fst)
  uint64_t trace_from = 0;              // first event index in the waveform
  uint64_t trace_window = 200;          // events before a mismatch in its waveform
  std::string replay;                   // event log to replay instead of generating
  uint64_t check_every = 4096;          // events between idle register comparisons (>= 1)
  uint64_t max_mismatches = 1;          // stop after this many (>= 1)
  bool quiet = false;                   // no header or progress lines
};

struct DiffMismatch {
  uint64_t index = 0;  // event the mismatch belongs to
  uint64_t cycle = 0;
  std::string what;  // multi-line description
};

struct DiffResult {
  Params params;
  std::vector<DiffMismatch> mismatches;
  uint64_t events = 0;     // events pushed
  uint64_t decisions = 0;  // decisions compared
  uint64_t checks = 0;     // register comparisons
  uint64_t cycles = 0;
  double seconds = 0;
  Counters counters;  // the model's, at the end
  bool ok() const { return mismatches.empty(); }
};

// Runs the comparison. Prints a header and progress (unless o.quiet), each
// mismatch, where its artifacts went, and a summary to `log` (nothing when
// null); the last line printed is exactly "mismatches: N". Throws
// vshard::Error for bad options, an unknown configuration or an event log
// recorded for other parameters.
DiffResult run_diff(const DiffOptions& o, std::FILE* log = stdout);

}  // namespace vshard::sim
