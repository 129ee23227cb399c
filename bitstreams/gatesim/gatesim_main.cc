// Gate-level simulation of the Yosys-synthesised vShard engine against the
// golden model. The netlist (synth_gates.sh) is Verilated as Vgates; events
// come from vshard::EventGen (fed back with the model's decisions and
// prestage entries), are offered on s_axis_evt with random gaps, and the
// decisions, taken under random back-pressure, must equal vshard::Model's
// bit for bit. At the end the EVENTS/DECISIONS/ERRORS counters are read over
// AXI4-Lite and compared with the model's.
//
// usage: vshard_gatesim [--events N] [--seed S] [--stall PCT] [--gap PCT]
//                       [--params small|large|max] (must match the netlist)
// exit 0 = match; 1 = mismatch (seed, event index and both decisions printed); 2 = usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vgates.h"
#include "verilated.h"
#include "vshard/descriptor.h"
#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/model.h"
#include "vshard/splitmix64.h"

namespace {

using vshard::Decision;
using vshard::Event;

std::string show(const vshard::Descriptor& d) {
  char b[200];
  std::snprintf(b, sizeof b, "%s flags=%u vcpu=%u seq=%u core=%u b8=%u c16=%u d32=%u",
                vshard::decision_type_name(d.type), d.flags, d.vcpu, d.seq, d.core, d.b8, d.c16, d.d32);
  return b;
}

struct Rng {
  vshard::SplitMix64 g;
  bool pct(unsigned p) { return g.next() % 100 < p; }
};

class Sim {
 public:
  Sim() : ctx_(std::make_unique<VerilatedContext>()), top_(std::make_unique<Vgates>(ctx_.get(), "gates")) {}
  ~Sim() { top_->final(); }
  Vgates& t() { return *top_; }
  // One clock: inputs are set by the caller before; fn sees the settled
  // pre-edge outputs.
  template <class F>
  void cycle(F&& before_edge) {
    top_->clk_i = 0;
    top_->eval();
    before_edge();
    top_->clk_i = 1;
    top_->eval();
    ++cycles;
  }
  uint64_t cycles = 0;

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vgates> top_;
};

void put_event(Vgates& t, const Event& e) {
  uint8_t b[16];
  vshard::encode(e, b);
  for (int w = 0; w < 4; ++w)
    t.s_axis_evt_tdata_i[w] =
        uint32_t(b[4 * w]) | uint32_t(b[4 * w + 1]) << 8 | uint32_t(b[4 * w + 2]) << 16 | uint32_t(b[4 * w + 3]) << 24;
}

Decision get_decision(const Vgates& t) {
  uint8_t b[16];
  for (int w = 0; w < 4; ++w)
    for (int i = 0; i < 4; ++i) b[4 * w + i] = static_cast<uint8_t>(t.m_axis_dec_tdata_o[w] >> (8 * i));
  Decision d;
  static_cast<vshard::Descriptor&>(d) = vshard::decode(b);
  return d;
}

uint32_t axil_read(Sim& s, uint16_t addr) {
  Vgates& t = s.t();
  t.s_axil_araddr_i = addr;
  t.s_axil_arvalid_i = 1;
  t.s_axil_rready_i = 1;
  bool ar_done = false, r_done = false;
  uint32_t data = 0;
  for (int i = 0; i < 1000 && !r_done; ++i) {
    s.cycle([&] {
      if (!ar_done && t.s_axil_arready_o) ar_done = true;
      if (t.s_axil_rvalid_o) {
        data = t.s_axil_rdata_o;
        r_done = true;
      }
    });
    if (ar_done) t.s_axil_arvalid_i = 0;
  }
  t.s_axil_arvalid_i = 0;
  t.s_axil_rready_i = 0;
  if (!r_done)
    throw vshard::Error(vshard::Errc::kTimeout,
                        "AXI4-Lite read of 0x" + std::to_string(addr) + " got no answer in 1000 cycles");
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 100000, seed = 1;
  unsigned stall = 20, gap = 20;
  std::string pname = "small";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "vshard_gatesim: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--events") events = std::stoull(val());
    else if (a == "--seed") seed = std::stoull(val());
    else if (a == "--stall") stall = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--gap") gap = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--params") pname = val();
    else {
      std::fprintf(stderr,
                   "vshard_gatesim: unknown option %s\nusage: vshard_gatesim [--events N] [--seed S] [--stall PCT] "
                   "[--gap PCT] [--params NAME]\n",
                   a.c_str());
      return 2;
    }
  }
  try {
    vshard::Params p = vshard::Params::named(pname);
    vshard::Model model(p);
    vshard::EventGen gen(p, seed);
    Sim sim;
    Vgates& t = sim.t();
    Rng rng{{seed ^ 0xC0FFEEull}};

    t.rst_ni = 0;
    t.s_axis_evt_tvalid_i = 0;
    t.m_axis_dec_tready_i = 0;
    t.s_axil_awvalid_i = t.s_axil_wvalid_i = t.s_axil_arvalid_i = 0;
    t.s_axil_bready_i = t.s_axil_rready_i = 0;
    for (int i = 0; i < 5; ++i) sim.cycle([] {});
    t.rst_ni = 1;
    for (int i = 0; i < 5; ++i) sim.cycle([] {});

    std::deque<Decision> expect;
    std::vector<Decision> out;
    uint64_t sent = 0, received = 0, idle_cycles = 0;
    Event cur{};
    bool have = false;
    auto t0 = std::chrono::steady_clock::now();
    while (sent < events || !expect.empty()) {
      if (!have && sent < events) {
        cur = gen.next();
        have = true;
      }
      bool offer = have && !rng.pct(gap);
      t.s_axis_evt_tvalid_i = offer;
      if (have) put_event(t, cur);
      t.m_axis_dec_tready_i = !rng.pct(stall);
      bool took_evt = false, got_dec = false;
      Decision d{};
      sim.cycle([&] {
        took_evt = offer && t.s_axis_evt_tready_o;
        got_dec = t.m_axis_dec_tvalid_o && t.m_axis_dec_tready_i;
        if (got_dec) d = get_decision(t);
        if (got_dec && bool(t.m_axis_dec_tlast_o) != bool(d.flags & vshard::kFlagLast)) {
          std::fprintf(stderr, "seed %llu: tlast differs from the LAST flag of %s\n", (unsigned long long)seed,
                       show(d).c_str());
          std::exit(1);
        }
      });
      if (took_evt) {
        out.clear();
        model.step(cur, out);
        for (const auto& x : out) {
          gen.observe(x);
          expect.push_back(x);
        }
        for (uint32_t n = 0; n < p.nodes; ++n) gen.set_prestage(n, model.prestage(n));
        ++sent;
        have = false;
      }
      if (got_dec) {
        if (expect.empty()) {
          std::fprintf(stderr, "seed %llu: after %llu events the netlist emitted %s, which no event asks for\n",
                       (unsigned long long)seed, (unsigned long long)sent, show(d).c_str());
          return 1;
        }
        if (!(static_cast<const vshard::Descriptor&>(d) == static_cast<const vshard::Descriptor&>(expect.front()))) {
          std::fprintf(stderr,
                       "seed %llu: decision %llu (event seq %u) differs\n  model:   %s\n  netlist: %s\n"
                       "replay: vshard_gatesim --seed %llu --events %llu\n",
                       (unsigned long long)seed, (unsigned long long)received, expect.front().seq,
                       show(expect.front()).c_str(), show(d).c_str(), (unsigned long long)seed,
                       (unsigned long long)sent);
          return 1;
        }
        expect.pop_front();
        ++received;
        idle_cycles = 0;
      } else if (++idle_cycles > 100000) {
        std::fprintf(stderr, "seed %llu: no decision for 100000 cycles with %zu expected (event %llu): hang\n",
                     (unsigned long long)seed, expect.size(), (unsigned long long)sent);
        return 1;
      }
    }
    // Drain: with no event offered, no further decision may appear.
    t.s_axis_evt_tvalid_i = 0;
    t.m_axis_dec_tready_i = 1;
    bool extra = false;
    Decision stray{};
    for (int i = 0; i < 50; ++i)
      sim.cycle([&] {
        if (t.m_axis_dec_tvalid_o && !extra) {
          extra = true;
          stray = get_decision(t);
        }
      });
    if (extra) {
      std::fprintf(stderr, "seed %llu: after the last event the netlist emitted %s with no event offered\n",
                   (unsigned long long)seed, show(stray).c_str());
      return 1;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const vshard::Counters& c = model.counters();
    struct {
      const char* name;
      uint16_t off;
      uint32_t want;
    } regs[] = {{"EVENTS", 0x0C0, c.events},
                {"DECISIONS", 0x0C4, c.decisions},
                {"ERRORS", 0x0C8, c.errors},
                {"PREEMPTS", 0x0CC, c.preempts},
                {"SHARDS", 0x0D0, c.shards}};
    for (const auto& r : regs) {
      uint32_t got = axil_read(sim, r.off);
      if (got != r.want) {
        std::fprintf(stderr, "seed %llu: counter %s = %u, model %u\n", (unsigned long long)seed, r.name, got, r.want);
        return 1;
      }
    }
    std::printf(
        "gate-level %s engine == golden model: %llu events, %llu decisions (%u preemptions, %u shards, %u errors), "
        "%llu cycles, %.1f s (%.0f cycles/s)\n",
        pname.c_str(), (unsigned long long)sent, (unsigned long long)received, c.preempts, c.shards, c.errors,
        (unsigned long long)sim.cycles, secs, sim.cycles / secs);
    return 0;
  } catch (const vshard::Error& e) {
    std::fprintf(stderr, "vshard_gatesim: %s\n", e.what());
    return 1;
  }
}
