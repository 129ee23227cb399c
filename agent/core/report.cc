// The agent's JSON and side-by-side table (include/vshard/agent/agent.h).
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "vshard/agent/agent.h"

namespace vshard::agent {
namespace {

nlohmann::json pj(const Percentiles& p) {
  return {{"n", p.n}, {"p50_us", p.p50_us}, {"p99_us", p.p99_us}, {"p999_us", p.p999_us}, {"max_us", p.max_us}};
}

}  // namespace

std::string result_json(const AgentResult& r) {
  nlohmann::json j;
  j["scenario"] = r.scenario;
  j["backend"] = r.backend;
  j["backend_note"] = r.backend_note;
  j["engine"] = r.engine;
  j["cores"] = r.cores;
  j["cpus"] = r.cpus;
  j["work_rounds_per_us"] = r.work_rounds_per_us;
  j["interrupted"] = r.interrupted;
  j["ok"] = r.ok();
  if (r.have_floors) j["floors"] = {{"wake", pj(r.floors.wake)}, {"kick", pj(r.floors.kick)}};
  j["phases"] = nlohmann::json::array();
  for (const PhaseResult& p : r.phases) {
    nlohmann::json q;
    q["name"] = p.name;
    q["engine"] = p.engine;
    q["seconds"] = p.seconds;
    q["requests"] = {{"injected", p.requests_injected}, {"completed", p.requests_completed}};
    q["wake_to_run"] = pj(p.wake_to_run);
    q["request_latency"] = pj(p.request);
    q["blocks"] = {{"per_s", p.blocks_per_s},
                   {"claimed", p.blocks_claimed},
                   {"executed_once", p.blocks_done},
                   {"in_flight_at_stop", p.blocks_in_flight},
                   {"bad", p.blocks_bad}};
    q["scheduler"] = {{"wakes", p.wakes},
                      {"preemptions", p.preemptions},
                      {"shard_preemptions", p.shard_preemptions},
                      {"shards", p.shards},
                      {"shard_blocks", p.shard_blocks},
                      {"joins_completed", p.joins_completed},
                      {"joins_open_at_stop", p.joins_open},
                      {"rotations", p.rotations},
                      {"commits", p.commits},
                      {"aborts", p.aborts},
                      {"engine_events", p.engine_events},
                      {"engine_failed_over", p.engine_failed_over}};
    q["agent_cpu"] = {
        {"seconds", p.agent_cpu_s}, {"percent_of_one_cpu", p.agent_cpu_pct}, {"sched_fifo", p.agent_fifo}};
    q["decision_path"] = pj(p.decision_path);
    q["enforcement"] = pj(p.enforcement);
    q["kick_to_parked"] = pj(p.kick_to_parked);
    q["runs"] = {{"total", p.runs},
                 {"on_wrong_core", p.runs_on_wrong_core},
                 {"affinity_changes", p.affinity_changes},
                 {"shard_runs", p.shard_runs},
                 {"shard_runs_on_wrong_core", p.shard_runs_on_wrong_core},
                 {"released", p.released}};
    q["failures"] = p.failures;
    q["timeline"] = {{"slices", p.timeline.slices.size()}, {"instants", p.timeline.instants.size()}};
    j["phases"].push_back(q);
  }
  return j.dump(2) + "\n";
}

std::string result_table(const AgentResult& r) {
  std::string out;
  char b[512];
  auto line = [&](const char* fmt, auto... a) {
    std::snprintf(b, sizeof b, fmt, a...);
    out += b;
  };
  line("vshard agent: scenario %s, %u cores, vCPUs: %s%s%s, engine %s\n", r.scenario.c_str(), r.cores,
       r.backend.c_str(), r.backend_note.empty() ? "" : " - ", r.backend_note.c_str(), r.engine.c_str());
  if (r.have_floors)
    line("floors (same threads): futex park->run p50 %.1f p99 %.1f us; kick->parked p50 %.1f p99 %.1f us\n",
         r.floors.wake.p50_us, r.floors.wake.p99_us, r.floors.kick.p50_us, r.floors.kick.p99_us);
  line("%-34s", "");
  for (const PhaseResult& p : r.phases) line("%18s", p.name.c_str());
  out += "\n";
  auto row = [&](const char* name, auto get, const char* fmt) {
    line("%-34s", name);
    for (const PhaseResult& p : r.phases) line(fmt, get(p));
    out += "\n";
  };
  row(
      "seconds", [](const PhaseResult& p) { return p.seconds; }, "%18.2f");
  row(
      "requests completed", [](const PhaseResult& p) { return static_cast<unsigned long long>(p.requests_completed); },
      "%18llu");
  row(
      "wake-to-run p50 (us)", [](const PhaseResult& p) { return p.wake_to_run.p50_us; }, "%18.1f");
  row(
      "wake-to-run p99 (us)", [](const PhaseResult& p) { return p.wake_to_run.p99_us; }, "%18.1f");
  row(
      "wake-to-run p99.9 (us)", [](const PhaseResult& p) { return p.wake_to_run.p999_us; }, "%18.1f");
  row(
      "request latency p50 (us)", [](const PhaseResult& p) { return p.request.p50_us; }, "%18.1f");
  row(
      "request latency p99 (us)", [](const PhaseResult& p) { return p.request.p99_us; }, "%18.1f");
  row(
      "request latency p99.9 (us)", [](const PhaseResult& p) { return p.request.p999_us; }, "%18.1f");
  row(
      "batch blocks/s", [](const PhaseResult& p) { return p.blocks_per_s; }, "%18.0f");
  row(
      "preemptions", [](const PhaseResult& p) { return static_cast<unsigned long long>(p.preemptions); }, "%18llu");
  row(
      "shards", [](const PhaseResult& p) { return static_cast<unsigned long long>(p.shards); }, "%18llu");
  row(
      "agent/generator CPU (% of 1 CPU)", [](const PhaseResult& p) { return p.agent_cpu_pct; }, "%18.1f");
  row(
      "decision path p50 (us)", [](const PhaseResult& p) { return p.decision_path.p50_us; }, "%18.1f");
  row(
      "decision path p99 (us)", [](const PhaseResult& p) { return p.decision_path.p99_us; }, "%18.1f");
  row(
      "kick->parked p50 (us)", [](const PhaseResult& p) { return p.kick_to_parked.p50_us; }, "%18.1f");
  for (const PhaseResult& p : r.phases) {
    line("checks (%s): ", p.name.c_str());
    if (p.failures.empty()) {
      out += "all passed";
    } else {
      for (size_t i = 0; i < p.failures.size(); ++i) out += (i ? "; " : "") + p.failures[i];
    }
    out += "\n";
  }
  if (r.interrupted) out += "interrupted (SIGINT/SIGTERM): stopped cleanly; the phases above are what ran\n";
  return out;
}

}  // namespace vshard::agent
