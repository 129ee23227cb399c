// Fuzz target of the `udp://` message decoder (docs/offload.md): every input
// is a datagram for `vshard serve`'s server, either raw (header, length and
// MAC checks) or, to reach the decoding behind the MAC, sealed with host 1's
// key for its live session (payloads of every type: events, register reads
// and writes, fault requests, state-snapshot chunks, acks). Whatever comes in
// is dropped and counted or applied; nothing may crash, hang or corrupt.
// Invariant: a datagram the server drops (its drop counters rise) leaves
// the host's protocol state unchanged (Server::host_state: sessions, replay
// window, events applied, acks, engine), counters aside.
//
// Built twice: with clang's libFuzzer and ASan/UBSan (the clang sub-build of
// tests/fuzz, CTest fuzz.offload), and with the project's compiler as
// offload_fuzz_smoke (tests/offload, label unit), which feeds it 100 000
// seeded mutations of valid datagrams.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "vshard/driver/internal/offload_proto.h"
#include "vshard/descriptor.h"
#include "vshard/offload.h"
#include "vshard/splitmix64.h"

namespace {

using namespace vshard;
using namespace vshard::offload;

struct Target {
  std::string key_file;
  Key key{};
  std::unique_ptr<Server> server;
  uint64_t packet = 100;

  Target() {
    key_file = "/tmp/vshard-fuzz-" + std::to_string(getpid()) + ".key";
    std::ofstream(key_file) << "1 " << std::string(64, 'a') << "\n";
    chmod(key_file.c_str(), 0600);
    key.fill(0xaa);
    ServerOptions o;
    o.listen = {"udp://127.0.0.1:0"};
    o.key_file = key_file;
    server = std::make_unique<Server>(o);
    std::remove(key_file.c_str());
    // A session, as a client would open it: HELLO, then its first message.
    Header h;
    h.type = static_cast<uint8_t>(MsgType::kHello);
    h.host = 1;
    h.packet = 1;
    uint8_t hello[16] = {1};
    put64(hello + 8, 1);
    uint8_t out[kMaxDatagram];
    server->inject_datagram(out, seal(key, h, hello, sizeof hello, out));
  }

  void run(const uint8_t* data, size_t size) {
    if (size == 0) return;
    const uint8_t mode = data[0] % 3;
    if (mode == 0) {
      inject(data + 1, size - 1);
      return;
    }
    if (size < 10) return;
    Header h;
    h.type = static_cast<uint8_t>(data[1] % 9);
    h.host = data[2] == 0 ? 2 : 1;  // now and then a host without a key
    h.incarnation = data[3] == 0 ? 7 : server->incarnation();
    h.session = mode == 2 ? get64(data + 2) : server->session_of(1);
    h.packet = data[4] == 0 ? 1 : ++packet;  // now and then a replay
    h.ack = data[5] == 0 ? get64(data + 2) : 0;
    const size_t len = std::min<size_t>(size - 10, kMaxPayload);
    uint8_t out[kMaxDatagram];
    inject(out, seal(key, h, data + 10, len, out));
  }

  // Hands one datagram to the server; a dropped one must change nothing.
  void inject(const uint8_t* data, size_t size) {
    const std::string before = server->host_state(1);
    const uint64_t dropped = server->stats().dropped();
    server->inject_datagram(data, size);
    if (server->stats().dropped() == dropped) return;
    const std::string after = server->host_state(1);
    if (after != before) {
      std::fprintf(stderr,
                   "\nfuzz invariant violated: a dropped datagram changed host 1's state\n  before: %s\n  after:  %s\n",
                   before.c_str(), after.c_str());
      std::abort();
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target t;
  t.run(data, size);
  return 0;
}

#ifdef VSHARD_FUZZ_SMOKE
// Seeded mutations of valid datagrams of every type (no libFuzzer here).
int main() {
  vshard::SplitMix64 g{1};
  auto rnd = [&] { return g.next(); };
  std::vector<std::vector<uint8_t>> seeds;
  // EVENTS with valid descriptors, REQUESTs of each op, ACK, STATE chunk.
  for (int t = 1; t <= 8; ++t) {
    std::vector<uint8_t> in = {1, static_cast<uint8_t>(t), 1, 1, 1, 1, 0, 0, 0, 0};
    if (t == static_cast<int>(MsgType::kEvents)) {
      std::vector<uint8_t> p(kEventsHead + 32);
      put64(p.data(), 0);
      put16(p.data() + 8, 2);
      encode(make_wake(1, 3, true), p.data() + kEventsHead);
      encode(make_account(2), p.data() + kEventsHead + 16);
      in.insert(in.end(), p.begin(), p.end());
    } else if (t == static_cast<int>(MsgType::kRequest)) {
      std::vector<uint8_t> p(28 + 40);
      p[16] = static_cast<uint8_t>(1 + rnd() % 4);
      put32(p.data() + 20, 0x100);
      put32(p.data() + 24, 40);
      in.insert(in.end(), p.begin(), p.end());
    }
    seeds.push_back(in);
  }
  size_t n = 0;
  for (int i = 0; i < 100000; ++i) {
    std::vector<uint8_t> in = seeds[rnd() % seeds.size()];
    const int edits = 1 + static_cast<int>(rnd() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (rnd() % 4) {
        case 0:
          if (!in.empty()) in[rnd() % in.size()] ^= static_cast<uint8_t>(1u << (rnd() % 8));
          break;
        case 1:
          if (!in.empty()) in[rnd() % in.size()] = static_cast<uint8_t>(rnd());
          break;
        case 2: in.resize(rnd() % (in.size() + 64)); break;
        case 3:
          for (int k = 0; k < 16; ++k) in.push_back(static_cast<uint8_t>(rnd()));
          break;
      }
    }
    if (!in.empty() && rnd() % 4 != 0) in[0] = 1;  // mostly past the MAC
    LLVMFuzzerTestOneInput(in.data(), in.size());
    ++n;
  }
  std::printf("offload_fuzz_smoke: %zu inputs, no crash\n", n);
  return 0;
}
#endif
