// The KVM backend's guest setup, as pure functions over guest memory and
// register structures so it can be checked on a machine without /dev/kvm
// (tests/agent/kvm_boot_test.cc); agent/vm/kvm_vm.cc applies them with
// KVM_SET_SREGS / KVM_SET_REGS.
//
// Guest-physical memory below layout::kShared:
//   kCode        the guest image (agent/vm/guests/guests.S), < kPageTables
//   kPageTables  PML4, +0x1000 PDPT, +0x2000 PD: the first kMemBytes
//                identity-mapped with 2 MiB pages, nothing else mapped
//   kGdt         null, 64-bit code (selector 0x08), data (selector 0x10)
//   kStack       top of the vCPU stacks, 256 bytes each, downwards
#pragma once

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>

#include "vshard/agent/guest.h"

namespace vshard::agent::internal {

inline constexpr uint64_t kPml4 = layout::kPageTables;
inline constexpr uint64_t kPdpt = layout::kPageTables + 0x1000;
inline constexpr uint64_t kPd = layout::kPageTables + 0x2000;
inline constexpr uint64_t kGdt = layout::kPageTables + 0x3000;
inline constexpr uint16_t kCodeSelector = 0x08;
inline constexpr uint16_t kDataSelector = 0x10;
inline constexpr uint64_t kStackBytes = 256;
static_assert(kGdt + 0x1000 <= layout::kStack - layout::kMaxVcpus * kStackBytes, "GDT overlaps the stacks");
static_assert(layout::kStack <= layout::kShared);
static_assert(layout::kMemBytes % (2u << 20) == 0 && layout::kMemBytes <= 512 * (2ull << 20),
              "guest memory is mapped with 2 MiB pages from one page directory");

// The guest programs, assembled at build time and embedded in the library.
struct GuestImage {
  const uint8_t* data;
  size_t size;
};
GuestImage kvm_guest_image();
// Offset of `role`'s entry point in the image.
uint64_t kvm_guest_entry(Role role);

// Writes the image, the page tables and the GDT into guest memory (the
// layout above). Throws Error(kInternal) if the image does not fit below
// kPageTables.
void kvm_prepare_memory(uint8_t* mem);
// Long mode in `s`, which holds the vCPU's reset state from
// KVM_GET_SREGS: control registers, EFER, flat segments, GDT, no IDT (an
// exception in the guest is a triple fault: KVM_EXIT_SHUTDOWN, a kFault).
// TR and LDTR keep their reset values, which VM entry accepts.
void kvm_long_mode_sregs(kvm_sregs* s);
// The registers a vCPU starts with: rip at its role's entry, rdi = rcx =
// index, rsp at its stack, r15 = 0 (the base the guests address memory
// from), rflags = only the always-one bit 1 (interrupts off).
kvm_regs kvm_entry_regs(uint32_t index, Role role);

// The exit a guest's `outl %eax, $port` stands for (kvm_guest_abi.h), with
// value = eax. The bad-total port and unknown ports give a kFault whose
// message says why.
Exit kvm_port_exit(uint16_t port, uint32_t value);

}  // namespace vshard::agent::internal
