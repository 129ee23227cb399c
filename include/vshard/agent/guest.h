// The guests of `vshard agent` and the vCPUs that run them.
//
// A VM is one region of guest memory shared by its vCPUs and read by the
// agent. Its layout is fixed (namespace layout below), so the same guest
// logic runs either as x86-64 code in a KVM vCPU (agent/vm/guests/guests.S,
// assembled at build time, backend "kvm") or as C++ on a plain thread
// (backend "threads", for machines without /dev/kvm), over the same bytes.
//
// Guest programs (one per Role):
//  - kServer: a request/response server. Loop: while mailbox.req_seq ==
//    mailbox.resp_seq, exit kWaitRequest (an I/O exit: the vCPU blocks until
//    the agent injects a request by bumping req_seq and runs it again); then
//    work(req_iters) seeded with req_seq, store the result in
//    mailbox.checksum, set resp_seq = req_seq and exit kResponded
//    (value = resp_seq).
//  - kBatch: a batch job of blocks. Loop: i = fetch_add(shared.next, 1);
//    if i >= shared.total exit kQueueEmpty; work(shared.block_iters) seeded
//    with i; slot[i].checksum = result; fetch_add(slot[i].count, 1).
//  - kShardHelper: a shard of a preempted batch vCPU, run on another core.
//    Claims blocks exactly as kBatch, but at most mailbox.budget of them;
//    stores how many it executed in mailbox.done and exits kShardDone
//    (value = done) when the budget is used or the queue is empty. The agent
//    writes a new budget (and zeroes done) before running it again.
// Every vCPU can be kicked at any point of its loop; run() then returns
// kKicked and the next run() resumes exactly where it stopped (a block in
// progress is finished, never executed twice or lost).
//
// The work function, the same in C++ (work()) and in the guests' assembly:
// xorshift32 from a non-zero seed, `iters` rounds.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace vshard::agent {

// ---- guest memory layout (guest-physical offsets, little-endian) ----
namespace layout {
inline constexpr uint64_t kMemBytes = 4u << 20;  // 4 MiB per VM
inline constexpr uint64_t kCode = 0x1000;        // KVM: the guest program, loaded here
inline constexpr uint64_t kPageTables = 0x8000;  // KVM: identity-mapped page tables, if used
inline constexpr uint64_t kStack = 0xF000;       // KVM: top of the guest stacks (one 256-byte stack per vCPU below)
inline constexpr uint64_t kShared = 0x10000;     // SharedPage
inline constexpr uint64_t kMailboxes = 0x11000;  // Mailbox[kMaxVcpus]
inline constexpr uint64_t kSlots = 0x20000;      // BlockSlot[kMaxBlocks]
inline constexpr uint32_t kMaxVcpus = 32;
inline constexpr uint32_t kMaxBlocks = (kMemBytes - kSlots) / 16;  // 253 952
}  // namespace layout

// The batch queue: the paravirtual profile the agent reads is its depth,
// total - min(next, total) (no binary analysis of the guest).
struct alignas(64) SharedPage {
  uint32_t next;         // next block to claim (atomic fetch_add / lock xadd)
  uint32_t total;        // blocks in the queue, <= layout::kMaxBlocks; set before any vCPU runs
  uint32_t block_iters;  // work() rounds of one block
  uint32_t reserved[13];
};
static_assert(sizeof(SharedPage) == 64);

// One per vCPU index (the index a Vm::create_vcpu was given).
struct alignas(64) Mailbox {
  uint32_t req_seq;    // kServer: written by the agent to inject a request
  uint32_t resp_seq;   // kServer: written by the guest when the request is served
  uint32_t req_iters;  // kServer: work() rounds of one request
  uint32_t budget;     // kShardHelper: blocks this shard may claim
  uint32_t done;       // kShardHelper: blocks it executed (reset to 0 by the agent)
  uint32_t checksum;   // kServer: work() of the last request
  uint32_t reserved[10];
};
static_assert(sizeof(Mailbox) == 64);
static_assert(layout::kMailboxes + layout::kMaxVcpus * sizeof(Mailbox) <= layout::kSlots);

struct BlockSlot {
  uint32_t count;     // times the block was executed: exactly 1 when correct
  uint32_t checksum;  // work(block_iters) seeded with the block index
  uint32_t by_vcpu;   // vCPU index that executed it (the last one)
  uint32_t reserved;
};
static_assert(sizeof(BlockSlot) == 16);

// xorshift32, `iters` rounds from seed (0 is replaced by 0x9E3779B9).
inline uint32_t work(uint32_t seed, uint32_t iters) {
  uint32_t x = seed ? seed : 0x9E3779B9u;
  for (uint32_t i = 0; i < iters; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
  }
  return x;
}

enum class Role : uint8_t { kServer, kBatch, kShardHelper };
const char* role_name(Role r);

enum class ExitKind : uint8_t {
  kWaitRequest,  // kServer: no request pending
  kResponded,    // kServer: value = the request served (resp_seq)
  kQueueEmpty,   // kBatch: no block left
  kShardDone,    // kShardHelper: value = blocks executed in this shard
  kKicked,       // kick() took effect; run() again resumes
  kFault,        // the guest or the backend failed: message says how; the vCPU is dead
};
const char* exit_kind_name(ExitKind k);

struct Exit {
  ExitKind kind = ExitKind::kFault;
  uint32_t value = 0;
  std::string message;  // kFault only
};

class Vcpu {
 public:
  virtual ~Vcpu() = default;
  // Runs the guest on the calling thread until its next exit. One thread at
  // a time per vCPU; the agent keeps each vCPU on its own thread.
  virtual Exit run() = 0;
  // Any thread, async-signal-safe not required: makes the current run()
  // return kKicked promptly (KVM: immediate_exit + a signal to the thread in
  // KVM_RUN; threads: a flag the work loop polls at least every
  // kKickPollIters rounds). A kick while not in run() makes the next run()
  // return kKicked at once.
  virtual void kick() = 0;
  virtual uint32_t index() const = 0;
  virtual Role role() const = 0;
};

inline constexpr uint32_t kKickPollIters = 4096;

class Vm {
 public:
  virtual ~Vm() = default;
  // The host's view of guest memory (layout::kMemBytes bytes, zeroed at
  // creation). The agent writes SharedPage and Mailbox fields through
  // shared() / mailbox() with atomics.
  virtual uint8_t* memory() = 0;
  SharedPage& shared() { return *reinterpret_cast<SharedPage*>(memory() + layout::kShared); }
  Mailbox& mailbox(uint32_t i) { return reinterpret_cast<Mailbox*>(memory() + layout::kMailboxes)[i]; }
  BlockSlot& slot(uint32_t i) { return reinterpret_cast<BlockSlot*>(memory() + layout::kSlots)[i]; }
  // Creates vCPU `index` (< layout::kMaxVcpus, each index once) running the
  // program of `role`. Throws vshard::Error(kBadConfig) on a bad or reused
  // index, kDeviceFailed if the backend cannot create it. The vCPU uses the
  // Vm's memory: destroy it before the Vm.
  virtual std::unique_ptr<Vcpu> create_vcpu(uint32_t index, Role role) = 0;
  virtual std::string backend() const = 0;  // "kvm" or "threads"
};

// Plain threads: the guests' logic in C++ (agent/vm/threads_vm.cc).
std::unique_ptr<Vm> make_threads_vm();
// KVM (agent/vm/kvm_vm.cc): throws vshard::Error(kDeviceNotFound) naming the
// reason when /dev/kvm cannot be used (absent, no permission, API version).
std::unique_ptr<Vm> make_kvm_vm();
// Whether make_kvm_vm can work here; why not in *why.
bool kvm_usable(std::string* why = nullptr);

}  // namespace vshard::agent
