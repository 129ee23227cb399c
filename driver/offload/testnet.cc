// TestNetwork (vshard/testnet.h): namespaces + veth for the offload tests.
#include "vshard/testnet.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "vshard/error.h"

namespace vshard::offload {
namespace {

// Runs a command quietly; its exit status (or -1).
int run(const std::vector<std::string>& argv) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TestNetwork::TestNetwork(const std::string& tag) {
  const std::string id = tag.substr(0, 4) + std::to_string(getpid() % 100000);
  host_ns_ = "vsh-" + id + "-h";
  serve_ns_ = "vsh-" + id + "-s";
  const std::string vh = "vh" + id, vs = "vs" + id;  // <= 15 characters
  if (geteuid() != 0) {
    why_ = "not root";
    return;
  }
  run({"ip", "netns", "del", host_ns_});  // leftovers of a killed run with this pid
  run({"ip", "netns", "del", serve_ns_});
  const std::vector<std::vector<std::string>> steps = {
      {"ip", "netns", "add", host_ns_},
      {"ip", "netns", "add", serve_ns_},
      {"ip", "link", "add", vh, "netns", host_ns_, "type", "veth", "peer", "name", vs, "netns", serve_ns_},
      {"ip", "-n", host_ns_, "addr", "add", "169.254.77.1/30", "dev", vh},
      {"ip", "-n", serve_ns_, "addr", "add", "169.254.77.2/30", "dev", vs},
      {"ip", "-n", host_ns_, "link", "set", vh, "up"},
      {"ip", "-n", serve_ns_, "link", "set", vs, "up"},
      {"ip", "-n", host_ns_, "link", "set", "lo", "up"},
      {"ip", "-n", serve_ns_, "link", "set", "lo", "up"},
  };
  for (const auto& s : steps) {
    if (run(s) != 0) {
      std::string cmd;
      for (const auto& w : s) cmd += (cmd.empty() ? "" : " ") + w;
      why_ = "`" + cmd + "` failed";
      run({"ip", "netns", "del", host_ns_});
      run({"ip", "netns", "del", serve_ns_});
      return;
    }
  }
  ns_ = true;
  host_addr_ = "169.254.77.1";
  serve_addr_ = "169.254.77.2";
}

TestNetwork::~TestNetwork() {
  if (!ns_) return;
  run({"ip", "netns", "del", host_ns_});  // the veth pair goes with them
  run({"ip", "netns", "del", serve_ns_});
}

std::string TestNetwork::describe() const {
  if (ns_)
    return "network namespaces " + host_ns_ + " (host, 169.254.77.1) and " + serve_ns_ +
           " (serve, 169.254.77.2) joined by a veth pair";
  return "network namespaces not permitted (" + why_ + "): running over loopback 127.0.0.1";
}

TestNetwork::Guard::~Guard() {
  if (fd_ < 0) return;
  setns(fd_, CLONE_NEWNET);
  close(fd_);
}

TestNetwork::Guard TestNetwork::enter(const std::string& ns) const {
  if (!ns_) return Guard(-1);
  const int back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (back < 0 || fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    const int e = errno;
    if (back >= 0) close(back);
    if (fd >= 0) close(fd);
    throw Error(Errc::kIo, "cannot enter network namespace " + ns + ": " + std::strerror(e));
  }
  close(fd);
  return Guard(back);
}

TestNetwork::Guard TestNetwork::enter_host() const { return enter(host_ns_); }
TestNetwork::Guard TestNetwork::enter_serve() const { return enter(serve_ns_); }

pid_t TestNetwork::spawn_in_serve(const std::vector<std::string>& argv, const std::string& log_file) const {
  const std::string ns = ns_ ? "/var/run/netns/" + serve_ns_ : "";
  const pid_t pid = fork();
  if (pid < 0) throw Error(Errc::kIo, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (!ns.empty()) {
      const int fd = open(ns.c_str(), O_RDONLY);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(126);
    }
    const int out = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  return pid;
}

void TestNetwork::kill_process(pid_t pid, int sig) {
  if (pid <= 0) return;
  kill(pid, sig);
  int st = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (waitpid(pid, &st, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace vshard::offload
