// Copies AxilHarness's clock, reset, AXI4-Lite and idle pins to and from a
// verilated top (vs_top and vs_card_top name them alike). Private to
// sim/harness (the *_verilated.cc files, compiled once per configuration).
#pragma once

#include "vshard/sim/axil_harness.h"

namespace vshard::sim::internal {

template <class Top>
void put_lite(Top& top, const AxilHarness::LiteIn& in) {
  top.clk_i = in.clk;
  top.rst_ni = in.rst_n;
  top.s_axil_awaddr_i = in.awaddr;
  top.s_axil_awvalid_i = in.awvalid;
  top.s_axil_wdata_i = in.wdata;
  top.s_axil_wstrb_i = in.wstrb;
  top.s_axil_wvalid_i = in.wvalid;
  top.s_axil_bready_i = in.bready;
  top.s_axil_araddr_i = in.araddr;
  top.s_axil_arvalid_i = in.arvalid;
  top.s_axil_rready_i = in.rready;
}

template <class Top>
void get_lite(Top& top, AxilHarness::LiteOut& out) {
  out.awready = top.s_axil_awready_o;
  out.wready = top.s_axil_wready_o;
  out.bresp = top.s_axil_bresp_o;
  out.bvalid = top.s_axil_bvalid_o;
  out.arready = top.s_axil_arready_o;
  out.rdata = top.s_axil_rdata_o;
  out.rresp = top.s_axil_rresp_o;
  out.rvalid = top.s_axil_rvalid_o;
  out.idle = top.idle_o;
}

}  // namespace vshard::sim::internal
