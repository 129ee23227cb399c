// Test backend "native": the KVM guest image (agent/vm/guests/guests.S, the
// very bytes the kvm backend loads) run directly on the host CPU in user
// mode, so the guest programs are exercised on machines without /dev/kvm.
//
// The guests address memory from r15 (0 under KVM) and jump only
// relatively, so they run from any address with r15 = the host mapping of
// guest memory. The VMM's part is played with signals on the vCPU's thread:
//  - enter: the thread sends itself SIGUSR2; the handler saves the host's
//    registers from its signal frame and puts the guest's there instead,
//    so returning from the handler lands in the guest;
//  - exit: `outl %eax, $port` is privileged, so it traps (SIGSEGV); the
//    handler decodes it (opcode E7, port in the next byte), steps rip over
//    it, saves the guest's registers and puts the host's back, so
//    returning lands in run() again, which maps the port as the kvm
//    backend does (internal::kvm_port_exit);
//  - kick: SIGUSR2 from another thread while the guest runs does the same
//    with rip unchanged: the guest stops between two instructions, as in
//    KVM, and resumes there on the next run().
// What this does not check is the KVM side itself: long mode setup,
// KVM_RUN, immediate_exit (a kick racing with entry may be lost here; the
// kvm backend does not lose it). The guest stack is a host buffer, not the
// 256 bytes at layout::kStack.
#include "native_guest.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

#include "vshard/agent/internal/kvm_boot.h"
#include "vshard/agent/internal/vm_common.h"
#include "vshard/error.h"

namespace vshard::agent::testing {

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

namespace {

// The general registers a signal frame holds, REG_R8 .. REG_EFL.
constexpr int kRegs = REG_EFL + 1;
constexpr size_t kStackBytes = 64 << 10;  // room for the signal frames the exits push

enum State : int { kIdle, kEntering, kInGuest, kOut, kKickedOut, kCrashed };

struct NativeVcpuState {
  greg_t regs[kRegs] = {};
  std::atomic<int> state{kIdle};  // lock-free: safe in the handlers
  uint16_t port = 0;
  uint32_t value = 0;
  greg_t crash_rip = 0;
  const uint8_t* code = nullptr;
  size_t code_size = 0;
};

thread_local NativeVcpuState* t_vcpu = nullptr;
thread_local greg_t t_host[kRegs];

void on_usr2(int, siginfo_t*, void* ctx) {
  auto* uc = static_cast<ucontext_t*>(ctx);
  NativeVcpuState* v = t_vcpu;
  if (!v) return;
  greg_t* g = uc->uc_mcontext.gregs;
  if (v->state == kEntering) {
    std::memcpy(t_host, g, sizeof t_host);
    std::memcpy(g, v->regs, sizeof v->regs);
    sigdelset(&uc->uc_sigmask, SIGSEGV);
    sigdelset(&uc->uc_sigmask, SIGUSR2);
    v->state = kInGuest;
  } else if (v->state == kInGuest) {
    std::memcpy(v->regs, g, sizeof v->regs);
    std::memcpy(g, t_host, sizeof t_host);
    v->state = kKickedOut;
  }
}

void on_segv(int, siginfo_t*, void* ctx) {
  auto* uc = static_cast<ucontext_t*>(ctx);
  NativeVcpuState* v = t_vcpu;
  if (!v || v->state != kInGuest) {
    signal(SIGSEGV, SIG_DFL);  // a real crash of the test: fault again, unhandled
    return;
  }
  greg_t* g = uc->uc_mcontext.gregs;
  auto* rip = reinterpret_cast<const uint8_t*>(g[REG_RIP]);
  if (rip >= v->code && rip + 2 <= v->code + v->code_size && rip[0] == 0xE7) {  // outl %eax, $imm8
    v->port = rip[1];
    v->value = static_cast<uint32_t>(g[REG_RAX]);
    g[REG_RIP] += 2;
    v->state = kOut;
  } else {
    v->crash_rip = g[REG_RIP];
    v->state = kCrashed;
  }
  std::memcpy(v->regs, g, sizeof v->regs);
  std::memcpy(g, t_host, sizeof t_host);
}

// On every VM: Catch2 installs its own SIGSEGV handler for each test case
// (and restores the one it found afterwards).
void install_handlers() {
  {
    struct sigaction sa {};
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaddset(&sa.sa_mask, SIGSEGV);
    sa.sa_sigaction = on_usr2;
    sigaction(SIGUSR2, &sa, nullptr);
    sa.sa_sigaction = on_segv;
    sigaction(SIGSEGV, &sa, nullptr);
  }
}

class NativeVcpu final : public Vcpu {
 public:
  NativeVcpu(uint8_t* mem, const uint8_t* code, size_t code_size, uint32_t index, Role role)
      : index_(index), role_(role), stack_(kStackBytes) {
    kvm_regs r = internal::kvm_entry_regs(index, role);
    s_.regs[REG_RIP] = reinterpret_cast<greg_t>(code + (r.rip - layout::kCode));
    s_.regs[REG_RSP] = reinterpret_cast<greg_t>(stack_.data() + stack_.size()) & ~greg_t{15};
    s_.regs[REG_RDI] = static_cast<greg_t>(r.rdi);
    s_.regs[REG_RCX] = static_cast<greg_t>(r.rcx);
    s_.regs[REG_R15] = reinterpret_cast<greg_t>(mem);  // 0 under KVM
    s_.regs[REG_EFL] = 0x202;
    s_.code = code;
    s_.code_size = code_size;
  }

  Exit run() override {
    if (!fault_.empty()) return fault();
    if (kick_.exchange(false)) return kicked();
    {
      std::lock_guard<std::mutex> lock(mu_);
      thread_ = pthread_self();
      t_vcpu = &s_;
      s_.state = kEntering;
    }
    std::atomic_signal_fence(std::memory_order_seq_cst);
    // tgkill directly: glibc's raise() may block signals around it.
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    int state;
    {
      std::lock_guard<std::mutex> lock(mu_);
      state = s_.state;
      s_.state = kIdle;
      t_vcpu = nullptr;
    }
    switch (state) {
      case kOut: {
        Exit e = internal::kvm_port_exit(s_.port, s_.value);
        if (e.kind == ExitKind::kFault) {
          fault_ = e.message;
          return fault();
        }
        return e;
      }
      case kKickedOut: kick_.store(false); return kicked();
      case kCrashed:
        fault_ =
            "guest crashed at image offset " + std::to_string(reinterpret_cast<const uint8_t*>(s_.crash_rip) - s_.code);
        return fault();
      default: fault_ = "native guest: entry failed (state " + std::to_string(state) + ")"; return fault();
    }
  }
  void kick() override {
    kick_.store(true);
    std::lock_guard<std::mutex> lock(mu_);
    if (s_.state == kInGuest || s_.state == kEntering) pthread_kill(thread_, SIGUSR2);
  }
  uint32_t index() const override { return index_; }
  Role role() const override { return role_; }

 private:
  Exit kicked() {
    Exit e;
    e.kind = ExitKind::kKicked;
    return e;
  }
  Exit fault() {
    Exit e;
    e.kind = ExitKind::kFault;
    e.message = fault_;
    return e;
  }

  const uint32_t index_;
  const Role role_;
  std::vector<uint8_t> stack_;
  NativeVcpuState s_;
  std::atomic<bool> kick_{false};
  std::mutex mu_;
  pthread_t thread_{};
  std::string fault_;
};

class NativeVm final : public Vm {
 public:
  NativeVm() {
    internal::GuestImage img = internal::kvm_guest_image();
    code_size_ = img.size;
    void* p = mmap(nullptr, code_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw Error(Errc::kDeviceFailed, "native guest: mmap of the code failed");
    std::memcpy(p, img.data, code_size_);
    mprotect(p, code_size_, PROT_READ | PROT_EXEC);
    code_ = static_cast<uint8_t*>(p);
    install_handlers();
  }
  ~NativeVm() override { munmap(code_, code_size_); }
  uint8_t* memory() override { return mem_.data(); }
  std::unique_ptr<Vcpu> create_vcpu(uint32_t index, Role role) override {
    indices_.claim(index, role);
    return std::make_unique<NativeVcpu>(mem_.data(), code_, code_size_, index, role);
  }
  std::string backend() const override { return "native"; }

 private:
  internal::GuestMemory mem_;
  internal::VcpuIndices indices_;
  uint8_t* code_ = nullptr;
  size_t code_size_ = 0;
};

}  // namespace

std::unique_ptr<Vm> make_native_guest_vm(std::string*) { return std::make_unique<NativeVm>(); }

#else

std::unique_ptr<Vm> make_native_guest_vm(std::string* why) {
  *why =
      "the native guest runner swaps register sets in signal frames, which the sanitizers' stack and signal "
      "interception do not follow (and it needs x86-64)";
  return nullptr;
}

#endif

}  // namespace vshard::agent::testing
