// `vshard serve`: the engine as a service for hypervisor hosts (a SmartNIC or
// DPU running the engine; docs/offload.md). `vshard keygen`: a host's
// pre-shared key.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "commands.h"
#include "vshard/error.h"
#include "vshard/offload.h"

namespace vshard::cli {
namespace {

struct ServeArgs {
  std::vector<std::string> listen;
  std::string key_file;
  std::string engine = "model";
  std::string ready_file;
  uint32_t busy_poll_us = 50;
  uint32_t stats_s = 60;
  bool allow_faults = false;
};

std::mutex log_mu;
void log_line(const std::string& s) {
  std::lock_guard<std::mutex> lock(log_mu);
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", std::gmtime(&t));
  std::fprintf(stderr, "%s vshard serve: %s\n", ts, s.c_str());
  std::fflush(stderr);
}

std::string stats_line(const offload::ServerStats& s) {
  return "sessions " + std::to_string(s.sessions) + ", datagrams " + std::to_string(s.datagrams) + ", events " +
         std::to_string(s.events) + " (+" + std::to_string(s.duplicate_events) + " repeats answered), decisions " +
         std::to_string(s.decisions) + " (" + std::to_string(s.resent) + " datagrams resent); dropped " +
         std::to_string(s.dropped()) + ": truncated " + std::to_string(s.truncated) + ", oversized " +
         std::to_string(s.oversized) + ", malformed " + std::to_string(s.malformed) + ", unknown host " +
         std::to_string(s.unknown_host) + ", unauthenticated " + std::to_string(s.unauthenticated) + ", replayed " +
         std::to_string(s.replayed) + ", stale " + std::to_string(s.stale);
}

void serve(const ServeArgs& a) {
  // SIGINT/SIGTERM end the server; blocked before any thread starts so only
  // sigtimedwait below sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  offload::ServerOptions o;
  o.listen = a.listen;
  o.key_file = a.key_file;
  o.engine = a.engine;
  o.allow_fault_injection = a.allow_faults;
  o.busy_poll_us = a.busy_poll_us;
  o.log = log_line;
  offload::Server server(o);
  server.start();
  std::string where;
  for (const auto& s : server.addresses()) where += (where.empty() ? "" : " ") + s;
  char inc[16];
  std::snprintf(inc, sizeof inc, "0x%08x", server.incarnation());
  log_line("engine " + a.engine + ", incarnation " + inc + ", listening on " + where +
           (a.allow_faults ? " (fault injection allowed: test use only)" : ""));
  if (!a.ready_file.empty()) {
    const std::string tmp = a.ready_file + ".tmp";
    {
      std::ofstream f(tmp);
      for (const auto& s : server.addresses()) f << s << "\n";
    }
    if (std::rename(tmp.c_str(), a.ready_file.c_str()) != 0)
      throw Error(Errc::kIo, "--ready-file " + a.ready_file + ": cannot write it");
  }
  auto last = std::chrono::steady_clock::now();
  uint64_t last_dropped = 0;
  for (;;) {
    timespec ts{1, 0};
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      log_line(std::string("stopping (") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + "): " + stats_line(server.stats()));
      return;
    }
    const auto s = server.stats();
    const auto now = std::chrono::steady_clock::now();
    if (s.dropped() != last_dropped || (a.stats_s > 0 && now - last >= std::chrono::seconds(a.stats_s))) {
      log_line(stats_line(s));
      last = now;
      last_dropped = s.dropped();
    }
  }
}

constexpr const char* kServeHelp = R"(
Deployment on a SmartNIC or DPU (docs/offload.md):
  * Run `vshard serve` on the DPU's Arm cores (BlueField, IPU) or on the host
    of an FPGA NIC, one process per engine, in the foreground or as the
    systemd unit scripts/vshard-serve.service.
  * Each hypervisor host gets its own engine instance. Over the network it
    is named by its host id and authenticated by its 256-bit key: make one
    per host with `vshard keygen HOST_ID FILE`, give serve the file with
    every host's line (--key-file) and each host only its own line
    (udp://ADDR:PORT?key=FILE). Key files must be mode 0600.
  * --listen takes exactly the address to bind (udp://ADDR:PORT; use the
    address of the link to the hosts, not 0.0.0.0) and/or a shared-memory
    region (shm://NAME, created mode 0600 in /dev/shm: the model of a PCIe
    BAR or DOCA comch channel between host and DPU on one machine).
  * If serve is killed or restarted, the hosts' drivers go on with their
    golden-model fallback and resynchronise the new serve by themselves.
Examples:
  vshard keygen 1 host1.key && cat host1.key >> serve.keys && chmod 600 serve.keys
  vshard serve --listen udp://192.0.2.10:7878 --key-file serve.keys
  vshard serve --listen shm://vshard0
  vshard sim scenarios/mixed-2s32c.toml --engine 'udp://192.0.2.10:7878?key=host1.key')";

}  // namespace

void register_serve(CLI::App& app, int& /*exit_code*/) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* s = app.add_subcommand("serve",
                                   "Serve the engine to hypervisor hosts over shared memory or UDP "
                                   "(SmartNIC/DPU offload)");
  s->footer(kServeHelp);
  s->add_option("--listen", a->listen, "udp://ADDR:PORT (port 0: any free port) or shm://NAME; repeatable")->required();
  s->add_option("--key-file", a->key_file,
                "Pre-shared keys of the hosts, '<host id> <64 hex digits>' per line, "
                "mode 0600 (needed for udp://)");
  s->add_option("--engine", a->engine,
                "Engine of every host's instance: model[?config=small|large|max], "
                "verilator[?config=...], opencl[...], xrt://... (data-mover card)")
      ->capture_default_str();
  s->add_option("--busy-poll-us", a->busy_poll_us,
                "Spin this long after the last work before sleeping (shm: on "
                "the futex, udp: in poll; 0: always sleep)")
      ->check(number_in(0, 1e9))
      ->capture_default_str();
  s->add_option("--ready-file", a->ready_file, "Write the bound addresses to this file once listening");
  s->add_option("--stats-interval", a->stats_s, "Log counters every N seconds (0: only on drops and at exit)")
      ->check(number_in(0, 31536000))
      ->capture_default_str();
  s->add_flag("--allow-fault-injection", a->allow_faults, "Let hosts inject engine faults (tests only)");
  s->callback([a] { serve(*a); });

  auto host = std::make_shared<uint32_t>(0);
  auto file = std::make_shared<std::string>();
  CLI::App* k = app.add_subcommand("keygen", "Make a host's pre-shared key file for udp:// (mode 0600)");
  k->add_option("host_id", *host, "Host id, 1..4294967295")->required()->check(CLI::Range(1u, 4294967295u));
  k->add_option("file", *file, "Key file to create (refuses to overwrite)")->required();
  k->callback([host, file] {
    const int fd = open(file->c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) throw Error(Errc::kIo, "keygen: cannot create '" + *file + "' (it may exist already)");
    const std::string line = offload::new_key_line(*host) + "\n";
    const bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    close(fd);
    if (!ok) throw Error(Errc::kIo, "keygen: cannot write '" + *file + "'");
    std::printf("wrote the key of host %u to %s (append its line to serve's --key-file)\n", *host, file->c_str());
  });
}

}  // namespace vshard::cli
