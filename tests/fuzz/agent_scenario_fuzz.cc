// Fuzz target: `vshard agent`'s scenario loader (TOML through toml++,
// agent/core/scenario.cc). An agent scenario is a file a user writes; the
// agent starts real vCPU threads from it, so what it accepts must be in range.
// Invariants: a rejected scenario throws vshard::Error(kBadInput) and
// nothing else (TOML syntax errors included); an accepted one has every
// field in the range docs/agent.md gives (at least one vCPU, at most 8 of
// each kind, homes on a node that exists, a batch queue that fits the guest
// memory layout, finite positive times), and loads the same again.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "vshard/agent/agent.h"
#include "vshard/agent/guest.h"

using namespace vshard;
using vshard::fuzz::accepts;
using vshard::fuzz::violated;

namespace {

bool positive(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

std::string describe(const agent::AgentScenario& s) {
  char b[512];
  std::snprintf(b, sizeof b,
                "cores %u nodes %u dist %u slice %g tick %g account %g profile %g servers %u rate %g service %g "
                "home %u batch %u block %g blocks %u home %u floors %u",
                s.cores, s.nodes, s.remote_distance, s.timeslice_us, s.tick_us, s.account_us, s.profile_interval_us,
                s.servers, s.rate_per_s, s.service_us, s.server_home, s.batch_vcpus, s.block_us, s.blocks, s.batch_home,
                s.floor_iterations);
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  agent::AgentScenario s;
  if (!accepts("parse_agent_scenario", {Errc::kBadInput}, [&] { s = agent::parse_agent_scenario(text, "fuzz.toml"); }))
    return 0;
  const bool ok =
      s.servers + s.batch_vcpus >= 1 && s.servers <= 8 && s.batch_vcpus <= 8 && s.cores <= 256 && s.nodes >= 1 &&
      s.nodes <= 8 && s.server_home < s.nodes && s.batch_home < s.nodes && s.remote_distance > 10 &&
      s.remote_distance <= 255 && s.blocks >= 1 && s.blocks <= agent::layout::kMaxBlocks &&
      positive(s.timeslice_us, 100, 65535) && positive(s.tick_us, 100, 1e6) && positive(s.account_us, 1000, 1e7) &&
      positive(s.profile_interval_us, 10, 1e6) && positive(s.rate_per_s, 1, 1e5) && positive(s.service_us, 1, 1e5) &&
      positive(s.block_us, 1, 1e5) && s.floor_iterations >= 10 && s.floor_iterations <= 100000;
  if (!ok) violated("accepted agent scenario out of range: " + describe(s));
  agent::AgentScenario again;
  accepts("parse_agent_scenario again", {}, [&] { again = agent::parse_agent_scenario(text, "fuzz.toml"); });
  if (describe(again) != describe(s) || again.name != s.name)
    violated("the same agent scenario text loads differently twice");
  return 0;
}
