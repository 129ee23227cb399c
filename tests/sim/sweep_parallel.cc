// `vshard sim --jobs J` runs hostsim::simulate on several threads at once
// (test sim_sweep_parallel, label threads): the parallel sweep must equal the
// sequential one, and in the tsan sub-build (tests/sanitize) any data race
// between runs (a global or static with state in sim/hostsim, host/ or
// model/) fails it.
#include <cstdio>
#include <string>

#include "vshard/hostsim/sweep.h"

using namespace vshard::hostsim;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCENARIO_DIR\n", argv[0]);
    return 2;
  }
  int failures = 0;
  for (const char* name : {"demo-small.toml", "mixed-2s32c.toml"}) {
    Scenario sc = load_scenario(std::string(argv[1]) + "/" + name);
    sc.duration_ms = 150;
    sc.warmup_ms = 15;
    std::vector<PolicySpec> specs;
    for (const auto& p : sc.policies) specs.push_back(parse_policy(p, "model", false));
    SweepOptions seq;
    seq.first_seed = 3;
    seq.seeds = 2;
    seq.jobs = 1;
    SweepOptions par = seq;
    par.jobs = 4;
    RunInfo info;
    std::string a, b;
    for (auto& r : run_sweep(sc, specs, info, seq)) a += without_timing(r).dump();
    for (auto& r : run_sweep(sc, specs, info, par)) b += without_timing(r).dump();
    if (a != b) {
      std::fprintf(stderr, "%s: the 4-thread sweep differs from the sequential one\n", name);
      ++failures;
    } else {
      std::printf("%s: %zu runs on 4 threads, same reports as on one\n", name, specs.size() * seq.seeds);
    }
  }
  return failures ? 1 : 0;
}
