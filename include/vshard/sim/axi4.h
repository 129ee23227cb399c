// The pins of one AXI4 (full) interface between a master (the card's DMA
// front-end, vs_card_top's m_axi_*) and a slave (AxiMemory), as the
// simulation samples them once per clock cycle before the rising edge. Data
// is 128 bits as four little-endian 32-bit words (byte i = bits 8i+7:8i).
#pragma once

#include <cstdint>

namespace vshard::sim {

inline constexpr unsigned kAxiDataBytes = 16;  // 128-bit data bus
inline constexpr uint8_t kAxiSize16 = 4;       // AxSIZE for 16-byte beats
inline constexpr uint8_t kAxiBurstIncr = 1;    // AxBURST INCR
inline constexpr uint8_t kAxiOkay = 0, kAxiSlvErr = 2, kAxiDecErr = 3;

// Driven by the master.
struct Axi4MasterPins {
  uint8_t awid = 0;
  uint64_t awaddr = 0;
  uint8_t awlen = 0, awsize = 0, awburst = 0;
  bool awvalid = false;
  uint32_t wdata[4] = {0, 0, 0, 0};
  uint16_t wstrb = 0;
  bool wlast = false, wvalid = false;
  bool bready = false;
  uint8_t arid = 0;
  uint64_t araddr = 0;
  uint8_t arlen = 0, arsize = 0, arburst = 0;
  bool arvalid = false;
  bool rready = false;
};

// Driven by the slave.
struct Axi4SlavePins {
  bool awready = false, wready = false;
  uint8_t bid = 0, bresp = 0;
  bool bvalid = false;
  bool arready = false;
  uint8_t rid = 0;
  uint32_t rdata[4] = {0, 0, 0, 0};
  uint8_t rresp = 0;
  bool rlast = false, rvalid = false;
};

}  // namespace vshard::sim
