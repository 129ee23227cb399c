// `vshard bench offload`: the engine as a service against this machine's
// floors, measured in the same run (docs/offload.md, "Figures"):
//   * floors: a bare shared-memory ping-pong between two processes, and a
//     bare UDP ping-pong over the same network (a veth pair between two
//     namespaces of its own, or loopback), busy-polling like serve;
//   * round trip p50/p99 (submit -> every decision back) and events/s through
//     shm:// and udp:// at batch 1 and 32, `vshard serve` in its own process;
//   * the prestaged path in the host simulator with --engine udp://: the share
//     of latency wakes served from local memory and the wake-path cost, with
//     the latency model set to the round trip just measured.
// A report, no pass/fail; the targets are printed next to the figures.
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "vshard/hostsim/scenario.h"
#include "vshard/hostsim/simulator.h"
#include "vshard/device.h"
#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/offload.h"
#include "vshard/testnet.h"

namespace vshard::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  uint32_t samples = 20000;
  uint32_t stream = 200000;
  std::string scenario = "scenarios/mixed-2s32c.toml";
  double sim_ms = 1000;
  bool sim = true;
  uint32_t busy_us = 1000000;
};

struct Lat {
  double p50 = 0, p99 = 0;
};
Lat percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return {};
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)]};
}
double us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// Bare shared-memory ping-pong between two processes: one cache line, spinning.
Lat shm_floor(uint32_t n) {
  auto* w = static_cast<std::atomic<uint32_t>*>(
      mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  new (&w[0]) std::atomic<uint32_t>(0);
  new (&w[16]) std::atomic<uint32_t>(0);
  const pid_t pid = fork();
  if (pid == 0) {
    for (uint32_t i = 1; i <= n + 1000; ++i) {
      while (w[0].load(std::memory_order_acquire) != i) __builtin_ia32_pause();
      w[16].store(i, std::memory_order_release);
    }
    _exit(0);
  }
  std::vector<double> v;
  for (uint32_t i = 1; i <= n + 1000; ++i) {
    const auto t0 = Clock::now();
    w[0].store(i, std::memory_order_release);
    while (w[16].load(std::memory_order_acquire) != i) __builtin_ia32_pause();
    if (i > 1000) v.push_back(us(Clock::now() - t0));
  }
  waitpid(pid, nullptr, 0);
  munmap(w, 4096);
  return percentiles(v);
}

// Bare UDP ping-pong: an echo process in serve's namespace, both sides
// busy-polling (as serve and the driver do).
Lat udp_floor(const offload::TestNetwork& net, uint32_t n) {
  int fd;
  {
    auto g = net.enter_serve();
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, net.serve_addr().c_str(), &a.sin_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw Error(Errc::kIo, "udp floor: bind");
  }
  sockaddr_in srv{};
  socklen_t sl = sizeof srv;
  getsockname(fd, reinterpret_cast<sockaddr*>(&srv), &sl);
  const pid_t pid = fork();
  if (pid == 0) {
    char buf[2048];
    for (uint32_t i = 0; i < n + 1000; ++i) {
      sockaddr_storage from{};
      socklen_t fl = sizeof from;
      ssize_t k;
      while ((k = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fl)) < 0) {}
      sendto(fd, buf, static_cast<size_t>(k), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
    _exit(0);
  }
  close(fd);
  auto g = net.enter_host();
  const int c = socket(AF_INET, SOCK_DGRAM, 0);
  connect(c, reinterpret_cast<sockaddr*>(&srv), sizeof srv);
  std::vector<double> v;
  char buf[2048] = {};
  for (uint32_t i = 0; i < n + 1000; ++i) {
    const auto t0 = Clock::now();
    send(c, buf, 104, 0);  // an EVENTS datagram of one event is 40 + 28 + 32 + 4 bytes
    while (recv(c, buf, sizeof buf, MSG_DONTWAIT) < 0) {}
    if (i >= 1000) v.push_back(us(Clock::now() - t0));
  }
  close(c);
  waitpid(pid, nullptr, 0);
  return percentiles(v);
}

struct Result {
  Lat b1, b32;
  double eps32 = 0, eps32_noshadow = 0;
};

// Submits `batch` events and spins until all their decisions are back.
double round_trip(Device& dev, const std::vector<Event>& evs, size_t& next, size_t batch) {
  Decision buf[512];
  const auto t0 = Clock::now();
  if (dev.try_submit(std::span<const Event>(evs).subspan(next, batch)) != batch)
    throw Error(Errc::kInternal, "bench: the event ring refused a batch");
  next += batch;
  size_t lasts = 0;
  while (lasts < batch) {
    const size_t k = dev.poll(buf, 512);
    for (size_t i = 0; i < k; ++i) lasts += (buf[i].flags & kFlagLast) != 0;
  }
  return us(Clock::now() - t0);
}

double stream(Device& dev, const std::vector<Event>& evs) {
  Decision buf[1024];
  size_t next = 0, lasts = 0;
  const auto t0 = Clock::now();
  while (lasts < evs.size()) {
    if (next < evs.size())
      next += dev.try_submit(std::span<const Event>(evs).subspan(next, std::min<size_t>(32, evs.size() - next)));
    const size_t k = dev.poll(buf, 1024);
    for (size_t i = 0; i < k; ++i) lasts += (buf[i].flags & kFlagLast) != 0;
  }
  return evs.size() / std::chrono::duration<double>(Clock::now() - t0).count();
}

Result measure(const std::string& spec, const Args& a, std::string* details = nullptr) {
  Result r;
  const Params p = Params::small();
  // One long valid stream, used in order (the engine's state moves on).
  const EventLog log = generate_event_log(p, 5, 1000 + a.samples * 33 + 64);
  {
    auto dev = Device::open(spec);
    size_t next = 0;
    for (int i = 0; i < 1000; ++i) round_trip(*dev, log.events, next, 1);  // warm-up
    std::vector<double> v1, v32;
    for (uint32_t i = 0; i < a.samples; ++i) v1.push_back(round_trip(*dev, log.events, next, 1));
    for (uint32_t i = 0; i < a.samples; ++i) v32.push_back(round_trip(*dev, log.events, next, 32));
    r.b1 = percentiles(v1);
    r.b32 = percentiles(v32);
    if (details)
      for (const auto& [k, v] : dev->backend_details()) *details += "  " + k + ": " + v + "\n";
  }
  const EventLog big = generate_event_log(p, 6, a.stream);
  {
    auto dev = Device::open(spec);
    r.eps32 = stream(*dev, big.events);
  }
  {
    DeviceOptions o;
    o.shadow = false;
    auto dev = Device::open(spec, o);
    r.eps32_noshadow = stream(*dev, big.events);
  }
  return r;
}

// `vshard serve` (this binary) in serve's namespace, ended with the object.
struct ServeProc {
  pid_t pid = -1;
  std::string udp;
  ServeProc(const offload::TestNetwork& net, const std::string& dir, const std::string& key, const std::string& engine,
            const std::string& shm, uint32_t busy_us) {
    char self[4096] = {};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) throw Error(Errc::kIo, "bench: /proc/self/exe");
    const std::string ready = dir + "/ready-" + std::to_string(std::rand());
    std::vector<std::string> argv = {self,
                                     "serve",
                                     "--listen",
                                     "udp://" + net.serve_addr() + ":0",
                                     "--key-file",
                                     key,
                                     "--ready-file",
                                     ready,
                                     "--busy-poll-us",
                                     std::to_string(busy_us),
                                     "--stats-interval",
                                     "0",
                                     "--engine",
                                     engine};
    if (!shm.empty()) argv.insert(argv.end(), {"--listen", "shm://" + shm});
    pid = net.spawn_in_serve(argv, dir + "/serve.log");
    for (auto until = Clock::now() + std::chrono::seconds(20); udp.empty() && Clock::now() < until;) {
      std::ifstream f(ready);
      for (std::string line; std::getline(f, line);)
        if (line.rfind("udp://", 0) == 0) udp = line;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (udp.empty()) {
      offload::TestNetwork::kill_process(pid, SIGKILL);
      throw Error(Errc::kTimeout, "bench: vshard serve did not start (see " + dir + "/serve.log)");
    }
  }
  ~ServeProc() { offload::TestNetwork::kill_process(pid, SIGTERM); }
};

struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

void run_bench(const Args& a) {
  // The scenario is read before the measurements, so a wrong path fails at once.
  std::optional<hostsim::Scenario> scenario;
  if (a.sim) scenario = hostsim::load_scenario(a.scenario);
  offload::TestNetwork net("bch");
  std::printf("vshard bench offload: %s\n", net.describe().c_str());
  TempDir tmp{"/tmp/vshard-bench-" + std::to_string(getpid())};
  const std::string dir = tmp.path;
  std::filesystem::create_directories(dir);
  const std::string key = dir + "/host.key", shm = "vshard-bench-" + std::to_string(getpid());
  std::ofstream(key) << offload::new_key_line(1) << "\n";
  chmod(key.c_str(), 0600);

  const Lat fs = shm_floor(a.samples);
  const Lat fu = udp_floor(net, a.samples);
  std::printf(
      "floors (same run): shared-memory ping-pong p50 %.2f us p99 %.2f us; UDP ping-pong p50 %.1f us p99 %.1f us\n",
      fs.p50, fs.p99, fu.p50, fu.p99);

  // One serve per transport, so that no idle listener of the other one
  // spins beside the measured path on a 2-core machine.
  Result rs, ru;
  std::string udp_details, udp;
  {
    ServeProc serve(net, dir, key, "model", shm, a.busy_us);
    auto g = net.enter_host();
    rs = measure("shm://" + shm, a);
  }
  {
    ServeProc serve(net, dir, key, "model", "", a.busy_us);
    udp = serve.udp;
    auto g = net.enter_host();
    ru = measure(udp + "?key=" + key, a, &udp_details);
  }
  std::printf("\n%-6s %-7s %12s %12s %14s %9s\n", "path", "batch", "p50 us", "p99 us", "p50/floor", "target");
  std::printf("%-6s %-7d %12.2f %12.2f %13.2fx %9s\n", "shm", 1, rs.b1.p50, rs.b1.p99, rs.b1.p50 / fs.p50, "<= 3x");
  std::printf("%-6s %-7d %12.2f %12.2f %13.2fx\n", "shm", 32, rs.b32.p50, rs.b32.p99, rs.b32.p50 / fs.p50);
  std::printf("%-6s %-7d %12.1f %12.1f %13.2fx %9s\n", "udp", 1, ru.b1.p50, ru.b1.p99, ru.b1.p50 / fu.p50, "<= 1.5x");
  std::printf("%-6s %-7d %12.1f %12.1f %13.2fx\n", "udp", 32, ru.b32.p50, ru.b32.p99, ru.b32.p50 / fu.p50);
  std::printf("udp transport after the latency runs:\n%s", udp_details.c_str());
  std::printf("\nthroughput, batches of 32 streamed (window of the transport), shadow golden model on / off:\n");
  std::printf("  shm  %.3g / %.3g events/s   (target >= 1e6)\n", rs.eps32, rs.eps32_noshadow);
  std::printf("  udp  %.3g / %.3g events/s\n", ru.eps32, ru.eps32_noshadow);
  std::printf("  batch 1, from the round trip: shm %.3g, udp %.3g events/s; batch 32: shm %.3g, udp %.3g events/s\n",
              1e6 / rs.b1.p50, 1e6 / ru.b1.p50, 32e6 / rs.b32.p50, 32e6 / ru.b32.p50);

  if (a.sim) {
    hostsim::Scenario sc = *scenario;
    sc.duration_ms = a.sim_ms;
    if (sc.warmup_ms >= sc.duration_ms) sc.warmup_ms = sc.duration_ms / 10;
    const Params ep = sc.engine_params_for();
    const std::string cfg = ep == Params::small() ? "small" : ep == Params::large() ? "large" : "max";
    // serve sleeps between messages here: the simulator makes one round trip
    // per engine event, and a spinning serve would starve it on 2 cores.
    ServeProc sim_serve(net, dir, key, "model?config=" + cfg, "", 0);
    const std::string sim_spec = sim_serve.udp + "?key=" + key;
    auto g = net.enter_host();
    std::printf("\nhost simulator, %s, %.0f ms simulated, policy shard-pre (prestaged path), seed %llu:\n",
                sc.name.c_str(), sc.duration_ms, static_cast<unsigned long long>(sc.seed));
    auto report = [&](const char* what, const hostsim::Scenario& s2, const std::string& engine) {
      const auto t0 = Clock::now();
      const hostsim::PolicyResult r =
          hostsim::simulate(s2, hostsim::parse_policy("shard-pre", engine, false), {s2.seed, {}});
      const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
      const auto& st = r.sched;
      const uint64_t none = st.prestage_reads - st.commits - st.aborts;
      const auto& L = s2.latency;
      const double cost = st.prestage_reads ? (st.commits * L.prestage_read_us +
                                               st.aborts * (L.prestage_read_us + L.pcie_rtt_us + s2.abort_undo_us) +
                                               none * L.hardware()) /
                                                  st.prestage_reads
                                            : 0;
      std::printf("  %s (table lag %.1f us, miss %.1f us), engine %s:\n", what, L.pcie_posted_us, L.hardware(),
                  engine.substr(0, engine.find('?')).c_str());
      std::printf(
          "    latency wakes %llu: served from local memory %llu (%.2f %%; target >= 95 %%), aborted %llu, "
          "empty entry %llu; wake-path cost %.2f us per latency wake (%.1f us without the table)\n",
          static_cast<unsigned long long>(st.prestage_reads), static_cast<unsigned long long>(st.commits),
          st.prestage_reads ? 100.0 * st.commits / st.prestage_reads : 0.0, static_cast<unsigned long long>(st.aborts),
          static_cast<unsigned long long>(none), cost, L.hardware());
      std::printf("    %llu engine events in %.1f s wall\n", static_cast<unsigned long long>(st.engine_events), wall);
      return r;
    };
    // 1. The scenario's own latency model (a PCIe card): udp:// must change nothing.
    const auto ru1 = report("the scenario's latency model", sc, sim_spec);
    const auto rm1 = hostsim::simulate(sc, hostsim::parse_policy("shard-pre", "model", false), {sc.seed, {}});
    std::printf(
        "    same run with --engine model: %s (engine decisions %llu vs %llu, commits %llu vs %llu, "
        "wake p99 %.2f vs %.2f us)\n",
        rm1.sched.engine_decisions == ru1.sched.engine_decisions && rm1.sched.commits == ru1.sched.commits &&
                rm1.wake.p99 == ru1.wake.p99 && rm1.request.p999 == ru1.request.p999
            ? "identical"
            : "DIFFERENT",
        static_cast<unsigned long long>(ru1.sched.engine_decisions),
        static_cast<unsigned long long>(rm1.sched.engine_decisions), static_cast<unsigned long long>(ru1.sched.commits),
        static_cast<unsigned long long>(rm1.sched.commits), ru1.wake.p99, rm1.wake.p99);
    // 2. The offload's own latency: an engine a udp round trip away. The
    // host's copy of the table lags its own events by a round trip (the
    // event goes to serve, the table comes back with the decisions).
    hostsim::Scenario so = sc;
    so.latency.pcie_rtt_us = ru.b1.p50;
    so.latency.hw_cycles = 0;
    so.latency.pcie_posted_us = ru.b1.p50;
    report("udp latency measured above", so, sim_spec);
  }
}

}  // namespace

void register_bench_offload(CLI::App& app, int& /*exit_code*/) {
  CLI::App* bench = nullptr;
  try {
    bench = app.get_subcommand("bench");
  } catch (const CLI::OptionNotFound&) {
    bench = app.add_subcommand("bench", "Performance figures");
    bench->require_subcommand(1);
  }
  auto a = std::make_shared<Args>();
  CLI::App* c = bench->add_subcommand("offload",
                                      "shm:// and udp:// against this machine's floors; the prestaged "
                                      "path with offload in the host simulator (docs/offload.md)");
  c->add_option("--samples", a->samples, "Round trips per figure")->check(number_in(100, 1e8))->capture_default_str();
  c->add_option("--stream", a->stream, "Events of the throughput runs")
      ->check(number_in(32, 1e9))
      ->capture_default_str();
  c->add_option("--scenario", a->scenario, "Scenario of the host-simulator run")->capture_default_str();
  c->add_option("--sim-ms", a->sim_ms, "Simulated duration of that run (ms)")
      ->check(number_in(1e-3, 1e7))
      ->capture_default_str();
  c->add_flag("!--no-sim", a->sim, "Skip the host-simulator run");
  c->add_option("--serve-busy-poll-us", a->busy_us,
                "serve's --busy-poll-us (spinning like the floors' peers; 0: "
                "serve sleeps between messages)")
      ->check(number_in(0, 1e9))
      ->capture_default_str();
  c->callback([a] { run_bench(*a); });
}

}  // namespace vshard::cli
