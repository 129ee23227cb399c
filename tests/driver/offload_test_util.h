// An in-process `vshard serve` (vshard::offload::Server) for the driver
// tests of the shm:// and udp:// backends: a model engine per host, fault
// injection allowed, a key file of its own under /tmp (mode 0600), listening
// on loopback or a shared-memory region named after the test's pid.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "vshard/offload.h"

namespace vshard::test {

// A private directory with a key file for host `host` (deleted at exit).
struct KeyDir {
  std::string dir, key;
  explicit KeyDir(uint32_t host = 1, const std::string& tag = "") {
    dir = "/tmp/vshard-test-" + std::to_string(getpid()) + tag;
    std::filesystem::create_directories(dir);
    key = dir + "/host.key";
    std::ofstream(key) << offload::new_key_line(host) << "\n";
    chmod(key.c_str(), 0600);
  }
  ~KeyDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// The spec of a device served by a server running in this process
// ("shm" or "udp"); the server lives until the process exits.
inline std::string offload_spec(const std::string& kind) {
  static KeyDir keys(1, "-suite");
  static std::unique_ptr<offload::Server> server;
  static std::string spec;
  if (!server) {
    offload::ServerOptions o;
    o.engine = "model";
    o.allow_fault_injection = true;
    o.key_file = keys.key;
    const std::string shm_name = "vshard-test-" + std::to_string(getpid());
    o.listen = {kind == "shm" ? "shm://" + shm_name : "udp://127.0.0.1:0"};
    server = std::make_unique<offload::Server>(o);
    server->start();
    // window=8: at most 8 events unanswered in the network, so that the
    // suite's full-ring case sees the engine stall on a full decision ring
    // (the default window of 256 would take all 64 of its events).
    spec = kind == "shm" ? "shm://" + shm_name : server->addresses().at(0) + "?key=" + keys.key + "&window=8";
  }
  return spec;
}

}  // namespace vshard::test
