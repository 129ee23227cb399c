// The wire format of `udp://` (docs/offload.md, "Message format"): one
// authenticated datagram per message. Private to driver/.
//
//   offset  size  field
//   0       4     magic "VSOF"
//   4       1     version (1)
//   5       1     type (MsgType)
//   6       2     payload length in bytes (<= kMaxPayload)
//   8       4     host id (selects the pre-shared key and the engine instance)
//   12      4     server incarnation (0 in HELLO)
//   16      8     session (chosen by the server in WELCOME; 0 in HELLO)
//   24      8     packet number: strictly increasing per session and direction
//   32      8     ack: client->server: events whose decisions it holds;
//                 server->client: events the engine has applied
//   40      len   payload (below)
//   40+len  32    HMAC-SHA-256 over bytes [0, 40+len) with the host's key
//
// All integers little-endian; events and decisions are the engine's 16-byte
// descriptors (docs/spec.md 3 and 4), unchanged.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vshard/descriptor.h"

namespace vshard::offload {

inline constexpr uint32_t kMagic = 0x464F5356;  // "VSOF" little-endian
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 40;
inline constexpr size_t kMacBytes = 32;
inline constexpr size_t kMaxPayload = 1400;
inline constexpr size_t kMaxDatagram = kHeaderBytes + kMaxPayload + kMacBytes;
inline constexpr size_t kKeyBytes = 32;
inline constexpr size_t kMaxNodes = 8;
// EVENTS: u64 first event index, u16 count, u16 0, then count descriptors.
inline constexpr size_t kEventsHead = 12;
inline constexpr size_t kMaxEventsPerMsg = (kMaxPayload - kEventsHead) / 16;  // 86
// DECISIONS: u64 first event, u16 events, u16 decisions, u8 nodes, 3 x 0,
// nodes x (u32 PRE_ENTRY, u32 PRE_EPOCH) as of the last event, then the decisions.
inline constexpr size_t kDecisionsHead = 16;
inline constexpr size_t kMaxDecisionsPerMsg = (kMaxPayload - kDecisionsHead - 8 * kMaxNodes) / 16;  // 79

enum class MsgType : uint8_t {
  kHello = 1,    // c->s: u64 client nonce, u64 client time (ns, strictly increasing per host)
  kWelcome = 2,  // s->c: u64 client nonce, identity: 7 x u32 (MAGIC VERSION DESC_BYTES NCORES NVCPUS NNODES MAX_SHARDS)
  kEvents = 3,   // c->s
  kDecisions = 4,  // s->c
  kRequest = 5,    // c->s: u64 request id, u64 after (events applied first), u8 op, 3 x 0, u32 offset, u32 value, data
  kReply = 6,      // s->c: u64 request id, u8 status, u8 nodes, 2 x 0, u32 value, nodes x (u32, u32) table
  kStale = 7,      // s->c: u8 reason (StaleReason): the session or incarnation is not current
  kAck = 8,        // c->s: header ack only
};

enum class Op : uint8_t {
  kRead = 1,        // register read at offset
  kWrite = 2,       // register write
  kFault = 3,       // test hook: value = vshard::Fault (only with serve --allow-fault-injection)
  kStateChunk = 4,  // state snapshot bytes at `offset` of `value` total; the last one loads it
};

enum class Status : uint8_t {
  kOk = 0,
  kNotYet = 1,   // `after` events not applied yet (lost or reordered): retry
  kRefused = 2,  // fault injection not allowed, bad offset
  kFailed = 3,   // the engine refused (state snapshot invalid, engine fault); reply carries no value
};

enum class StaleReason : uint8_t { kIncarnation = 1, kSession = 2 };

struct Header {
  uint8_t type = 0;
  uint16_t len = 0;
  uint32_t host = 0;
  uint32_t incarnation = 0;
  uint64_t session = 0;
  uint64_t packet = 0;
  uint64_t ack = 0;
};

// Little-endian helpers.
inline void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v));
  put16(p + 2, static_cast<uint16_t>(v >> 16));
}
inline void put64(uint8_t* p, uint64_t v) {
  put32(p, static_cast<uint32_t>(v));
  put32(p + 4, static_cast<uint32_t>(v >> 32));
}
inline uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t get32(const uint8_t* p) { return get16(p) | (static_cast<uint32_t>(get16(p + 2)) << 16); }
inline uint64_t get64(const uint8_t* p) { return get32(p) | (static_cast<uint64_t>(get32(p + 4)) << 32); }

using Key = std::array<uint8_t, kKeyBytes>;

// HMAC-SHA-256 (OpenSSL libcrypto).
void hmac(const Key& key, const uint8_t* data, size_t len, uint8_t out[kMacBytes]);

// HMAC-SHA-256 with one key, its context kept (OpenSSL 3's one-shot HMAC()
// fetches the digest on every call: 1.2 us against 0.27 us here). One thread
// at a time.
class Mac {
 public:
  explicit Mac(const Key& key);
  ~Mac();
  Mac(const Mac&) = delete;
  Mac& operator=(const Mac&) = delete;
  void compute(const uint8_t* data, size_t len, uint8_t out[kMacBytes]) const;

 private:
  void* ctx_;  // EVP_MAC_CTX
};

// Writes header + payload + MAC into out (room for kMaxDatagram); returns the
// datagram's length. payload may alias out + kHeaderBytes.
size_t seal(const Mac& mac, const Header& h, const uint8_t* payload, size_t len, uint8_t* out);
size_t seal(const Key& key, const Header& h, const uint8_t* payload, size_t len, uint8_t* out);

// Why a datagram was dropped (counted by the receiver; never an exception).
enum class Drop : uint8_t {
  kNone = 0,
  kTruncated,        // shorter than header + MAC, or than its payload length says
  kOversized,        // longer than kMaxDatagram, or payload length > kMaxPayload
  kMalformed,        // bad magic/version/type, payload not of its type's size
  kUnknownHost,      // host id without a key
  kUnauthenticated,  // MAC does not verify
  kReplayed,         // packet number seen before or too old
  kStale,            // old incarnation or session (answered with STALE when authentic)
  kCount
};
const char* drop_name(Drop d);

// Parses the header and checks lengths and MAC (constant-time compare).
// `key_for(host)` returns the host's Mac or nullptr. On success fills h and
// returns kNone; the payload is at data + kHeaderBytes, h.len bytes.
template <class KeyFor>
Drop open_datagram(const uint8_t* data, size_t size, KeyFor&& key_for, Header& h);
Drop check_header(const uint8_t* data, size_t size, Header& h);
bool verify_mac(const Mac& mac, const uint8_t* data, size_t size, const Header& h);

template <class KeyFor>
Drop open_datagram(const uint8_t* data, size_t size, KeyFor&& key_for, Header& h) {
  const Drop d = check_header(data, size, h);
  if (d != Drop::kNone) return d;
  const Mac* mac = key_for(h.host);
  if (mac == nullptr) return Drop::kUnknownHost;
  if (!verify_mac(*mac, data, size, h)) return Drop::kUnauthenticated;
  return Drop::kNone;
}

// Sliding-window replay protection (RFC 4303 style, 64 packets): accepts each
// packet number once, in any order within the window; refuses 0.
class ReplayWindow {
 public:
  bool check(uint64_t packet) const;  // would accept
  void accept(uint64_t packet);       // after the datagram was authenticated
  void reset() {
    top_ = 0;
    bits_ = 0;
  }
  uint64_t top() const { return top_; }
  uint64_t bits() const { return bits_; }

 private:
  uint64_t top_ = 0;
  uint64_t bits_ = 0;
};

// Key files (docs/offload.md, "Security"): one host per line,
// "<host id> <64 hex digits>", '#' comments; the file must not be readable
// by group or others. Throws vshard::Error(kBadConfig) naming file:line.
struct HostKey {
  uint32_t host = 0;
  Key key{};
};
std::vector<HostKey> load_key_file(const std::string& path);
// 64 random bits from getrandom(2).
uint64_t random64();

}  // namespace vshard::offload
