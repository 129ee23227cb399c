// Host-memory layout shared by the driver and the device's DMA front-end
// (docs/driver.md, "Host memory"). Private to driver/.
//
// One region, 4096-byte aligned:
//   PRESTAGE_BASE -> line 0: index writeback, one 64-bit word
//                            (bits 31:0 EVQ_HEAD, bits 63:32 DQ_TAIL)
//                    line 1+n: node n's prestaged entry, one 64-bit word
//                            (bits 31:0 as PRE_ENTRY, bits 63:32 PRE_EPOCH)
//   EVQ_BASE      -> 2^EVQ_SIZE_LOG2 event descriptors (16 bytes each)
//   DQ_BASE       -> 2^DQ_SIZE_LOG2 decision descriptors
// Each 64-bit word is written by the device with one aligned 8-byte store,
// so the host never sees an entry without its epoch. Ring indices are
// free-running 32-bit counters; slot = index & (size - 1); full when
// tail - head == size.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "vshard/model.h"

namespace vshard::driver {

inline constexpr size_t kCacheLine = 64;
inline constexpr size_t kPage = 4096;
inline constexpr size_t kWritebackOffset = 0;  // relative to PRESTAGE_BASE
inline constexpr size_t kPrestageLine0 = 1;    // line index of node 0

inline constexpr size_t prestage_table_bytes(uint32_t nodes) { return (1 + nodes) * kCacheLine; }
inline constexpr size_t prestage_offset(uint32_t node) { return (kPrestageLine0 + node) * kCacheLine; }

// PRE_ENTRY register encoding: bits 1:0 kind, 15:8 core, 27:16 vcpu.
inline constexpr uint32_t encode_pre_entry(PrestageKind kind, uint8_t core, uint16_t vcpu) {
  return (static_cast<uint32_t>(kind) & 0x3u) | (static_cast<uint32_t>(core) << 8) |
         ((static_cast<uint32_t>(vcpu) & 0xFFFu) << 16);
}
inline constexpr PrestageKind pre_entry_kind(uint32_t e) { return static_cast<PrestageKind>(e & 0x3u); }
inline constexpr uint8_t pre_entry_core(uint32_t e) { return static_cast<uint8_t>((e >> 8) & 0xFFu); }
inline constexpr uint16_t pre_entry_vcpu(uint32_t e) { return static_cast<uint16_t>((e >> 16) & 0xFFFu); }

inline constexpr uint64_t pack_word(uint32_t lo, uint32_t hi) {
  return static_cast<uint64_t>(lo) | (static_cast<uint64_t>(hi) << 32);
}

// Aligned 8-byte atomic access to a word in shared memory.
inline uint64_t load_word(const uint8_t* p) {
  auto* w = const_cast<uint64_t*>(reinterpret_cast<const uint64_t*>(p));
  return std::atomic_ref<uint64_t>(*w).load(std::memory_order_acquire);
}
inline void store_word(uint8_t* p, uint64_t v) {
  std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(p)).store(v, std::memory_order_release);
}

}  // namespace vshard::driver
