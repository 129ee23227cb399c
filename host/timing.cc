#include "vshard/host/timing.h"

namespace vshard::host {

const char* decision_path_name(DecisionPath p) {
  switch (p) {
    case DecisionPath::kSoftware: return "software";
    case DecisionPath::kHardware: return "hardware";
    case DecisionPath::kPrestaged: return "prestaged";
  }
  return "?";
}

}  // namespace vshard::host
