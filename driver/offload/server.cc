// `vshard serve`: one engine instance per host, served over shared memory
// (shm://NAME: serve is the DMA front-end of the host's rings in the region)
// or authenticated UDP (udp://ADDR:PORT). docs/offload.md has the protocol,
// the security model and the failure model.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "vshard/driver/internal/offload_proto.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/ring_frontend.h"
#include "vshard/driver/internal/shm_layout.h"
#include "vshard/driver/internal/spec.h"
#include "vshard/driver/internal/net.h"
#include "vshard/error.h"
#include "vshard/offload.h"

namespace vshard::offload {

using driver::EngineCore;
using driver::RingFrontEnd;
namespace reg = driver::reg;
namespace shm = driver::shm;
using Clock = std::chrono::steady_clock;

namespace {

std::string hex32(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// Runs one event through an engine core to its LAST decision and until the
// engine is idle (its prestage registers then hold the state after the
// event). Returns the number of decisions, or throws kDeviceFailed.
size_t run_event(EngineCore& core, const Event& ev, Decision* out) {
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  core.egress_ready(true);
  while (!core.offer(ev)) {
    if (!core.fault().empty()) throw Error(Errc::kDeviceFailed, core.fault());
    core.run();
    if (Clock::now() > deadline) throw Error(Errc::kDeviceFailed, "the engine did not take an event within 2 s");
  }
  size_t n = 0;
  for (;;) {
    Decision d;
    while (n < kMaxDecisionsPerEvent && core.take(d)) {
      out[n++] = d;
      if (d.flags & kFlagLast) {
        while (!core.idle()) {
          core.run();
          if (Clock::now() > deadline) throw Error(Errc::kDeviceFailed, "the engine did not become idle within 2 s");
        }
        return n;
      }
    }
    if (n == kMaxDecisionsPerEvent) return n;  // no LAST: the host's driver reports the corrupt group
    core.run();
    if (Clock::now() > deadline) throw Error(Errc::kDeviceFailed, "the engine did not answer an event within 2 s");
  }
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(ServerOptions o);
  ~Impl();
  void start();
  void stop();

  void log(const std::string& s) const {
    if (opt_.log) opt_.log(s);
  }
  std::unique_ptr<EngineCore> new_engine() const {
    std::string name;
    return driver::make_engine_core(opt_.engine, name);
  }

  // ---- udp ----
  struct UdpHost {
    uint32_t id = 0;
    std::unique_ptr<Mac> mac;
    uint64_t last_hello_time = 0;
    uint64_t pending_session = 0, pending_nonce = 0;
    sockaddr_storage pending_peer{};
    socklen_t pending_len = 0;
    uint64_t session = 0;
    ReplayWindow rx;
    uint64_t tx_packet = 0;
    sockaddr_storage peer{};
    socklen_t peer_len = 0;
    std::unique_ptr<EngineCore> core;
    driver::Corrupt corrupt = driver::Corrupt::kNone;
    bool faulted = false;
    uint64_t next_event = 0;  // events applied
    uint64_t client_ack = 0;  // events whose decisions the client holds
    std::map<uint64_t, std::vector<Event>> early;
    struct Sent {
      uint64_t first, count;
      std::vector<uint8_t> payload;
    };
    std::deque<Sent> sent;
    uint64_t last_req = 0;
    std::vector<uint8_t> last_reply;
    std::vector<uint8_t> staging;
  };
  struct UdpListener {
    std::string spec;
    int fd = -1;
    std::map<uint32_t, UdpHost> hosts;
    std::thread thread;
  };
  void udp_loop(UdpListener& l);
  void udp_datagram(UdpListener& l, const uint8_t* data, size_t size, const sockaddr_storage& from, socklen_t flen);
  void udp_send(UdpListener& l, UdpHost& h, MsgType type, uint64_t session, uint64_t ack, const uint8_t* payload,
                size_t len, const sockaddr_storage& to, socklen_t tolen, uint32_t incarnation = 0);
  void udp_events(UdpListener& l, UdpHost& h, const uint8_t* p, size_t len);
  void udp_request(UdpListener& l, UdpHost& h, const uint8_t* p, size_t len);
  size_t table(EngineCore& core, uint8_t* out) const;
  void count(Drop d);

  // ---- shm ----
  struct ShmListener {
    std::string spec, name;
    uint8_t* map = nullptr;
    shm::Control* ctl = nullptr;
    std::unique_ptr<RingFrontEnd> rfe;
    uint32_t last_doorbell = 0, last_dq_head = 0, last_req = 0;
    std::thread thread;
  };
  void shm_open_region(ShmListener& l);
  void shm_loop(ShmListener& l);
  bool shm_mailbox(ShmListener& l);

  ServerOptions opt_;
  uint32_t incarnation_ = 0;
  uint32_t identity_[7] = {};
  std::vector<std::unique_ptr<UdpListener>> udp_;
  std::vector<std::unique_ptr<ShmListener>> shm_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  mutable std::mutex mu_;
  ServerStats stats_;
};

Server::Impl::Impl(ServerOptions o) : opt_(std::move(o)) {
  incarnation_ = static_cast<uint32_t>(random64()) | 1u;
  {
    auto probe = new_engine();  // checks the spec; the identity every instance reports
    const uint32_t offs[7] = {reg::kMagic,  reg::kVersion, reg::kDescBytes, reg::kNCores,
                              reg::kNVcpus, reg::kNNodes,  reg::kMaxShards};
    for (int i = 0; i < 7; ++i) identity_[i] = probe->reg_read(offs[i]);
  }
  if (opt_.listen.empty())
    throw Error(Errc::kBadConfig, "vshard serve: give at least one --listen udp://ADDR:PORT or shm://NAME");
  std::vector<HostKey> keys;
  for (const std::string& spec : opt_.listen) {
    if (spec.rfind("udp://", 0) == 0) {
      if (opt_.key_file.empty())
        throw Error(Errc::kBadConfig, "--listen " + spec +
                                          " needs --key-file FILE with the hosts' keys "
                                          "(`vshard keygen HOST_ID FILE` makes one)");
      if (keys.empty()) keys = load_key_file(opt_.key_file);
      auto l = std::make_unique<UdpListener>();
      l->spec = spec;
      l->fd = net::bind_udp(spec.substr(6), spec);
      for (const HostKey& k : keys) {
        UdpHost& h = l->hosts[k.host];
        h.id = k.host;
        h.mac = std::make_unique<Mac>(k.key);
      }
      udp_.push_back(std::move(l));
    } else if (spec.rfind("shm://", 0) == 0) {
      auto l = std::make_unique<ShmListener>();
      l->spec = spec;
      l->name = spec.substr(6);
      driver::parse_spec(spec);  // the name's checks (kBadConfig)
      shm_open_region(*l);
      shm_.push_back(std::move(l));
    } else {
      throw Error(Errc::kBadConfig, "--listen '" + spec + "': give udp://ADDR:PORT or shm://NAME");
    }
  }
}

Server::Impl::~Impl() {
  stop();
  for (auto& l : udp_)
    if (l->fd >= 0) close(l->fd);
  for (auto& l : shm_) {
    if (!l->map) continue;
    l->ctl->state.store(shm::kStopped, std::memory_order_release);
    munmap(l->map, shm::kRegionBytes);
    shm_unlink(shm::shm_name(l->name).c_str());
  }
}

void Server::Impl::start() {
  if (started_) return;
  started_ = true;
  for (auto& l : udp_) l->thread = std::thread([this, p = l.get()] { udp_loop(*p); });
  for (auto& l : shm_) l->thread = std::thread([this, p = l.get()] { shm_loop(*p); });
}

void Server::Impl::stop() {
  stop_.store(true);
  for (auto& l : shm_)
    if (l->ctl) shm::kick(*l->ctl);
  for (auto& l : udp_)
    if (l->thread.joinable()) l->thread.join();
  for (auto& l : shm_)
    if (l->thread.joinable()) l->thread.join();
}

void Server::Impl::count(Drop d) {
  std::lock_guard<std::mutex> lock(mu_);
  switch (d) {
    case Drop::kTruncated: ++stats_.truncated; break;
    case Drop::kOversized: ++stats_.oversized; break;
    case Drop::kMalformed: ++stats_.malformed; break;
    case Drop::kUnknownHost: ++stats_.unknown_host; break;
    case Drop::kUnauthenticated: ++stats_.unauthenticated; break;
    case Drop::kReplayed: ++stats_.replayed; break;
    case Drop::kStale: ++stats_.stale; break;
    default: break;
  }
}

size_t Server::Impl::table(EngineCore& core, uint8_t* out) const {
  const uint32_t nodes = identity_[5];
  for (uint32_t n = 0; n < nodes; ++n) {
    put32(out + 8 * n, core.reg_read(reg::pre_entry(n)));
    put32(out + 8 * n + 4, core.reg_read(reg::pre_epoch(n)));
  }
  return 8 * nodes;
}

// ---------------------------------------------------------------------------
// udp

void Server::Impl::udp_loop(UdpListener& l) {
  uint8_t buf[kMaxDatagram + 64];
  pollfd pfd{l.fd, POLLIN, 0};
  const auto spin = std::chrono::microseconds(opt_.busy_poll_us);
  auto last_work = Clock::now() - spin;
  while (!stop_.load(std::memory_order_relaxed)) {
    // Busy-poll for busy_poll_us after the last datagram, then block.
    if (Clock::now() - last_work >= spin && poll(&pfd, 1, 50) <= 0) continue;
    for (int i = 0; i < 256; ++i) {
      sockaddr_storage from{};
      socklen_t flen = sizeof from;
      const ssize_t n = recvfrom(l.fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &flen);
      if (n < 0) break;
      last_work = Clock::now();
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.datagrams;
      }
      udp_datagram(l, buf, static_cast<size_t>(n), from, flen);
    }
  }
}

void Server::Impl::udp_send(UdpListener& l, UdpHost& h, MsgType type, uint64_t session, uint64_t ack,
                            const uint8_t* payload, size_t len, const sockaddr_storage& to, socklen_t tolen,
                            uint32_t incarnation) {
  uint8_t out[kMaxDatagram];
  Header hd;
  hd.type = static_cast<uint8_t>(type);
  hd.host = h.id;
  hd.incarnation = incarnation ? incarnation : incarnation_;
  hd.session = session;
  hd.packet = ++h.tx_packet;
  hd.ack = ack;
  const size_t n = seal(*h.mac, hd, payload, len, out);
  sendto(l.fd, out, n, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), tolen);
}

void Server::Impl::udp_datagram(UdpListener& l, const uint8_t* data, size_t size, const sockaddr_storage& from,
                                socklen_t flen) {
  Header h;
  const Drop d = open_datagram(
      data, size,
      [&](uint32_t host) -> const Mac* {
        auto it = l.hosts.find(host);
        return it == l.hosts.end() ? nullptr : it->second.mac.get();
      },
      h);
  if (d != Drop::kNone) return count(d);
  UdpHost& hs = l.hosts[h.host];
  const uint8_t* p = data + kHeaderBytes;
  const auto type = static_cast<MsgType>(h.type);
  if (type == MsgType::kHello) {
    // A replayed HELLO (an old client time) opens nothing; a fresh one opens
    // a pending session that becomes the host's only when the client uses
    // it (which needs the key), so even an authentic replay changes no state.
    if (h.len != 16 || h.session != 0 || h.incarnation != 0) return count(Drop::kMalformed);
    const uint64_t nonce = get64(p), t = get64(p + 8);
    if (t <= hs.last_hello_time) return count(Drop::kReplayed);
    hs.last_hello_time = t;
    hs.pending_session = random64() | 1u;
    hs.pending_nonce = nonce;
    hs.pending_peer = from;
    hs.pending_len = flen;
    uint8_t w[8 + 28];
    put64(w, nonce);
    for (int i = 0; i < 7; ++i) put32(w + 8 + 4 * i, identity_[i]);
    udp_send(l, hs, MsgType::kWelcome, hs.pending_session, 0, w, sizeof w, from, flen);
    return;
  }
  if (type != MsgType::kEvents && type != MsgType::kRequest && type != MsgType::kAck) return count(Drop::kMalformed);
  if (h.incarnation != incarnation_ || (h.session != hs.session && h.session != hs.pending_session) || h.session == 0) {
    // Authentic but for a previous incarnation or a superseded session:
    // applied never, answered so the host learns it at once.
    count(Drop::kStale);
    uint8_t r = static_cast<uint8_t>(h.incarnation != incarnation_ ? StaleReason::kIncarnation : StaleReason::kSession);
    udp_send(l, hs, MsgType::kStale, h.session, h.packet, &r, 1, from, flen);
    return;
  }
  // Every check before anything changes (a dropped datagram changes no
  // state, tests/fuzz/offload_fuzz.cc): replay window, payload, ack. A
  // datagram that confirms a pending session is checked against the fresh
  // session it opens (empty window, no events applied).
  const bool confirms = h.session == hs.pending_session && h.session != hs.session;
  if (!(confirms ? ReplayWindow{} : hs.rx).check(h.packet)) return count(Drop::kReplayed);
  if (type == MsgType::kEvents) {
    if (h.len < kEventsHead || (h.len - kEventsHead) % 16 != 0 || get16(p + 8) != (h.len - kEventsHead) / 16 ||
        get16(p + 8) == 0 || get16(p + 10) != 0)
      return count(Drop::kMalformed);
  } else if (type == MsgType::kRequest) {
    if (h.len < 28) return count(Drop::kMalformed);
  } else if (h.len != 0) {
    return count(Drop::kMalformed);
  }
  // acks decisions never sent: ignore it all
  if (h.ack > (confirms ? 0 : hs.next_event)) return count(Drop::kMalformed);
  if (confirms) {
    // The client confirms the new session: a fresh engine instance.
    std::string why;
    try {
      hs.core = new_engine();
    } catch (const Error& e) {
      log("udp host " + std::to_string(hs.id) + ": cannot create an engine: " + e.what());
      return;
    }
    hs.session = h.session;
    hs.rx.reset();
    hs.peer = hs.pending_peer;
    hs.peer_len = hs.pending_len;
    hs.corrupt = driver::Corrupt::kNone;
    hs.faulted = false;
    hs.next_event = hs.client_ack = 0;
    hs.early.clear();
    hs.sent.clear();
    hs.last_req = 0;
    hs.last_reply.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.sessions;
    }
    log("udp host " + std::to_string(hs.id) + ": session " + hex32(static_cast<uint32_t>(hs.session)) +
        " opened, new engine instance (" + opt_.engine + ")");
  }
  hs.rx.accept(h.packet);
  hs.peer = from;
  hs.peer_len = flen;
  if (h.ack > hs.client_ack) hs.client_ack = h.ack;
  while (!hs.sent.empty() && hs.sent.front().first + hs.sent.front().count <= hs.client_ack) hs.sent.pop_front();
  if (type == MsgType::kEvents) udp_events(l, hs, p, h.len);
  if (type == MsgType::kRequest) udp_request(l, hs, p, h.len);
}

void Server::Impl::udp_events(UdpListener& l, UdpHost& h, const uint8_t* p, size_t len) {
  if (!h.core || h.core->frozen() || h.faulted) return;  // a hung engine answers nothing
  const uint64_t first = get64(p);
  const size_t count_in = (len - kEventsHead) / 16;
  std::set<uint64_t> resend;
  uint64_t dup = 0;
  auto note_duplicates = [&](uint64_t f, size_t n) {
    for (uint64_t k = f; k < f + n && k < h.next_event; ++k) {
      ++dup;
      if (k < h.client_ack) continue;
      for (const auto& s : h.sent)
        if (k >= s.first && k < s.first + s.count) resend.insert(s.first);
    }
  };
  note_duplicates(first, count_in);
  if (first + count_in > h.next_event) {
    if (first > h.next_event) {
      // Early (a batch before it was lost or is late): kept, bounded.
      if (first - h.next_event < 65536 && h.early.size() < 64) {
        std::vector<Event> evs(count_in);
        for (size_t i = 0; i < count_in; ++i) evs[i] = Event{decode(p + kEventsHead + 16 * i)};
        h.early.emplace(first, std::move(evs));
      }
    } else {
      std::vector<Event> evs;
      for (size_t i = static_cast<size_t>(h.next_event - first); i < count_in; ++i)
        evs.push_back(Event{decode(p + kEventsHead + 16 * i)});
      // Apply in order, pulling in early batches that now continue the stream.
      uint8_t out[kMaxPayload];
      size_t ndec = 0, nev = 0;
      uint64_t dfirst = h.next_event;
      auto flush = [&] {
        if (nev == 0) return;
        put64(out, dfirst);
        put16(out + 8, static_cast<uint16_t>(nev));
        put16(out + 10, static_cast<uint16_t>(ndec));
        out[12] = static_cast<uint8_t>(identity_[5]);
        out[13] = out[14] = out[15] = 0;
        const size_t tb = table(*h.core, out + kDecisionsHead);
        // the decisions were written after the table's room
        std::memmove(out + kDecisionsHead + tb, out + kDecisionsHead + 8 * kMaxNodes, 16 * ndec);
        const size_t plen = kDecisionsHead + tb + 16 * ndec;
        // Kept until the host acknowledges them; a host that never does
        // cannot make serve grow past this (it then loses the oldest, and
        // its watchdog reports it).
        if (h.sent.size() >= 4096) h.sent.pop_front();
        h.sent.push_back({dfirst, nev, std::vector<uint8_t>(out, out + plen)});
        udp_send(l, h, MsgType::kDecisions, h.session, h.next_event, out, plen, h.peer, h.peer_len);
        std::lock_guard<std::mutex> lock(mu_);
        stats_.decisions += ndec;
        stats_.events += nev;
        dfirst += nev;
        nev = ndec = 0;
      };
      for (;;) {
        for (const Event& ev : evs) {
          if (ndec + kMaxDecisionsPerEvent > kMaxDecisionsPerMsg) flush();
          Decision dec[kMaxDecisionsPerEvent];
          size_t n = 0;
          try {
            n = run_event(*h.core, ev, dec);
          } catch (const Error& e) {
            h.faulted = true;
            flush();
            log("udp host " + std::to_string(h.id) + ": engine fault, serving no more events: " + e.what());
            return;
          }
          for (size_t i = 0; i < n; ++i) {
            driver::apply_corruption(h.corrupt, dec[i]);
            encode(dec[i], out + kDecisionsHead + 8 * kMaxNodes + 16 * (ndec + i));
          }
          ndec += n;
          ++nev;
          ++h.next_event;
        }
        auto it = h.early.begin();
        while (it != h.early.end() && it->first + it->second.size() <= h.next_event) it = h.early.erase(it);
        if (it == h.early.end() || it->first > h.next_event) break;
        evs.assign(it->second.begin() + static_cast<long>(h.next_event - it->first), it->second.end());
        h.early.erase(it);
      }
      flush();
    }
  }
  if (dup) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.duplicate_events += dup;
    stats_.resent += resend.size();
  }
  for (const auto& s : h.sent)
    if (resend.count(s.first))
      udp_send(l, h, MsgType::kDecisions, h.session, h.next_event, s.payload.data(), s.payload.size(), h.peer,
               h.peer_len);
}

void Server::Impl::udp_request(UdpListener& l, UdpHost& h, const uint8_t* p, size_t len) {
  const uint64_t id = get64(p), after = get64(p + 8);
  const uint8_t op = p[16];
  const uint32_t off = get32(p + 20), value = get32(p + 24);
  if (id < h.last_req) return;
  if (id == h.last_req) {
    udp_send(l, h, MsgType::kReply, h.session, h.next_event, h.last_reply.data(), h.last_reply.size(), h.peer,
             h.peer_len);
    return;
  }
  uint8_t r[16 + 8 * kMaxNodes] = {};
  put64(r, id);
  Status st = Status::kOk;
  uint32_t result = 0;
  if (after > h.next_event) {
    st = Status::kNotYet;
  } else if (!h.core) {
    st = Status::kFailed;
  } else {
    try {
      switch (static_cast<Op>(op)) {
        case Op::kRead:
          if (off % 4 || off >= 0x1000 || len != 28) st = Status::kRefused;
          else result = h.core->reg_read(off);
          break;
        case Op::kWrite:
          if (off % 4 || off >= 0x1000 || len != 28 || reg::is_ring_register(off) || off == reg::kDoorbell)
            st = Status::kRefused;
          else h.core->reg_write(off, value);
          break;
        case Op::kFault: {
          const auto f = static_cast<Fault>(value);
          if (!opt_.allow_fault_injection || len != 28 || value > static_cast<uint32_t>(Fault::kBadPlan)) {
            st = Status::kRefused;
          } else if (f == Fault::kFreeze || f == Fault::kThaw) {
            h.core->freeze(f == Fault::kFreeze);
          } else if (!driver::arm_corruption(f, h.corrupt) && !h.core->inject(f)) {
            st = Status::kRefused;
          }
          break;
        }
        case Op::kStateChunk: {
          const size_t chunk = len - 28;
          if (value > (1u << 20) || off + chunk > value || (off == 0) != h.staging.empty() || off != h.staging.size()) {
            h.staging.clear();
            st = Status::kRefused;
            break;
          }
          h.staging.insert(h.staging.end(), p + 28, p + len);
          if (h.staging.size() == value) {
            std::vector<uint8_t> s;
            s.swap(h.staging);
            try {
              h.core->load_state(s);
              log("udp host " + std::to_string(h.id) + ": engine state loaded (" + std::to_string(s.size()) +
                  " bytes): resynchronised");
            } catch (const Error& e) {
              log("udp host " + std::to_string(h.id) + ": state snapshot refused: " + e.what());
              st = Status::kFailed;
            }
          }
          break;
        }
        default: st = Status::kRefused;
      }
    } catch (const Error& e) {
      log("udp host " + std::to_string(h.id) + ": request failed: " + e.what());
      st = Status::kFailed;
    }
  }
  r[8] = static_cast<uint8_t>(st);
  r[9] = h.core ? static_cast<uint8_t>(identity_[5]) : 0;
  put32(r + 12, result);
  const size_t tb = h.core && st != Status::kNotYet ? table(*h.core, r + 16) : 0;
  if (tb == 0) r[9] = 0;
  if (st != Status::kNotYet) {
    h.last_req = id;
    h.last_reply.assign(r, r + 16 + tb);
  }
  udp_send(l, h, MsgType::kReply, h.session, h.next_event, r, 16 + tb, h.peer, h.peer_len);
}

// ---------------------------------------------------------------------------
// shm

void Server::Impl::shm_open_region(ShmListener& l) {
  const std::string path = shm::path_of(l.name);
  const int fd = shm_open(shm::shm_name(l.name).c_str(), O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
  if (fd < 0) throw Error(Errc::kIo, "--listen " + l.spec + ": cannot create " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_uid != geteuid()) {
    close(fd);
    throw Error(Errc::kIo,
                "--listen " + l.spec + ": " + path + " belongs to another user; remove it or choose another name");
  }
  if (fchmod(fd, 0600) != 0 || ftruncate(fd, static_cast<off_t>(shm::kRegionBytes)) != 0) {
    close(fd);
    throw Error(Errc::kIo, "--listen " + l.spec + ": " + path + ": " + std::strerror(errno));
  }
  void* m = mmap(nullptr, shm::kRegionBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (m == MAP_FAILED) throw Error(Errc::kIo, "--listen " + l.spec + ": mmap: " + std::strerror(errno));
  l.map = static_cast<uint8_t*>(m);
  l.ctl = reinterpret_cast<shm::Control*>(l.map);
  shm::Control& c = *l.ctl;
  // A region left by a killed serve is taken over: its host sees the new
  // incarnation and honours nothing of the old one.
  c.state.store(shm::kInit, std::memory_order_release);
  c.magic = shm::kMagic;
  c.version = shm::kVersion;
  c.server_pid = static_cast<uint32_t>(getpid());
  for (int i = 0; i < 7; ++i) c.identity[i] = identity_[i];
  c.session_current.store(0);
  l.last_req = c.req_seq.load();
  c.resp_seq.store(l.last_req);
  c.incarnation.store(incarnation_, std::memory_order_release);
  c.state.store(shm::kServing, std::memory_order_release);
}

bool Server::Impl::shm_mailbox(ShmListener& l) {
  shm::Control& c = *l.ctl;
  const uint32_t seq = c.req_seq.load(std::memory_order_acquire);
  if (seq == l.last_req) return false;
  l.last_req = seq;
  uint32_t status = shm::kOk, result = 0;
  const uint32_t op = c.op, off = c.offset, value = c.value;
  try {
    if (op == shm::kAttach) {
      std::string name;
      l.rfe = std::make_unique<RingFrontEnd>("serve", new_engine());
      l.rfe->adopt(l.map + shm::kControlBytes, shm::kDataAddr, shm::kDataBytes);
      c.doorbell.store(0);
      c.dq_head.store(0);
      l.last_doorbell = l.last_dq_head = 0;
      c.session_current.store(c.session, std::memory_order_release);
      result = incarnation_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.sessions;
      }
      log(l.spec + ": host attached (session " + hex32(c.session) + "), new engine instance (" + opt_.engine + ")");
    } else if (c.session != c.session_current.load() || !l.rfe) {
      status = shm::kStaleSession;
    } else if (op == shm::kDetach) {
      l.rfe.reset();
      c.session_current.store(0);
      log(l.spec + ": host detached");
    } else if (op == shm::kRead) {
      result = l.rfe->read32(off);
    } else if (op == shm::kWrite) {
      l.rfe->write32(off, value);
      if (off == reg::kCtrl && (value & reg::kCtrlSoftReset)) {
        c.doorbell.store(0);
        c.dq_head.store(0);
        l.last_doorbell = l.last_dq_head = 0;
      }
    } else if (op == shm::kFault) {
      if (!opt_.allow_fault_injection) status = shm::kRefused;
      else l.rfe->inject(static_cast<Fault>(value));
    } else if (op == shm::kLoadState) {
      if (value > shm::kStagingBytes) {
        status = shm::kRefused;
      } else {
        const uint8_t* s = l.map + shm::kControlBytes + shm::kDataBytes;
        try {
          l.rfe->load_state(std::vector<uint8_t>(s, s + value));
          log(l.spec + ": engine state loaded (" + std::to_string(value) + " bytes): resynchronised");
        } catch (const Error& e) {
          log(l.spec + ": state snapshot refused: " + e.what());
          status = shm::kFailed;
        }
      }
    } else {
      status = shm::kRefused;
    }
  } catch (const Error& e) {
    log(l.spec + ": request failed: " + e.what());
    status = shm::kFailed;
  }
  c.result = result;
  c.status = status;
  c.resp_seq.store(seq, std::memory_order_release);
  return true;
}

void Server::Impl::shm_loop(ShmListener& l) {
  shm::Control& c = *l.ctl;
  auto last_work = Clock::now();
  const auto spin = std::chrono::microseconds(opt_.busy_poll_us);
  uint64_t served = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    bool work = false;
    if (l.rfe) {
      const uint32_t dqh = c.dq_head.load(std::memory_order_acquire);
      if (dqh != l.last_dq_head) {
        l.last_dq_head = dqh;
        l.rfe->write32(reg::kDqHead, dqh);
        work = true;
      }
      const uint32_t db = c.doorbell.load(std::memory_order_acquire);
      if (db != l.last_doorbell) {
        served += db - l.last_doorbell;
        l.last_doorbell = db;
        l.rfe->write32(reg::kDoorbell, db);
        work = true;
      }
    }
    work |= shm_mailbox(l);
    if (l.rfe && l.rfe->service()) work = true;
    const auto now = Clock::now();
    if (work) {
      last_work = now;
      continue;
    }
    if (now - last_work < spin) {
      __builtin_ia32_pause();
      continue;
    }
    if (served) {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.events += served;
      served = 0;
    }
    const uint32_t w = c.wake.load(std::memory_order_seq_cst);
    c.server_sleeping.store(1, std::memory_order_seq_cst);
    const bool pending = c.req_seq.load() != l.last_req ||
                         (l.rfe && (c.doorbell.load() != l.last_doorbell || c.dq_head.load() != l.last_dq_head));
    if (!pending && !stop_.load()) shm::futex_wait(c.wake, w, 20'000'000);
    c.server_sleeping.store(0, std::memory_order_seq_cst);
  }
}

// ---------------------------------------------------------------------------

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;
void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
uint32_t Server::incarnation() const { return impl_->incarnation_; }
ServerStats Server::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->stats_;
}
void Server::inject_datagram(const uint8_t* data, size_t size) {
  if (impl_->udp_.empty() || impl_->started_)
    throw Error(Errc::kUnsupported, "inject_datagram: needs a udp listener and a server that was not started");
  sockaddr_storage from{};
  auto* a = reinterpret_cast<sockaddr_in*>(&from);
  a->sin_family = AF_INET;
  a->sin_port = htons(9);
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    ++impl_->stats_.datagrams;
  }
  impl_->udp_datagram(*impl_->udp_[0], data, size, from, sizeof(sockaddr_in));
}

uint64_t Server::session_of(uint32_t host) const {
  if (impl_->udp_.empty()) return 0;
  const auto& hosts = impl_->udp_[0]->hosts;
  const auto it = hosts.find(host);
  if (it == hosts.end()) return 0;
  return it->second.session ? it->second.session : it->second.pending_session;
}

std::string Server::host_state(uint32_t host) const {
  if (impl_->udp_.empty()) return "no udp listener";
  const auto& hosts = impl_->udp_[0]->hosts;
  const auto it = hosts.find(host);
  if (it == hosts.end()) return "unknown host";
  const Impl::UdpHost& h = it->second;
  std::string s = "hello_time=" + std::to_string(h.last_hello_time) + " pending=" + std::to_string(h.pending_session) +
                  "/" + std::to_string(h.pending_nonce) + " session=" + std::to_string(h.session) +
                  " rx=" + std::to_string(h.rx.top()) + "/" + std::to_string(h.rx.bits()) +
                  " next_event=" + std::to_string(h.next_event) + " client_ack=" + std::to_string(h.client_ack) +
                  " early=" + std::to_string(h.early.size()) + " sent=" + std::to_string(h.sent.size()) +
                  " last_req=" + std::to_string(h.last_req) + " last_reply=" + std::to_string(h.last_reply.size()) +
                  " staging=" + std::to_string(h.staging.size()) + " faulted=" + std::to_string(h.faulted) +
                  " corrupt=" + std::to_string(static_cast<int>(h.corrupt));
  for (const auto& [first, evs] : h.early) s += " early@" + std::to_string(first) + "+" + std::to_string(evs.size());
  s += " peer=" + (h.peer_len ? net::to_string(h.peer) : std::string("-"));
  if (h.core) {
    s += " engine events=" + std::to_string(h.core->reg_read(reg::kCntEvents)) +
         " frozen=" + std::to_string(h.core->frozen());
    for (uint32_t n = 0; n < impl_->identity_[5] && n < kMaxNodes; ++n)
      s += " pre" + std::to_string(n) + "=" + std::to_string(h.core->reg_read(reg::pre_entry(n))) + "/" +
           std::to_string(h.core->reg_read(reg::pre_epoch(n)));
  } else {
    s += " no engine";
  }
  return s;
}

std::vector<std::string> Server::addresses() const {
  std::vector<std::string> out;
  for (const auto& l : impl_->udp_) out.push_back("udp://" + net::local_address(l->fd));
  for (const auto& l : impl_->shm_) out.push_back(l->spec);
  return out;
}

}  // namespace vshard::offload
