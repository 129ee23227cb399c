// FaultRelay: a UDP relay between a host and `vshard serve` that loses,
// duplicates, reorders and delays datagrams at given rates (the kernel here
// has no netem). One client at a time: the address of the last datagram on
// the listening side.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "vshard/driver/internal/net.h"
#include "vshard/offload.h"
#include "vshard/splitmix64.h"

namespace vshard::offload {

using Clock = std::chrono::steady_clock;

class FaultRelay::Impl {
 public:
  explicit Impl(RelayOptions o) : o_(std::move(o)), rng_{o_.seed * SplitMix64::kGamma + 1} {
    for (double r : {o_.loss, o_.duplicate, o_.reorder})
      if (!(r >= 0 && r <= 1)) throw Error(Errc::kBadConfig, "relay: rates must be within 0..1");
    front_ = net::bind_udp(o_.listen, "relay --listen");
    socklen_t len = 0;
    target_ = net::resolve(o_.target, "relay --to", len);
    target_len_ = len;
    back_ = socket(target_.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (back_ < 0 || connect(back_, reinterpret_cast<const sockaddr*>(&target_), target_len_) != 0) {
      close(front_);
      throw Error(Errc::kIo, "relay: cannot reach " + o_.target + ": " + std::strerror(errno));
    }
    thread_ = std::thread([this] { loop(); });
  }
  ~Impl() {
    stop_ = true;
    thread_.join();
    close(front_);
    close(back_);
  }

  struct Held {
    Clock::time_point at;
    uint64_t order;
    bool to_server;
    std::vector<uint8_t> bytes;
    bool operator>(const Held& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  double uniform() { return rng_.unit(); }

  void schedule(bool to_server, const uint8_t* b, size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    if (uniform() < o_.loss) {
      ++stats_.lost;
      return;
    }
    const int copies = uniform() < o_.duplicate ? 2 : 1;
    if (copies == 2) ++stats_.duplicated;
    for (int c = 0; c < copies; ++c) {
      auto at = Clock::now() + std::chrono::microseconds(o_.delay_us);
      if (uniform() < o_.reorder) {
        at += std::chrono::microseconds(o_.reorder_delay_us);
        ++stats_.reordered;
      }
      held_.push({at, order_++, to_server, std::vector<uint8_t>(b, b + n)});
    }
  }

  void loop() {
    uint8_t buf[65536];
    pollfd pfd[2] = {{front_, POLLIN, 0}, {back_, POLLIN, 0}};
    while (!stop_) {
      long wait_ns = 5'000'000;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!held_.empty())
          wait_ns = std::max<long>(
              0, std::min<long>(
                     wait_ns,
                     std::chrono::duration_cast<std::chrono::nanoseconds>(held_.top().at - Clock::now()).count()));
      }
      timespec ts{0, wait_ns};
      ppoll(pfd, 2, &ts, nullptr);
      for (int i = 0; i < 256; ++i) {
        sockaddr_storage from{};
        socklen_t flen = sizeof from;
        const ssize_t n = recvfrom(front_, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &flen);
        if (n < 0) break;
        client_ = from;
        client_len_ = flen;
        have_client_ = true;
        schedule(true, buf, static_cast<size_t>(n));
      }
      for (int i = 0; i < 256; ++i) {
        const ssize_t n = recv(back_, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) break;
        schedule(false, buf, static_cast<size_t>(n));
      }
      std::lock_guard<std::mutex> lock(mu_);
      const auto now = Clock::now();
      while (!held_.empty() && held_.top().at <= now) {
        const Held& h = held_.top();
        if (h.to_server) {
          send(back_, h.bytes.data(), h.bytes.size(), MSG_DONTWAIT);
        } else if (have_client_) {
          sendto(front_, h.bytes.data(), h.bytes.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&client_),
                 client_len_);
        }
        ++stats_.forwarded;
        held_.pop();
      }
    }
  }

  RelayOptions o_;
  SplitMix64 rng_;
  int front_ = -1, back_ = -1;
  sockaddr_storage target_{};
  socklen_t target_len_ = 0;
  sockaddr_storage client_{};
  socklen_t client_len_ = 0;
  bool have_client_ = false;
  std::priority_queue<Held, std::vector<Held>, std::greater<Held>> held_;
  uint64_t order_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  RelayStats stats_;
  std::thread thread_;
};

FaultRelay::FaultRelay(RelayOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
FaultRelay::~FaultRelay() = default;
std::string FaultRelay::address() const { return net::local_address(impl_->front_); }
RelayStats FaultRelay::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->stats_;
}

}  // namespace vshard::offload
