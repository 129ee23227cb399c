// `vshard bench engine`: cycle figures of the RTL engine (Verilator). A mixed
// seeded random stream goes in with no back-pressure on either stream; it
// reports sustained events per cycle and the latency in cycles from an
// event's acceptance (s_axis_evt tvalid && tready) to its first decision
// (m_axis_dec tvalid), for non-sharding and sharding events separately, next
// to the targets of the design; then the same per event type and outcome
// (WAKE -> RUN, TICK -> PARK, preemption with K shards, ...), with the
// latency to the last decision, and the simulation's own speed (simulated
// cycles per wall second, issue 12's Verilator speed targets). --json writes
// the same figures. A report only: no pass/fail.
//
// `vshard bench frontend`: the same events through the card top vs_card_top
// (the engine behind its RTL DMA front-end, host memory with a fixed read
// latency): cycles from a doorbell to the first decision and to the
// prestaged line stored in host memory, and events/cycle with 16-event
// doorbells, next to the engine's own events/cycle (see bench_frontend).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "vshard/sim/card_harness.h"
#include "vshard/sim/card_host.h"
#include "vshard/sim/harness.h"
#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/event_log.h"
#include "vshard/model.h"
#include "vshard/regs.h"

namespace vshard::cli {
namespace {

struct BenchOpts {
  std::string engine = "verilator";
  std::string config = "small";
  uint64_t events = 200000;
  uint64_t seed = 1;
  double bad_fraction = 0.02;
  std::string json;  // --json: the figures as JSON, "" = none
};

// How the verilated model linked into this binary was built (verilate()'s
// flags, from sim/harness/CMakeLists.txt): the speed figures depend on it.
#ifdef VSHARD_VERILATOR_BUILD
constexpr const char* kVerilatorBuild = VSHARD_VERILATOR_BUILD;
#else
constexpr const char* kVerilatorBuild = "unknown";
#endif

struct Stats {
  std::vector<uint64_t> v;
  void print(const char* name, uint64_t target) {
    if (v.empty()) {
      std::printf("  %-13s n=0\n", name);
      return;
    }
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (uint64_t x : v) sum += static_cast<double>(x);
    const size_t p99 = std::min(v.size() - 1, static_cast<size_t>(std::ceil(0.99 * v.size())) - 1);
    std::printf("  %-13s n=%-8zu min %-4llu mean %-7.2f p99 %-4llu max %-4llu (target <= %llu)\n", name, v.size(),
                static_cast<unsigned long long>(v.front()), sum / v.size(), static_cast<unsigned long long>(v[p99]),
                static_cast<unsigned long long>(v.back()), static_cast<unsigned long long>(target));
  }
  // n, min, mean, p99, max (sorts v); {"n": 0} when empty.
  nlohmann::json json() {
    nlohmann::json j = {{"n", v.size()}};
    if (v.empty()) return j;
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (uint64_t x : v) sum += static_cast<double>(x);
    const size_t p99 = std::min(v.size() - 1, static_cast<size_t>(std::ceil(0.99 * v.size())) - 1);
    j["min"] = v.front();
    j["mean"] = sum / v.size();
    j["p99"] = v[p99];
    j["max"] = v.back();
    return j;
  }
};

// The row of the per-type table an event belongs to, from the model's
// decisions: its type and outcome ("WAKE -> RUN", "COMMIT -> ABORT + PREEMPT
// K=2", "TICK -> PARK", "ERROR").
std::string outcome(const Event& ev, const Decision* d, size_t k) {
  if (k == 1 && d[0].type == static_cast<uint8_t>(DecisionType::kError)) return "any -> ERROR";
  std::string row = std::string(event_type_name(ev.type)) + " -> ";
  size_t i = 0;
  if (d[0].type == static_cast<uint8_t>(DecisionType::kAbort)) {
    row += "ABORT + ";
    i = 1;
  }
  row += decision_type_name(d[i].type);
  if (d[i].type == static_cast<uint8_t>(DecisionType::kPreempt)) row += " K=" + std::to_string(d[i].b8);
  return row;
}

unsigned ceil_log2(uint32_t n) {
  unsigned k = 0;
  while ((1u << k) < n) ++k;
  return k;
}

void bench_engine(const BenchOpts& o) {
  if (o.engine != "verilator")
    throw Error(Errc::kUnsupported,
                "vshard bench engine measures RTL cycles: --engine must be 'verilator', not '" + o.engine + "'");
  if (o.events == 0) throw Error(Errc::kBadConfig, "--events must be at least 1");
  // Opened first: a bad --json path fails now, not after the run.
  std::ofstream json_out;
  if (!o.json.empty()) {
    json_out.open(o.json, std::ios::trunc);
    if (!json_out) throw Error(Errc::kIo, "cannot write --json file '" + o.json + "': check the path");
  }
  auto h = sim::Harness::create(o.config);
  const Params p = h->params();

  // The stream, and each event's class: 0 = non-sharding, 1 = sharding (its
  // decisions include SHARDs), 2 = ACCOUNT (a refill sweep over every vCPU).
  EventGenOptions go;
  go.bad_fraction = o.bad_fraction;
  const EventLog log = generate_event_log(p, o.seed, o.events, go);
  const size_t n = log.events.size();
  std::vector<uint8_t> cls(n, 0);
  std::vector<std::string> row(n);
  {
    Model m(p);
    Decision out[kMaxDecisionsPerEvent];
    for (size_t i = 0; i < n; ++i) {
      const size_t k = m.step(log.events[i], out);
      row[i] = outcome(log.events[i], out, k);
      for (size_t j = 0; j < k; ++j)
        if (out[j].type == static_cast<uint8_t>(DecisionType::kShard)) cls[i] = 1;
      if (log.events[i].type == static_cast<uint8_t>(EventType::kAccount) && k == 1 &&
          out[0].type == static_cast<uint8_t>(DecisionType::kAck))
        cls[i] = 2;
    }
  }

  h->reset();
  std::vector<uint64_t> accept(n, 0), first(n, UINT64_MAX), last(n, 0);
  size_t accepted = 0;
  h->on_accept = [&](const Event&, uint64_t cycle) { accept[accepted++] = cycle; };
  // seq -> index: the generator numbers events 1, 2, 3, ...
  for (size_t i = 0; i < n; ++i) {
    if (log.events[i].seq != i + 1) throw Error(Errc::kInternal, "generated events are not numbered 1, 2, 3, ...");
    h->push(log.events[i]);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t c0 = h->cycle();
  size_t answered = 0;
  uint64_t last_cycle = c0;
  const uint64_t deadline = c0 + 1000 + 200 * n;
  sim::ReceivedDecision rd;
  while (answered < n) {
    if (h->cycle() >= deadline)
      throw Error(Errc::kTimeout, "the engine answered " + std::to_string(answered) + " of " + std::to_string(n) +
                                      " events within " + std::to_string(deadline - c0) +
                                      " cycles; run `vshard diff` on this configuration to find out why");
    h->tick();
    while (h->pop(rd)) {
      const uint32_t idx = rd.decision.seq - 1;
      if (idx >= n) throw Error(Errc::kDeviceFailed, "decision with an unknown seq " + std::to_string(rd.decision.seq));
      if (first[idx] == UINT64_MAX) first[idx] = rd.valid_cycle;
      if (rd.decision.flags & kFlagLast) {
        last[idx] = rd.valid_cycle;
        ++answered;
        last_cycle = rd.fire_cycle;
      }
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t cycles = last_cycle - accept[0] + 1;
  // The simulation's speed: every cycle the loop above clocked (the stream's
  // cycles plus the few before the first acceptance and after the last
  // decision), over its wall time; stream set-up and the model excluded.
  const uint64_t simulated = h->cycle() - c0;
  const double cycles_per_sec = secs > 0 ? static_cast<double>(simulated) / secs : 0.0;

  Stats lat[3];
  uint64_t gaps[3] = {0, 0, 0}, counted[3] = {0, 0, 0};
  for (size_t i = 0; i < n; ++i) {
    lat[cls[i]].v.push_back(first[i] - accept[i]);
    // Cycles an event holds the ingress: until the next event is accepted.
    if (i + 1 < n) {
      gaps[cls[i]] += accept[i + 1] - accept[i];
      ++counted[cls[i]];
    }
  }
  auto rate = [&](int c) { return gaps[c] ? static_cast<double>(counted[c]) / gaps[c] : 0.0; };
  const uint64_t lat_target = 2ull * ceil_log2(p.cores) + 6;
  std::printf("vshard bench engine: verilator %s (cores=%u vcpus=%u nodes=%u max_shards=%u), %zu events, seed %llu\n",
              o.config.c_str(), p.cores, p.vcpus, p.nodes, p.max_shards, n, static_cast<unsigned long long>(o.seed));
  std::printf("stream: %zu non-sharding, %zu sharding, %zu ACCOUNT events; no back-pressure\n", lat[0].v.size(),
              lat[1].v.size(), lat[2].v.size());
  std::printf("throughput (events/cycle; an event's cycles run from its acceptance to the next one):\n");
  std::printf("  mixed stream  %.3f  (%zu events in %llu cycles; simulated in %.2f s wall, %.0f cycles/s)\n",
              static_cast<double>(n) / cycles, n, static_cast<unsigned long long>(cycles), secs, cycles_per_sec);
  std::printf("  non-sharding  %.3f  (target >= 0.95, issue 12)\n", rate(0));
  std::printf("  sharding      %.3f\n", rate(1));
  std::printf(
      "  ACCOUNT       %.5f  (%.0f cycles each to the next acceptance: the mirrored credits of the running"
      " vCPUs refilled, %u cores; the %u table words are refilled lazily)\n",
      rate(2), rate(2) > 0 ? 1.0 / rate(2) : 0.0, p.cores, p.vcpus);
  std::printf("latency, acceptance -> first decision valid (cycles):\n");
  lat[0].print("non-sharding", lat_target);
  lat[1].print("sharding", lat_target);
  lat[2].print("ACCOUNT", lat_target);
  nlohmann::json j;
  if (json_out.is_open()) {
    j["config"] = o.config;
    j["params"] = {{"cores", p.cores}, {"vcpus", p.vcpus}, {"nodes", p.nodes}, {"max_shards", p.max_shards}};
    j["events"] = n;
    j["seed"] = o.seed;
    j["bad_fraction"] = o.bad_fraction;
    j["stream_cycles"] = cycles;
    j["events_per_cycle"] = static_cast<double>(n) / cycles;
    const char* names[3] = {"non_sharding", "sharding", "account"};
    for (int c = 0; c < 3; ++c)
      j["classes"][names[c]] = {{"events_per_cycle", rate(c)}, {"latency_first_decision", lat[c].json()}};
    j["latency_target"] = lat_target;
    j["simulation"] = {{"cycles", simulated},
                       {"wall_seconds", secs},
                       {"cycles_per_second", cycles_per_sec},
                       {"verilator_build", kVerilatorBuild}};
  }
  std::printf("target latency 2*ceil(log2 NCores)+6 = %llu cycles\n", static_cast<unsigned long long>(lat_target));
  // Per event type and outcome: cycles the event holds the ingress (to the
  // next acceptance), and latency to its first and last decision.
  struct Row {
    Stats hold, first, last;
  };
  std::map<std::string, Row> rows;
  for (size_t i = 0; i < n; ++i) {
    Row& r = rows[row[i]];
    if (i + 1 < n) r.hold.v.push_back(accept[i + 1] - accept[i]);
    r.first.v.push_back(first[i] - accept[i]);
    r.last.v.push_back(last[i] - accept[i]);
  }
  auto mm = [](Stats& s, char* buf, size_t len) {
    if (s.v.empty()) {
      std::snprintf(buf, len, "-");
      return;
    }
    std::sort(s.v.begin(), s.v.end());
    double sum = 0;
    for (uint64_t x : s.v) sum += static_cast<double>(x);
    std::snprintf(buf, len, "%llu / %.2f / %llu", static_cast<unsigned long long>(s.v.front()), sum / s.v.size(),
                  static_cast<unsigned long long>(s.v.back()));
  };
  std::printf("per event type and outcome (cycles, min / mean / max; hold = acceptance to the next acceptance):\n");
  std::printf("  %-32s %8s  %-20s %-20s %-20s\n", "event -> decisions", "n", "hold", "first decision", "last decision");
  for (auto& [name, r] : rows) {
    char h1[64], f1[64], l1[64];
    mm(r.hold, h1, sizeof h1);
    mm(r.first, f1, sizeof f1);
    mm(r.last, l1, sizeof l1);
    std::printf("  %-32s %8zu  %-20s %-20s %-20s\n", name.c_str(), r.first.v.size(), h1, f1, l1);
    if (json_out.is_open())
      j["outcomes"][name] = {
          {"hold", r.hold.json()}, {"first_decision", r.first.json()}, {"last_decision", r.last.json()}};
  }
  std::printf("simulation: %llu cycles in %.2f s wall, %.0f simulated cycles per wall second (one core; model: %s)\n",
              static_cast<unsigned long long>(simulated), secs, cycles_per_sec, kVerilatorBuild);
  if (json_out.is_open()) {
    json_out << j.dump(2) << "\n";
    json_out.close();
    if (!json_out) throw Error(Errc::kIo, "cannot write --json file '" + o.json + "'");
  }
}

// ---- vshard bench frontend ----------------------------------------------------
// The card top vs_card_top: the engine behind its RTL DMA front-end, host
// memory an AxiMemory with a fixed read latency (no back-pressure, no
// reordering). Reports (1) cycles from a DOORBELL write's completion to the
// first decision and to the prestaged line stored in host memory, one event
// per doorbell on an idle card; (2) events/cycle with 16-event doorbells
// kept coming as fast as the ring allows, decisions taken as soon as the
// writeback word shows them; next to (3) the engine's own events/cycle, vs_top
// on AXI-Stream without stalls, same events.

struct FrontendOpts {
  std::vector<uint32_t> latencies = {125, 250};
  uint64_t events = 4000;
  uint64_t single = 200;
  uint64_t seed = 1;
  double bad_fraction = 0.02;
};

constexpr uint64_t kBenchDev = 0x4000'0000ull;  // device address of the host buffer
constexpr uint32_t kBenchRingLog2 = 10;         // 1024-descriptor rings

// A card with both rings in one host buffer (sim::CardHost), and the cycles
// at which its writes land.
struct BenchCard {
  std::unique_ptr<sim::CardHost> host;
  sim::CardHarness* h = nullptr;
  // Cycles of the first decision beat and the first prestaged line stored
  // since mark(), and of the last decision beat stored.
  // first_wb: the first writeback word since mark() whose DQ_TAIL is past
  // the host's DQ_HEAD (the host can see the decisions).
  uint64_t first_dec = UINT64_MAX, first_line = UINT64_MAX, first_wb = UINT64_MAX, last_dec = 0;
  void mark() { first_dec = first_line = first_wb = UINT64_MAX; }

  explicit BenchCard(uint32_t latency) {
    sim::CardHarnessOptions o;
    o.memory.read_latency_min = o.memory.read_latency_max = latency;
    auto card = sim::CardHarness::create("small", o);
    h = card.get();
    card->memory().on_write = [this](uint64_t addr, uint8_t* data, uint16_t) {
      if (!host) return;  // the set-up's table writes
      const uint64_t off = addr - host->device_address();
      uint32_t wb_tail;
      std::memcpy(&wb_tail, data + 4, 4);
      if (off == 0 && wb_tail != host->dq_head()) {
        first_wb = std::min(first_wb, h->cycle());
      } else if (off >= host->dq_offset()) {
        first_dec = std::min(first_dec, h->cycle());
        last_dec = h->cycle();
      } else if (off >= 64 && off < 4096) {
        first_line = std::min(first_line, h->cycle());
      }
    };
    sim::CardHostOptions ho;
    ho.ring_log2 = kBenchRingLog2;
    ho.device_address = kBenchDev;
    host = std::make_unique<sim::CardHost>(std::move(card), ho);
  }
  size_t submit(const std::vector<Event>& evs, size_t from, size_t n) {
    return host->submit(evs.data() + from, std::min(n, evs.size() - from));
  }
  size_t harvest() { return host->harvest(nullptr); }
  void check() const { host->check(); }
};

struct Summary {
  std::vector<uint64_t> v;
  std::string text() {
    if (v.empty()) return "n=0";
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (uint64_t x : v) sum += static_cast<double>(x);
    char b[128];
    std::snprintf(b, sizeof b, "n=%-5zu min %-5llu mean %-8.1f p50 %-5llu max %llu", v.size(),
                  static_cast<unsigned long long>(v.front()), sum / v.size(),
                  static_cast<unsigned long long>(v[v.size() / 2]), static_cast<unsigned long long>(v.back()));
    return b;
  }
};

void bench_frontend(const FrontendOpts& o) {
  if (o.events == 0 || o.single == 0) throw Error(Errc::kBadConfig, "--events and --single must be at least 1");
  EventGenOptions go;
  go.bad_fraction = o.bad_fraction;
  const Params p = sim::CardHarness::create("small")->params();
  const EventLog log = generate_event_log(p, o.seed, o.events, go);
  const size_t n = log.events.size();
  std::vector<size_t> per_event(n);  // decisions of each event
  {
    Model m(p);
    Decision out[kMaxDecisionsPerEvent];
    for (size_t i = 0; i < n; ++i) per_event[i] = m.step(log.events[i], out);
  }
  size_t total_decisions = 0;
  for (size_t k : per_event) total_decisions += k;

  // The engine alone: vs_top on AXI-Stream, no stalls, same events.
  double engine_rate = 0;
  {
    auto h = sim::Harness::create("small");
    h->reset();
    uint64_t first_accept = 0;
    bool any = false;
    h->on_accept = [&](const Event&, uint64_t c) {
      if (!any) first_accept = c;
      any = true;
    };
    for (const Event& e : log.events) h->push(e);
    size_t got = 0;
    uint64_t last = 0;
    sim::ReceivedDecision rd;
    const uint64_t deadline = h->cycle() + 1000 + 200 * n;
    while (got < total_decisions) {
      if (h->cycle() >= deadline) throw Error(Errc::kTimeout, "vs_top did not answer the stream in time");
      h->tick();
      while (h->pop(rd)) {
        ++got;
        last = rd.fire_cycle;
      }
    }
    engine_rate = static_cast<double>(n) / static_cast<double>(last - first_accept + 1);
  }

  std::printf("vshard bench frontend: vs_card_top small (cores=%u vcpus=%u nodes=%u max_shards=%u), seed %llu\n",
              p.cores, p.vcpus, p.nodes, p.max_shards, static_cast<unsigned long long>(o.seed));
  std::printf("host memory: AxiMemory, fixed read latency, no back-pressure, in-order reads; rings of %u\n",
              1u << kBenchRingLog2);
  std::printf("engine alone (vs_top, AXI-Stream, no stalls): %.3f events/cycle over %zu events\n", engine_rate, n);
  for (uint32_t lat : o.latencies) {
    // (1) one event per doorbell on an idle card: doorbell write completed ->
    // first decision beat / prestaged line stored in host memory.
    Summary to_dec, to_line, to_wb, line_after_wb;
    {
      BenchCard c(lat);
      const size_t m = std::min<size_t>(o.single, n);
      for (size_t i = 0; i < m; ++i) {
        c.mark();
        c.submit(log.events, i, 1);
        const uint64_t t0 = c.h->cycle();
        c.h->wait_idle(100000, 4);
        if (c.first_dec != UINT64_MAX) to_dec.v.push_back(c.first_dec - t0);
        if (c.first_line != UINT64_MAX) to_line.v.push_back(c.first_line - t0);
        if (c.first_wb != UINT64_MAX) to_wb.v.push_back(c.first_wb - t0);
        // docs/driver.md: the table is current before DQ_TAIL is published.
        if (c.first_line != UINT64_MAX && c.first_wb != UINT64_MAX && c.first_line > c.first_wb)
          line_after_wb.v.push_back(c.first_line - c.first_wb);
        c.harvest();
        c.h->wait_idle(100000, 4);
      }
      c.check();
    }
    // (2) the stream in 16-event doorbells, as fast as the rings allow.
    double rate = 0, steady = 0;
    uint64_t cycles = 0, fill = 0;
    {
      BenchCard c(lat);
      size_t next = 0, taken = 0;
      const uint64_t t0 = c.h->cycle();
      const uint64_t deadline = t0 + 1000 + 2000 * n;
      while (taken < total_decisions) {
        if (c.h->cycle() >= deadline) throw Error(Errc::kTimeout, "the card did not answer the stream in time");
        if (next < n && c.host->room() >= std::min<size_t>(16, n - next)) next += c.submit(log.events, next, 16);
        c.h->tick();
        taken += c.harvest();
      }
      c.check();
      cycles = c.last_dec - t0 + 1;
      rate = static_cast<double>(n) / static_cast<double>(cycles);
      // Without the pipeline fill: from the first decision stored to the last
      // one, the events after the first (one memory latency less).
      fill = c.first_dec - t0;
      if (c.last_dec > c.first_dec) steady = static_cast<double>(n - 1) / static_cast<double>(c.last_dec - c.first_dec);
    }
    std::printf("read latency %u cycles:\n", lat);
    std::printf("  doorbell -> first decision stored   %s\n", to_dec.text().c_str());
    std::printf("  doorbell -> prestaged line stored   %s\n", to_line.text().c_str());
    std::printf("  doorbell -> writeback shows them    %s\n", to_wb.text().c_str());
    if (!line_after_wb.v.empty())
      std::printf("  prestaged line stored AFTER the writeback published the decisions: %s\n",
                  line_after_wb.text().c_str());
    std::printf(
        "  16-event doorbells: %.3f events/cycle (%zu events, %llu cycles to the last decision stored), "
        "%.0f%% of the engine's own\n",
        rate, n, static_cast<unsigned long long>(cycles), 100.0 * rate / engine_rate);
    std::printf(
        "  after the pipeline fill (first decision at cycle %llu): %.3f events/cycle, %.0f%% of the engine's own\n",
        static_cast<unsigned long long>(fill), steady, 100.0 * steady / engine_rate);
  }
}

}  // namespace

void register_bench(CLI::App& app, int& /*exit_code*/) {
  CLI::App* bench = app.add_subcommand("bench", "Performance figures");
  bench->require_subcommand(1);
  auto o = std::make_shared<BenchOpts>();
  CLI::App* c =
      bench->add_subcommand("engine", "RTL engine (Verilator): events per cycle and decision latency in cycles");
  c->add_option("--engine", o->engine, "Engine to measure (verilator)")->capture_default_str();
  c->add_option("--config", o->config, "RTL configuration: small or large")->capture_default_str();
  c->add_option("--events", o->events, "Events in the stream")->check(number_in(1, 1e12))->capture_default_str();
  c->add_option("--seed", o->seed, "Seed of the stream")->capture_default_str();
  c->add_option("--bad-fraction", o->bad_fraction, "Share of events built to be rejected")
      ->check(number_in(0, 1))
      ->capture_default_str();
  c->add_option("--json", o->json, "Also write the figures (simulation speed included) as JSON to this file");
  c->callback([o] { bench_engine(*o); });

  auto f = std::make_shared<FrontendOpts>();
  CLI::App* fe = bench->add_subcommand(
      "frontend", "RTL card (vs_card_top, Verilator): DMA front-end latency and events/cycle vs the engine alone");
  fe->add_option("--latency", f->latencies, "Host-memory read latencies to measure, in cycles")
      ->check(number_in(1, 100000))
      ->capture_default_str();
  fe->add_option("--events", f->events, "Events in the stream")->check(number_in(1, 1e7))->capture_default_str();
  fe->add_option("--single", f->single, "Events sent one per doorbell for the latency figures")
      ->check(number_in(1, 1e6))
      ->capture_default_str();
  fe->add_option("--seed", f->seed, "Seed of the stream")->capture_default_str();
  fe->add_option("--bad-fraction", f->bad_fraction, "Share of events built to be rejected")
      ->check(number_in(0, 1))
      ->capture_default_str();
  fe->callback([f] { bench_frontend(*f); });
}

}  // namespace vshard::cli
