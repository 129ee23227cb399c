// One configuration of vshard::sim::CardHarness: the verilated vs_card_top
// class VSHARD_VTOP (Vvs_card_top_small), compiled once per configuration by
// sim/harness/CMakeLists.txt with the parameters as VSHARD_NCORES etc.
#include <memory>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "vshard/sim/card_harness.h"
#include "vshard/sim/internal/lite_pins.h"
#include VSHARD_VTOP_HEADER

namespace vshard::sim {
namespace {

class VerilatedCardHarness final : public CardHarness {
 public:
  explicit VerilatedCardHarness(const CardHarnessOptions& opts)
      : CardHarness(VSHARD_CONFIG_NAME, Params{VSHARD_NCORES, VSHARD_NVCPUS, VSHARD_NNODES, VSHARD_MAXSHARDS}, opts),
        top_(std::make_unique<VSHARD_VTOP>(context(), "vs_card_top")) {
    init();
  }
  ~VerilatedCardHarness() override { shutdown(); }

 protected:
  void put() override {
    internal::put_lite(*top_, lite_in());
    const Axi4SlavePins& s = slave_in();
    top_->m_axi_awready_i = s.awready;
    top_->m_axi_wready_i = s.wready;
    top_->m_axi_bid_i = s.bid;
    top_->m_axi_bresp_i = s.bresp;
    top_->m_axi_bvalid_i = s.bvalid;
    top_->m_axi_arready_i = s.arready;
    top_->m_axi_rid_i = s.rid;
    for (int i = 0; i < 4; ++i) top_->m_axi_rdata_i[i] = s.rdata[i];
    top_->m_axi_rresp_i = s.rresp;
    top_->m_axi_rlast_i = s.rlast;
    top_->m_axi_rvalid_i = s.rvalid;
  }
  void get() override {
    internal::get_lite(*top_, lite_out());
    Axi4MasterPins& m = master_out();
    m.awid = top_->m_axi_awid_o;
    m.awaddr = top_->m_axi_awaddr_o;
    m.awlen = top_->m_axi_awlen_o;
    m.awsize = top_->m_axi_awsize_o;
    m.awburst = top_->m_axi_awburst_o;
    m.awvalid = top_->m_axi_awvalid_o;
    for (int i = 0; i < 4; ++i) m.wdata[i] = top_->m_axi_wdata_o[i];
    m.wstrb = top_->m_axi_wstrb_o;
    m.wlast = top_->m_axi_wlast_o;
    m.wvalid = top_->m_axi_wvalid_o;
    m.bready = top_->m_axi_bready_o;
    m.arid = top_->m_axi_arid_o;
    m.araddr = top_->m_axi_araddr_o;
    m.arlen = top_->m_axi_arlen_o;
    m.arsize = top_->m_axi_arsize_o;
    m.arburst = top_->m_axi_arburst_o;
    m.arvalid = top_->m_axi_arvalid_o;
    m.rready = top_->m_axi_rready_o;
  }
  void eval() override { top_->eval(); }
  void attach_trace(VerilatedFstC* tfp) override { top_->trace(tfp, 99); }
  void final_model() override { top_->final(); }

 private:
  std::unique_ptr<VSHARD_VTOP> top_;
};

std::unique_ptr<CardHarness> make(const CardHarnessOptions& opts) {
  return std::make_unique<VerilatedCardHarness>(opts);
}

// Registers the configuration when this object is linked in (the library's
// link options force it in with --undefined=VSHARD_REGISTER_SYMBOL).
struct Registrar {
  Registrar() { CardHarness::register_config(VSHARD_CONFIG_NAME, &make); }
} const registrar;

}  // namespace
}  // namespace vshard::sim

extern "C" {
int VSHARD_REGISTER_SYMBOL = 1;
}
