// The differential test of the RTL engine against the golden model
// (include/vshard/sim/diff.h; `vshard diff` and tests/rtl call it). Seeded
// random events (bad ones included) go into the verilated engine, with random back-pressure on both streams, and into
// vshard::Model; the decision streams must agree bit for bit, and the
// registers (prestage table, counters, sticky errors, configuration) must
// agree whenever the engine is idle. On the first mismatch it writes the
// event log (binary + text), a report and an FST waveform of a replay of the
// window around it, and prints the one command that replays it.
#include <algorithm>
#include <cstdarg>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "vshard/sim/card_host.h"
#include "vshard/sim/diff.h"
#include "vshard/sim/harness.h"
#include "vshard/sim/state_check.h"
#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/event_log.h"
#include "vshard/model.h"

namespace vshard::sim {
namespace {

// Events the harness may hold before the engine accepts them; together with
// the engine's own pipeline this keeps several events in flight.
constexpr size_t kWindow = 8;

struct Expected {
  Decision d;
  uint64_t index;  // event index
  uint32_t nth;    // decision number within its event
};

// Where events come from: the generator (fed with the model's decisions and
// prestage table) or a log.
class Source {
 public:
  Source(const Params& p, const DiffOptions& o) {
    if (!o.replay.empty()) {
      log_ = load_event_log(o.replay, p);
      if (!(log_.params == p))
        throw Error(Errc::kBadConfig,
                    "event log '" + o.replay + "' was made for cores=" + std::to_string(log_.params.cores) +
                        " vcpus=" + std::to_string(log_.params.vcpus) + " nodes=" + std::to_string(log_.params.nodes) +
                        " max_shards=" + std::to_string(log_.params.max_shards) + ", not for --config " + o.config +
                        "; pass the configuration it was recorded with");
      total_ = log_.events.size();
      if (total_ == 0) throw Error(Errc::kBadInput, "event log '" + o.replay + "' has no events: nothing to compare");
    } else {
      EventGenOptions go;
      go.bad_fraction = o.bad_fraction;
      gen_.emplace(p, o.seed, go);
      total_ = o.events;
    }
  }
  uint64_t total() const { return total_; }
  Event next(uint64_t i) { return gen_ ? gen_->next() : log_.events[i]; }
  void observe(const Decision* d, size_t n, const Model& m) {
    if (!gen_) return;
    for (size_t k = 0; k < n; ++k) gen_->observe(d[k]);
    for (uint32_t node = 0; node < m.params().nodes; ++node) gen_->set_prestage(node, m.prestage(node));
  }

 private:
  std::optional<EventGen> gen_;
  EventLog log_;
  uint64_t total_ = 0;
};

// The engine under test: vs_top on its streams, or the card through host memory.
class Dut {
 public:
  virtual ~Dut() = default;
  virtual AxilHarness& harness() = 0;
  virtual void reset() = 0;
  // Events given to the DUT that the engine has not taken yet.
  virtual size_t pending() const = 0;
  virtual void push(const Event& ev) = 0;
  // One clock cycle (and what the host side does around it).
  virtual void tick() = 0;
  virtual bool pop(Decision& d) = 0;
  virtual bool idle() = 0;
  // A protocol violation seen so far ("" if none).
  virtual std::string protocol_error() = 0;
  // With the engine idle: what else differs from the model ("" if nothing).
  virtual std::string check_idle(const Model&) { return ""; }
};

class StreamDut final : public Dut {
 public:
  explicit StreamDut(const DiffOptions& o) {
    HarnessOptions ho;
    ho.seed = o.seed;
    ho.event_stall_prob = o.stall_prob;
    ho.decision_stall_prob = o.stall_prob;
    h_ = Harness::create(o.config, ho);
  }
  AxilHarness& harness() override { return *h_; }
  void reset() override { h_->reset(); }
  size_t pending() const override { return h_->events_pending(); }
  void push(const Event& ev) override { h_->push(ev); }
  void tick() override { h_->tick(); }
  bool pop(Decision& d) override { return h_->pop(d); }
  bool idle() override { return h_->idle(); }
  std::string protocol_error() override {
    return h_->protocol_errors() ? "AXI-Stream protocol: " + h_->first_protocol_error() : std::string();
  }

 private:
  std::unique_ptr<Harness> h_;
};

// vs_card_top: events go through the event ring in host memory (a doorbell
// per cycle with new ones), decisions come back through the decision ring
// as the writeback word announces them.
class CardDut final : public Dut {
 public:
  explicit CardDut(const DiffOptions& o) {
    opts_.clock.seed = o.seed;
    opts_.memory.seed = o.seed;
    opts_.memory.read_latency_min = 4;
    opts_.memory.read_latency_max = 64;
    opts_.memory.reorder_reads = true;
    opts_.memory.ar_stall_prob = o.stall_prob;
    opts_.memory.aw_stall_prob = o.stall_prob;
    opts_.memory.w_stall_prob = o.stall_prob;
    config_ = o.config;
    build();
  }
  AxilHarness& harness() override { return host_->card(); }
  void reset() override {
    if (fresh_) {  // built (reset and programmed) by the constructor, unused since
      fresh_ = false;
      return;
    }
    build();
  }
  size_t pending() const override { return queued_.size() + host_->pending(); }
  void push(const Event& ev) override { queued_.push_back(ev); }
  void tick() override {
    if (!queued_.empty() && host_->room() > 0) {
      const size_t n = std::min<size_t>(queued_.size(), host_->room());
      std::vector<Event> batch(queued_.begin(), queued_.begin() + static_cast<long>(n));
      host_->submit(batch.data(), n);
      queued_.erase(queued_.begin(), queued_.begin() + static_cast<long>(n));
    }
    host_->card().tick();
    std::vector<Decision> ds;
    host_->harvest(&ds);
    got_.insert(got_.end(), ds.begin(), ds.end());
  }
  bool pop(Decision& d) override {
    if (got_.empty()) return false;
    d = got_.front();
    got_.pop_front();
    return true;
  }
  bool idle() override { return queued_.empty() && host_->pending() == 0 && host_->card().idle(); }
  std::string protocol_error() override {
    try {
      host_->check();
    } catch (const Error& e) { return e.what(); }
    return "";
  }
  std::string check_idle(const Model& m) override {
    std::string what;
    for (uint32_t n = 0; n < m.params().nodes; ++n) {
      const PrestageEntry e = m.prestage(n);
      const uint64_t want = uint64_t{pre_entry_register(e)} | uint64_t{e.epoch} << 32, line = host_->prestage_line(n);
      if (line != want)
        what += "\n  prestaged line " + std::to_string(n) + " in host memory: " + hex(line) + ", model " + hex(want);
    }
    const uint64_t wb = host_->writeback();
    const uint64_t want_wb = uint64_t{host_->evq_tail()} | uint64_t{host_->dq_head()} << 32;
    if (wb != want_wb) what += "\n  writeback word in host memory: " + hex(wb) + ", expected " + hex(want_wb);
    return what;
  }

 private:
  // A fresh card and host buffer: CardHost resets and programs it.
  void build() {
    host_.reset();
    host_ = std::make_unique<CardHost>(CardHarness::create(config_, opts_), CardHostOptions{8, 0x4000'0000ull});
    queued_.clear();
    got_.clear();
    fresh_ = true;
  }
  static std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%016llx", static_cast<unsigned long long>(v));
    return b;
  }
  CardHarnessOptions opts_;
  std::string config_;
  std::unique_ptr<CardHost> host_;
  std::deque<Event> queued_;
  std::deque<Decision> got_;
  bool fresh_ = false;
};

class DiffRun {
 public:
  DiffRun(const DiffOptions& o, bool tracing, uint64_t trace_from, std::string trace_path)
      : o_(o), trace_from_(trace_from), trace_path_(std::move(trace_path)), tracing_(tracing) {
    if (o.frontend == "dma") dut_ = std::make_unique<CardDut>(o);
    else dut_ = std::make_unique<StreamDut>(o);
    h_ = &dut_->harness();
    model_ = std::make_unique<Model>(h_->params());
    src_ = std::make_unique<Source>(h_->params(), o);
  }

  // Runs until the source is exhausted or max_mismatches are found.
  void run(std::FILE* progress) {
    dut_->reset();
    h_ = &dut_->harness();
    const uint64_t total = src_->total();
    const uint64_t progress_every = std::max<uint64_t>(total / 10, 100000);
    const auto t0 = std::chrono::steady_clock::now();
    Decision out[kMaxDecisionsPerEvent];
    try {
      while (next_ < total && !done()) {
        if (tracing_ && !h_->tracing() && next_ >= trace_from_) h_->start_trace(trace_path_);
        // Push up to the window, then one clock cycle.
        while (next_ < total && dut_->pending() < kWindow && !done()) {
          const Event ev = src_->next(next_);
          const size_t n = model_->step(ev, out);
          src_->observe(out, n, *model_);
          for (size_t k = 0; k < n; ++k) expected_.push_back({out[k], next_, static_cast<uint32_t>(k)});
          events_.push_back(ev);
          dut_->push(ev);
          ++next_;
          if (next_ % o_.check_every == 0) {
            drain();
            check_state();
          }
          if (progress && next_ % progress_every == 0) {
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::fprintf(progress, "progress: %llu/%llu events, %llu cycles, %.0f events/s, %llu mismatches\n",
                         ull(next_), ull(total), ull(h_->cycle()), s > 0 ? next_ / s : 0.0, ull(mismatches_.size()));
            std::fflush(progress);
          }
        }
        if (done()) break;
        dut_->tick();
        consume();
      }
      if (!done()) {
        drain();
        check_state();
      }
    } catch (const Error& e) {
      // The harness gave up (RTL assertion, AXI4-Lite timeout): a mismatch too.
      mismatch(in_flight_index(), std::string("harness: ") + e.what());
    }
    if (tracing_ && h_->tracing()) {
      try {
        h_->tick(50);  // a little after the end, for the waveform
      } catch (const Error&) {}
    }
    h_->stop_trace();
  }

  bool done() const { return mismatches_.size() >= o_.max_mismatches; }
  const std::vector<DiffMismatch>& mismatches() const { return mismatches_; }
  const std::vector<Event>& events() const { return events_; }
  uint64_t cycles() const { return h_->cycle(); }
  uint64_t decisions() const { return compared_; }
  uint64_t checks() const { return checks_; }
  const Params& params() const { return h_->params(); }
  const Counters& counters() const { return model_->counters(); }

 private:
  static unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

  uint64_t in_flight_index() const { return expected_.empty() ? (next_ ? next_ - 1 : 0) : expected_.front().index; }

  void mismatch(uint64_t index, std::string what) {
    if (done()) return;
    mismatches_.push_back({index, h_->cycle(), std::move(what)});
  }

  void consume() {
    ReceivedDecision rd;
    while (!done() && dut_->pop(rd.decision)) {
      if (expected_.empty()) {
        mismatch(next_ ? next_ - 1 : 0,
                 "the RTL emitted a decision the model did not:\n  rtl:      " + format_decision(rd.decision));
        continue;
      }
      const Expected e = expected_.front();
      expected_.pop_front();
      ++compared_;
      if (!(rd.decision == e.d)) {
        mismatch(e.index, "decision " + std::to_string(e.nth + 1) + " of the event differs:\n" + "  expected: " +
                              format_decision(e.d) + "\n" + "  rtl:      " + format_decision(rd.decision));
      }
    }
    if (!protocol_reported_) {
      std::string err = dut_->protocol_error();
      if (!err.empty()) {
        protocol_reported_ = true;
        mismatch(in_flight_index(), err);
      }
    }
  }

  // Ticks until every pushed event is answered and the engine is idle.
  void drain() {
    const uint64_t budget = 20000 + 200 * (expected_.size() + dut_->pending());
    const uint64_t deadline = h_->cycle() + budget;
    while (!done() && (!expected_.empty() || dut_->pending() || !dut_->idle())) {
      if (h_->cycle() >= deadline) {
        std::string what;
        if (!expected_.empty())
          what = "no decision from the RTL within " + std::to_string(budget) +
                 " cycles; next expected:\n  expected: " + format_decision(expected_.front().d);
        else if (dut_->pending())
          what = "the RTL stopped accepting events (" + std::to_string(dut_->pending()) + " waiting for " +
                 std::to_string(budget) + " cycles)";
        else what = "idle_o stayed low for " + std::to_string(budget) + " cycles after the last decision";
        mismatch(in_flight_index(), what);
        return;
      }
      dut_->tick();
      consume();
    }
    // Let the stall pattern settle: anything more the RTL sends is extra.
    if (!done()) {
      for (int i = 0; i < 4; ++i) dut_->tick();
      consume();
    }
  }

  void check_state() {
    if (done()) return;
    ++checks_;
    const auto diffs = compare_state(*h_, *model_);
    const std::string more = dut_->check_idle(*model_);
    if (diffs.empty() && more.empty()) return;
    std::string what = "registers differ with the engine idle after event " + std::to_string(next_ - 1) + ":";
    for (const auto& d : diffs) what += "\n  " + d;
    mismatch(next_ - 1, what + more);
  }

  const DiffOptions& o_;
  uint64_t trace_from_;
  std::string trace_path_;
  bool tracing_;
  std::unique_ptr<Dut> dut_;
  AxilHarness* h_ = nullptr;
  std::unique_ptr<Model> model_;
  std::unique_ptr<Source> src_;
  std::deque<Expected> expected_;
  std::vector<Event> events_;
  std::vector<DiffMismatch> mismatches_;
  uint64_t next_ = 0;
  uint64_t compared_ = 0;
  uint64_t checks_ = 0;
  bool protocol_reported_ = false;
};

std::string replay_command(const DiffOptions& o, const std::string& log, uint64_t trace_from, const std::string& out) {
  std::ostringstream s;
  s << "vshard diff --engine verilator --config " << o.config << (o.frontend == "dma" ? " --frontend dma" : "")
    << " --replay " << log << " --seed " << o.seed << " --stall-prob " << o.stall_prob << " --check-every "
    << o.check_every << " --trace --trace-from " << trace_from << " --out " << out;
  return s.str();
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f) throw Error(Errc::kIo, "cannot write '" + p.string() + "': check --out");
}

// printf to `log`, or nowhere when it is null.
void say(std::FILE* log, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void say(std::FILE* log, const char* fmt, ...) {
  if (log == nullptr) return;
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(log, fmt, ap);
  va_end(ap);
}

}  // namespace

DiffResult run_diff(const DiffOptions& o, std::FILE* log) {
  if (o.stall_prob < 0 || o.stall_prob >= 1) throw Error(Errc::kBadConfig, "--stall-prob must be in [0, 1)");
  if (o.bad_fraction < 0 || o.bad_fraction > 1) throw Error(Errc::kBadConfig, "--bad-fraction must be in [0, 1]");
  if (o.check_every == 0) throw Error(Errc::kBadConfig, "--check-every must be at least 1");
  if (o.max_mismatches == 0) throw Error(Errc::kBadConfig, "--max-mismatches must be at least 1");
  if (o.frontend != "stream" && o.frontend != "dma")
    throw Error(Errc::kBadConfig, "--frontend '" + o.frontend + "': use stream (vs_top) or dma (vs_card_top)");

  const std::filesystem::path out(o.out);
  const bool replaying = !o.replay.empty();
  if (o.trace) std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  DiffRun run(o, o.trace, o.trace_from, (out / (replaying ? "replay.fst" : "trace.fst")).string());
  const Params& p = run.params();
  if (!o.quiet)
    say(log,
        "vshard diff: engine verilator config %s%s (cores=%u vcpus=%u nodes=%u max_shards=%u), "
        "%s, seed %llu, stall %.2f\n",
        o.config.c_str(), o.frontend == "dma" ? ", through the card's DMA front-end (vs_card_top)" : "", p.cores,
        p.vcpus, p.nodes, p.max_shards,
        replaying ? ("replay of " + o.replay).c_str()
                  : (std::to_string(o.events) + " events, bad fraction " + std::to_string(o.bad_fraction)).c_str(),
        static_cast<unsigned long long>(o.seed), o.stall_prob);
  if (log) std::fflush(log);
  run.run(o.quiet ? nullptr : log);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& events = run.events();

  for (const DiffMismatch& m : run.mismatches()) {
    const Event& ev = events.at(std::min<uint64_t>(m.index, events.size() - 1));
    say(log, "MISMATCH at event %llu (seq %u), cycle %llu, seed %llu, config %s\n",
        static_cast<unsigned long long>(m.index), ev.seq, static_cast<unsigned long long>(m.cycle),
        static_cast<unsigned long long>(o.seed), o.config.c_str());
    say(log, "  event:    %s\n  %s\n", format_event(ev).c_str(), m.what.c_str());
  }
  if (!run.mismatches().empty() && !replaying) {
    // Artifacts of the first mismatch: the log of every event pushed so far,
    // a report, and the waveform of a replay starting trace_window events before it.
    const DiffMismatch& m = run.mismatches().front();
    std::filesystem::create_directories(out);
    EventLog evlog{p, events};
    const auto bin = out / "mismatch.evlog";
    save_event_log(bin.string(), evlog, LogFormat::kBinary);
    save_event_log((out / "mismatch.evlog.txt").string(), evlog, LogFormat::kText);
    const uint64_t from = m.index > o.trace_window ? m.index - o.trace_window : 0;
    std::ostringstream rep;
    rep << "seed " << o.seed << ", config " << o.config << ", stall " << o.stall_prob << ", event " << m.index
        << ", cycle " << m.cycle << "\n"
        << "event: " << format_event(events.at(std::min<uint64_t>(m.index, events.size() - 1))) << "\n"
        << m.what << "\n";
    write_text(out / "mismatch.txt", rep.str());
    DiffOptions ro = o;
    ro.replay = bin.string();
    ro.max_mismatches = 1;
    DiffRun replay(ro, true, from, (out / "mismatch.fst").string());
    replay.run(nullptr);
    say(log, "wrote %s, %s.txt, %s and %s\n", bin.string().c_str(), bin.string().c_str(),
        (out / "mismatch.txt").string().c_str(), (out / "mismatch.fst").string().c_str());
    if (replay.mismatches().empty()) say(log, "note: the replay did not reproduce the mismatch (timing-dependent?)\n");
    say(log, "replay: %s\n", replay_command(o, bin.string(), from, (out / "replay").string()).c_str());
  }
  if (o.trace) say(log, "waveform: %s\n", (out / (replaying ? "replay.fst" : "trace.fst")).string().c_str());
  say(log,
      "events: %zu, decisions compared: %llu, register checks: %llu, cycles: %llu, %.2f s "
      "(%.0f events/s, %.3f events/cycle)\n",
      events.size(), static_cast<unsigned long long>(run.decisions()), static_cast<unsigned long long>(run.checks()),
      static_cast<unsigned long long>(run.cycles()), secs, secs > 0 ? events.size() / secs : 0.0,
      run.cycles() ? static_cast<double>(events.size()) / run.cycles() : 0.0);
  const Counters& c = run.counters();
  say(log, "model counters: %u decisions, %u errors, %u preemptions, %u shards, %u commits held, %u aborts\n",
      c.decisions, c.errors, c.preempts, c.shards, c.commits, c.aborts);
  say(log, "mismatches: %zu\n", run.mismatches().size());

  DiffResult r;
  r.params = p;
  r.mismatches = run.mismatches();
  r.events = events.size();
  r.decisions = run.decisions();
  r.checks = run.checks();
  r.cycles = run.cycles();
  r.seconds = secs;
  r.counters = c;
  return r;
}

}  // namespace vshard::sim
