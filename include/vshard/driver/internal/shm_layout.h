// The shared-memory region of `shm://NAME` (docs/offload.md): the model of a
// DPU reached through a PCIe BAR. `vshard serve` creates /dev/shm/vshard.NAME
// (mode 0600); the host's driver maps it. Private to driver/.
//
//   0x0000  control page: identity, incarnation, posted words (doorbell,
//           DQ_HEAD), the futex word, a register mailbox
//   0x1000  ring memory: what Device allocates for its rings, laid out as on
//           a card (docs/driver.md "Host memory"): device address = offset
//   ...     staging area for a state snapshot (Model::save_state)
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace vshard::driver::shm {

inline constexpr uint32_t kMagic = 0x4D485356;  // "VSHM"
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kControlBytes = 4096;
inline constexpr uint64_t kDataAddr = kControlBytes;                // device address of the ring memory
inline constexpr size_t kDataBytes = (size_t{2} << 20) + 2 * 4096;  // rings of up to 2^16 + 2^16 descriptors
inline constexpr size_t kStagingBytes = 256 * 1024;                 // Model::state_bytes(max) is ~100 KiB
inline constexpr size_t kRegionBytes = kControlBytes + kDataBytes + kStagingBytes;

enum State : uint32_t { kInit = 0, kServing = 1, kStopped = 2 };
enum Op : uint32_t { kAttach = 1, kRead = 2, kWrite = 3, kFault = 4, kLoadState = 5, kDetach = 6 };
enum Status : uint32_t { kOk = 0, kStaleSession = 1, kRefused = 2, kFailed = 3 };

struct alignas(64) Control {
  uint32_t magic;
  uint32_t version;
  std::atomic<uint32_t> state;
  std::atomic<uint32_t> incarnation;
  uint32_t server_pid;
  uint32_t identity[7];                        // MAGIC VERSION DESC_BYTES NCORES NVCPUS NNODES MAX_SHARDS
  alignas(64) std::atomic<uint32_t> doorbell;  // EVQ tail, posted by the host
  std::atomic<uint32_t> dq_head;               // DQ_HEAD, posted by the host
  std::atomic<uint32_t> wake;                  // futex word: the host adds 1 after posting
  std::atomic<uint32_t> server_sleeping;       // serve waits on `wake` (futex) while 1
  alignas(64) std::atomic<uint32_t> req_seq;   // mailbox: the host bumps it after filling the request
  std::atomic<uint32_t> resp_seq;              // serve sets it to req_seq when the answer is in
  uint32_t session;
  uint32_t op;
  uint32_t offset;
  uint32_t value;
  uint32_t result;
  uint32_t status;
  alignas(64) std::atomic<uint32_t> session_current;  // written by serve at ATTACH
};
static_assert(sizeof(Control) <= kControlBytes);
static_assert(std::atomic<uint32_t>::is_always_lock_free);

inline std::string path_of(const std::string& name) { return "/dev/shm/vshard." + name; }
inline std::string shm_name(const std::string& name) { return "/vshard." + name; }

// Shared (not private) futex: the word is in memory two processes map.
inline void futex_wait(std::atomic<uint32_t>& w, uint32_t expect, long timeout_ns) {
  timespec ts{timeout_ns / 1000000000L, timeout_ns % 1000000000L};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&w), FUTEX_WAIT, expect, &ts, nullptr, 0);
}
inline void futex_wake(std::atomic<uint32_t>& w) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&w), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

// The host's kick after posting a word or a request.
inline void kick(Control& c) {
  c.wake.fetch_add(1, std::memory_order_seq_cst);
  if (c.server_sleeping.load(std::memory_order_seq_cst)) futex_wake(c.wake);
}

}  // namespace vshard::driver::shm
