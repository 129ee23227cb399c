// The engine as a service (docs/offload.md): security of the datagram
// decoder, host isolation, exactly-once delivery through a faulty network,
// 100 000-event streams through both transports with `vshard serve` in
// another process (and network namespace, when permitted), and the failure
// model: serve killed and restarted under a FailoverDevice.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "../driver/driver_test_util.h"
#include "../driver/offload_test_util.h"
#include "vshard/driver/internal/offload_proto.h"
#include "vshard/driver/internal/net.h"
#include "vshard/device.h"
#include "vshard/event_gen.h"
#include "vshard/failover.h"
#include "vshard/offload.h"
#include "vshard/testnet.h"

using namespace vshard;
using namespace std::chrono_literals;
using vshard::test::KeyDir;
using vshard::test::reference;
using vshard::test::run_all;

namespace {

// Two hosts' key lines in one serve file, each host's line alone in its own.
struct TwoHostKeys {
  KeyDir dir{1, "-keys"};
  std::string serve, host1, host2;
  TwoHostKeys() {
    std::string l1, l2;
    std::getline(std::ifstream(dir.key), l1);
    l2 = offload::new_key_line(2);
    serve = dir.dir + "/serve.keys";
    host1 = dir.key;
    host2 = dir.dir + "/host2.key";
    std::ofstream(serve) << l1 << "\n" << l2 << "\n";
    std::ofstream(host2) << l2 << "\n";
    chmod(serve.c_str(), 0600);
    chmod(host2.c_str(), 0600);
  }
};

offload::Key key_of(const std::string& file) { return offload::load_key_file(file).at(0).key; }

void send_raw(const std::string& to, const std::vector<uint8_t>& bytes) {
  socklen_t len = 0;
  const sockaddr_storage ss = offload::net::resolve(to, "test", len);
  const int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
  sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&ss), len);
  close(fd);
}

std::vector<uint8_t> sealed(const offload::Key& key, offload::Header h, std::vector<uint8_t> payload) {
  std::vector<uint8_t> out(offload::kMaxDatagram);
  out.resize(offload::seal(key, h, payload.data(), payload.size(), out.data()));
  return out;
}

// Waits until serve has counted what was sent (the socket is asynchronous).
void settle(const offload::Server& s, uint64_t datagrams) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (s.stats().datagrams < datagrams && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
}

std::string read_ready(const std::string& file, const std::string& prefix) {
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream f(file);
    std::string line;
    while (std::getline(f, line))
      if (line.rfind(prefix, 0) == 0) return line;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("vshard serve did not write " << file << " within 20 s");
  return "";
}

#ifdef VSHARD_CLI
// `vshard serve` as a separate process in serve's namespace.
struct ServeProcess {
  const offload::TestNetwork& net;
  std::string ready, log;
  pid_t pid = -1;
  ServeProcess(const offload::TestNetwork& n, const KeyDir& dir, const std::string& key_file,
               const std::string& udp_port, const std::string& shm_name)
      : net(n) {
    ready = dir.dir + "/ready-" + udp_port + "-" + std::to_string(std::rand());
    log = dir.dir + "/serve.log";
    pid = net.spawn_in_serve(
        {VSHARD_CLI, "serve", "--listen", "udp://" + net.serve_addr() + ":" + udp_port, "--listen", "shm://" + shm_name,
         "--key-file", key_file, "--ready-file", ready, "--busy-poll-us", "200"},
        log);
  }
  std::string udp() { return read_ready(ready, "udp://"); }
  void kill_now() {
    offload::TestNetwork::kill_process(pid, SIGKILL);
    pid = -1;
  }
  ~ServeProcess() { offload::TestNetwork::kill_process(pid, SIGTERM); }
};

#endif

// Runs events in batches through a FailoverDevice, with `at(i)` called before
// batch i; returns every decision in order.
std::vector<Decision> run_failover(FailoverDevice& dev, const std::vector<Event>& events,
                                   const std::function<void(size_t)>& at) {
  std::vector<Decision> out;
  Decision buf[512];
  for (size_t i = 0; i < events.size(); i += 64) {
    at(i);
    const size_t n = std::min<size_t>(64, events.size() - i);
    REQUIRE(dev.submit(std::span<const Event>(events).subspan(i, n), DeviceClock::now() + 10s) == n);
    for (size_t k; (k = dev.poll(buf, 512)) > 0;) out.insert(out.end(), buf, buf + k);
  }
  const bool drained = dev.drain(DeviceClock::now() + 30s);
  REQUIRE(drained);
  for (size_t k; (k = dev.poll(buf, 512)) > 0;) out.insert(out.end(), buf, buf + k);
  return out;
}

}  // namespace

TEST_CASE("udp: bad datagrams are dropped and counted, hosts are isolated, state is unchanged", "[offload][unit]") {
  TwoHostKeys keys;
  offload::ServerOptions o;
  o.listen = {"udp://127.0.0.1:0"};
  o.key_file = keys.serve;
  offload::Server server(o);
  server.start();
  const std::string addr = server.addresses().at(0).substr(6);
  const Params p = Params::small();
  const EventLog log1 = generate_event_log(p, 41, 3000), log2 = generate_event_log(p, 42, 3000);
  auto dev1 = Device::open("udp://" + addr + "?key=" + keys.host1);
  auto dev2 = Device::open("udp://" + addr + "?key=" + keys.host2);
  Model ref1(p), ref2(p);
  const std::vector<Event> a1(log1.events.begin(), log1.events.begin() + 1500);
  const std::vector<Event> a2(log2.events.begin(), log2.events.begin() + 1000);
  CHECK(run_all(*dev1, a1) == reference(ref1, a1));
  CHECK(run_all(*dev2, a2) == reference(ref2, a2));  // its own instance, from reset
  CHECK(dev1->device_counters() == ref1.counters());
  CHECK(dev2->device_counters() == ref2.counters());

  const offload::Key k1 = key_of(keys.host1), k2 = key_of(keys.host2);
  offload::Header h;
  h.type = static_cast<uint8_t>(offload::MsgType::kEvents);
  h.host = 1;
  h.incarnation = server.incarnation();
  h.session = 12345;
  h.packet = 1;
  std::vector<uint8_t> events_payload(offload::kEventsHead + 16);
  offload::put16(events_payload.data() + 8, 1);
  vshard::encode(make_account(99), events_payload.data() + offload::kEventsHead);
  const uint64_t before = server.stats().datagrams;
  const offload::ServerStats s0 = server.stats();
  std::vector<uint8_t> good = sealed(k1, h, events_payload);
  send_raw(addr, std::vector<uint8_t>(good.begin(), good.begin() + 10));    // truncated
  send_raw(addr, std::vector<uint8_t>(good.begin(), good.end() - 1));       // truncated MAC
  send_raw(addr, std::vector<uint8_t>(offload::kMaxDatagram + 100, 0x55));  // oversized
  {
    auto b = good;
    b[0] ^= 1;  // magic
    send_raw(addr, b);
    b = good;
    b[5] = 99;  // type
    send_raw(addr, b);
  }
  {
    offload::Header u = h;
    u.host = 9;  // no key for host 9
    send_raw(addr, sealed(k1, u, events_payload));
  }
  {
    auto b = good;
    b[offload::kHeaderBytes + 20] ^= 0x80;  // payload changed after the MAC
    send_raw(addr, b);
    send_raw(addr, sealed(k2, h, events_payload));  // host 2 posing as host 1
  }
  {
    offload::Header hello;
    hello.type = static_cast<uint8_t>(offload::MsgType::kHello);
    hello.host = 1;
    hello.packet = 1;
    std::vector<uint8_t> pl(16);
    offload::put64(pl.data(), 7);
    offload::put64(pl.data() + 8, 1);  // a client time long past: a replayed HELLO
    send_raw(addr, sealed(k1, hello, pl));
  }
  send_raw(addr, good);  // authentic, but no such session: answered STALE, applied never
  {
    offload::Header old = h;
    old.incarnation = server.incarnation() ^ 0x1234;  // a previous incarnation ...
    old.session = server.session_of(1);               // ... in the live session
    old.packet = 1u << 30;
    send_raw(addr, sealed(k1, old, events_payload));
  }
  settle(server, before + 12);
  const offload::ServerStats s = server.stats();
  CHECK(s.truncated - s0.truncated == 2);
  CHECK(s.oversized - s0.oversized == 1);
  CHECK(s.malformed - s0.malformed == 2);
  CHECK(s.unknown_host - s0.unknown_host == 1);
  CHECK(s.unauthenticated - s0.unauthenticated == 2);
  CHECK(s.replayed - s0.replayed == 1);
  CHECK(s.stale - s0.stale == 2);
  CHECK(s.events == s0.events);
  CHECK(s.sessions == 2);

  // Both hosts go on exactly where they were.
  const std::vector<Event> b1(log1.events.begin() + 1500, log1.events.end());
  const std::vector<Event> b2(log2.events.begin() + 1000, log2.events.end());
  CHECK(run_all(*dev1, b1) == reference(ref1, b1));
  CHECK(run_all(*dev2, b2) == reference(ref2, b2));
  CHECK(dev1->device_counters() == ref1.counters());
  CHECK(dev2->device_counters() == ref2.counters());
  test::check_prestage(*dev1, ref1);
  CHECK_FALSE(dev1->failed());
}

TEST_CASE("udp: a duplicating, lossy, reordering relay loses and repeats no decision", "[offload][unit]") {
  KeyDir keys(1, "-relay");
  offload::ServerOptions o;
  o.listen = {"udp://127.0.0.1:0"};
  o.key_file = keys.key;
  offload::Server server(o);
  server.start();
  offload::RelayOptions ro;
  ro.listen = "127.0.0.1:0";
  ro.target = server.addresses().at(0).substr(6);
  ro.loss = 0.05;
  ro.duplicate = 1.0;  // every datagram twice: the copies are replays
  ro.reorder = 0.1;
  ro.seed = 3;
  offload::FaultRelay relay(ro);
  auto dev = Device::open("udp://" + relay.address() + "?key=" + keys.key + "&rto_us=500");
  const EventLog log = generate_event_log(dev->params(), 8, 20000);
  Model ref(dev->params());
  CHECK(run_all(*dev, log.events) == reference(ref, log.events));
  CHECK(dev->device_counters() == ref.counters());
  const auto s = server.stats();
  INFO("relay: " << relay.stats().lost << " lost, " << relay.stats().duplicated << " duplicated, "
                 << relay.stats().reordered << " reordered; serve: " << s.replayed << " replays dropped, "
                 << s.duplicate_events << " repeated events answered");
  CHECK(s.events == log.events.size());  // each applied exactly once
  // Every datagram arrives twice unless lost: about half of those serve
  // received are copies, dropped by the replay window.
  CHECK(s.replayed >= s.datagrams / 3);
  CHECK(relay.stats().lost > 0);
  CHECK(relay.stats().reordered > 0);
}

#ifdef VSHARD_CLI
TEST_CASE("100 000 events through udp (with and without faults) and shm, serve in its own process and namespace",
          "[offload][netns]") {
  offload::TestNetwork net("net");
  WARN(net.describe());
  KeyDir keys(1, "-netns");
  const std::string shm = "vshard-nt-" + std::to_string(getpid());
  ServeProcess serve(net, keys, keys.key, "0", shm);
  const std::string udp = serve.udp();
  const Params p = Params::small();
  const EventLog log = generate_event_log(p, 100, 100000);
  Model ref(p);
  const std::vector<Decision> want = reference(ref, log.events);
  auto guard = net.enter_host();
  {
    auto dev = Device::open(udp + "?key=" + keys.key);
    CHECK(run_all(*dev, log.events) == want);
    CHECK(dev->device_counters() == ref.counters());
    test::check_prestage(*dev, ref);
  }
  {
    offload::RelayOptions ro;
    ro.listen = "127.0.0.1:0";
    ro.target = udp.substr(6);
    ro.loss = 0.05;
    ro.duplicate = 0.05;
    ro.reorder = 0.05;
    ro.delay_us = 20;
    ro.seed = 11;
    offload::FaultRelay relay(ro);
    auto dev = Device::open("udp://" + relay.address() + "?key=" + keys.key + "&rto_us=500");
    CHECK(run_all(*dev, log.events) == want);
    CHECK(dev->device_counters() == ref.counters());
    const auto rs = relay.stats();
    WARN("relay 5 % loss, 5 % duplication, 5 % reordering: " << rs.forwarded << " forwarded, " << rs.lost << " lost, "
                                                             << rs.duplicated << " duplicated, " << rs.reordered
                                                             << " reordered");
    CHECK(rs.lost > 0);
    CHECK(rs.duplicated > 0);
    CHECK(rs.reordered > 0);
  }
  {
    auto dev = Device::open("shm://" + shm);
    CHECK(run_all(*dev, log.events) == want);
    CHECK(dev->device_counters() == ref.counters());
  }
}

TEST_CASE("serve killed and restarted: the fallback goes on, serve is resynchronised, no decision lost",
          "[offload][netns]") {
  offload::TestNetwork net("fo");
  KeyDir keys(1, "-failover");
  const std::string shm = "vshard-fo-" + std::to_string(getpid());
  // A fixed port: the restarted serve must be found where the first one was.
  uint16_t port = 0;
  {
    auto g = net.enter_serve();
    const int fd = offload::net::bind_udp(net.serve_addr() + ":0", "test");
    const std::string a = offload::net::local_address(fd);
    close(fd);
    port = static_cast<uint16_t>(std::stoul(a.substr(a.rfind(':') + 1)));
  }
  const Params p = Params::small();
  const EventLog log = generate_event_log(p, 77, 60000);
  Model ref(p);
  const std::vector<Decision> want = reference(ref, log.events);
  for (const std::string kind : {"udp", "shm"}) {
    INFO("transport " << kind);
    auto serve = std::make_unique<ServeProcess>(net, keys, keys.key, std::to_string(port), shm);
    const std::string udp = serve->udp();
    auto guard = net.enter_host();
    std::vector<std::string> lines;
    FailoverOptions fo;
    fo.retry_interval = 50ms;
    fo.log = [&](const std::string& s) { lines.push_back(s); };
    DeviceOptions o;
    o.watchdog = 100ms;
    FailoverDevice dev(kind == "udp" ? udp + "?key=" + keys.key + "&timeout_ms=200" : "shm://" + shm, o, fo);
    const auto got = run_failover(dev, log.events, [&](size_t i) {
      if (i == 20032) serve->kill_now();  // mid-stream, events in flight
      if (i == 30016) {
        CHECK_FALSE(dev.on_device());
        serve = std::make_unique<ServeProcess>(net, keys, keys.key, std::to_string(port), shm);
        serve->udp();
      }
      if (i == 50048 && !dev.on_device()) {
        const auto until = std::chrono::steady_clock::now() + 10s;  // bounded
        Decision none[1];
        while (!dev.on_device() && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(5ms);
          CHECK(dev.poll(none, 0) == 0);
        }
      }
    });
    REQUIRE(got.size() == want.size());
    CHECK(got == want);
    const FailoverStats st = dev.stats();
    CHECK(st.failovers == 1);
    CHECK(st.resyncs == 1);
    CHECK(st.events_on_fallback > 0);
    REQUIRE(dev.on_device());
    CHECK(dev.device()->device_counters() == ref.counters());  // the new serve holds the whole history
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    INFO(all);
    CHECK(all.find("failed") != std::string::npos);
    CHECK(all.find("resynchronised") != std::string::npos);
  }
}

TEST_CASE("a restarted serve honours nothing of its previous incarnation", "[offload][netns]") {
  offload::TestNetwork net("inc");
  KeyDir keys(1, "-inc");
  const std::string shm = "vshard-inc-" + std::to_string(getpid());
  for (const std::string kind : {"udp", "shm"}) {
    INFO("transport " << kind);
    auto serve = std::make_unique<ServeProcess>(net, keys, keys.key, "0", shm);
    const std::string udp = serve->udp();
    const std::string port = udp.substr(udp.rfind(':') + 1);
    auto guard = net.enter_host();
    auto dev = Device::open(kind == "udp" ? udp + "?key=" + keys.key : "shm://" + shm);
    // Node 0's entry is a PREEMPT once every core runs a batch vCPU.
    std::vector<Event> setup;
    for (uint16_t c = 0; c < dev->params().cores; ++c) setup.push_back(make_wake(c + 1u, c, false));
    run_all(*dev, setup);
    const PrestageSnapshot s = dev->prestage(0);
    REQUIRE(s.kind == PrestageKind::kPreempt);
    serve->kill_now();
    serve = std::make_unique<ServeProcess>(net, keys, keys.key, port, shm);
    serve->udp();
    // A commit against the entry of the previous incarnation: refused, the
    // device fails at once (not after the watchdog) and says why.
    std::string msg;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(test::throws_code(
        Errc::kDeviceFailed,
        [&] {
          dev->commit(100, static_cast<uint16_t>(dev->params().cores + 1), s, DeviceClock::now() + 1s);
          dev->drain(DeviceClock::now() + 5s);
          Decision d[4];
          dev->poll(d, 4);
        },
        &msg));
    CHECK(msg.find("restarted") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - t0 < 900ms);  // the default watchdog is 1 s
    Fallback fb = dev->take_fallback();
    REQUIRE(fb.in_flight.size() == 1);  // the commit: not answered, for the fallback to replay
  }
}
#endif  // VSHARD_CLI
