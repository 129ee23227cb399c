// vshard::Error code names.
#include "vshard/error.h"

namespace vshard {

const char* errc_name(Errc c) {
  switch (c) {
    case Errc::kBadConfig: return "bad-config";
    case Errc::kBadInput: return "bad-input";
    case Errc::kIo: return "io";
    case Errc::kDeviceNotFound: return "device-not-found";
    case Errc::kIdentityMismatch: return "identity-mismatch";
    case Errc::kTimeout: return "timeout";
    case Errc::kDeviceFailed: return "device-failed";
    case Errc::kRingFull: return "ring-full";
    case Errc::kUnsupported: return "unsupported";
    case Errc::kInternal: return "internal";
  }
  return "?";
}

}  // namespace vshard
