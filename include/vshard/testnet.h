// TestNetwork: what the offload tests and `vshard bench offload` run on
// (docs/offload.md, "Tests"): two network namespaces of their own, "host"
// and "serve", joined by a veth pair with link-local addresses, created here
// and removed by the destructor; or, when namespaces are not permitted (not
// root, no iproute2), loopback, saying why. Traffic stays on this machine.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vshard::offload {

class TestNetwork {
 public:
  // tag: a few letters for the namespace names (with the pid).
  explicit TestNetwork(const std::string& tag);
  ~TestNetwork();
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;

  bool namespaces() const { return ns_; }
  // One line for the output: which network, or why loopback.
  std::string describe() const;
  const std::string& host_addr() const { return host_addr_; }
  const std::string& serve_addr() const { return serve_addr_; }

  // The calling thread joins the host's (or serve's) namespace while the
  // returned guard lives; sockets made then stay there. No-op on loopback.
  class Guard {
   public:
    Guard(Guard&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    ~Guard();

   private:
    friend class TestNetwork;
    explicit Guard(int fd) : fd_(fd) {}
    int fd_;  // the namespace to return to
  };
  Guard enter_host() const;
  Guard enter_serve() const;

  // Starts argv (argv[0] a path) in serve's namespace, stdout and stderr to
  // log_file; returns its pid. kill_process() ends it (SIGKILL or SIGTERM) and reaps it.
  pid_t spawn_in_serve(const std::vector<std::string>& argv, const std::string& log_file) const;
  static void kill_process(pid_t pid, int sig);

 private:
  Guard enter(const std::string& ns) const;
  bool ns_ = false;
  std::string why_, host_ns_, serve_ns_, host_addr_ = "127.0.0.1", serve_addr_ = "127.0.0.1";
};

}  // namespace vshard::offload
