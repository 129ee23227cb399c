// Backend "threads": the three guest programs of guest.h in C++, run on the
// calling thread over the same memory layout as the KVM guests, for machines
// without /dev/kvm.
//
// Each vCPU is a resumable state machine. Its only private state is what a
// KVM vCPU keeps in registers while a block (or request) is in progress: the
// item being worked on, the xorshift state and the rounds left. Everything
// else is read from guest memory on every step, as the assembly does, so
// the agent may rewrite a mailbox between runs. A kick is a flag polled
// between chunks of at most kKickPollIters rounds and before each claim: a
// kick mid-block returns kKicked with the block still held, and the next
// run() finishes it before claiming another, so no block is run twice or
// dropped.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "vshard/agent/guest.h"
#include "vshard/agent/internal/vm_common.h"
#include "vshard/error.h"

namespace vshard::agent {
namespace {

// Every guest-memory field shared with the agent (or with other vCPUs) is
// accessed atomically, as the agent does with std::atomic_ref.
uint32_t load(uint32_t& f) { return std::atomic_ref<uint32_t>(f).load(std::memory_order_acquire); }
void store(uint32_t& f, uint32_t v) { std::atomic_ref<uint32_t>(f).store(v, std::memory_order_release); }
uint32_t fetch_add(uint32_t& f, uint32_t v) {
  return std::atomic_ref<uint32_t>(f).fetch_add(v, std::memory_order_acq_rel);
}

Exit make_exit(ExitKind kind, uint32_t value = 0) {
  Exit e;
  e.kind = kind;
  e.value = value;
  return e;
}

class ThreadsVm final : public Vm {
 public:
  uint8_t* memory() override { return mem_.data(); }
  std::unique_ptr<Vcpu> create_vcpu(uint32_t index, Role role) override;
  std::string backend() const override { return "threads"; }

 private:
  internal::GuestMemory mem_;
  internal::VcpuIndices indices_;
};

class ThreadsVcpu final : public Vcpu {
 public:
  ThreadsVcpu(Vm& vm, uint32_t index, Role role) : vm_(vm), index_(index), role_(role) {}

  Exit run() override {
    if (!fault_.empty()) return {ExitKind::kFault, 0, fault_};
    switch (role_) {
      case Role::kServer: return run_server();
      case Role::kBatch: return run_blocks(false);
      case Role::kShardHelper: return run_blocks(true);
    }
    return fail("unknown role");
  }
  void kick() override { kick_.store(true, std::memory_order_release); }
  uint32_t index() const override { return index_; }
  Role role() const override { return role_; }

 private:
  bool take_kick() { return kick_.exchange(false, std::memory_order_acq_rel); }

  void start(uint32_t seed, uint32_t iters) {
    x_ = seed ? seed : 0x9E3779B9u;  // as work()
    left_ = iters;
    busy_ = true;
  }

  // Runs the work in progress in chunks of kKickPollIters rounds. False if a
  // kick arrived before it was complete (the state stays for the next run).
  bool advance() {
    while (left_ > 0) {
      uint32_t n = std::min(left_, kKickPollIters);
      uint32_t x = x_;
      for (uint32_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
      }
      x_ = x;
      left_ -= n;
      if (left_ > 0 && take_kick()) return false;
    }
    return true;
  }

  Exit fail(std::string why) {
    fault_ = "vCPU " + std::to_string(index_) + " (" + role_name(role_) + "): " + why;
    return {ExitKind::kFault, 0, fault_};
  }

  Exit run_server() {
    Mailbox& mb = vm_.mailbox(index_);
    if (take_kick()) return make_exit(ExitKind::kKicked);
    if (!busy_) {
      uint32_t req = load(mb.req_seq);
      if (req == load(mb.resp_seq)) return make_exit(ExitKind::kWaitRequest);
      item_ = req;
      start(req, load(mb.req_iters));
    }
    if (!advance()) return make_exit(ExitKind::kKicked);
    store(mb.checksum, x_);
    store(mb.resp_seq, item_);
    busy_ = false;
    return make_exit(ExitKind::kResponded, item_);
  }

  // kBatch, and kShardHelper (helper) which also counts against its budget.
  Exit run_blocks(bool helper) {
    SharedPage& sh = vm_.shared();
    Mailbox& mb = vm_.mailbox(index_);
    for (;;) {
      if (take_kick()) return make_exit(ExitKind::kKicked);
      if (!busy_) {
        if (helper) {
          uint32_t done = load(mb.done);
          if (done >= load(mb.budget)) return make_exit(ExitKind::kShardDone, done);
        }
        uint32_t total = load(sh.total);
        if (total > layout::kMaxBlocks)
          return fail("shared.total " + std::to_string(total) + " exceeds layout::kMaxBlocks " +
                      std::to_string(layout::kMaxBlocks));
        // Claim only while blocks remain, so idle polls of an empty queue do
        // not push `next` on towards wrapping around.
        uint32_t i = load(sh.next) < total ? fetch_add(sh.next, 1) : total;
        if (i >= total)
          return helper ? make_exit(ExitKind::kShardDone, load(mb.done)) : make_exit(ExitKind::kQueueEmpty);
        item_ = i;
        start(i, load(sh.block_iters));
      }
      if (!advance()) return make_exit(ExitKind::kKicked);
      BlockSlot& s = vm_.slot(item_);
      store(s.checksum, x_);
      store(s.by_vcpu, index_);
      fetch_add(s.count, 1);
      // Only this vCPU writes `done` while it runs; the agent resets it
      // between runs.
      if (helper) store(mb.done, load(mb.done) + 1);
      busy_ = false;
    }
  }

  Vm& vm_;
  const uint32_t index_;
  const Role role_;
  std::atomic<bool> kick_{false};
  // The work in progress (a KVM guest's registers).
  bool busy_ = false;
  uint32_t item_ = 0;  // request sequence number or block index
  uint32_t x_ = 0;     // xorshift state
  uint32_t left_ = 0;  // rounds left
  std::string fault_;  // set: the vCPU is dead and every run() says why
};

std::unique_ptr<Vcpu> ThreadsVm::create_vcpu(uint32_t index, Role role) {
  indices_.claim(index, role);
  return std::make_unique<ThreadsVcpu>(*this, index, role);
}

}  // namespace

std::unique_ptr<Vm> make_threads_vm() { return std::make_unique<ThreadsVm>(); }

}  // namespace vshard::agent
