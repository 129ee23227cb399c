// Test backend "native": the KVM guest image run on the host CPU in user
// mode (native_guest.cc says how and what it does not check).
#pragma once

#include <memory>
#include <string>

#include "vshard/agent/guest.h"

namespace vshard::agent::testing {

// nullptr, with the reason in *why, where it cannot run (sanitizer builds,
// not x86-64).
std::unique_ptr<Vm> make_native_guest_vm(std::string* why);

}  // namespace vshard::agent::testing
