// An engine for `vshard agent` that survives its device: decisions come
// from `primary` while it works; a shadow golden model is fed every event as
// well, so when the primary throws vshard::Error (a device that failed, a
// lost link), the shadow holds the state the primary had and answers that
// event and every later one. The switch is said once on stderr.
#pragma once

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "vshard/error.h"
#include "vshard/host/engine.h"

namespace vshard::agent {

class FallbackEngine final : public host::Engine {
 public:
  FallbackEngine(std::unique_ptr<host::Engine> primary, const Params& p) : primary_(std::move(primary)), shadow_(p) {}
  const Params& params() const override { return shadow_.params(); }
  size_t submit(const Event& ev, Decision* out) override {
    Decision tmp[kMaxDecisionsPerEvent];
    size_t ns = shadow_.submit(ev, tmp);
    if (!failed_) {
      try {
        size_t n = primary_->submit(ev, out);
        if (n != ns || !std::equal(out, out + n, tmp, [](const Decision& a, const Decision& b) {
              return a.type == b.type && a.vcpu == b.vcpu && a.core == b.core && a.b8 == b.b8 && a.c16 == b.c16 &&
                     a.d32 == b.d32;
            }))
          ++diverged_;
        return n;
      } catch (const Error& e) {
        failed_ = true;
        std::fprintf(stderr, "vshard agent: engine %s failed (%s): falling back to the golden model\n",
                     primary_->name().c_str(), e.what());
      }
    }
    std::copy(tmp, tmp + ns, out);
    return ns;
  }
  PrestageEntry prestage(uint32_t node) const override {
    return failed_ ? shadow_.prestage(node) : primary_->prestage(node);
  }
  std::string name() const override { return failed_ ? primary_->name() + "->model" : primary_->name(); }
  bool failed() const { return failed_; }
  // Events whose decisions differed between the primary and the shadow
  // (0 for a correct device).
  uint64_t diverged() const { return diverged_; }

 private:
  std::unique_ptr<host::Engine> primary_;
  host::ModelEngine shadow_;
  bool failed_ = false;
  uint64_t diverged_ = 0;
};

}  // namespace vshard::agent
