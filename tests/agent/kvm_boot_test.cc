// What of the KVM backend can be checked without /dev/kvm: the guest image
// the build assembled and embedded (size, entry points where the VMM jumps),
// the memory it boots from (identity page tables, GDT) and the long-mode
// register values it gives KVM_SET_SREGS / KVM_SET_REGS, checked against
// the x86 architecture's bits (Intel SDM vol. 3A) rather than against the
// code's own constants.
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "vshard/agent/guest.h"
#include "vshard/agent/internal/kvm_boot.h"

using namespace vshard::agent;
using namespace vshard::agent::internal;

namespace {

uint64_t get64(const std::vector<uint8_t>& m, uint64_t addr) {
  uint64_t v;
  std::memcpy(&v, m.data() + addr, sizeof v);
  return v;
}

// Guest-physical address of `va` through the page tables in `m`, or ~0 if
// not mapped; *large says whether a 2 MiB page maps it.
uint64_t translate(const std::vector<uint8_t>& m, uint64_t cr3, uint64_t va, bool* large) {
  uint64_t pml4e = get64(m, cr3 + 8 * ((va >> 39) & 511));
  if (!(pml4e & 1)) return ~0ull;
  uint64_t pdpte = get64(m, (pml4e & 0x000FFFFFFFFFF000ull) + 8 * ((va >> 30) & 511));
  if (!(pdpte & 1) || (pdpte & 0x80)) return ~0ull;  // no 1 GiB pages expected
  uint64_t pde = get64(m, (pdpte & 0x000FFFFFFFFFF000ull) + 8 * ((va >> 21) & 511));
  if (!(pde & 1)) return ~0ull;
  *large = (pde & 0x80) != 0;
  if (!*large) return ~0ull;
  return (pde & 0x000FFFFFFFE00000ull) | (va & 0x1FFFFF);
}

std::map<std::string, uint64_t> guest_symbols() {
  std::ifstream in(VSHARD_KVM_GUEST_SYM);
  REQUIRE(in.good());
  std::map<std::string, uint64_t> syms;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string addr, type, name;
    if (f >> addr >> type >> name) syms[name] = std::stoull(addr, nullptr, 16);
  }
  return syms;
}

}  // namespace

TEST_CASE("kvm boot: the embedded guest image is the assembled one and fits below the page tables",
          "[agent][kvm_boot]") {
  GuestImage img = kvm_guest_image();
  REQUIRE(img.size > 0);
  CHECK(img.size <= layout::kPageTables - layout::kCode);
  std::ifstream in(VSHARD_KVM_GUEST_BIN, std::ios::binary);
  REQUIRE(in.good());
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(file.size() == img.size);
  CHECK(std::memcmp(file.data(), img.data, img.size) == 0);
}

TEST_CASE("kvm boot: the entry points are where the VMM starts each role", "[agent][kvm_boot]") {
  auto syms = guest_symbols();
  REQUIRE(syms.count("vshard_guest_image_start"));
  REQUIRE(syms.count("vshard_guest_image_end"));
  CHECK(syms["vshard_guest_image_start"] == layout::kCode);  // linked where it is loaded
  CHECK(syms["vshard_guest_image_end"] - syms["vshard_guest_image_start"] == kvm_guest_image().size);
  const std::pair<Role, const char*> entries[] = {{Role::kServer, "vshard_guest_entry_server"},
                                                  {Role::kBatch, "vshard_guest_entry_batch"},
                                                  {Role::kShardHelper, "vshard_guest_entry_shard_helper"}};
  for (auto [role, name] : entries) {
    INFO(name);
    REQUIRE(syms.count(name));
    CHECK(syms[name] == layout::kCode + kvm_guest_entry(role));
    CHECK(kvm_entry_regs(0, role).rip == syms[name]);
  }
  // No code at the image's first byte is shared by two roles.
  std::set<uint64_t> distinct{kvm_guest_entry(Role::kServer), kvm_guest_entry(Role::kBatch),
                              kvm_guest_entry(Role::kShardHelper)};
  CHECK(distinct.size() == 3);
}

TEST_CASE("kvm boot: guest memory maps itself 1:1 with 2 MiB pages and nothing beyond", "[agent][kvm_boot]") {
  std::vector<uint8_t> mem(layout::kMemBytes, 0);
  kvm_prepare_memory(mem.data());
  kvm_sregs s{};
  kvm_long_mode_sregs(&s);
  for (uint64_t va : {uint64_t{0}, layout::kCode, layout::kShared + 4, layout::kSlots, uint64_t{0x200000} - 1,
                      uint64_t{0x200000}, layout::kMemBytes - 1}) {
    INFO("address " << va);
    bool large = false;
    CHECK(translate(mem, s.cr3, va, &large) == va);
    CHECK(large);
  }
  bool large = false;
  CHECK(translate(mem, s.cr3, layout::kMemBytes, &large) == ~0ull);
  CHECK(translate(mem, s.cr3, uint64_t{1} << 30, &large) == ~0ull);

  GuestImage img = kvm_guest_image();
  CHECK(std::memcmp(mem.data() + layout::kCode, img.data, img.size) == 0);
  // The agent's part of memory (shared page and up) is left zero.
  size_t nonzero = 0;
  for (uint64_t i = layout::kShared; i < layout::kMemBytes; ++i) nonzero += mem[i] != 0;
  CHECK(nonzero == 0);
}

TEST_CASE("kvm boot: the GDT holds a 64-bit code and a flat data descriptor", "[agent][kvm_boot]") {
  std::vector<uint8_t> mem(layout::kMemBytes, 0);
  kvm_prepare_memory(mem.data());
  kvm_sregs s{};
  kvm_long_mode_sregs(&s);
  REQUIRE(s.gdt.base == kGdt);
  REQUIRE(s.gdt.limit >= kDataSelector + 7);
  CHECK(get64(mem, kGdt) == 0);  // the null descriptor
  uint64_t code = get64(mem, kGdt + s.cs.selector);
  uint64_t data = get64(mem, kGdt + s.ds.selector);
  auto bit = [](uint64_t d, int b) { return (d >> b) & 1; };
  // Descriptor bits: type 40..43, S 44, DPL 45..46, P 47, L 53, D/B 54, G 55.
  CHECK(((code >> 40) & 0xF) == s.cs.type);
  CHECK(bit(code, 44) == 1);
  CHECK(bit(code, 47) == 1);
  CHECK(bit(code, 53) == 1);
  CHECK(bit(code, 54) == 0);
  CHECK(((data >> 40) & 0xF) == s.ds.type);
  CHECK(bit(data, 47) == 1);
  CHECK(bit(data, 53) == 0);
}

TEST_CASE("kvm boot: long-mode special registers", "[agent][kvm_boot]") {
  kvm_sregs s{};
  // Reset values of TR as KVM_GET_SREGS reports them (busy TSS, present):
  // they must survive, since VM entry checks them.
  s.tr.type = 0xB;
  s.tr.present = 1;
  s.tr.limit = 0xFFFF;
  kvm_long_mode_sregs(&s);
  CHECK((s.cr0 & 1) == 1);              // PE
  CHECK((s.cr0 >> 31 & 1) == 1);        // PG
  CHECK((s.cr0 >> 5 & 1) == 1);         // NE (fixed to 1 under VMX)
  CHECK((s.cr4 >> 5 & 1) == 1);         // PAE
  CHECK((s.efer >> 8 & 1) == 1);        // LME
  CHECK((s.efer >> 10 & 1) == 1);       // LMA
  CHECK(s.cr3 == layout::kPageTables);  // the PML4
  CHECK((s.cr3 & 0xFFF) == 0);
  CHECK(s.cs.l == 1);
  CHECK(s.cs.db == 0);  // L and D together are reserved
  CHECK(s.cs.present == 1);
  CHECK(s.cs.s == 1);
  CHECK((s.cs.type & 0x8) != 0);  // code
  CHECK(s.cs.dpl == 0);
  for (const kvm_segment* seg : {&s.ds, &s.es, &s.fs, &s.gs, &s.ss}) {
    CHECK(seg->present == 1);
    CHECK((seg->type & 0x8) == 0);  // data
    CHECK((seg->type & 0x2) != 0);  // writable (SS must be)
    CHECK(seg->dpl == 0);
    CHECK(seg->base == 0);
  }
  CHECK(s.idt.limit == 0);  // any exception is a triple fault, reported as a kFault
  CHECK(s.tr.type == 0xB);
  CHECK(s.tr.present == 1);
}

TEST_CASE("kvm boot: entry registers: index in rdi and rcx, own stack, rflags bit 1 only", "[agent][kvm_boot]") {
  std::set<uint64_t> stacks;
  for (uint32_t i = 0; i < layout::kMaxVcpus; ++i) {
    kvm_regs r = kvm_entry_regs(i, Role::kBatch);
    CHECK(r.rdi == i);
    CHECK(r.rcx == i);
    CHECK(r.rflags == 0x2);  // bit 1 is reserved as 1; IF = 0
    CHECK(r.rsp <= layout::kStack);
    CHECK(r.rsp - kStackBytes >= layout::kStack - layout::kMaxVcpus * kStackBytes);
    CHECK(r.rsp - kStackBytes >= kGdt + 0x1000);  // above the GDT's page
    CHECK(r.rsp % 16 == 0);
    stacks.insert(r.rsp);
  }
  CHECK(stacks.size() == layout::kMaxVcpus);
}
