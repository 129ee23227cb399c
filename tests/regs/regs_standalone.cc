// include/vshard/regs.h must compile on its own (it is the first and only
// include here) and its constexpr helpers must work in constant expressions.
#include <vshard/regs.h>

namespace {
namespace r = vshard::regs;
constexpr r::EngineParams kSmall{8, 64, 2, 4};
static_assert(r::kMagic == 0x000 && r::kMagicReset == 0x56534844u);
static_assert(r::cfg_reset(r::kCfgMaxShardsKey, kSmall) == 4);
static_assert(r::cfg_numa_dist(7, 7) == 0x2FC);
static_assert(r::cfg_key_known(0x7F) && !r::cfg_key_known(0x80));
static_assert(r::evt_type_name(r::kEvtCommit) != nullptr);
}  // namespace

// Referenced from regs_test.cc so this translation unit is linked and run.
int regs_standalone_probe() { return static_cast<int>(r::cfg_reset(r::kCfgLoadHotCoresKey, kSmall)); }
