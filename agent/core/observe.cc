// The agent's timeline and counters in the formats of vshard/trace.h and
// vshard/metrics.h (docs/observability.md): what `vshard agent --trace` and
// `--metrics-file` write.
#include <algorithm>
#include <string>

#include "vshard/agent/agent.h"

namespace vshard::agent {

namespace {

// The scheduler numbers the server vCPUs first, then the batch VM's
// (agent.cc, Runtime's constructor); helpers run shards of a batch vCPU and
// are drawn as that vCPU's shard slices.
std::string vcpu_label(const AgentScenario& sc, uint32_t v) {
  if (v < sc.servers) return "server " + std::to_string(v);
  return "batch " + std::to_string(v - sc.servers);
}

trace::Mark mark_of(Timeline::Instant::Kind k) {
  switch (k) {
    case Timeline::Instant::Kind::kWake: return trace::Mark::kWake;
    case Timeline::Instant::Kind::kPreempt: return trace::Mark::kPreempt;
    case Timeline::Instant::Kind::kShard: return trace::Mark::kShard;
    case Timeline::Instant::Kind::kAbort: return trace::Mark::kAbort;
    case Timeline::Instant::Kind::kCommit: break;
  }
  return trace::Mark::kCommit;
}

}  // namespace

void record_agent_trace(trace::TraceRecorder& rec, const AgentResult& r, const AgentScenario& sc) {
  rec.set_other("source", "vshard agent");
  rec.set_other("scenario", r.scenario);
  rec.set_other("vcpus", r.backend);
  rec.set_other("engine", r.engine);
  rec.set_other("policy", "shard");
  rec.set_other("phase", "agent, first round");
  std::string cpus;
  for (int c : r.cpus) {
    if (!cpus.empty()) cpus += ',';
    cpus += std::to_string(c);
  }
  rec.set_other("cpus", cpus);
  const PhaseResult* agent = nullptr;
  for (const PhaseResult& p : r.phases)
    if (p.name == "agent") agent = &p;
  if (agent == nullptr) return;  // interrupted before the agent phase: an empty timeline
  const uint32_t vm_server = 0, vm_batch = 1;
  for (const Timeline::Slice& s : agent->timeline.slices) {
    const bool server = s.vcpu < sc.servers;
    rec.slice(s.core, s.start_us, s.end_us, vcpu_label(sc, s.vcpu), s.vcpu, server ? vm_server : vm_batch,
              s.kind == Timeline::Slice::Kind::kShard ? trace::SliceKind::kShard : trace::SliceKind::kRun);
  }
  uint32_t agent_track = 0;
  bool have_agent_track = false;
  for (const Timeline::Instant& i : agent->timeline.instants) {
    uint32_t track;
    if (i.core >= 0) {
      track = static_cast<uint32_t>(i.core);
    } else {
      if (!have_agent_track) {
        agent_track = rec.add_track("agent");
        have_agent_track = true;
      }
      track = agent_track;
    }
    trace::Args args;
    if (i.kind != Timeline::Instant::Kind::kCommit && i.kind != Timeline::Instant::Kind::kAbort) {
      args.push_back({"vcpu", static_cast<int64_t>(i.vcpu)});
      args.push_back({"label", vcpu_label(sc, i.vcpu)});
    }
    rec.instant(track, i.t_us, mark_of(i.kind), std::move(args));
  }
}

AgentMetrics::AgentMetrics(std::string scenario) : scenario_(std::move(scenario)) {}

void AgentMetrics::add(LiveCounters& into, const LiveCounters& c) {
  into.seconds += c.seconds;
  into.requests_injected += c.requests_injected;
  into.requests_completed += c.requests_completed;
  into.blocks_claimed += c.blocks_claimed;
  into.agent_cpu_s += c.agent_cpu_s;
  host::SchedStats& a = into.sched;
  const host::SchedStats& b = c.sched;
  a.wakes += b.wakes;
  a.preemptions += b.preemptions;
  a.shard_preemptions += b.shard_preemptions;
  a.shards += b.shards;
  a.rotations += b.rotations;
  a.steals += b.steals;
  a.pulls += b.pulls;
  a.commits += b.commits;
  a.aborts += b.aborts;
  a.prestage_reads += b.prestage_reads;
  a.engine_events += b.engine_events;
  a.engine_decisions += b.engine_decisions;
  a.profiles_sent += b.profiles_sent;
  a.parks += b.parks;
  a.decision_us_total += b.decision_us_total;
}

void AgentMetrics::update(const LiveCounters& c) {
  std::lock_guard<std::mutex> g(mu_);
  if (!c.backend.empty()) backend_ = c.backend;
  if (c.phase == "agent" && !c.engine.empty()) engine_ = c.engine;
  Sums& s = phases_[c.phase];
  if (c.final) {
    // The round ends: its last counts join the finished rounds, so every
    // counter stays monotonic across rounds.
    add(s.done, c);
    s.current = LiveCounters{};
    ++s.rounds;
  } else {
    s.current = c;
  }
}

metrics::Exposition AgentMetrics::exposition() const {
  metrics::Exposition m;
  std::lock_guard<std::mutex> g(mu_);
  m.info("vshard_agent", "the agent run these counters belong to",
         {{"scenario", scenario_}, {"vcpus", backend_}, {"engine", engine_}});
  for (const auto& [phase, s] : phases_) {
    LiveCounters t = s.done;
    add(t, s.current);
    const metrics::Labels l = {{"phase", phase}};
    m.counter("vshard_agent_rounds", "rounds of the phase finished", s.rounds, l);
    m.counter("vshard_agent_phase_seconds", "time the phase has run", t.seconds, l, "seconds");
    m.counter("vshard_agent_requests_injected", "requests put in the latency vCPUs' mailboxes", t.requests_injected, l);
    m.counter("vshard_agent_requests_completed", "requests the latency vCPUs answered", t.requests_completed, l);
    m.counter("vshard_agent_blocks_claimed", "batch blocks claimed from the guest queue", t.blocks_claimed, l);
    m.counter("vshard_agent_cpu_seconds", "CPU time of the agent thread (of the request generator under Linux)",
              t.agent_cpu_s, l, "seconds");
    if (phase == "agent") metrics::add_sched_stats(m, t.sched, {{"policy", "shard"}, {"phase", phase}});
  }
  return m;
}

}  // namespace vshard::agent
