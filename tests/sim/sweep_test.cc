// Seed sweeps (include/vshard/hostsim/sweep.h, stats.h): the confidence-interval
// arithmetic, runs on several threads giving the same report as on one, the
// merge of single-seed reports giving the same report as one `--seeds N`
// run, and the merge refusing reports that do not belong together.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "vshard/hostsim/stats.h"
#include "vshard/hostsim/sweep.h"
#include "vshard/error.h"

using namespace vshard;
using namespace vshard::hostsim;
using json = nlohmann::json;

TEST_CASE("95 % confidence intervals: Student t over the seeds", "[sim][sweep]") {
  // 1..5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445:
  // half-width = 2.776445 x 1.581139 / sqrt(5) = 1.963243.
  CiSummary s = summarize_ci({1, 2, 3, 4, 5});
  CHECK(s.n == 5);
  CHECK(s.mean == Approx(3.0));
  CHECK(s.ci95 == Approx(1.963243).epsilon(1e-6));
  CHECK(s.min == 1);
  CHECK(s.max == 5);
  // two samples 10 and 14: mean 12, s = 2.828427, t(1) = 12.706205:
  // 12.706205 x 2.828427 / sqrt(2) = 25.41241
  CHECK(summarize_ci({10, 14}).ci95 == Approx(25.41241).epsilon(1e-6));
  // one seed: the value, no interval
  CiSummary one = summarize_ci({42.5});
  CHECK(one.mean == 42.5);
  CHECK(one.ci95 == 0);
  CHECK(one.n == 1);
  CHECK(summarize_ci({0.1, 0.1, 0.1}).ci95 == 0);  // identical runs, no rounding residue
  CHECK(summarize_ci({}).n == 0);
  // the t table and its continuation (Cornish-Fisher) above 30 df
  CHECK(student_t975(1) == Approx(12.706205));
  CHECK(student_t975(4) == Approx(2.776445));
  CHECK(student_t975(9) == Approx(2.262157));
  CHECK(student_t975(30) == Approx(2.042272));
  CHECK(student_t975(31) == Approx(2.039513).epsilon(1e-6));
  CHECK(student_t975(60) == Approx(2.000298).epsilon(1e-6));
  CHECK(student_t975(120) == Approx(1.979930).epsilon(1e-6));
  CHECK(student_t975(100000) == Approx(1.959988).epsilon(1e-5));
  for (size_t df = 1; df < 200; ++df) CHECK(student_t975(df + 1) < student_t975(df));
}

namespace {

Scenario small_scenario() {
  Scenario sc = load_scenario(std::string(VSHARD_SCENARIO_DIR) + "/demo-small.toml");
  sc.duration_ms = 120;
  sc.warmup_ms = 12;
  return sc;
}

std::vector<PolicySpec> specs(const std::vector<std::string>& names) {
  std::vector<PolicySpec> out;
  for (const auto& n : names) out.push_back(parse_policy(n, "model", false));
  return out;
}

json sweep(const Scenario& sc, const std::vector<PolicySpec>& ps, uint64_t first, uint32_t seeds, uint32_t jobs) {
  SweepOptions o;
  o.first_seed = first;
  o.seeds = seeds;
  o.jobs = jobs;
  std::vector<NamedReport> in;
  for (auto& r : run_sweep(sc, ps, RunInfo{}, o)) in.push_back({"seed " + r["seed"].dump(), r});
  return merge_reports(std::move(in));
}

// A single-seed report as `vshard sim --seeds 1 --json FILE` writes it,
// read back from that file.
NamedReport through_file(const json& report, const std::string& name) {
  auto path = (std::filesystem::temp_directory_path() / ("vshard_sweep_test_" + name)).string();
  std::ofstream(path) << report.dump(2) << '\n';
  NamedReport r = read_report(path);
  std::filesystem::remove(path);
  r.source = name;
  return r;
}

std::string merge_error(std::vector<NamedReport> in) {
  try {
    merge_reports(std::move(in));
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kBadInput);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a sweep gives the same report on 1 and on 3 threads", "[sim][sweep]") {
  Scenario sc = small_scenario();
  auto ps = specs({"fifo", "credit", "shard-pre"});
  json one = without_timing(sweep(sc, ps, 5, 4, 1));
  json three = without_timing(sweep(sc, ps, 5, 4, 3));
  CHECK(one.dump() == three.dump());
  CHECK(one["seeds"] == json({5, 6, 7, 8}));
  CHECK(one["order"] == json({"fifo", "credit", "shard-pre"}));
  // runs in seed order, and the summary is their statistics
  const json& credit = one["policies"]["credit"];
  REQUIRE(credit["runs"].size() == 4);
  std::vector<double> pre;
  for (size_t i = 0; i < 4; ++i) {
    CHECK(credit["runs"][i]["seed"] == 5 + i);
    pre.push_back(credit["runs"][i]["preemptions"].get<double>());
  }
  CiSummary s = summarize_ci(pre);
  CHECK(credit["summary"]["preemptions"]["mean"].get<double>() == s.mean);
  CHECK(credit["summary"]["preemptions"]["ci95"].get<double>() == s.ci95);
  CHECK(credit["summary"]["preemptions"]["n"] == 4);
  CHECK(credit["summary"]["request_latency_us"]["p99"]["max"].get<double>() >=
        credit["summary"]["request_latency_us"]["p99"]["min"].get<double>());
  CHECK(credit["summary"].contains("batch_lost_us_per_preemption"));
  CHECK(s.ci95 > 0);  // the seeds differ
  CHECK(credit["request_cdf"]["seed"] == 5);
  CHECK_FALSE(credit["summary"].contains("wall_s"));  // timing is summarised apart
  CHECK(sweep(sc, ps, 5, 4, 3)["policies"]["credit"]["timing"].contains("sim_events_per_s"));
}

TEST_CASE("merging single-seed reports gives the --seeds N report", "[sim][sweep]") {
  Scenario sc = small_scenario();
  auto ps = specs({"fifo", "credit", "shard-sw", "shard-pre"});
  json seeds_run = sweep(sc, ps, 11, 3, 2);
  // the same seeds run one by one (as on three machines), through files, in any order
  std::vector<NamedReport> files;
  for (uint64_t s : {13u, 11u, 12u}) {
    json single = sweep(sc, ps, s, 1, 1);
    CHECK_FALSE(single.contains("seeds"));  // one seed: the single-seed format
    files.push_back(through_file(single, "seed-" + std::to_string(s) + ".json"));
  }
  json merged = merge_reports(files);
  CHECK(without_timing(merged).dump(2) == without_timing(seeds_run).dump(2));
  CHECK(without_timing(merged) != without_timing(sweep(sc, ps, 12, 3, 2)));  // the comparison can fail
  // one report merges to itself
  json single = files[0].report;
  CHECK(merge_reports({files[0]}) == single);
  CHECK(seed_gaps(merged).empty());
  files.erase(files.begin() + 2);  // seed 12 missing
  CHECK(seed_gaps(merge_reports(files)) == std::vector<uint64_t>{12});
}

TEST_CASE("merge refuses reports that do not belong together", "[sim][sweep]") {
  Scenario sc = small_scenario();
  auto ps = specs({"fifo", "credit"});
  NamedReport a = through_file(sweep(sc, ps, 1, 1, 1), "a.json");
  NamedReport b = through_file(sweep(sc, ps, 2, 1, 1), "b.json");
  REQUIRE_THAT(merge_error({a, b}), Catch::Equals("no error"));
  auto changed = [&](const std::function<void(json&)>& f) {
    NamedReport c = b;
    f(c.report);
    return c;
  };
  CHECK_THAT(merge_error({a, changed([](json& j) { j["scenario"] = "other"; })}),
             Catch::Contains("b.json") && Catch::Contains("'scenario'") && Catch::Contains("a.json"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["scenario_digest"] = "0123456789abcdef"; })}),
             Catch::Contains("b.json") && Catch::Contains("scenario_digest") && Catch::Contains("edited"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["duration_ms"] = 999.0; })}),
             Catch::Contains("b.json") && Catch::Contains("'duration_ms'"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["warmup_ms"] = 1.0; })}), Catch::Contains("'warmup_ms'"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["engine"] = "verilator"; })}),
             Catch::Contains("b.json") && Catch::Contains("'engine'"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["prestage"] = true; })}), Catch::Contains("'prestage'"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["host"]["cores"] = 9; })}), Catch::Contains("'host'"));
  CHECK_THAT(merge_error({a, through_file(sweep(sc, specs({"fifo", "credit", "vtslice"}), 2, 1, 1), "b.json")}),
             Catch::Contains("b.json") && Catch::Contains("'order'") && Catch::Contains("policy sets"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["seed"] = 1; })}),
             Catch::Contains("b.json") && Catch::Contains("'seed'") && Catch::Contains("also in a.json"));
  CHECK_THAT(
      merge_error({a, changed([](json& j) { j["policies"]["credit"].erase("preemptions"); })}),
      Catch::Contains("b.json") && Catch::Contains("'policies.credit.preemptions'") && Catch::Contains("missing"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["policies"]["fifo"]["request_latency_us"].erase("p99"); })}),
             Catch::Contains("'policies.fifo.request_latency_us.p99'"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["policies"]["credit"]["shards"] = "many"; })}),
             Catch::Contains("'policies.credit.shards'") && Catch::Contains("expected a number"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["policies"]["credit"]["policy"] = "fifo"; })}),
             Catch::Contains("'policies.credit.policy'"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["policies"]["credit"]["extra_figure"] = 1; })}),
             Catch::Contains("b.json") && Catch::Contains("policies.credit.extra_figure"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j.erase("order"); })}),
             Catch::Contains("b.json") && Catch::Contains("'order'") && Catch::Contains("missing"));
  CHECK_THAT(merge_error({a, changed([](json& j) { j["version"] = "9.9.9"; })}), Catch::Contains("'version'"));
  CHECK_THAT(merge_error({a, {"m.json", merge_reports({a, b})}}),
             Catch::Contains("m.json") && Catch::Contains("already a merged"));
  CHECK_THAT(merge_error({a, {"n.json", json::array()}}), Catch::Contains("n.json"));

  // a file that is not JSON (a run killed while writing it) or is not there
  auto path = (std::filesystem::temp_directory_path() / "vshard_sweep_test_cut.json").string();
  std::ofstream(path) << a.report.dump(2).substr(0, 300);
  try {
    read_report(path);
    FAIL("a cut JSON file was read");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kBadInput);
    CHECK_THAT(std::string(e.what()), Catch::Contains(path) && Catch::Contains("not a JSON report"));
  }
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(read_report("/nonexistent/seed-1.json"), Catch::Contains("/nonexistent/seed-1.json"));
}
