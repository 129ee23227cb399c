#include "vshard/hostsim/latency.h"

namespace vshard::hostsim {

PrestageMirror::PrestageMirror(uint32_t nodes, double lag_us) : lag_us_(lag_us), nodes_(nodes), latest_(nodes) {
  for (uint32_t n = 0; n < nodes; ++n) nodes_[n].push_back({0.0, PrestageEntry{}});
}

void PrestageMirror::update(const host::Engine& engine, double now_us) {
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    PrestageEntry e = engine.prestage(n);
    if (e == latest_[n]) continue;
    latest_[n] = e;
    nodes_[n].push_back({now_us + lag_us_, e});
  }
}

PrestageEntry PrestageMirror::read(uint32_t node, double now_us) {
  auto& q = nodes_.at(node);
  while (q.size() > 1 && q[1].visible_us <= now_us) q.pop_front();
  return q.front().entry;
}

void ModelledTiming::size_for(const host::Engine& engine) {
  if (sized_) return;
  mirror_ = PrestageMirror(engine.params().nodes, lat_.pcie_posted_us);
  sized_ = true;
}

void ModelledTiming::engine_stepped(const host::Engine& engine, double now_us) {
  size_for(engine);
  mirror_.update(engine, now_us);
}

PrestageEntry ModelledTiming::read_prestaged(const host::Engine& engine, uint32_t node, double now_us) {
  size_for(engine);
  return mirror_.read(node, now_us);
}

}  // namespace vshard::hostsim
