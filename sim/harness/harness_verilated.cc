// One configuration of vshard::sim::Harness: the verilated vs_top class
// VSHARD_VTOP (Vvs_top_small, Vvs_top_large), compiled once per
// configuration by sim/harness/CMakeLists.txt with the parameters as
// VSHARD_NCORES etc. (the same values the model was verilated with).
#include <memory>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "vshard/sim/harness.h"
#include VSHARD_VTOP_HEADER

namespace vshard::sim {
namespace {

class VerilatedHarness final : public Harness {
 public:
  explicit VerilatedHarness(const HarnessOptions& opts)
      : Harness(VSHARD_CONFIG_NAME, Params{VSHARD_NCORES, VSHARD_NVCPUS, VSHARD_NNODES, VSHARD_MAXSHARDS}, opts),
        top_(std::make_unique<VSHARD_VTOP>(context(), "vs_top")) {
    init();
  }
  ~VerilatedHarness() override { shutdown(); }

 protected:
  void put(const PinsIn& in) override {
    top_->clk_i = in.clk;
    top_->rst_ni = in.rst_n;
    top_->s_axil_awaddr_i = in.awaddr;
    top_->s_axil_awvalid_i = in.awvalid;
    top_->s_axil_wdata_i = in.wdata;
    top_->s_axil_wstrb_i = in.wstrb;
    top_->s_axil_wvalid_i = in.wvalid;
    top_->s_axil_bready_i = in.bready;
    top_->s_axil_araddr_i = in.araddr;
    top_->s_axil_arvalid_i = in.arvalid;
    top_->s_axil_rready_i = in.rready;
    for (int i = 0; i < 4; ++i) top_->s_axis_evt_tdata_i[i] = in.evt_tdata[i];
    top_->s_axis_evt_tvalid_i = in.evt_tvalid;
    top_->m_axis_dec_tready_i = in.dec_tready;
  }
  void get(PinsOut& out) override {
    out.awready = top_->s_axil_awready_o;
    out.wready = top_->s_axil_wready_o;
    out.bresp = top_->s_axil_bresp_o;
    out.bvalid = top_->s_axil_bvalid_o;
    out.arready = top_->s_axil_arready_o;
    out.rdata = top_->s_axil_rdata_o;
    out.rresp = top_->s_axil_rresp_o;
    out.rvalid = top_->s_axil_rvalid_o;
    out.evt_tready = top_->s_axis_evt_tready_o;
    for (int i = 0; i < 4; ++i) out.dec_tdata[i] = top_->m_axis_dec_tdata_o[i];
    out.dec_tvalid = top_->m_axis_dec_tvalid_o;
    out.dec_tlast = top_->m_axis_dec_tlast_o;
    out.idle = top_->idle_o;
  }
  void eval() override { top_->eval(); }
  void attach_trace(VerilatedFstC* tfp) override { top_->trace(tfp, 99); }
  void final_model() override { top_->final(); }

 private:
  std::unique_ptr<VSHARD_VTOP> top_;
};

std::unique_ptr<Harness> make(const HarnessOptions& opts) { return std::make_unique<VerilatedHarness>(opts); }

// Registers the configuration when this object is linked in (the library's
// link options force it in with --undefined=VSHARD_REGISTER_SYMBOL).
struct Registrar {
  Registrar() { Harness::register_config(VSHARD_CONFIG_NAME, &make); }
} const registrar;

}  // namespace
}  // namespace vshard::sim

extern "C" {
int VSHARD_REGISTER_SYMBOL = 1;
}
