// Backend "kvm": the guests of guest.h as x86-64 code in KVM vCPUs.
//
// This commit has the device checks only (kvm_usable, and make_kvm_vm
// refusing a machine without a usable /dev/kvm); creating the VM and its
// vCPUs follows in the next commit, and until then make_kvm_vm throws
// kUnsupported on a machine where /dev/kvm works.
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "vshard/agent/guest.h"
#include "vshard/error.h"

namespace vshard::agent {
namespace {

constexpr const char* kKvmPath = "/dev/kvm";

// Opens /dev/kvm and checks its API version; throws kDeviceNotFound naming
// the reason. Returns the fd (the caller owns it).
int open_kvm() {
  int fd = open(kKvmPath, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    std::string why = std::string(kKvmPath) + ": " + std::strerror(e);
    if (e == ENOENT)
      why +=
          " (no KVM here: the kvm module is not loaded, or this is a VM without nested virtualisation; use "
          "the threads backend)";
    else if (e == EACCES || e == EPERM) why += " (add the user to the group owning /dev/kvm, usually kvm)";
    throw Error(Errc::kDeviceNotFound, why);
  }
  int version = ioctl(fd, KVM_GET_API_VERSION, 0);
  if (version != KVM_API_VERSION) {
    int e = errno;
    close(fd);
    throw Error(Errc::kDeviceNotFound, std::string(kKvmPath) + ": KVM_GET_API_VERSION returned " +
                                           std::to_string(version) +
                                           (version < 0 ? std::string(" (") + std::strerror(e) + ")" : "") +
                                           ", expected " + std::to_string(KVM_API_VERSION));
  }
  return fd;
}

}  // namespace

bool kvm_usable(std::string* why) {
  try {
    close(open_kvm());
    if (why) why->clear();
    return true;
  } catch (const Error& e) {
    if (why) *why = e.what();
    return false;
  }
}

std::unique_ptr<Vm> make_kvm_vm() {
  close(open_kvm());
  throw Error(Errc::kUnsupported,
              "kvm backend: VM creation is not implemented yet on this branch; use the threads backend");
}

}  // namespace vshard::agent
