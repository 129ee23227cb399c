// Small socket helpers of the offload transports. Private to driver/.
#pragma once

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "vshard/error.h"

namespace vshard::offload::net {

// "HOST:PORT" (HOST a name or an IPv4/IPv6 literal, [v6] allowed) -> address.
inline sockaddr_storage resolve(const std::string& hostport, const std::string& what, socklen_t& len,
                                bool passive = false) {
  const size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw Error(Errc::kBadConfig, what + ": '" + hostport + "' is not HOST:PORT");
  std::string host = hostport.substr(0, colon);
  const std::string port = hostport.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535)
    throw Error(Errc::kBadConfig, what + ": port '" + port + "' is not 0..65535");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr)
    throw Error(Errc::kBadConfig, what + ": cannot resolve '" + host + "': " + gai_strerror(rc));
  sockaddr_storage ss{};
  std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
  len = res->ai_addrlen;
  freeaddrinfo(res);
  return ss;
}

inline std::string to_string(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
  port = ntohs(a->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

inline std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return to_string(ss);
}

// Large socket buffers: a window of answers must not overflow them.
inline void set_buffers(int fd) {
  const int buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
}

// A numeric option of a device spec's query (?key=value), lo..hi.
inline long query_number(const std::map<std::string, std::string>& q, const char* key, long def, long lo, long hi,
                         const std::string& where) {
  auto it = q.find(key);
  if (it == q.end()) return def;
  char* end = nullptr;
  const long v = std::strtol(it->second.c_str(), &end, 10);
  if (*end != '\0' || it->second.empty() || v < lo || v > hi)
    throw Error(Errc::kBadConfig,
                where + ": " + key + "=" + it->second + " is not " + std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}

// A UDP socket bound to exactly ADDR:PORT (no wildcard unless asked for).
inline int bind_udp(const std::string& hostport, const std::string& what) {
  socklen_t len = 0;
  const sockaddr_storage ss = resolve(hostport, what, len, true);
  const int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(Errc::kIo, what + ": socket: " + std::strerror(errno));
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  set_buffers(fd);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
    const int e = errno;
    close(fd);
    throw Error(Errc::kIo, what + ": cannot bind " + hostport + ": " + std::strerror(e));
  }
  return fd;
}

}  // namespace vshard::offload::net
