// Backend "udp://HOST:PORT?key=FILE": the engine in a `vshard serve` process
// reached over the network (docs/offload.md). The driver's rings stay in
// host memory, served by the software ring front-end; its engine core is
// RemoteCore, which batches events into authenticated datagrams with
// per-session event indices, retransmits what is not answered, delivers
// decisions exactly once and in order, and keeps the prestaged table that
// serve pushes with every answer, so the wake path reads local memory only.
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "vshard/driver/internal/backend.h"
#include "vshard/driver/internal/offload_proto.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/ring_frontend.h"
#include "vshard/driver/internal/net.h"
#include "vshard/error.h"

namespace vshard::driver {
namespace {

using namespace offload;
using Clock = std::chrono::steady_clock;

struct UdpOptions {
  std::chrono::milliseconds timeout{1000};
  std::chrono::microseconds rto{1000};
  size_t window = 256;
};

class RemoteCore : public EngineCore {
 public:
  RemoteCore(const std::string& hostport, const std::string& key_file, const UdpOptions& o) : o_(o) {
    where_ = "udp://" + hostport;
    const auto keys = load_key_file(key_file);
    if (keys.size() != 1)
      throw Error(Errc::kBadConfig, where_ + ": the host's key file '" + key_file + "' must hold exactly one key (" +
                                        std::to_string(keys.size()) + " found); serve's file holds every host's");
    host_ = keys[0].host;
    mac_ = std::make_unique<Mac>(keys[0].key);
    socklen_t len = 0;
    const sockaddr_storage ss = net::resolve(hostport, where_, len);
    fd_ = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw Error(Errc::kIo, where_ + ": socket: " + std::strerror(errno));
    net::set_buffers(fd_);
    // connect(): only serve's address is received from.
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
      const int e = errno;
      close(fd_);
      throw Error(Errc::kDeviceNotFound, where_ + ": " + std::strerror(e));
    }
    attach();
  }
  ~RemoteCore() override { close(fd_); }

  uint32_t reg_read(uint32_t off) override {
    switch (off) {
      case reg::kMagic: return identity_[0];
      case reg::kVersion: return identity_[1];
      case reg::kDescBytes: return identity_[2];
      case reg::kNCores: return identity_[3];
      case reg::kNVcpus: return identity_[4];
      case reg::kNNodes: return identity_[5];
      case reg::kMaxShards: return identity_[6];
      default: break;
    }
    if (off >= reg::kPrestageRegBase && off < reg::kPrestageRegBase + 64) {
      const uint32_t n = (off - reg::kPrestageRegBase) / 8;
      return (off % 8 == 0) ? table_[2 * n] : table_[2 * n + 1];
    }
    return request(Op::kRead, off, 0, {}).value;
  }
  void reg_write(uint32_t off, uint32_t v) override { request(Op::kWrite, off, v, {}); }

  bool offer(const Event& ev) override {
    // Back-pressure as an engine's: a full decision ring with answers
    // waiting, or a full window of unanswered events, stalls the stream.
    if (!fault_.empty() || unanswered_.size() >= o_.window || (held_ && !ready_.empty())) return false;
    unanswered_.push_back({ev, Clock::time_point{}});
    batch_.push_back(ev);
    if (batch_.size() == kMaxEventsPerMsg) flush();
    return true;
  }
  bool take(Decision& out) override {
    if (ready_.empty()) return false;
    out = ready_.front();
    ready_.pop_front();
    return true;
  }
  void egress_ready(bool ready) override { held_ = !ready; }
  bool run() override {
    bool progress = !batch_.empty();
    flush();
    progress |= pump(0);
    retransmit();
    return progress;
  }
  bool idle() override { return unanswered_.empty() && ready_.empty() && batch_.empty(); }
  // The test hooks act on serve's engine: a frozen engine stops answering.
  void freeze(bool on) override {
    request(Op::kFault, 0, static_cast<uint32_t>(on ? Fault::kFreeze : Fault::kThaw), {});
  }
  bool frozen() const override { return false; }
  bool inject(Fault f) override {
    const Reply r = request(Op::kFault, 0, static_cast<uint32_t>(f), {}, false);
    if (r.status == Status::kRefused)
      throw Error(Errc::kUnsupported, where_ +
                                          ": serve refuses fault injection (start it with "
                                          "--allow-fault-injection for tests)");
    return true;
  }
  const std::string& fault() const override { return fault_; }
  void load_state(const std::vector<uint8_t>& state) override {
    const size_t chunk = kMaxPayload - 28;
    for (size_t off = 0; off < state.size() || off == 0; off += chunk) {
      const size_t n = std::min(chunk, state.size() - off);
      const Reply r = request(Op::kStateChunk, static_cast<uint32_t>(off), static_cast<uint32_t>(state.size()),
                              std::span<const uint8_t>(state.data() + off, n), false);
      if (r.status != Status::kOk)
        throw Error(Errc::kUnsupported, where_ +
                                            ": serve's engine did not load the state snapshot (serve's log "
                                            "says why: only a model engine can)");
      if (state.empty()) break;
    }
  }
  std::vector<std::pair<std::string, std::string>> details() const override {
    char inc[16];
    std::snprintf(inc, sizeof inc, "0x%08x", incarnation_);
    return {{"transport", "UDP to " + where_.substr(6) + ", HMAC-SHA-256, host id " + std::to_string(host_)},
            {"serve incarnation", inc},
            {"datagrams sent / received", std::to_string(sent_) + " / " + std::to_string(received_)},
            {"retransmissions", std::to_string(retransmits_)},
            {"smoothed round trip / RTO",
             std::to_string(static_cast<int>(srtt_)) + " us / " + std::to_string(rto_base_.count()) + " us"},
            {"dropped (duplicate, early, bad)",
             std::to_string(dup_) + ", " + std::to_string(early_drop_) + ", " + std::to_string(bad_)}};
  }

 private:
  struct Reply {
    Status status = Status::kOk;
    uint32_t value = 0;
  };
  struct Pending {
    Event ev;
    Clock::time_point sent;
    bool retx = false;  // sent again: no round-trip sample from it (Karn)
  };

  void send(MsgType type, const uint8_t* payload, size_t len) {
    uint8_t out[kMaxDatagram];
    Header h;
    h.type = static_cast<uint8_t>(type);
    h.host = host_;
    h.incarnation = incarnation_;
    h.session = session_;
    h.packet = ++tx_packet_;
    h.ack = delivered_;
    const size_t n = seal(*mac_, h, payload, len, out);
    ::send(fd_, out, n, MSG_DONTWAIT);
    ++sent_;
  }

  void send_events(uint64_t first, const Event* evs, size_t n) {
    uint8_t p[kMaxPayload];
    put64(p, first);
    put16(p + 8, static_cast<uint16_t>(n));
    put16(p + 10, 0);
    for (size_t i = 0; i < n; ++i) encode(evs[i], p + kEventsHead + 16 * i);
    send(MsgType::kEvents, p, kEventsHead + 16 * n);
  }

  void flush() {
    if (batch_.empty()) return;
    const uint64_t first = next_index_;
    send_events(first, batch_.data(), batch_.size());
    next_index_ += batch_.size();
    const auto now = Clock::now();
    for (size_t i = unanswered_.size() - batch_.size(); i < unanswered_.size(); ++i) unanswered_[i].sent = now;
    batch_.clear();
  }

  // Go-back-N from the host's side: when the oldest unanswered event has
  // waited an RTO, everything unanswered is sent again; serve applies each
  // event once and answers a repeat with the decisions it kept.
  void retransmit() {
    if (unanswered_.empty() || !fault_.empty()) return;
    const auto now = Clock::now();
    if (now - unanswered_.front().sent < rto_cur_) return;
    std::vector<Event> evs;
    const size_t n = unanswered_.size() - batch_.size();
    for (size_t i = 0; i < n;) {
      const size_t k = std::min(kMaxEventsPerMsg, n - i);
      evs.clear();
      for (size_t j = 0; j < k; ++j) {
        evs.push_back(unanswered_[i + j].ev);
        unanswered_[i + j].sent = now;
        unanswered_[i + j].retx = true;
      }
      send_events(delivered_ + i, evs.data(), k);
      i += k;
    }
    ++retransmits_;
    rto_cur_ = std::min<std::chrono::microseconds>(rto_cur_ * 2, std::chrono::microseconds(64000));
  }

  // RFC 6298's estimator: RTO = SRTT + 4 RTTVAR, at least rto_us, at most 64 ms.
  void rtt_sample(Clock::duration d) {
    const double r = std::chrono::duration<double, std::micro>(d).count();
    if (srtt_ == 0) {
      srtt_ = r;
      rttvar_ = r / 2;
    } else {
      rttvar_ = 0.75 * rttvar_ + 0.25 * std::abs(srtt_ - r);
      srtt_ = 0.875 * srtt_ + 0.125 * r;
    }
    rto_base_ = std::chrono::microseconds(
        static_cast<int64_t>(std::clamp(srtt_ + 4 * rttvar_, static_cast<double>(o_.rto.count()), 64000.0)));
  }

  // Receives what is there (waiting up to timeout_us for the first
  // datagram); true if decisions were delivered.
  bool pump(int timeout_us) {
    bool progress = false;
    uint8_t buf[kMaxDatagram + 64];
    if (timeout_us > 0) {
      pollfd pfd{fd_, POLLIN, 0};
      timespec ts{0, static_cast<long>(timeout_us) * 1000};
      if (ppoll(&pfd, 1, &ts, nullptr) <= 0) return false;
    }
    for (int i = 0; i < 512; ++i) {
      const ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) break;
      ++received_;
      progress |= datagram(buf, static_cast<size_t>(n));
    }
    return progress;
  }

  bool datagram(const uint8_t* data, size_t size) {
    Header h;
    const Drop d = open_datagram(
        data, size, [&](uint32_t host) -> const Mac* { return host == host_ ? mac_.get() : nullptr; }, h);
    if (d != Drop::kNone) return ++bad_, false;
    const uint8_t* p = data + kHeaderBytes;
    const auto type = static_cast<MsgType>(h.type);
    if (type == MsgType::kWelcome) {
      if (h.len != 36 || get64(p) != hello_nonce_ || hello_nonce_ == 0 || session_ != 0) return ++bad_, false;
      session_ = h.session;
      incarnation_ = h.incarnation;
      for (int i = 0; i < 7; ++i) identity_[i] = get32(p + 8 + 4 * i);
      rx_.reset();
      rx_.accept(h.packet);
      return false;
    }
    if (h.session != session_ || session_ == 0) return ++bad_, false;
    if (type == MsgType::kStale) {
      // Authentic, for this session, answering a packet of ours.
      if (h.len != 1 || h.ack == 0 || h.ack > tx_packet_) return ++bad_, false;
      char buf[200];
      if (h.incarnation != incarnation_)
        std::snprintf(buf, sizeof buf,
                      "vshard serve restarted (incarnation 0x%08x, now 0x%08x): it honours nothing "
                      "of the previous one",
                      incarnation_, h.incarnation);
      else
        std::snprintf(buf, sizeof buf,
                      "vshard serve no longer knows this session (another process of host %u "
                      "attached)",
                      host_);
      if (fault_.empty()) fault_ = buf;
      return false;
    }
    if (h.incarnation != incarnation_ || !rx_.check(h.packet)) return ++bad_, false;
    if (type == MsgType::kReply) {
      if (h.len < 16 || p[9] > kMaxNodes || h.len != 16 + 8 * p[9]) return ++bad_, false;
      rx_.accept(h.packet);
      const uint64_t id = get64(p);
      if (id != req_id_ || have_reply_) return false;
      reply_.status = static_cast<Status>(p[8]);
      reply_.value = get32(p + 12);
      have_reply_ = true;
      // The table is as of the request; taken when nothing is outstanding
      // before it (a configuration write or a state load).
      if (reply_.status != Status::kNotYet && p[9] != 0 && delivered_ == next_index_)
        for (uint32_t i = 0; i < 2u * p[9]; ++i) table_[i] = get32(p + 16 + 4 * i);
      return false;
    }
    if (type != MsgType::kDecisions) return ++bad_, false;
    if (h.len < kDecisionsHead) return ++bad_, false;
    const uint64_t first = get64(p);
    const uint16_t nev = get16(p + 8), ndec = get16(p + 10);
    const uint8_t nodes = p[12];
    if (nodes > kMaxNodes || nev == 0 || ndec < nev || ndec > kMaxDecisionsPerMsg ||
        h.len != kDecisionsHead + 8 * nodes + 16 * ndec)
      return ++bad_, false;
    rx_.accept(h.packet);
    if (first + nev <= delivered_) return ++dup_, false;
    if (first > delivered_) {
      if (early_.size() < 64 && first < next_index_) early_.emplace(first, std::vector<uint8_t>(p, p + h.len));
      else ++early_drop_;
      return false;
    }
    deliver(p);
    // Early answers that now follow on.
    for (auto it = early_.begin(); it != early_.end();) {
      const uint64_t f = get64(it->second.data()), n = get16(it->second.data() + 8);
      if (f + n <= delivered_) {
        it = early_.erase(it);
      } else if (f <= delivered_) {
        deliver(it->second.data());
        it = early_.erase(early_.begin(), std::next(it));
      } else {
        break;
      }
    }
    return true;
  }

  // Decisions of events first.. in one datagram; those of events already
  // delivered (first < delivered_) are skipped by counting LAST flags.
  void deliver(const uint8_t* p) {
    const uint64_t first = get64(p);
    const uint16_t nev = get16(p + 8), ndec = get16(p + 10);
    const uint8_t nodes = p[12];
    uint64_t skip = delivered_ - first;
    const uint8_t* d = p + kDecisionsHead + 8 * nodes;
    for (uint16_t i = 0; i < ndec; ++i) {
      const Decision dec{decode(d + 16 * i)};
      if (skip > 0) {
        if (dec.flags & kFlagLast) --skip;
        continue;
      }
      ready_.push_back(dec);
    }
    const uint64_t newly = first + nev - delivered_;
    delivered_ = first + nev;
    std::optional<Pending> last;
    for (uint64_t i = 0; i < newly && !unanswered_.empty(); ++i) {
      last = unanswered_.front();
      unanswered_.pop_front();
    }
    if (last && !last->retx && last->sent != Clock::time_point{}) rtt_sample(Clock::now() - last->sent);
    for (uint32_t i = 0; i < 2u * nodes; ++i) table_[i] = get32(p + kDecisionsHead + 4 * i);
    rto_cur_ = rto_base_;
  }

  void attach() {
    const auto deadline = Clock::now() + o_.timeout;
    hello_nonce_ = random64() | 1u;
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    const uint64_t t = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
    uint8_t p[16];
    put64(p, hello_nonce_);
    put64(p + 8, t);
    while (session_ == 0) {
      if (Clock::now() >= deadline)
        throw Error(Errc::kDeviceNotFound, where_ + ": no answer from vshard serve within " +
                                               std::to_string(o_.timeout.count()) +
                                               " ms (is it running and listening there, and is host " +
                                               std::to_string(host_) + "'s key in its --key-file?)");
      // HELLO is sent outside a session: incarnation 0, session 0.
      uint8_t out[kMaxDatagram];
      Header h;
      h.type = static_cast<uint8_t>(MsgType::kHello);
      h.host = host_;
      h.packet = 1;
      const size_t n = seal(*mac_, h, p, sizeof p, out);
      ::send(fd_, out, n, MSG_DONTWAIT);
      const auto until = std::min(deadline, Clock::now() + std::chrono::milliseconds(20));
      while (session_ == 0 && Clock::now() < until) pump(2000);
    }
    tx_packet_ = 0;
  }

  Reply request(Op op, uint32_t off, uint32_t value, std::span<const uint8_t> data, bool check = true) {
    if (!fault_.empty()) throw Error(Errc::kDeviceFailed, where_ + ": " + fault_);
    flush();
    uint8_t p[kMaxPayload];
    req_id_ = ++last_req_;
    put64(p, req_id_);
    put64(p + 8, next_index_);
    p[16] = static_cast<uint8_t>(op);
    p[17] = p[18] = p[19] = 0;
    put32(p + 20, off);
    put32(p + 24, value);
    // data is empty for register reads and writes: memcpy from its null
    // data() is undefined even for 0 bytes (UBSan: nonnull argument).
    if (!data.empty()) std::memcpy(p + 28, data.data(), data.size());
    const auto deadline = Clock::now() + o_.timeout;
    auto wait = o_.rto;
    for (;;) {
      have_reply_ = false;
      send(MsgType::kRequest, p, 28 + data.size());
      const auto until = std::min(deadline, Clock::now() + wait);
      while (!have_reply_ && fault_.empty() && Clock::now() < until) {
        pump(200);
        retransmit();
      }
      if (!fault_.empty()) throw Error(Errc::kDeviceFailed, where_ + ": " + fault_);
      if (have_reply_ && reply_.status != Status::kNotYet) break;
      if (Clock::now() >= deadline)
        throw Error(Errc::kTimeout, where_ + ": vshard serve did not answer a register access within " +
                                        std::to_string(o_.timeout.count()) + " ms");
      if (!have_reply_) wait = std::min<std::chrono::microseconds>(wait * 2, std::chrono::microseconds(64000));
    }
    if (check && reply_.status != Status::kOk)
      throw Error(Errc::kDeviceFailed, where_ + ": serve refused a register access at offset " + std::to_string(off));
    return reply_;
  }

  UdpOptions o_;
  std::string where_;
  uint32_t host_ = 0;
  std::unique_ptr<Mac> mac_;
  int fd_ = -1;
  uint64_t hello_nonce_ = 0, session_ = 0;
  uint32_t incarnation_ = 0;
  uint32_t identity_[7] = {};
  uint64_t tx_packet_ = 0;
  ReplayWindow rx_;
  uint64_t next_index_ = 0;  // events sent (index of the next one)
  uint64_t delivered_ = 0;   // events whose decisions are delivered
  std::deque<Pending> unanswered_;
  std::vector<Event> batch_;
  std::deque<Decision> ready_;
  std::map<uint64_t, std::vector<uint8_t>> early_;
  uint32_t table_[2 * kMaxNodes] = {};
  std::chrono::microseconds rto_cur_{o_.rto}, rto_base_{o_.rto};
  double srtt_ = 0, rttvar_ = 0;
  uint64_t req_id_ = 0, last_req_ = 0;
  bool have_reply_ = false;
  bool held_ = false;
  Reply reply_;
  std::string fault_;
  uint64_t sent_ = 0, received_ = 0, retransmits_ = 0, dup_ = 0, early_drop_ = 0, bad_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_udp_backend(const std::string& hostport, const std::map<std::string, std::string>& q) {
  const std::string where = "udp://" + hostport;
  UdpOptions o;
  o.timeout = std::chrono::milliseconds(net::query_number(q, "timeout_ms", 1000, 1, 600000, where));
  o.rto = std::chrono::microseconds(net::query_number(q, "rto_us", 1000, 50, 1000000, where));
  o.window = static_cast<size_t>(net::query_number(q, "window", 256, 1, 65536, where));
  return std::make_unique<RingFrontEnd>("udp", std::make_unique<RemoteCore>(hostport, q.at("key"), o));
}

}  // namespace vshard::driver
