// The register offsets the driver uses, taken from the generated
// include/vshard/regs.h (one source: regs/vshard_regs.json). Private to driver/.
#pragma once

#include <cstdint>

#include "vshard/regs.h"

namespace vshard::driver::reg {

inline constexpr uint32_t kMagic = regs::kMagic;
inline constexpr uint32_t kVersion = regs::kVersion;
inline constexpr uint32_t kNCores = regs::kNcores;
inline constexpr uint32_t kNVcpus = regs::kNvcpus;
inline constexpr uint32_t kNNodes = regs::kNnodes;
inline constexpr uint32_t kMaxShards = regs::kMaxShards;
inline constexpr uint32_t kDescBytes = regs::kDescBytes;

inline constexpr uint32_t kCtrl = regs::kCtrl;
inline constexpr uint32_t kStatus = regs::kStatus;
inline constexpr uint32_t kErrSticky = regs::kErrSticky;
inline constexpr uint32_t kLastErrSeq = regs::kLastErrSeq;
inline constexpr uint32_t kLastErrCode = regs::kLastErrCode;
inline constexpr uint32_t kScratch = regs::kScratch;

inline constexpr uint32_t kEvqBaseLo = regs::kEvqBaseLo;
inline constexpr uint32_t kEvqBaseHi = regs::kEvqBaseHi;
inline constexpr uint32_t kEvqSizeLog2 = regs::kEvqSizeLog2;
inline constexpr uint32_t kEvqHead = regs::kEvqHead;
inline constexpr uint32_t kEvqTail = regs::kEvqTail;
inline constexpr uint32_t kDqBaseLo = regs::kDqBaseLo;
inline constexpr uint32_t kDqBaseHi = regs::kDqBaseHi;
inline constexpr uint32_t kDqSizeLog2 = regs::kDqSizeLog2;
inline constexpr uint32_t kDqHead = regs::kDqHead;
inline constexpr uint32_t kDqTail = regs::kDqTail;
inline constexpr uint32_t kDoorbell = regs::kDoorbell;
inline constexpr uint32_t kPrestageBaseLo = regs::kPrestageBaseLo;
inline constexpr uint32_t kPrestageBaseHi = regs::kPrestageBaseHi;

inline constexpr uint32_t kCntEvents = regs::kEvents;
inline constexpr uint32_t kCntDecisions = regs::kDecisions;
inline constexpr uint32_t kCntErrors = regs::kErrors;
inline constexpr uint32_t kCntPreempts = regs::kPreempts;
inline constexpr uint32_t kCntShards = regs::kShards;
inline constexpr uint32_t kCntCommits = regs::kCommits;
inline constexpr uint32_t kCntAborts = regs::kAborts;

inline constexpr uint32_t kCtrlEnable = regs::kCtrlEnable;
inline constexpr uint32_t kCtrlSoftReset = regs::kCtrlSoftReset;
inline constexpr uint32_t kStatusIdle = regs::kStatusIdle;
inline constexpr uint32_t kStatusError = regs::kStatusError;
inline constexpr uint32_t kStatusEnabled = regs::kStatusEnabled;

inline constexpr uint32_t kMagicValue = regs::kMagicValue;
inline constexpr uint32_t kDescBytesValue = regs::kDescriptorBytes;

inline constexpr uint32_t kConfigBase = regs::kCfg;
inline constexpr uint32_t config(uint16_t key) { return regs::cfg_offset(key); }
inline constexpr uint32_t kPrestageRegBase = regs::kPreEntry;
inline constexpr uint32_t pre_entry(uint32_t node) { return regs::pre_entry(node); }
inline constexpr uint32_t pre_epoch(uint32_t node) { return regs::pre_epoch(node); }

static_assert(regs::kVersionValue == 0x00010001, "driver implements spec 1.1");

// Ring registers a DMA front-end owns (EVQ_BASE_LO .. PRESTAGE_BASE_HI).
inline constexpr bool is_ring_register(uint32_t off) { return off >= kEvqBaseLo && off <= kPrestageBaseHi; }

}  // namespace vshard::driver::reg
