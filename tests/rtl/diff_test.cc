// The differential runner (include/vshard/sim/diff.h), called as a library
// the way `vshard diff` calls it: the verilated `small` engine against the
// golden model on a short seeded stream, and the options it must refuse.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/event_log.h"
#include "vshard/sim/diff.h"

using namespace vshard;

namespace {

// A folder of this test under the temporary directory, removed (so empty).
std::filesystem::path scratch(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / ("vshard_diff_test_" + name);
  std::filesystem::remove_all(p);
  return p;
}

// An event log of `count` generated events for `params`, in a fresh folder.
std::string write_log(const std::string& name, const Params& params, uint64_t seed, size_t count) {
  const auto dir = scratch(name);
  std::filesystem::create_directories(dir);
  const auto path = (dir / "events.evlog").string();
  save_event_log(path, generate_event_log(params, seed, count), LogFormat::kBinary);
  return path;
}

sim::DiffOptions short_run(const std::string& name) {
  sim::DiffOptions o;
  o.config = "small";
  o.events = 3000;
  o.seed = 11;
  o.stall_prob = 0.2;
  o.check_every = 500;
  o.quiet = true;
  o.out = scratch(name).string();
  return o;
}

}  // namespace

TEST_CASE("run_diff: 3000 random events with stalls, every decision and register equal", "[diff]") {
  const sim::DiffOptions o = short_run("random");
  const sim::DiffResult r = sim::run_diff(o, nullptr);
  INFO((r.mismatches.empty() ? std::string() : r.mismatches.front().what));
  CHECK(r.ok());
  CHECK(r.params == Params::small());
  CHECK(r.events == 3000);
  // Every event is answered by at least one decision, and each one the
  // model made was compared with one from the RTL.
  CHECK(r.decisions >= r.events);
  CHECK(r.decisions == r.counters.decisions);
  CHECK(r.counters.events == 3000);
  // Registers compared at events 500, 1000, ..., 3000 (engine idle), and at the end.
  CHECK(r.checks >= 6);
  CHECK(r.cycles > r.events);
  // No mismatch, so no artifacts.
  CHECK_FALSE(std::filesystem::exists(o.out));
}

TEST_CASE("run_diff: a replayed log gives the same comparison as the generated stream", "[diff]") {
  sim::DiffOptions o = short_run("replay_out");
  o.replay = write_log("replay", Params::small(), 3, 800);
  const sim::DiffResult r = sim::run_diff(o, nullptr);
  CHECK(r.ok());
  CHECK(r.events == 800);
  CHECK(r.decisions == r.counters.decisions);
  scratch("replay");  // removes it
}

#ifdef VSHARD_TEST_HAVE_CARD
TEST_CASE("run_diff --frontend dma: 3000 events through the card's host-memory rings, all equal", "[diff]") {
  sim::DiffOptions o = short_run("card");
  o.frontend = "dma";
  const sim::DiffResult r = sim::run_diff(o, nullptr);
  INFO((r.mismatches.empty() ? std::string() : r.mismatches.front().what));
  CHECK(r.ok());
  CHECK(r.events == 3000);
  CHECK(r.decisions >= r.events);
  CHECK(r.decisions == r.counters.decisions);
  // Registers, prestaged lines and the writeback word compared at each idle check.
  CHECK(r.checks >= 6);
  CHECK_FALSE(std::filesystem::exists(o.out));
}

TEST_CASE("run_diff --frontend dma replays a log like the stream run", "[diff]") {
  sim::DiffOptions o = short_run("card_replay_out");
  o.frontend = "dma";
  o.replay = write_log("card_replay", Params::small(), 5, 600);
  const sim::DiffResult r = sim::run_diff(o, nullptr);
  CHECK(r.ok());
  CHECK(r.events == 600);
  scratch("card_replay");  // removes it
}
#endif

TEST_CASE("run_diff refuses a log recorded for other parameters and bad options", "[diff]") {
  sim::DiffOptions o = short_run("refuse_out");
  o.replay = write_log("refuse", Params::large(), 1, 50);
  CHECK_THROWS_WITH(sim::run_diff(o, nullptr), Catch::Contains("not for --config small"));
  o = short_run("refuse_out");
  o.replay = write_log("refuse", Params::small(), 1, 0);  // a valid log of no events
  CHECK_THROWS_WITH(sim::run_diff(o, nullptr), Catch::Contains("has no events"));

  o = short_run("refuse_out");
  o.stall_prob = 1.0;
  CHECK_THROWS_AS(sim::run_diff(o, nullptr), Error);
  o = short_run("refuse_out");
  o.check_every = 0;
  CHECK_THROWS_AS(sim::run_diff(o, nullptr), Error);
  o = short_run("refuse_out");
  o.config = "medium";
  CHECK_THROWS_WITH(sim::run_diff(o, nullptr), Catch::Contains("medium"));
  o = short_run("refuse_out");
  o.frontend = "pcie";
  CHECK_THROWS_WITH(sim::run_diff(o, nullptr), Catch::Contains("--frontend 'pcie'"));
  scratch("refuse");  // removes it
}
