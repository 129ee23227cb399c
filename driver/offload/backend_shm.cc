// Backend "shm://NAME": the engine in a `vshard serve` process, reached
// through a shared-memory region laid out like a card (docs/offload.md):
// the driver's rings and prestaged table live in the region, serve is the
// DMA front-end. The doorbell and DQ_HEAD are posted words plus a futex
// kick; every other register access goes through a mailbox in the region
// and waits for serve's answer with a deadline.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "vshard/driver/internal/backend.h"
#include "vshard/driver/internal/offload_proto.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/shm_layout.h"
#include "vshard/driver/internal/net.h"
#include "vshard/error.h"

namespace vshard::driver {
namespace {

using Clock = std::chrono::steady_clock;

class ShmMemory : public HostMemory {
 public:
  ShmMemory(uint8_t* base, size_t bytes) : base_(base), bytes_(bytes) {}
  uint8_t* data() override { return base_; }
  size_t size() const override { return bytes_; }
  uint64_t device_address() const override { return shm::kDataAddr; }
  void sync_to_device(size_t, size_t) override {}
  void sync_from_device(size_t, size_t) override {}

 private:
  uint8_t* base_;
  size_t bytes_;
};

class ShmBackend : public Backend {
 public:
  ShmBackend(const std::string& name, std::chrono::milliseconds timeout) : name_(name), timeout_(timeout) {
    where_ = "shm://" + name + " (" + shm::path_of(name) + ")";
    const int fd = shm_open(shm::shm_name(name).c_str(), O_RDWR, 0);
    if (fd < 0)
      throw Error(Errc::kDeviceNotFound, where_ + ": " + std::strerror(errno) + ": no `vshard serve --listen shm://" +
                                             name + "` is running here");
    struct stat st {};
    if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) != shm::kRegionBytes) {
      close(fd);
      throw Error(Errc::kDeviceNotFound, where_ + " is not a vshard serve region (size " + std::to_string(st.st_size) +
                                             ", expected " + std::to_string(shm::kRegionBytes) + ")");
    }
    void* m = mmap(nullptr, shm::kRegionBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) throw Error(Errc::kDeviceNotFound, where_ + ": mmap: " + std::strerror(errno));
    map_ = static_cast<uint8_t*>(m);
    ctl_ = reinterpret_cast<shm::Control*>(map_);
    if (ctl_->magic != shm::kMagic || ctl_->version != shm::kVersion || ctl_->state.load() != shm::kServing) {
      munmap(map_, shm::kRegionBytes);
      throw Error(Errc::kDeviceNotFound, where_ +
                                             ": no vshard serve is serving this region (stopped, or another "
                                             "program's file)");
    }
    incarnation_ = ctl_->incarnation.load(std::memory_order_acquire);
    session_ = static_cast<uint32_t>(offload::random64()) | 1u;
    uint32_t status = 0;
    const uint32_t inc = request(shm::kAttach, 0, session_, &status);
    if (inc != incarnation_) {
      munmap(map_, shm::kRegionBytes);
      throw Error(Errc::kDeviceNotFound, where_ + ": serve restarted while attaching; open again");
    }
  }
  ~ShmBackend() override {
    if (fault_.empty()) {
      try {
        request(shm::kDetach, 0, 0, nullptr, std::chrono::milliseconds(50));
      } catch (const Error&) {}
    }
    munmap(map_, shm::kRegionBytes);
  }

  const char* name() const override { return "shm"; }

  uint32_t read32(uint32_t off) override { return request(shm::kRead, off, 0, nullptr); }

  void write32(uint32_t off, uint32_t v) override {
    if (off == reg::kDoorbell) {
      ctl_->doorbell.store(v, std::memory_order_release);
      shm::kick(*ctl_);
      return;
    }
    if (off == reg::kDqHead) {
      ctl_->dq_head.store(v, std::memory_order_release);
      shm::kick(*ctl_);
      return;
    }
    request(shm::kWrite, off, v, nullptr);
  }

  std::unique_ptr<HostMemory> alloc(size_t bytes) override {
    if (bytes > shm::kDataBytes)
      throw Error(Errc::kBadConfig, where_ + ": rings of " + std::to_string(bytes) +
                                        " bytes do not fit the region's ring memory of " +
                                        std::to_string(shm::kDataBytes) + " bytes; use smaller rings");
    return std::make_unique<ShmMemory>(map_ + shm::kControlBytes, shm::kDataBytes);
  }

  bool service() override {
    check_peer();
    return false;
  }

  const std::string& fault() const override { return fault_; }

  void inject(Fault f) override {
    uint32_t status = 0;
    request(shm::kFault, 0, static_cast<uint32_t>(f), &status);
    if (status == shm::kRefused)
      throw Error(Errc::kUnsupported, where_ +
                                          ": serve refuses fault injection (start it with "
                                          "--allow-fault-injection for tests)");
  }

  void load_state(const std::vector<uint8_t>& state) override {
    if (state.size() > shm::kStagingBytes)
      throw Error(Errc::kBadConfig, where_ + ": a state snapshot of " + std::to_string(state.size()) +
                                        " bytes does not fit the staging area");
    std::memcpy(map_ + shm::kControlBytes + shm::kDataBytes, state.data(), state.size());
    uint32_t status = 0;
    request(shm::kLoadState, 0, static_cast<uint32_t>(state.size()), &status);
    if (status != shm::kOk)
      throw Error(Errc::kUnsupported, where_ +
                                          ": serve's engine did not load the state snapshot (serve's log says "
                                          "why: only a model engine can)");
  }

  std::vector<std::pair<std::string, std::string>> details() const override {
    char inc[16];
    std::snprintf(inc, sizeof inc, "0x%08x", incarnation_);
    return {{"transport", "shared memory " + shm::path_of(name_)},
            {"serve pid", std::to_string(ctl_->server_pid)},
            {"serve incarnation", inc}};
  }

 private:
  void check_peer() {
    if (!fault_.empty()) return;
    const uint32_t inc = ctl_->incarnation.load(std::memory_order_acquire);
    char buf[160];
    if (inc != incarnation_) {
      std::snprintf(buf, sizeof buf,
                    "vshard serve restarted (incarnation 0x%08x, now 0x%08x): nothing of this "
                    "session is honoured",
                    incarnation_, inc);
      fault_ = buf;
    } else if (ctl_->state.load(std::memory_order_acquire) != shm::kServing) {
      fault_ = "vshard serve stopped";
    } else if (ctl_->session_current.load(std::memory_order_acquire) != session_) {
      fault_ = "another host process attached to " + where_;
    }
  }

  uint32_t request(uint32_t op, uint32_t off, uint32_t value, uint32_t* status_out,
                   std::chrono::milliseconds limit = std::chrono::milliseconds(0)) {
    if (op != shm::kAttach && op != shm::kDetach) {
      check_peer();
      if (!fault_.empty()) throw Error(Errc::kDeviceFailed, where_ + ": " + fault_);
    }
    ctl_->session = session_;
    ctl_->op = op;
    ctl_->offset = off;
    ctl_->value = value;
    const uint32_t seq = ctl_->req_seq.load(std::memory_order_relaxed) + 1;
    ctl_->req_seq.store(seq, std::memory_order_release);
    shm::kick(*ctl_);
    const auto deadline = Clock::now() + (limit.count() > 0 ? limit : timeout_);
    for (unsigned rounds = 0; ctl_->resp_seq.load(std::memory_order_acquire) != seq; ++rounds) {
      if (Clock::now() >= deadline) {
        throw Error(Errc::kTimeout, where_ + ": vshard serve did not answer a register access within " +
                                        std::to_string((limit.count() > 0 ? limit : timeout_).count()) +
                                        " ms: is it running?");
      }
      if (rounds < 2000) {
        __builtin_ia32_pause();
      } else if (rounds < 2100) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
    const uint32_t status = ctl_->status;
    if (status == shm::kStaleSession) {
      check_peer();
      if (fault_.empty()) fault_ = "vshard serve no longer knows this session";
      throw Error(Errc::kDeviceFailed, where_ + ": " + fault_);
    }
    if (status_out) *status_out = status;
    return ctl_->result;
  }

  std::string name_, where_;
  std::chrono::milliseconds timeout_;
  uint8_t* map_ = nullptr;
  shm::Control* ctl_ = nullptr;
  uint32_t incarnation_ = 0, session_ = 0;
  std::string fault_;
};

}  // namespace

std::unique_ptr<Backend> make_shm_backend(const std::string& name, const std::map<std::string, std::string>& query) {
  const long ms = offload::net::query_number(query, "timeout_ms", 1000, 1, 600000, "shm://" + name);
  return std::make_unique<ShmBackend>(name, std::chrono::milliseconds(ms));
}

}  // namespace vshard::driver
