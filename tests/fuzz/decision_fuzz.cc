// Fuzz target: decisions read back from a device (driver side). A decision
// coming from a card is untrusted: here the card is a stand-in data-mover
// card (the xrt backend's MoverLink, driver/internal/mover_core.h) whose
// engine is the golden model, and the fuzz input scripts what the card does
// to each transfer's decisions: flip bits, overwrite or swap descriptors,
// drop or add some, lie about their count, or fail the transfer. The
// decisions go through MoverCore's checks, the software ring front-end and
// the decision ring into vshard::Device's validation and its shadow golden
// model (driver/mover_core.cc, ring_frontend.cc, device.cc).
//
// Input: byte 0 = events to send - 1 (mod 128; a fixed event stream of the
// seeded generator, sharding and COMMITs included), byte 1 = events per
// transfer - 1 (mod 8), then one script command per transfer (see Card).
//
// Invariants: the device either delivers exactly the golden model's
// decisions, or stops with vshard::Error(kDeviceFailed or kTimeout) and
// failed() set; nothing else is thrown and it never hangs. After a stop,
// the decisions delivered, the fallback's undelivered ones and the fallback
// model's answers to the events still in flight are together exactly the
// golden model's decisions for every event sent: a rejected decision
// changes nothing the host can see (no event lost, none applied twice).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "vshard/driver/internal/model_core.h"
#include "vshard/driver/internal/mover_core.h"
#include "vshard/driver/internal/spec.h"
#include "vshard/device.h"
#include "vshard/event_gen.h"
#include "vshard/model.h"

using namespace vshard;
using vshard::fuzz::accepts;
using vshard::fuzz::violated;

namespace {

constexpr size_t kStream = 128;

struct Stream {
  std::vector<Event> events;
  std::vector<std::vector<Decision>> answers;  // the golden model's, per event
  Stream() {
    const Params p = Params::small();
    EventGenOptions o;
    o.bad_fraction = 0.05;
    o.topology_fraction = 0.02;
    EventGen gen(p, 7, o);
    Model m(p);
    // The prologue (core nodes, vCPU homes, profiles), then traffic.
    for (size_t i = 0; i < kStream; ++i) {
      for (uint32_t n = 0; n < p.nodes; ++n) gen.set_prestage(n, m.prestage(n));
      const Event e = gen.next();
      std::vector<Decision> out;
      m.step(e, out);
      for (const Decision& d : out) gen.observe(d);
      events.push_back(e);
      answers.push_back(out);
    }
  }
};

const Stream& stream() {
  static const Stream s;
  return s;
}

// The card: the golden model's engine and registers; a transfer runs every
// event and then applies the next script command to the decisions:
//   0 honest            4 append 16 input bytes as a decision
//   1 xor a byte        5 report a decision count (input byte) instead
//   2 overwrite one     6 the transfer fails (the XRT link's timeout)
//   3 drop the last     7 swap two decisions
// Commands 8..255 are honest too, so the stream usually gets going.
class Card : public driver::MoverLink {
 public:
  Card(const uint8_t* script, size_t size) : core_(Params::small()), p_(script), end_(script + size) {}

  uint32_t reg_read(uint32_t off) override { return core_.reg_read(off); }
  void reg_write(uint32_t off, uint32_t v) override { core_.reg_write(off, v); }

  size_t transfer(const Event* events, size_t n, Decision* out, size_t max) override {
    size_t got = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!core_.offer(events[i])) violated("stand-in card: the engine refused an event");
      Decision d;
      while (core_.take(d)) {
        if (got < max) out[got++] = d;
      }
    }
    const uint8_t cmd = next();
    auto pick = [&] { return got == 0 ? 0 : next() % got; };
    switch (cmd) {
      case 1:
        if (got) {
          const size_t i = pick();
          uint8_t raw[16];
          encode(out[i], raw);
          const uint8_t at = next() % 16;
          raw[at] ^= next();
          static_cast<Descriptor&>(out[i]) = decode(raw);
        }
        break;
      case 2:
        if (got) {
          const size_t i = pick();
          static_cast<Descriptor&>(out[i]) = decode(take16());
        }
        break;
      case 3:
        if (got) --got;
        break;
      case 4:
        if (got < max) static_cast<Descriptor&>(out[got++]) = decode(take16());
        break;
      case 5: return next();
      case 6: throw Error(Errc::kDeviceFailed, "fuzz card: vs_mm2s did not finish within 2000 ms");
      case 7:
        if (got) {
          const size_t i = pick(), j = pick();
          std::swap(out[i], out[j]);
        }
        break;
      default: break;
    }
    return got;
  }

 private:
  uint8_t next() { return p_ < end_ ? *p_++ : 0; }
  const uint8_t* take16() {
    std::memset(buf_, 0, sizeof buf_);
    for (auto& b : buf_) b = next();
    return buf_;
  }

  driver::ModelCore core_;
  const uint8_t* p_;
  const uint8_t* end_;
  uint8_t buf_[16];
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Stream& s = stream();
  if (size < 2) return 0;
  const size_t n = 1 + data[0] % kStream;
  const size_t batch = 1 + data[1] % 8;
  const std::span<const Event> events(s.events.data(), n);

  driver::OpenedBackend ob;
  ob.backend = std::make_unique<driver::RingFrontEnd>(
      "xrt", std::make_unique<driver::MoverCore>(std::make_unique<Card>(data + 2, size - 2), batch));
  ob.expect_params = Params::small();
  DeviceOptions opt;
  opt.evq_size_log2 = 6;  // half the stream: the ring fills now and then
  opt.dq_size_log2 = 5;   // a full decision ring holds the card back now and then
  std::unique_ptr<Device> dev;
  accepts("open_device", {}, [&] { dev = driver::open_device("fuzz card", std::move(ob), opt); });

  std::vector<Decision> delivered;
  size_t sent = 0;
  const bool healthy = accepts("submit/poll", {Errc::kDeviceFailed, Errc::kTimeout}, [&] {
    Decision buf[64];
    for (int iter = 0; iter < 10000 && !(sent == n && dev->in_flight() == 0); ++iter) {
      if (sent < n) sent += dev->try_submit(events.subspan(sent));
      const size_t got = dev->poll(buf, 64);
      delivered.insert(delivered.end(), buf, buf + got);
    }
  });

  std::vector<Decision> expect;
  for (size_t i = 0; i < sent; ++i) expect.insert(expect.end(), s.answers[i].begin(), s.answers[i].end());

  if (healthy) {
    if (dev->failed()) violated("device failed without throwing");
    if (sent != n || dev->in_flight() != 0) violated("device neither answered every event nor failed (a hang)");
    if (delivered != expect) violated("device delivered decisions that are not the golden model's");
    return 0;
  }
  if (!dev->failed()) violated("device threw kDeviceFailed/kTimeout but failed() is false");
  Fallback fb = dev->take_fallback();
  std::vector<Decision> all = delivered;
  all.insert(all.end(), fb.undelivered.begin(), fb.undelivered.end());
  for (const Event& e : fb.in_flight) fb.model.step(e, all);
  if (all != expect)
    violated("after a rejected decision, delivered + fallback differ from the golden model (" +
             std::to_string(all.size()) + " decisions, expected " + std::to_string(expect.size()) + ")");
  return 0;
}
