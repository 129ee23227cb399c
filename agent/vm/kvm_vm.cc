// Backend "kvm": the guests of guest.h as x86-64 code (agent/vm/guests/
// guests.S) in KVM vCPUs, one VM of layout::kMemBytes per Vm.
//
// NOT RUN ON THE MACHINE IT WAS WRITTEN ON: that machine has no /dev/kvm.
// This file compiles against linux/kvm.h and follows the KVM API document
// (Documentation/virt/kvm/api.rst); what was checked without KVM is the
// device refusal (make_kvm_vm -> kDeviceNotFound naming /dev/kvm), the
// guest image (entry offsets, size) and the long-mode setup values
// (tests/agent/kvm_boot_test.cc), and the guest programs' bytes, run on the
// host CPU by tests/agent/native_guest.cc. tests/agent/vm_test.cc runs
// every vCPU case on this backend where /dev/kvm works. docs/agent.md,
// "vCPU backends", says the same.
//
// Exits: the guest leaves with `outl %eax, $port` (kvm_guest_abi.h), a
// KVM_EXIT_IO the VMM maps to an ExitKind; any other exit reason is a
// kFault naming it, and the vCPU is not run again.
//
// Kick: immediate_exit = 1 in the vCPU's kvm_run, then a signal
// (kKickSignal, no-op handler without SA_RESTART) to the thread in run()
// if there is one. A vCPU in KVM_RUN is interrupted by the signal (KVM_RUN
// returns -1/EINTR); one about to enter sees immediate_exit and returns
// -1/EINTR at once; one not in run() keeps immediate_exit set, so its next
// run() returns kKicked at once. run() clears immediate_exit after an
// EINTR. KVM completes a pending port I/O (the `out` that made the last
// exit) before it checks for the signal, and a kick stops the guest between
// two instructions with its registers kept, so a block in progress resumes
// on the next run and is executed exactly once.
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vshard/agent/guest.h"
#include "vshard/agent/internal/kvm_boot.h"
#include "vshard/agent/internal/vm_common.h"
#include "vshard/error.h"

namespace vshard::agent {
namespace {

constexpr const char* kKvmPath = "/dev/kvm";
// The signal that kicks a vCPU thread out of KVM_RUN (QEMU uses the same
// for its vCPU threads). The backend installs its handler once per process
// and refuses to run if another handler holds it.
const int kKickSignal = SIGUSR1;
// Placed above the guest's memory: on Intel hosts KVM needs three pages of
// guest-physical space for its real-mode TSS (KVM_SET_TSS_ADDR).
constexpr unsigned long kTssAddr = 0xFFFBD000;

// The CPUID ioctls, with the kernel's layout of struct kvm_cpuid2. The
// header's struct ends in __DECLARE_FLEX_ARRAY, whose empty struct has size
// 1 in C++ (0 in C): sizeof(kvm_cpuid2) is 12 in C++ and 8 in C, and
// KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2, which encode that size, are not
// the kernel's numbers there (the ioctl fails with EINVAL; found on the first
// machine with a /dev/kvm). So the size comes from this header instead, and
// the entries follow it at offset 8, as the kernel writes and reads them.
struct CpuidHeader {
  uint32_t nent;
  uint32_t padding;
};
static_assert(sizeof(CpuidHeader) == 8, "struct kvm_cpuid2's header is 8 bytes");
constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, CpuidHeader);
constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);

std::string errno_text(int e) { return std::strerror(e); }

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// A file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens /dev/kvm and checks its API version; throws kDeviceNotFound naming
// the reason.
Fd open_kvm() {
  Fd fd(open(kKvmPath, O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) {
    int e = errno;
    std::string why = std::string(kKvmPath) + ": " + errno_text(e);
    if (e == ENOENT)
      why +=
          " (no KVM here: the kvm module is not loaded, or this is a VM without nested virtualisation; use "
          "the threads backend)";
    else if (e == EACCES || e == EPERM) why += " (add the user to the group owning /dev/kvm, usually kvm)";
    throw Error(Errc::kDeviceNotFound, why);
  }
  int version = ioctl(fd.get(), KVM_GET_API_VERSION, 0);
  if (version != KVM_API_VERSION) {
    int e = errno;
    throw Error(Errc::kDeviceNotFound, std::string(kKvmPath) + ": KVM_GET_API_VERSION returned " +
                                           std::to_string(version) +
                                           (version < 0 ? " (" + errno_text(e) + ")" : std::string()) + ", expected " +
                                           std::to_string(KVM_API_VERSION));
  }
  // Kicks rely on immediate_exit (Linux 4.11).
  if (ioctl(fd.get(), KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
    throw Error(Errc::kDeviceNotFound,
                std::string(kKvmPath) + ": KVM_CAP_IMMEDIATE_EXIT missing (kernel older than 4.11)");
  return fd;
}

void kick_handler(int) {}  // only interrupts KVM_RUN

void install_kick_handler() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    struct sigaction old {};
    if (sigaction(kKickSignal, nullptr, &old) != 0) {
      failure = "sigaction(SIGUSR1): " + errno_text(errno);
      return;
    }
    bool taken = (old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != nullptr
                                             : (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN);
    if (taken) {
      failure = "SIGUSR1 already has a handler in this process; the kvm backend needs it to kick vCPUs";
      return;
    }
    struct sigaction sa {};
    sa.sa_handler = kick_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN must return EINTR
    if (sigaction(kKickSignal, &sa, nullptr) != 0) failure = "sigaction(SIGUSR1): " + errno_text(errno);
  });
  if (!failure.empty()) throw Error(Errc::kDeviceFailed, "kvm backend: " + failure);
}

// A kicked thread must not have the signal blocked, or the kick would wait
// for the vCPU's next exit.
void unblock_kick_signal() {
  thread_local bool done = false;
  if (done) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, kKickSignal);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  done = true;
}

Exit make_exit(ExitKind kind, uint32_t value = 0) {
  Exit e;
  e.kind = kind;
  e.value = value;
  return e;
}

const char* exit_reason_name(uint32_t r) {
  switch (r) {
    case KVM_EXIT_UNKNOWN: return "KVM_EXIT_UNKNOWN";
    case KVM_EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
    case KVM_EXIT_IO: return "KVM_EXIT_IO";
    case KVM_EXIT_HYPERCALL: return "KVM_EXIT_HYPERCALL";
    case KVM_EXIT_DEBUG: return "KVM_EXIT_DEBUG";
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
    case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN (triple fault)";
    case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
    case KVM_EXIT_INTR: return "KVM_EXIT_INTR";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    case KVM_EXIT_SYSTEM_EVENT: return "KVM_EXIT_SYSTEM_EVENT";
    default: return "KVM exit";
  }
}

class KvmVcpu final : public Vcpu {
 public:
  KvmVcpu(uint32_t index, Role role, Fd fd, kvm_run* run, size_t run_size)
      : index_(index), role_(role), fd_(std::move(fd)), run_(run), run_size_(run_size) {}
  ~KvmVcpu() override { munmap(run_, run_size_); }

  Exit run() override;
  void kick() override {
    std::atomic_ref<uint8_t>(run_->immediate_exit).store(1, std::memory_order_seq_cst);
    std::lock_guard<std::mutex> lock(mu_);
    if (in_run_) pthread_kill(thread_, kKickSignal);
  }
  uint32_t index() const override { return index_; }
  Role role() const override { return role_; }

 private:
  Exit fail(const std::string& why) {
    fault_ = "vCPU " + std::to_string(index_) + " (" + role_name(role_) + ", kvm): " + why;
    Exit e = make_exit(ExitKind::kFault);
    e.message = fault_;
    return e;
  }
  std::string where() {
    kvm_regs r{};
    if (ioctl(fd_.get(), KVM_GET_REGS, &r) != 0) return "";
    return " at rip " + hex(r.rip);
  }
  Exit io_exit();

  const uint32_t index_;
  const Role role_;
  Fd fd_;
  kvm_run* run_;
  size_t run_size_;
  std::mutex mu_;  // in_run_ and thread_, between run() and kick()
  bool in_run_ = false;
  pthread_t thread_{};
  std::string fault_;  // set: the vCPU is dead and every run() says why
};

class KvmVm final : public Vm {
 public:
  KvmVm() : kvm_(open_kvm()) {
    install_kick_handler();
    run_size_ = ioctl(kvm_.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size_ < static_cast<int>(sizeof(kvm_run)))
      throw Error(Errc::kDeviceFailed, "KVM_GET_VCPU_MMAP_SIZE returned " + std::to_string(run_size_) +
                                           (run_size_ < 0 ? " (" + errno_text(errno) + ")" : std::string()));
    vm_ = Fd(ioctl(kvm_.get(), KVM_CREATE_VM, 0));
    if (vm_.get() < 0) throw Error(Errc::kDeviceFailed, "KVM_CREATE_VM: " + errno_text(errno));
    // No in-kernel irqchip (KVM_CREATE_IRQCHIP), on purpose: without one
    // every vCPU starts runnable (with one, all but vCPU 0 would wait for
    // INIT/SIPI), and a HLT exits to us, where it is a fault.
    if (ioctl(vm_.get(), KVM_SET_TSS_ADDR, kTssAddr) != 0)
      throw Error(Errc::kDeviceFailed, "KVM_SET_TSS_ADDR: " + errno_text(errno));
    internal::kvm_prepare_memory(mem_.data());
    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.flags = 0;
    region.guest_phys_addr = 0;
    region.memory_size = layout::kMemBytes;
    region.userspace_addr = reinterpret_cast<uint64_t>(mem_.data());
    if (ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &region) != 0)
      throw Error(Errc::kDeviceFailed, "KVM_SET_USER_MEMORY_REGION (" + std::to_string(layout::kMemBytes) +
                                           " bytes at guest address 0): " + errno_text(errno));
    load_supported_cpuid();
  }

  uint8_t* memory() override { return mem_.data(); }
  std::unique_ptr<Vcpu> create_vcpu(uint32_t index, Role role) override;
  std::string backend() const override { return "kvm"; }

 private:
  // The host's CPUID as KVM supports it, given to every vCPU (long mode
  // needs the LM bit in the guest's CPUID).
  void load_supported_cpuid() {
    for (uint32_t n = 64; n <= 4096; n *= 2) {
      cpuid_.assign(sizeof(CpuidHeader) + n * sizeof(kvm_cpuid_entry2), 0);
      auto* c = reinterpret_cast<CpuidHeader*>(cpuid_.data());
      c->nent = n;
      if (ioctl(kvm_.get(), kGetSupportedCpuid, c) == 0) return;
      if (errno != E2BIG) throw Error(Errc::kDeviceFailed, "KVM_GET_SUPPORTED_CPUID: " + errno_text(errno));
    }
    throw Error(Errc::kDeviceFailed, "KVM_GET_SUPPORTED_CPUID: more than 4096 entries");
  }

  // Memory first: unmapped last, after the VM that maps it is closed.
  internal::GuestMemory mem_;
  Fd kvm_;
  Fd vm_;
  int run_size_ = 0;
  internal::VcpuIndices indices_;
  std::vector<uint8_t> cpuid_;  // a kvm_cpuid2 (CpuidHeader) with its entries
};

std::unique_ptr<Vcpu> KvmVm::create_vcpu(uint32_t index, Role role) {
  indices_.claim(index, role);
  auto failed = [&](const char* what) {
    return Error(Errc::kDeviceFailed, "kvm vCPU " + std::to_string(index) + ": " + what + ": " + errno_text(errno));
  };
  Fd fd(ioctl(vm_.get(), KVM_CREATE_VCPU, static_cast<unsigned long>(index)));
  if (fd.get() < 0) throw failed("KVM_CREATE_VCPU");
  if (ioctl(fd.get(), kSetCpuid2, cpuid_.data()) != 0) throw failed("KVM_SET_CPUID2");
  kvm_sregs sregs{};
  if (ioctl(fd.get(), KVM_GET_SREGS, &sregs) != 0) throw failed("KVM_GET_SREGS");
  internal::kvm_long_mode_sregs(&sregs);
  if (ioctl(fd.get(), KVM_SET_SREGS, &sregs) != 0) throw failed("KVM_SET_SREGS (64-bit long mode)");
  kvm_regs regs = internal::kvm_entry_regs(index, role);
  if (ioctl(fd.get(), KVM_SET_REGS, &regs) != 0) throw failed("KVM_SET_REGS");
  void* run = mmap(nullptr, static_cast<size_t>(run_size_), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (run == MAP_FAILED) throw failed("mmap of kvm_run");
  return std::make_unique<KvmVcpu>(index, role, std::move(fd), static_cast<kvm_run*>(run),
                                   static_cast<size_t>(run_size_));
}

Exit KvmVcpu::run() {
  if (!fault_.empty()) {
    Exit e = make_exit(ExitKind::kFault);
    e.message = fault_;
    return e;
  }
  unblock_kick_signal();
  {
    std::lock_guard<std::mutex> lock(mu_);
    thread_ = pthread_self();
    in_run_ = true;
  }
  int rc = ioctl(fd_.get(), KVM_RUN, 0);
  int e = errno;
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_run_ = false;
  }
  if (rc != 0) {
    if (e == EINTR) {
      // A kick (or another signal: then this kKicked is spurious, which the
      // agent handles like any kick by running the vCPU again).
      std::atomic_ref<uint8_t>(run_->immediate_exit).store(0, std::memory_order_seq_cst);
      return make_exit(ExitKind::kKicked);
    }
    return fail("KVM_RUN: " + errno_text(e));
  }
  switch (run_->exit_reason) {
    case KVM_EXIT_IO: return io_exit();
    case KVM_EXIT_FAIL_ENTRY:
      return fail(std::string(exit_reason_name(run_->exit_reason)) + ", hardware entry failure reason " +
                  hex(run_->fail_entry.hardware_entry_failure_reason));
    case KVM_EXIT_INTERNAL_ERROR:
      return fail(std::string(exit_reason_name(run_->exit_reason)) + ", suberror " +
                  std::to_string(run_->internal.suberror) + where());
    case KVM_EXIT_MMIO:
      return fail(std::string("KVM_EXIT_MMIO: ") + (run_->mmio.is_write ? "write" : "read") + " of " +
                  std::to_string(run_->mmio.len) + " bytes at guest address " + hex(run_->mmio.phys_addr) +
                  " (outside guest memory)" + where());
    default:
      return fail(std::string(exit_reason_name(run_->exit_reason)) + " (exit reason " +
                  std::to_string(run_->exit_reason) + ")" + where());
  }
}

Exit KvmVcpu::io_exit() {
  const auto& io = run_->io;
  if (io.direction != KVM_EXIT_IO_OUT || io.size != 4 || io.count != 1)
    return fail("unexpected port I/O: " + std::string(io.direction == KVM_EXIT_IO_OUT ? "out" : "in") + " port " +
                hex(io.port) + ", size " + std::to_string(io.size) + ", count " + std::to_string(io.count) + where());
  uint32_t value;
  std::memcpy(&value, reinterpret_cast<const uint8_t*>(run_) + io.data_offset, sizeof value);
  Exit e = internal::kvm_port_exit(io.port, value);
  if (e.kind == ExitKind::kFault) return fail(e.message + where());
  return e;
}

}  // namespace

bool kvm_usable(std::string* why) {
  try {
    open_kvm();
    if (why) why->clear();
    return true;
  } catch (const Error& e) {
    if (why) *why = e.what();
    return false;
  }
}

// The Vm must outlive its vCPUs (they use its memory and its VM fd).
std::unique_ptr<Vm> make_kvm_vm() { return std::make_unique<KvmVm>(); }

}  // namespace vshard::agent
