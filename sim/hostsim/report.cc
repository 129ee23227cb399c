#include "report.h"

#include <filesystem>
#include <fstream>

#include "vshard/error.h"

#ifndef VSHARD_VERSION
#define VSHARD_VERSION "0.0.0"
#endif

namespace vshard::hostsim {

const char* version_string() { return VSHARD_VERSION; }

namespace {
nlohmann::json lat_json(const LatencySummary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"p50", s.p50},
          {"p99", s.p99},     {"p999", s.p999}, {"max", s.max}};
}
}  // namespace

nlohmann::json to_json(const Scenario& sc, const RunInfo& info, const std::vector<PolicyResult>& results) {
  nlohmann::json j;
  j["version"] = version_string();
  j["spec_version"] = "1.0";
  j["scenario"] = sc.name;
  j["scenario_file"] = sc.path;
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
                  return nlohmann::json{{"cores", p.cores}, {"vcpus", p.vcpus},
                                        {"nodes", p.nodes}, {"max_shards", p.max_shards}};
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
    p["batch_progress_lost_ms_per_s"] = r.batch_lost_ms_per_s;
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
    pol[r.spec.label] = p;
  }
  j["order"] = order;
  j["policies"] = pol;
  return j;
}

void print_table(std::FILE* out, const Scenario& sc, const RunInfo& info,
                 const std::vector<PolicyResult>& results) {
  std::fprintf(out, "scenario %s: %u node(s), %u cores, %u vCPUs, %.0f ms (warm-up %.0f ms), seed %llu, engine %s\n",
               sc.name.c_str(), sc.topo.nodes, sc.topo.cores(), sc.total_vcpus(), sc.duration_ms,
               sc.warmup_ms, static_cast<unsigned long long>(info.seed), info.engine.c_str());
  std::fprintf(out, "%-10s %9s %9s %9s | %9s %9s %9s | %10s %8s %8s %7s %7s %6s %10s\n", "policy",
               "wake p50", "p99", "p99.9", "req p50", "p99", "p99.9", "batch b/s", "lost ms/s",
               "preempt", "shards", "aborts", "jain", "events/s");
  for (const auto& r : results) {
    std::fprintf(out, "%-10s %9.1f %9.1f %9.1f | %9.1f %9.1f %9.1f | %10.0f %8.1f %8llu %7llu %7llu %6.3f %10.3g\n",
                 r.spec.label.c_str(), r.wake.p50, r.wake.p99, r.wake.p999, r.request.p50,
                 r.request.p99, r.request.p999, r.batch_blocks_per_s, r.batch_lost_ms_per_s,
                 static_cast<unsigned long long>(r.sched.preemptions),
                 static_cast<unsigned long long>(r.sched.shards),
                 static_cast<unsigned long long>(r.sched.aborts), r.jain, r.events_per_s);
  }
  std::fprintf(out, "(latencies in µs of latency-class vCPUs; batch b/s = blocks per simulated second;\n"
                    " lost ms/s = preempted batch vCPUs' stall per simulated second; events/s per CPU second)\n");
}

std::string write_plots(const std::string& dir, const Scenario& sc,
                        const std::vector<PolicyResult>& results) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  for (const auto& r : results) {
    std::ofstream f(dir + "/cdf_" + r.spec.label + ".dat");
    if (!f) return "cannot write " + dir + "/cdf_" + r.spec.label + ".dat";
    f << "# request latency (us)  cumulative fraction   policy " << r.spec.label << "\n";
    for (const auto& [x, y] : r.request_cdf) f << x << ' ' << y << '\n';
  }
  {
    std::ofstream f(dir + "/throughput.dat");
    f << "# policy  batch_blocks_per_s  request_p99_us\n";
    for (const auto& r : results)
      f << '"' << r.spec.label << "\" " << r.batch_blocks_per_s << ' ' << r.request.p99 << '\n';
  }
  int status = std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1");
  std::string png = status == 0 ? "pngcairo size 900,600" : "png size 900,600";
  std::ofstream gp(dir + "/plots.gp");
  if (!gp) return "cannot write " + dir + "/plots.gp";
  auto cdf = [&](const std::string& term, const std::string& file) {
    gp << "set terminal " << term << "\nset output '" << file << "'\n";
    gp << "set title 'Request latency CDF — " << sc.name << "'\nset logscale x\n"
       << "set xlabel 'request latency (µs)'\nset ylabel 'fraction of requests'\n"
       << "set key bottom right\nset grid\n";
    gp << "plot ";
    bool first = true;
    for (const auto& r : results) {
      if (r.request_cdf.empty()) continue;
      gp << (first ? "" : ", ") << "'cdf_" << r.spec.label << ".dat' using 1:2 with lines lw 2 title '"
         << r.spec.label << "'";
      first = false;
    }
    if (first) gp << "0 title 'no requests'";
    gp << "\nunset logscale x\n";
  };
  auto bars = [&](const std::string& term, const std::string& file) {
    gp << "set terminal " << term << "\nset output '" << file << "'\n";
    gp << "set title 'Batch throughput — " << sc.name << "'\nset style fill solid 0.6\n"
       << "set boxwidth 0.6\nset ylabel 'blocks per simulated second'\nset xlabel ''\n"
       << "set yrange [0:*]\nunset key\nset grid ytics\n"
       << "plot 'throughput.dat' using 0:2:xtic(1) with boxes\n";
  };
  cdf(png, "latency_cdf.png");
  cdf("svg size 900,600", "latency_cdf.svg");
  bars(png, "throughput.png");
  bars("svg size 900,600", "throughput.svg");
  gp.close();
  std::string cmd = "cd '" + dir + "' && gnuplot plots.gp 2>gnuplot.log";
  status = std::system(cmd.c_str());
  if (status != 0) return "gnuplot failed (see " + dir + "/gnuplot.log); is gnuplot installed?";
  return "";
}

}  // namespace vshard::hostsim
