// The `udp://` wire format: sealing and opening datagrams, replay window,
// key files (docs/offload.md).
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vshard/driver/internal/offload_proto.h"
#include "vshard/error.h"
#include "vshard/file.h"
#include "vshard/offload.h"

namespace vshard::offload {

void hmac(const Key& key, const uint8_t* data, size_t len, uint8_t out[kMacBytes]) {
  unsigned int n = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data, len, out, &n) == nullptr || n != kMacBytes)
    throw Error(Errc::kInternal, "HMAC-SHA-256 failed in libcrypto");
}

Mac::Mac(const Key& key) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
  EVP_MAC_free(mac);  // the context keeps its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_MAC_init(ctx, key.data(), key.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    throw Error(Errc::kInternal, "HMAC-SHA-256 is not available in libcrypto");
  }
  ctx_ = ctx;
}

Mac::~Mac() { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(ctx_)); }

void Mac::compute(const uint8_t* data, size_t len, uint8_t out[kMacBytes]) const {
  auto* ctx = static_cast<EVP_MAC_CTX*>(ctx_);
  size_t n = 0;
  // A null key re-initialises with the key already set.
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 || EVP_MAC_update(ctx, data, len) != 1 ||
      EVP_MAC_final(ctx, out, &n, kMacBytes) != 1 || n != kMacBytes)
    throw Error(Errc::kInternal, "HMAC-SHA-256 failed in libcrypto");
}

size_t seal(const Key& key, const Header& h, const uint8_t* payload, size_t len, uint8_t* out) {
  return seal(Mac(key), h, payload, len, out);
}

size_t seal(const Mac& mac, const Header& h, const uint8_t* payload, size_t len, uint8_t* out) {
  if (len > kMaxPayload) throw Error(Errc::kInternal, "offload message payload of " + std::to_string(len) + " bytes");
  put32(out, kMagic);
  out[4] = kVersion;
  out[5] = h.type;
  put16(out + 6, static_cast<uint16_t>(len));
  put32(out + 8, h.host);
  put32(out + 12, h.incarnation);
  put64(out + 16, h.session);
  put64(out + 24, h.packet);
  put64(out + 32, h.ack);
  if (len > 0 && payload != out + kHeaderBytes) std::memmove(out + kHeaderBytes, payload, len);
  mac.compute(out, kHeaderBytes + len, out + kHeaderBytes + len);
  return kHeaderBytes + len + kMacBytes;
}

const char* drop_name(Drop d) {
  switch (d) {
    case Drop::kNone: return "none";
    case Drop::kTruncated: return "truncated";
    case Drop::kOversized: return "oversized";
    case Drop::kMalformed: return "malformed";
    case Drop::kUnknownHost: return "unknown-host";
    case Drop::kUnauthenticated: return "unauthenticated";
    case Drop::kReplayed: return "replayed";
    case Drop::kStale: return "stale";
    case Drop::kCount: break;
  }
  return "?";
}

Drop check_header(const uint8_t* data, size_t size, Header& h) {
  if (size > kMaxDatagram) return Drop::kOversized;
  if (size < kHeaderBytes + kMacBytes) return Drop::kTruncated;
  if (get32(data) != kMagic || data[4] != kVersion) return Drop::kMalformed;
  h.type = data[5];
  h.len = get16(data + 6);
  if (h.len > kMaxPayload) return Drop::kOversized;
  if (size < kHeaderBytes + h.len + kMacBytes) return Drop::kTruncated;
  if (size > kHeaderBytes + h.len + kMacBytes) return Drop::kMalformed;
  if (h.type < static_cast<uint8_t>(MsgType::kHello) || h.type > static_cast<uint8_t>(MsgType::kAck))
    return Drop::kMalformed;
  h.host = get32(data + 8);
  h.incarnation = get32(data + 12);
  h.session = get64(data + 16);
  h.packet = get64(data + 24);
  h.ack = get64(data + 32);
  return Drop::kNone;
}

bool verify_mac(const Mac& mac, const uint8_t* data, size_t size, const Header& h) {
  (void)size;
  uint8_t expect[kMacBytes];
  mac.compute(data, kHeaderBytes + h.len, expect);
  return CRYPTO_memcmp(expect, data + kHeaderBytes + h.len, kMacBytes) == 0;
}

bool ReplayWindow::check(uint64_t packet) const {
  if (packet == 0) return false;
  if (packet > top_) return true;
  const uint64_t back = top_ - packet;
  if (back >= 64) return false;
  return ((bits_ >> back) & 1) == 0;
}

void ReplayWindow::accept(uint64_t packet) {
  if (packet > top_) {
    const uint64_t shift = packet - top_;
    bits_ = shift >= 64 ? 0 : bits_ << shift;
    bits_ |= 1;
    top_ = packet;
  } else {
    bits_ |= uint64_t{1} << (top_ - packet);
  }
}

uint64_t random64() {
  uint64_t v = 0;
  size_t got = 0;
  while (got < sizeof v) {
    const ssize_t n = getrandom(reinterpret_cast<uint8_t*>(&v) + got, sizeof v - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(Errc::kInternal, std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  return v;
}

// One line of ~76 bytes per host: room for over 13 000 hosts.
constexpr uint64_t kMaxKeyFileBytes = uint64_t{1} << 20;

std::vector<HostKey> load_key_file(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    throw Error(Errc::kBadConfig,
                "key file '" + path + "': " + std::strerror(errno) + " (make one with `vshard keygen HOST_ID FILE`)");
  if (!S_ISREG(st.st_mode)) throw Error(Errc::kBadConfig, "key file '" + path + "' is not a regular file");
  if (st.st_mode & 077)
    throw Error(
        Errc::kBadConfig, "key file '" + path + "' is readable or writable by group or others (mode " +
                              [&] {
                                char b[8];
                                std::snprintf(b, sizeof b, "%04o", st.st_mode & 07777);
                                return std::string(b);
                              }() +
                              "): run chmod 600 '" + path + "'");
  std::istringstream in(read_file(path, "key file", kMaxKeyFileBytes));
  std::vector<HostKey> keys;
  std::string line;
  for (int no = 1; std::getline(in, line); ++no) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream ls(line);
    std::string id, hexkey, extra;
    if (!(ls >> id)) continue;
    const std::string where = "key file '" + path + "' line " + std::to_string(no) + ": ";
    if (!(ls >> hexkey) || (ls >> extra)) throw Error(Errc::kBadConfig, where + "expected '<host id> <64 hex digits>'");
    HostKey k;
    char* end = nullptr;
    errno = 0;
    const unsigned long v = std::strtoul(id.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > 0xFFFFFFFFul)
      throw Error(Errc::kBadConfig, where + "host id '" + id + "' is not a number 1..4294967295");
    k.host = static_cast<uint32_t>(v);
    if (hexkey.size() != 2 * kKeyBytes)
      throw Error(Errc::kBadConfig,
                  where + "the key has " + std::to_string(hexkey.size()) + " hex digits, 64 (256 bits) are needed");
    for (size_t i = 0; i < kKeyBytes; ++i) {
      auto nib = [&](char c) -> int {
        if (!std::isxdigit(static_cast<unsigned char>(c)))
          throw Error(Errc::kBadConfig, where + "the key has a character that is not a hex digit");
        return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
      };
      k.key[i] = static_cast<uint8_t>(nib(hexkey[2 * i]) << 4 | nib(hexkey[2 * i + 1]));
    }
    for (const HostKey& o : keys)
      if (o.host == k.host) throw Error(Errc::kBadConfig, where + "host " + id + " is listed twice");
    keys.push_back(k);
  }
  if (keys.empty()) throw Error(Errc::kBadConfig, "key file '" + path + "' lists no host key");
  return keys;
}

std::string new_key_line(uint32_t host) {
  std::string s = std::to_string(host) + " ";
  for (int i = 0; i < 4; ++i) {
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(random64()));
    s += b;
  }
  return s;
}

}  // namespace vshard::offload
