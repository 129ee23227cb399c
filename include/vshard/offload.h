// The engine as a service (`vshard serve`, docs/offload.md): a server that
// hosts one engine instance per hypervisor host and serves it over
// shared memory (shm://NAME) or authenticated UDP (udp://ADDR:PORT), plus the
// fault-injecting UDP relay the tests put between host and serve.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vshard::offload {

struct ServerOptions {
  // Engine spec of every instance: model[?config=...], verilator[?config=...],
  // opencl[...], xrt://... (a data-mover card).
  std::string engine = "model";
  // Where to listen: udp://ADDR:PORT (port 0: any free port) and/or
  // shm://NAME; each given once.
  std::vector<std::string> listen;
  // Pre-shared keys of the hosts (required for udp://).
  std::string key_file;
  // Test hook: hosts may inject faults (Device::inject_fault) into their engine.
  bool allow_fault_injection = false;
  // Spin this long after the last work before sleeping (shm: on the futex,
  // udp: in poll(2)).
  uint32_t busy_poll_us = 50;
  // Log lines (no newline); default: none.
  std::function<void(const std::string&)> log;
};

// What serve did; drops by kind (docs/offload.md, "Security").
struct ServerStats {
  uint64_t datagrams = 0;         // received
  uint64_t events = 0;            // applied to an engine (each exactly once)
  uint64_t duplicate_events = 0;  // received again (retransmission, duplication): answered, not applied
  uint64_t decisions = 0;         // sent (first transmission)
  uint64_t resent = 0;            // decision datagrams sent again
  uint64_t sessions = 0;          // host sessions opened (udp HELLO confirmed, shm attach)
  uint64_t truncated = 0, oversized = 0, malformed = 0, unknown_host = 0, unauthenticated = 0, replayed = 0, stale = 0;
  uint64_t dropped() const {
    return truncated + oversized + malformed + unknown_host + unauthenticated + replayed + stale;
  }
};

class Server {
 public:
  // Opens every listener (binds the sockets, creates the shm regions with
  // mode 0600) and checks the engine spec. Throws vshard::Error: kBadConfig
  // (bad address, key file, engine spec), kIo (address in use, region owned
  // by someone else).
  explicit Server(ServerOptions options);
  ~Server();  // stops, marks shm regions stopped and unlinks them
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves on one thread per listener until stop().
  void start();
  void stop();
  // The listeners as they are bound (a udp port 0 resolved).
  std::vector<std::string> addresses() const;
  uint32_t incarnation() const;
  ServerStats stats() const;

  // Test hooks of the fuzz target (tests/fuzz/offload_fuzz.cc), for a
  // server that was not start()ed: hands a datagram to the first udp
  // listener as if it came from 127.0.0.1:9, and the session host `host`
  // would use now (the confirmed one, else the one offered; 0: none; on a
  // started server only once the host's session is settled).
  void inject_datagram(const uint8_t* data, size_t size);
  uint64_t session_of(uint32_t host) const;
  // Test hook of the fuzz target: the protocol state serve keeps for `host`
  // on the first udp listener, as text (last HELLO time, pending and current
  // session, replay window, events applied, acks, early and sent batches,
  // last request, staged snapshot, fault state, peer address, the engine's
  // event counter and prestage registers). Not in it: packet counters of
  // what serve sends and the statistics. A dropped datagram must not
  // change it.
  std::string host_state(uint32_t host) const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A UDP relay that injects faults (the kernel here has no netem): datagrams
// from the client to `listen` go to `target`, and the answers back, each
// direction with its own loss, duplication, reordering and delay. Seeded,
// so a run replays. Used by the tests between host and serve.
struct RelayOptions {
  std::string listen;                           // ADDR:PORT (port 0: any)
  std::string target;                           // ADDR:PORT of serve
  double loss = 0, duplicate = 0, reorder = 0;  // rates per datagram, 0..1, each direction
  uint32_t delay_us = 0;                        // added to every datagram
  uint32_t reorder_delay_us = 300;              // a reordered datagram is held this long
  uint64_t seed = 1;
};
struct RelayStats {
  uint64_t forwarded = 0, lost = 0, duplicated = 0, reordered = 0;
};
class FaultRelay {
 public:
  explicit FaultRelay(RelayOptions options);  // binds; throws kBadConfig / kIo
  ~FaultRelay();
  FaultRelay(const FaultRelay&) = delete;
  FaultRelay& operator=(const FaultRelay&) = delete;
  std::string address() const;  // ADDR:PORT as bound
  RelayStats stats() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// "<host id> <64 hex digits>" with a fresh random key (for key files).
std::string new_key_line(uint32_t host);

}  // namespace vshard::offload
