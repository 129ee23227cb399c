// The one error type of the vShard libraries: a code and a message that says
// what went wrong and what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace vshard {

enum class Errc {
  kBadConfig,         // invalid parameters, configuration or option
  kBadInput,          // malformed event log, descriptor or scenario
  kIo,                // file could not be read or written
  kDeviceNotFound,    // backend or card not available
  kIdentityMismatch,  // engine identity block differs from what the driver expects
  kTimeout,           // the device did not answer within the deadline
  kDeviceFailed,      // the device was marked failed (watchdog, corrupt data)
  kRingFull,          // no room in the event ring (non-blocking submit)
  kUnsupported,       // operation not supported by this backend
  kInternal,          // a bug: an invariant of vShard itself does not hold
};

const char* errc_name(Errc c);

class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Errc code() const noexcept { return code_; }

 private:
  Errc code_;
};

}  // namespace vshard
