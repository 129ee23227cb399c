#include "vshard/hostsim/report.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "vshard/error.h"

#ifndef VSHARD_VERSION
#define VSHARD_VERSION "0.0.0"
#endif

namespace vshard::hostsim {

using json = nlohmann::json;

const char* version_string() { return VSHARD_VERSION; }

namespace {
json lat_json(const LatencySummary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"p50", s.p50}, {"p99", s.p99}, {"p999", s.p999}, {"max", s.max}};
}
}  // namespace

nlohmann::json to_json(const Scenario& sc, const RunInfo& info, const std::vector<PolicyResult>& results) {
  nlohmann::json j;
  j["version"] = version_string();
  j["spec_version"] = "1.1";
  j["scenario"] = sc.name;
  j["scenario_file"] = sc.path;
  j["scenario_digest"] = sc.digest;
  j["engine_settings"] = sc.engine_settings;  // NAME=VALUE from the command line, on top of the file's
  j["seed"] = info.seed;
  j["engine"] = info.engine;
  j["prestage"] = info.prestage;
  j["duration_ms"] = sc.duration_ms;
  j["warmup_ms"] = sc.warmup_ms;
  j["host"] = {{"nodes", sc.topo.nodes},
               {"cores", sc.topo.cores()},
               {"vcpus", sc.total_vcpus()},
               {"engine_params", [&] {
                  Params p = sc.engine_params_for();
                  return nlohmann::json{
                      {"cores", p.cores}, {"vcpus", p.vcpus}, {"nodes", p.nodes}, {"max_shards", p.max_shards}};
                }()}};
  nlohmann::json order = nlohmann::json::array();
  nlohmann::json pol = nlohmann::json::object();
  for (const auto& r : results) {
    order.push_back(r.spec.label);
    nlohmann::json p;
    p["policy"] = policy_name(r.spec);
    p["decision_path"] = r.spec.peer == Peer::kNone && r.spec.policy == host::Policy::kShard
                             ? host::decision_path_name(r.spec.path)
                             : "software";
    p["engine"] = r.engine_name;
    p["wake_latency_us"] = lat_json(r.wake);
    p["request_latency_us"] = lat_json(r.request);
    nlohmann::json per = nlohmann::json::object();
    for (const auto& [name, sum] : r.workload_request) per[name] = lat_json(sum);
    p["workload_request_latency_us"] = per;
    p["batch_throughput_blocks_per_s"] = r.batch_blocks_per_s;
    p["batch_work_cores"] = r.batch_work_cores;
    nlohmann::json ww = nlohmann::json::object();
    for (const auto& [name, cores] : r.workload_work_cores_per_vcpu) ww[name] = cores;
    p["workload_batch_work_cores_per_vcpu"] = ww;
    p["batch_progress_lost_ms_per_s"] = r.batch_lost_ms_per_s;
    p["batch_lost_us_per_preemption"] = r.batch_lost_us_per_preemption;
    p["preemptions"] = r.sched.preemptions;
    p["shard_preemptions"] = r.sched.shard_preemptions;
    p["shards"] = r.sched.shards;
    p["commits"] = r.sched.commits;
    p["aborts"] = r.sched.aborts;
    p["rotations"] = r.sched.rotations;
    p["steals"] = r.sched.steals;
    p["cap_parks"] = r.sched.parks;
    p["engine_events"] = r.sched.engine_events;
    p["profiles_sent"] = r.sched.profiles_sent;
    p["mean_decision_us"] = r.mean_decision_us;
    p["credit_fairness_jain"] = r.jain;
    p["sim_events"] = r.sim_events;
    p["sim_events_per_s"] = r.events_per_s;
    p["wall_s"] = r.wall_s;
    p["cpu_s"] = r.cpu_s;
    nlohmann::json cdf = nlohmann::json::array();
    for (const auto& [x, y] : r.request_cdf) cdf.push_back({x, y});
    p["request_cdf"] = cdf;  // (µs, fraction): the plot's input, and sweep merge's
    pol[r.spec.label] = p;
  }
  j["order"] = order;
  j["policies"] = pol;
  return j;
}

bool is_multi_seed(const json& report) { return report.contains("seeds"); }

namespace {

// A figure of one policy: its value (one seed) or the mean and CI
// half-width (merged), by JSON pointer into the per-run object.
struct Fig {
  double mean = 0, ci = 0;
};
Fig figure(const json& pol, bool multi, const char* pointer) {
  json::json_pointer ptr(pointer);
  if (!multi) return {pol.at(ptr).get<double>(), 0.0};
  const json& s = pol.at("summary").at(ptr);
  return {s.at("mean").get<double>(), s.at("ci95").get<double>()};
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

const char* kTableNote =
    "(latencies in µs of latency-class vCPUs; batch b/s = blocks per simulated second;\n"
    " work cores = batch work done per simulated second, in cores at home-node speed;\n"
    " lost ms/s = preempted batch vCPUs' stall per simulated second, lost us/pre = the same per preemption";

void print_single(std::FILE* out, const json& j) {
  std::fprintf(out, "scenario %s: %u node(s), %u cores, %u vCPUs, %.0f ms (warm-up %.0f ms), seed %llu, engine %s\n",
               j["scenario"].get<std::string>().c_str(), j["host"]["nodes"].get<unsigned>(),
               j["host"]["cores"].get<unsigned>(), j["host"]["vcpus"].get<unsigned>(), j["duration_ms"].get<double>(),
               j["warmup_ms"].get<double>(), static_cast<unsigned long long>(j["seed"].get<uint64_t>()),
               j["engine"].get<std::string>().c_str());
  std::fprintf(out, "%-10s %9s %9s %9s | %9s %9s %9s | %10s %10s %9s %11s %8s %7s %7s %6s %10s\n", "policy", "wake p50",
               "p99", "p99.9", "req p50", "p99", "p99.9", "batch b/s", "work cores", "lost ms/s", "lost us/pre",
               "preempt", "shards", "aborts", "jain", "events/s");
  for (const auto& label : j["order"]) {
    const json& p = j["policies"][label.get<std::string>()];
    const json &w = p["wake_latency_us"], &q = p["request_latency_us"];
    std::fprintf(
        out,
        "%-10s %9.1f %9.1f %9.1f | %9.1f %9.1f %9.1f | %10.0f %10.2f %9.1f %11.1f %8llu %7llu %7llu %6.3f %10.3g\n",
        label.get<std::string>().c_str(), w["p50"].get<double>(), w["p99"].get<double>(), w["p999"].get<double>(),
        q["p50"].get<double>(), q["p99"].get<double>(), q["p999"].get<double>(),
        p["batch_throughput_blocks_per_s"].get<double>(), p["batch_work_cores"].get<double>(),
        p["batch_progress_lost_ms_per_s"].get<double>(), p["batch_lost_us_per_preemption"].get<double>(),
        static_cast<unsigned long long>(p["preemptions"].get<uint64_t>()),
        static_cast<unsigned long long>(p["shards"].get<uint64_t>()),
        static_cast<unsigned long long>(p["aborts"].get<uint64_t>()), p["credit_fairness_jain"].get<double>(),
        p["sim_events_per_s"].get<double>());
  }
  std::fprintf(out, "%s;\n events/s per CPU second)\n", kTableNote);
}

void print_multi(std::FILE* out, const json& j) {
  const json& seeds = j["seeds"];
  std::fprintf(
      out,
      "scenario %s: %u node(s), %u cores, %u vCPUs, %.0f ms (warm-up %.0f ms), seeds %llu..%llu (n = %zu), engine %s\n",
      j["scenario"].get<std::string>().c_str(), j["host"]["nodes"].get<unsigned>(), j["host"]["cores"].get<unsigned>(),
      j["host"]["vcpus"].get<unsigned>(), j["duration_ms"].get<double>(), j["warmup_ms"].get<double>(),
      static_cast<unsigned long long>(seeds.front().get<uint64_t>()),
      static_cast<unsigned long long>(seeds.back().get<uint64_t>()), seeds.size(),
      j["engine"].get<std::string>().c_str());
  struct Col {
    const char* head;
    const char* pointer;
    const char* format;
    bool bar_after;
  };
  static constexpr Col kCols[] = {
      {"wake p50", "/wake_latency_us/p50", "%.1f", false},
      {"p99", "/wake_latency_us/p99", "%.1f", false},
      {"p99.9", "/wake_latency_us/p999", "%.1f", true},
      {"req p50", "/request_latency_us/p50", "%.1f", false},
      {"p99", "/request_latency_us/p99", "%.1f", false},
      {"p99.9", "/request_latency_us/p999", "%.1f", true},
      {"batch b/s", "/batch_throughput_blocks_per_s", "%.0f", false},
      {"work cores", "/batch_work_cores", "%.2f", false},
      {"lost ms/s", "/batch_progress_lost_ms_per_s", "%.1f", false},
      {"lost us/pre", "/batch_lost_us_per_preemption", "%.1f", false},
      {"preempt", "/preemptions", "%.0f", false},
      {"shards", "/shards", "%.0f", false},
      {"aborts", "/aborts", "%.0f", false},
      {"jain", "/credit_fairness_jain", "%.3f", false},
  };
  constexpr size_t nc = sizeof(kCols) / sizeof(kCols[0]);
  std::vector<std::vector<std::string>> rows;
  rows.emplace_back();
  rows.back().push_back("policy");
  for (const Col& c : kCols) rows.back().push_back(c.head);
  for (const auto& label : j["order"]) {
    const json& p = j["policies"][label.get<std::string>()];
    rows.emplace_back();
    rows.back().push_back(label.get<std::string>());
    for (const Col& c : kCols) {
      Fig f = figure(p, true, c.pointer);
      rows.back().push_back(fmt(c.format, f.mean) + " ±" + fmt(c.format, f.ci));
    }
  }
  // widths in characters ("±" is two bytes, one column)
  auto width = [](const std::string& s) {
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
  };
  std::vector<size_t> w(nc + 1, 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  for (const auto& r : rows) {
    std::string line = r[0] + std::string(w[0] - width(r[0]), ' ');
    for (size_t i = 1; i < r.size(); ++i) {
      line += ' ' + std::string(w[i] - width(r[i]), ' ') + r[i];
      if (kCols[i - 1].bar_after) line += " |";
    }
    std::fprintf(out, "%s\n", line.c_str());
  }
  std::fprintf(
      out, "%s;\n each figure: mean ±half-width of its 95 %% confidence interval over %zu seeds, Student t, %zu df)\n",
      kTableNote, seeds.size(), seeds.size() - 1);
}

}  // namespace

void print_table(std::FILE* out, const json& report) {
  if (is_multi_seed(report)) {
    print_multi(out, report);
  } else {
    print_single(out, report);
  }
}

json without_timing(json report) {
  if (!report.contains("policies")) return report;
  for (auto& [label, p] : report["policies"].items()) {
    (void)label;
    p.erase("timing");
    for (const char* k : {"wall_s", "cpu_s", "sim_events_per_s"}) p.erase(k);
    if (p.contains("runs"))
      for (auto& r : p["runs"])
        for (const char* k : {"wall_s", "cpu_s", "sim_events_per_s"}) r.erase(k);
  }
  return report;
}

std::string write_plots(const std::string& dir, const json& report) {
  namespace fs = std::filesystem;
  const bool multi = is_multi_seed(report);
  const std::string name = report["scenario"].get<std::string>();
  std::vector<std::string> labels;
  for (const auto& l : report["order"]) labels.push_back(l.get<std::string>());
  const json& pols = report["policies"];
  auto cdf_points = [&](const std::string& l) -> const json& {
    return multi ? pols[l]["request_cdf"]["points"] : pols[l]["request_cdf"];
  };
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  for (const auto& l : labels) {
    std::ofstream f(dir + "/cdf_" + l + ".dat");
    if (!f) return "cannot write " + dir + "/cdf_" + l + ".dat";
    f << "# request latency (us)  cumulative fraction   policy " << l << "\n";
    for (const auto& pt : cdf_points(l)) f << pt[0].get<double>() << ' ' << pt[1].get<double>() << '\n';
  }
  {
    std::ofstream f(dir + "/throughput.dat");
    if (multi) {
      f << "# policy  batch_blocks_per_s(mean)  ci95_half_width  request_p99_us(mean)\n";
      for (const auto& l : labels) {
        Fig t = figure(pols[l], true, "/batch_throughput_blocks_per_s");
        f << '"' << l << "\" " << t.mean << ' ' << t.ci << ' ' << figure(pols[l], true, "/request_latency_us/p99").mean
          << '\n';
      }
    } else {
      f << "# policy  batch_blocks_per_s  request_p99_us\n";
      for (const auto& l : labels)
        f << '"' << l << "\" " << pols[l]["batch_throughput_blocks_per_s"].get<double>() << ' '
          << pols[l]["request_latency_us"]["p99"].get<double>() << '\n';
    }
  }
  bool any_requests = false;
  if (multi) {
    // request p99 and p99.9 with their CI as bar ends (log scale: a lower
    // end at or below 0 is drawn at 1 % of the mean)
    std::ofstream f(dir + "/request_tail.dat");
    f << "# policy  p99_mean  p99_low  p99_high  p999_mean  p999_low  p999_high  (us, 95 % CI)\n";
    for (const auto& l : labels) {
      if (figure(pols[l], true, "/request_latency_us/count").mean <= 0) continue;
      any_requests = true;
      f << '"' << l << '"';
      for (const char* ptr : {"/request_latency_us/p99", "/request_latency_us/p999"}) {
        Fig x = figure(pols[l], true, ptr);
        f << ' ' << x.mean << ' ' << std::max(x.mean - x.ci, x.mean / 100) << ' ' << x.mean + x.ci;
      }
      f << '\n';
    }
  }
  int status = std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1");
  std::string png = status == 0 ? "pngcairo size 900,600" : "png size 900,600";
  std::ofstream gp(dir + "/plots.gp");
  if (!gp) return "cannot write " + dir + "/plots.gp";
  auto cdf = [&](const std::string& term, const std::string& file) {
    gp << "set terminal " << term << "\nset output '" << file << "'\n";
    gp << "set title 'Request latency CDF — " << name;
    if (multi) gp << ", seed " << pols[labels[0]]["request_cdf"]["seed"].get<uint64_t>();
    gp << "'\nset logscale x\n"
       << "set xlabel 'request latency (µs)'\nset ylabel 'fraction of requests'\n"
       << "set key bottom right\nset grid\n";
    gp << "plot ";
    bool first = true;
    for (const auto& l : labels) {
      if (cdf_points(l).empty()) continue;
      gp << (first ? "" : ", ") << "'cdf_" << l << ".dat' using 1:2 with lines lw 2 title '" << l << "'";
      first = false;
    }
    if (first) gp << "0 title 'no requests'";
    gp << "\nunset logscale x\n";
  };
  auto bars = [&](const std::string& term, const std::string& file) {
    gp << "set terminal " << term << "\nset output '" << file << "'\n";
    gp << "set title 'Batch throughput — " << name << (multi ? " (mean, 95 % CI)" : "")
       << "'\nset style fill solid 0.6\n"
       << "set boxwidth 0.6\nset ylabel 'blocks per simulated second'\nset xlabel ''\n"
       << "set yrange [0:*]\nunset key\nset grid ytics\nset xrange [-0.5:" << labels.size() - 0.5 << "]\n";
    if (multi) {
      gp << "plot 'throughput.dat' using 0:2:3:xtic(1) with boxerrorbars\n";
    } else {
      gp << "plot 'throughput.dat' using 0:2:xtic(1) with boxes\n";
    }
    gp << "set xrange [*:*]\n";
  };
  auto tail = [&](const std::string& term, const std::string& file) {
    gp << "set terminal " << term << "\nset output '" << file << "'\n";
    gp << "set title 'Request latency tail — " << name << " (mean over seeds, 95 % CI)'\n"
       << "set logscale y\nset ylabel 'request latency (µs)'\nset xlabel ''\n"
       << "set yrange [*:*]\nset key below\nset grid ytics\nset xrange [-0.5:" << labels.size() - 0.5 << "]\n";
    if (any_requests) {
      gp << "plot 'request_tail.dat' using ($0-0.12):2:3:4:xtic(1) with yerrorbars pt 7 title 'p99', "
            "'' using ($0+0.12):5:6:7 with yerrorbars pt 5 title 'p99.9'\n";
    } else {
      gp << "plot 1 title 'no requests'\n";
    }
    gp << "unset logscale y\nset xrange [*:*]\nset key default\n";
  };
  cdf(png, "latency_cdf.png");
  cdf("svg size 900,600", "latency_cdf.svg");
  bars(png, "throughput.png");
  bars("svg size 900,600", "throughput.svg");
  if (multi) {
    tail(png, "request_tail.png");
    tail("svg size 900,600", "request_tail.svg");
  }
  gp.close();
  std::string cmd = "cd '" + dir + "' && gnuplot plots.gp 2>gnuplot.log";
  status = std::system(cmd.c_str());
  if (status != 0) return "gnuplot failed (see " + dir + "/gnuplot.log); is gnuplot installed?";
  fs::remove(dir + "/gnuplot.log", ec);  // kept only to explain a failure
  return "";
}

void check_report_output(const ReportOutput& o) {
  namespace fs = std::filesystem;
  auto make_dir = [](const fs::path& dir, const std::string& what) {
    if (dir.empty()) return;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
      throw Error(Errc::kIo, "cannot create " + what + " " + dir.string() + ": " +
                                 (ec ? ec.message() : std::string("a file of that name exists")));
    if (::access(dir.c_str(), W_OK) != 0) throw Error(Errc::kIo, what + " " + dir.string() + " is not writable");
  };
  make_dir(o.plots_dir, "the plots directory");
  const std::string json_path =
      o.json_path.empty() && !o.plots_dir.empty() ? o.plots_dir + "/report.json" : o.json_path;
  if (json_path.empty()) return;
  std::error_code ec;
  if (fs::is_directory(json_path, ec))
    throw Error(Errc::kIo, "the JSON report " + json_path + " is a directory: give a file name");
  make_dir(fs::path(json_path).parent_path(), "the JSON report's directory");
}

void publish_report(json report, const ReportOutput& o) {
  namespace fs = std::filesystem;
  print_table(stdout, report);
  std::fflush(stdout);
  std::string json_path = o.json_path;
  if (json_path.empty() && !o.plots_dir.empty()) json_path = o.plots_dir + "/report.json";
  if (!o.plots_dir.empty()) {
    std::string why = write_plots(o.plots_dir, report);
    if (!why.empty()) {
      std::fprintf(stderr, "vshard: plots not written: %s (the JSON report is)\n", why.c_str());
      report["plots_error"] = why;
    } else if (!o.quiet) {
      std::fprintf(stderr, "[sim] plots: %s/{latency_cdf,throughput%s}.{png,svg}\n", o.plots_dir.c_str(),
                   is_multi_seed(report) ? ",request_tail" : "");
    }
  }
  if (!json_path.empty()) {
    fs::path parent = fs::path(json_path).parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    std::ofstream f(json_path);
    if (!f) throw Error(Errc::kIo, "cannot write the JSON report " + json_path + ": check the directory");
    f << report.dump(2) << '\n';
    if (!f) throw Error(Errc::kIo, "writing the JSON report " + json_path + " failed (disk full?)");
    if (!o.quiet) std::fprintf(stderr, "[sim] JSON report: %s\n", json_path.c_str());
  }
}

}  // namespace vshard::hostsim
