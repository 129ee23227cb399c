// Fuzz target: the host simulator's scenario loader (TOML through toml++,
// sim/hostsim/scenario.cc). A scenario is a file a user writes or downloads;
// `vshard sim` and `vshard sweep` load it.
// Invariants: a rejected scenario throws vshard::Error(kBadInput) and
// nothing else (TOML syntax errors included); an accepted one passes
// Scenario::validate(), fits the engine configuration it names (cores,
// vCPUs, nodes, configuration keys), and loads the same again. The
// scenario "lives" in an empty directory, so relative trace_file names
// find nothing.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/model.h"

using namespace vshard;
using vshard::fuzz::accepts;
using vshard::fuzz::violated;

namespace {

// An empty directory the scenario seems to live in: relative trace_file
// names resolve there and find nothing. (No chdir: libFuzzer reads its
// corpus by relative paths.) Removed at exit.
struct EmptyDir {
  std::string dir = "/tmp/vshard-scenario-fuzz-XXXXXX";
  EmptyDir() {
    if (mkdtemp(dir.data()) == nullptr) violated("cannot make an empty directory");
  }
  ~EmptyDir() { rmdir(dir.c_str()); }
  std::string file() const { return dir + "/fuzz.toml"; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const EmptyDir empty;
  static const std::string name = empty.file();
  const std::string text(reinterpret_cast<const char*>(data), size);
  hostsim::Scenario s;
  if (!accepts("parse_scenario", {Errc::kBadInput}, [&] { s = hostsim::parse_scenario(text, name); })) return 0;
  accepts("validate() of an accepted scenario", {}, [&] { s.validate(); });
  Params p;
  accepts("engine_params_for() of an accepted scenario", {}, [&] { p = s.engine_params_for(); });
  accepts("the engine parameters", {}, [&] { p.validate(); });
  if (s.workloads.empty() || s.total_vcpus() == 0 || s.total_vcpus() > p.vcpus || s.topo.cores() > p.cores ||
      s.topo.nodes > p.nodes)
    violated("accepted scenario does not fit its engine: " + std::to_string(s.total_vcpus()) + " vCPUs, " +
             std::to_string(s.topo.cores()) + " cores, " + std::to_string(s.topo.nodes) + " nodes");
  for (const auto& [key, value] : s.engine_config)
    if (key >= cfg::kNumScalarKeys) violated("accepted scenario sets engine key " + std::to_string(key));
  hostsim::Scenario again;
  accepts("parse_scenario again", {}, [&] { again = hostsim::parse_scenario(text, name); });
  if (again.digest != s.digest || again.name != s.name || again.total_vcpus() != s.total_vcpus() ||
      again.engine_config != s.engine_config || again.policies != s.policies)
    violated("the same scenario text loads differently twice");
  return 0;
}
