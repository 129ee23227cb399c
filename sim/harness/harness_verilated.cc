// One configuration of vshard::sim::Harness: the verilated vs_top class
// VSHARD_VTOP (Vvs_top_small, Vvs_top_large), compiled once per
// configuration by sim/harness/CMakeLists.txt with the parameters as
// VSHARD_NCORES etc. (the same values the model was verilated with).
#include <memory>

#include <verilated.h>
#include <verilated_fst_c.h>

#include "vshard/sim/harness.h"
#include "vshard/sim/internal/lite_pins.h"
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
  void put() override {
    internal::put_lite(*top_, lite_in());
    const StreamIn& in = stream_in();
    for (int i = 0; i < 4; ++i) top_->s_axis_evt_tdata_i[i] = in.evt_tdata[i];
    top_->s_axis_evt_tvalid_i = in.evt_tvalid;
    top_->m_axis_dec_tready_i = in.dec_tready;
  }
  void get() override {
    internal::get_lite(*top_, lite_out());
    StreamOut& out = stream_out();
    out.evt_tready = top_->s_axis_evt_tready_o;
    for (int i = 0; i < 4; ++i) out.dec_tdata[i] = top_->m_axis_dec_tdata_o[i];
    out.dec_tvalid = top_->m_axis_dec_tvalid_o;
    out.dec_tlast = top_->m_axis_dec_tlast_o;
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
