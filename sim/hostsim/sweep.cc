#include "vshard/hostsim/sweep.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "vshard/hostsim/stats.h"
#include "vshard/error.h"

namespace vshard::hostsim {

using json = nlohmann::json;

std::vector<json> run_sweep(const Scenario& sc, const std::vector<PolicySpec>& policies, const RunInfo& info,
                            const SweepOptions& opt) {
  if (opt.seeds == 0) throw Error(Errc::kBadConfig, "a sweep needs at least one seed");
  if (opt.jobs == 0) throw Error(Errc::kBadConfig, "a sweep needs at least one job");
  if (policies.empty()) throw Error(Errc::kBadConfig, "a sweep needs at least one policy");
  const size_t np = policies.size(), n = np * opt.seeds;
  // Run i is policy i % np with seed first_seed + i / np: the seeds come in
  // order, so partial progress covers every policy.
  std::vector<PolicyResult> results(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      const PolicySpec& ps = policies[i % np];
      RunOptions ro;
      ro.seed = opt.first_seed + i / np;
      if (opt.progress)
        ro.progress = [&, seed = ro.seed](const std::string& label, double f) { opt.progress(label, seed, f); };
      try {
        results[i] = simulate(sc, ps, ro);
        if (opt.done) opt.done(results[i], ro.seed);
      } catch (...) {
        errors[i] = std::current_exception();
        failed.store(true);
      }
    }
  };
  const size_t threads = std::min<size_t>(opt.jobs, n);
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  std::vector<json> reports;
  for (uint32_t s = 0; s < opt.seeds; ++s) {
    RunInfo ri = info;
    ri.seed = opt.first_seed + s;
    std::vector<PolicyResult> per_seed(results.begin() + s * np, results.begin() + (s + 1) * np);
    reports.push_back(to_json(sc, ri, per_seed));
  }
  return reports;
}

NamedReport read_report(const std::string& path) {
  NamedReport r{path, {}};
  try {
    r.report = json::parse(read_text_file(path, "the report"));
  } catch (const json::parse_error& e) {
    throw Error(Errc::kBadInput, path + ": not a JSON report (byte " + std::to_string(e.byte) + "): " + e.what() +
                                     "; was its run cut short?");
  }
  return r;
}

namespace {

[[noreturn]] void bad_field(const std::string& source, const std::string& field, const std::string& what) {
  throw Error(Errc::kBadInput, source + ": field '" + field + "': " + what);
}

enum class Kind { kString, kNumber, kUnsigned, kBool, kObject, kArray };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kString: return "a string";
    case Kind::kNumber: return "a number";
    case Kind::kUnsigned: return "a non-negative integer";
    case Kind::kBool: return "true or false";
    case Kind::kObject: return "an object";
    case Kind::kArray: return "an array";
  }
  return "?";
}

bool is(const json& v, Kind k) {
  switch (k) {
    case Kind::kString: return v.is_string();
    case Kind::kNumber: return v.is_number();
    case Kind::kUnsigned: return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
    case Kind::kBool: return v.is_boolean();
    case Kind::kObject: return v.is_object();
    case Kind::kArray: return v.is_array();
  }
  return false;
}

// obj[key], which must exist and be of kind k; errors name path + key.
const json& need(const std::string& source, const json& obj, const std::string& path, const std::string& key, Kind k) {
  const std::string field = path.empty() ? key : path + "." + key;
  auto it = obj.find(key);
  if (it == obj.end()) bad_field(source, field, "missing (is this a report of vshard sim --seeds 1?)");
  if (!is(*it, k)) bad_field(source, field, std::string("expected ") + kind_name(k) + ", found " + it->type_name());
  return *it;
}

std::string short_dump(const json& v) {
  std::string s = v.dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// Fields that measure the machine the run was made on, not the simulated
// host: summarised separately (timing) and left out of comparisons.
constexpr const char* kTimingFields[] = {"wall_s", "cpu_s", "sim_events_per_s"};
bool is_timing(const std::string& k) {
  return std::any_of(std::begin(kTimingFields), std::end(kTimingFields), [&](const char* t) { return k == t; });
}

// The per-policy fields every single-seed report has (to_json).
void check_policy(const std::string& src, const json& p, const std::string& path) {
  for (const char* k : {"policy", "decision_path", "engine"}) need(src, p, path, k, Kind::kString);
  for (const char* lat : {"wake_latency_us", "request_latency_us"}) {
    const json& o = need(src, p, path, lat, Kind::kObject);
    for (const char* k : {"count", "mean", "p50", "p99", "p999", "max"})
      need(src, o, path + "." + lat, k, Kind::kNumber);
  }
  for (const char* k : {"batch_throughput_blocks_per_s", "batch_work_cores", "batch_progress_lost_ms_per_s",
                        "batch_lost_us_per_preemption", "preemptions", "shards", "commits", "aborts",
                        "credit_fairness_jain", "mean_decision_us", "sim_events"})
    need(src, p, path, k, Kind::kNumber);
  for (const char* k : kTimingFields) need(src, p, path, k, Kind::kNumber);
  for (const auto& pt : need(src, p, path, "request_cdf", Kind::kArray))
    if (!pt.is_array() || pt.size() != 2 || !pt[0].is_number() || !pt[1].is_number())
      bad_field(src, path + ".request_cdf", "expected [latency_us, fraction] pairs");
}

// A single-seed report's shape: what the merge and the table read.
void check_single(const NamedReport& r) {
  const std::string& src = r.source;
  if (!r.report.is_object()) throw Error(Errc::kBadInput, src + ": not a vshard sim report (not a JSON object)");
  if (r.report.contains("seeds"))
    throw Error(Errc::kBadInput, src +
                                     ": field 'seeds': this is already a merged multi-seed report; "
                                     "merge takes the single-seed reports (vshard sim --seeds 1 --json)");
  for (const char* k : {"version", "spec_version", "scenario", "scenario_file", "scenario_digest", "engine"})
    need(src, r.report, "", k, Kind::kString);
  need(src, r.report, "", "seed", Kind::kUnsigned);
  need(src, r.report, "", "prestage", Kind::kBool);
  need(src, r.report, "", "duration_ms", Kind::kNumber);
  need(src, r.report, "", "warmup_ms", Kind::kNumber);
  need(src, r.report, "", "host", Kind::kObject);
  const json& order = need(src, r.report, "", "order", Kind::kArray);
  const json& pol = need(src, r.report, "", "policies", Kind::kObject);
  if (order.empty()) bad_field(src, "order", "no policies");
  for (const auto& label : order) {
    if (!label.is_string()) bad_field(src, "order", "expected policy names");
    check_policy(src, need(src, pol, "policies", label.get<std::string>(), Kind::kObject),
                 "policies." + label.get<std::string>());
  }
  if (pol.size() != order.size()) bad_field(src, "policies", "holds policies that are not in 'order'");
}

// Summary of every numeric field of runs[*] (the same policy, one run per
// seed), recursing into objects. Every run must have the same fields.
json summarize(const std::vector<const json*>& runs, const std::vector<const NamedReport*>& src,
               const std::string& path, bool top) {
  json out = json::object();
  const json& first = *runs[0];
  for (size_t i = 1; i < runs.size(); ++i)
    for (const auto& [k, v] : runs[i]->items())
      if (!first.contains(k))
        bad_field(src[i]->source, path + "." + k, "not in " + src[0]->source + ": reports of different versions?");
  for (const auto& [k, v0] : first.items()) {
    if (top && (is_timing(k) || k == "request_cdf" || v0.is_string())) continue;
    const std::string field = path + "." + k;
    if (v0.is_object()) {
      std::vector<const json*> sub;
      for (size_t i = 0; i < runs.size(); ++i) sub.push_back(&need(src[i]->source, *runs[i], path, k, Kind::kObject));
      out[k] = summarize(sub, src, field, false);
    } else if (v0.is_number()) {
      std::vector<double> xs;
      for (size_t i = 0; i < runs.size(); ++i)
        xs.push_back(need(src[i]->source, *runs[i], path, k, Kind::kNumber).get<double>());
      CiSummary s = summarize_ci(xs);
      out[k] = {{"mean", s.mean}, {"ci95", s.ci95}, {"n", s.n}, {"min", s.min}, {"max", s.max}};
    } else {
      bad_field(src[0]->source, field, std::string("unexpected ") + v0.type_name() + " in a report");
    }
  }
  return out;
}

}  // namespace

json merge_reports(std::vector<NamedReport> inputs) {
  if (inputs.empty()) throw Error(Errc::kBadConfig, "no reports to merge");
  for (auto& r : inputs) {
    check_single(r);
    r.report.erase("plots_error");  // about that run's plots, not its figures
  }
  std::stable_sort(inputs.begin(), inputs.end(), [](const NamedReport& a, const NamedReport& b) {
    return a.report["seed"].get<uint64_t>() < b.report["seed"].get<uint64_t>();
  });
  if (inputs.size() == 1) return inputs[0].report;

  const NamedReport& base = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) {
    const NamedReport& r = inputs[i];
    if (r.report["seed"] == inputs[i - 1].report["seed"])
      bad_field(r.source, "seed",
                "seed " + r.report["seed"].dump() + " is also in " + inputs[i - 1].source + ": each seed once");
    for (const char* k : {"version", "spec_version", "scenario", "scenario_digest", "duration_ms", "warmup_ms",
                          "engine", "prestage", "host", "order"})
      if (r.report[k] != base.report[k])
        bad_field(r.source, k,
                  short_dump(r.report[k]) + " here but " + short_dump(base.report[k]) + " in " + base.source +
                      (std::string(k) == "scenario_digest" ? " (the scenario file was edited between the runs)"
                       : std::string(k) == "order"         ? " (different policy sets)"
                                                           : ""));
  }

  json out = json::object();
  for (const char* k : {"version", "spec_version", "scenario", "scenario_file", "scenario_digest", "engine", "prestage",
                        "duration_ms", "warmup_ms", "host", "order"})
    out[k] = base.report[k];
  out["seed"] = base.report["seed"];
  json seeds = json::array();
  for (const auto& r : inputs) seeds.push_back(r.report["seed"]);
  out["seeds"] = seeds;
  const size_t n = inputs.size();
  out["confidence"] = {{"level", 0.95}, {"method", "Student t"}, {"df", n - 1}, {"t", student_t975(n - 1)}};

  json pol = json::object();
  for (const auto& label_j : base.report["order"]) {
    const std::string label = label_j.get<std::string>();
    const std::string path = "policies." + label;
    std::vector<const json*> runs;
    std::vector<const NamedReport*> src;
    for (const auto& r : inputs) {
      const json& p = r.report["policies"][label];
      for (const char* k : {"policy", "decision_path", "engine"})
        if (p[k] != base.report["policies"][label][k])
          bad_field(
              r.source, path + "." + k,
              short_dump(p[k]) + " here but " + short_dump(base.report["policies"][label][k]) + " in " + base.source);
      runs.push_back(&p);
      src.push_back(&r);
    }
    json entry = json::object();
    for (const char* k : {"policy", "decision_path", "engine"}) entry[k] = (*runs[0])[k];
    json per_seed = json::array();
    json timing_runs = json::array();
    for (size_t i = 0; i < n; ++i) {
      json run = *runs[i];
      run.erase("request_cdf");
      run["seed"] = inputs[i].report["seed"];
      per_seed.push_back(run);
      json t = json::object();
      for (const char* k : kTimingFields) t[k] = (*runs[i])[k];
      timing_runs.push_back(t);
    }
    entry["runs"] = per_seed;
    entry["summary"] = summarize(runs, src, path, true);
    std::vector<const json*> truns;
    for (const auto& t : timing_runs) truns.push_back(&t);
    entry["timing"] = summarize(truns, src, path, false);
    entry["request_cdf"] = {{"seed", base.report["seed"]}, {"points", (*runs[0])["request_cdf"]}};
    pol[label] = entry;
  }
  out["policies"] = pol;
  return out;
}

std::vector<uint64_t> seed_gaps(const json& report) {
  std::vector<uint64_t> gaps;
  if (!report.contains("seeds")) return gaps;
  const json& s = report["seeds"];
  for (size_t i = 1; i < s.size(); ++i)
    for (uint64_t x = s[i - 1].get<uint64_t>() + 1; x < s[i].get<uint64_t>() && gaps.size() < 1000; ++x)
      gaps.push_back(x);
  return gaps;
}

}  // namespace vshard::hostsim
