#include "vshard/hostsim/peers/eevdf.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "vshard/error.h"

namespace vshard::hostsim::peers {

namespace {
uint32_t ilog2(uint32_t x) {
  uint32_t r = 0;
  while (x >>= 1) ++r;
  return r;
}
constexpr double kLongAgo = -1e18;  // exec_start of an entity that never ran: cache cold
constexpr double kEligibleSlackUs = 1e-6;
}  // namespace

Eevdf::Eevdf(const host::Topology& topo, std::vector<host::VcpuSpec> vcpus, const PeerConfig& cfg,
             host::Dispatcher& dispatcher)
    : PeerBase("eevdf", topo, std::move(vcpus), cfg, dispatcher),
      ents_(specs_.size()),
      rqs_(topo_.cores()),
      nodes_(topo_.nodes) {
  // update_sysctl: base_slice = 0.75 ms x (1 + ilog2(min(online CPUs, 8))).
  base_slice_ = kBaseSliceUs * (1 + ilog2(std::min<uint32_t>(topo_.cores(), 8)));
  for (uint32_t v = 0; v < ents_.size(); ++v) {
    ents_[v].w = specs_[v].weight * kNice0Load / 16.0;  // weight 16 = nice 0
    ents_[v].exec_start = kLongAgo;
  }
  for (uint32_t c = 0; c < rqs_.size(); ++c)
    rqs_[c].next_balance.assign(1 + node_rings_[topo_.core_node[c]].size(), 0.0);
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    nodes_[n].nr_scan = static_cast<uint32_t>(node_cores_[n].size());
    // A newidle balance of a domain looks at each of its cores: its cost is
    // the software scan of the domain's span (the node, then the node and
    // each further ring of nodes).
    uint32_t span = static_cast<uint32_t>(node_cores_[n].size());
    nodes_[n].lb_cost.push_back(cfg_.latency.software(span));
    for (const auto& ring : node_rings_[n]) {
      for (uint32_t m : ring) span += static_cast<uint32_t>(node_cores_[m].size());
      nodes_[n].lb_cost.push_back(cfg_.latency.software(span));
    }
  }
}

// --------------------------------------------------------- runqueue --

void Eevdf::sums(const Rq& r, double& s, double& w) const {
  // Per-core runqueues hold vCPUs / cores entities (a handful): a scan is
  // cheaper than the kernel's augmented tree and gives the same answer.
  s = 0;
  w = 0;
  auto add = [&](uint32_t v) {
    s += ents_[v].w * (ents_[v].v - r.min_vruntime);
    w += ents_[v].w;
  };
  for (uint32_t v : r.q) add(v);
  if (r.curr >= 0) add(static_cast<uint32_t>(r.curr));
}

bool Eevdf::eligible_in(const Rq& r, uint32_t v, double s, double w) const {
  // vruntime <= V, i.e. (v - v0) x Σw <= Σ w (v_i - v0) (entity_eligible).
  // The kernel's integers make an entity placed exactly at V eligible (the
  // common zero-lag wake); 1 ps of virtual time absorbs the doubles'
  // rounding so that it is eligible here too.
  return (ents_[v].v - r.min_vruntime) * w <= s + kEligibleSlackUs * w;
}

double Eevdf::avg_vruntime(uint32_t c) const {
  double s, w;
  sums(rqs_[c], s, w);
  return w > 0 ? rqs_[c].min_vruntime + s / w : rqs_[c].min_vruntime;
}

bool Eevdf::eligible(uint32_t v) const {
  const Ent& e = ents_[v];
  if (e.st != VState::kQueued && e.st != VState::kRunning) return false;
  double s, w;
  sums(rqs_[e.core], s, w);
  return eligible_in(rqs_[e.core], v, s, w);
}

void Eevdf::update_min_vruntime(Rq& r) {
  bool any = r.curr >= 0;
  double m = any ? ents_[r.curr].v : 0;
  for (uint32_t v : r.q)
    if (!any || ents_[v].v < m) {
      m = ents_[v].v;
      any = true;
    }
  if (any) r.min_vruntime = std::max(r.min_vruntime, m);  // never backwards
}

void Eevdf::mark_resched(uint32_t c) {
  if (rqs_[c].need_resched) return;
  rqs_[c].need_resched = true;
  resched_.push_back(c);
}

void Eevdf::flush_resched(double now) {
  while (!resched_.empty()) {
    uint32_t c = resched_.back();
    resched_.pop_back();
    if (rqs_[c].need_resched) schedule(c, now, 0.0, -1);
  }
}

bool Eevdf::update_curr(uint32_t c, double now) {
  Rq& r = rqs_[c];
  if (r.curr < 0) return false;
  Ent& e = ents_[r.curr];
  double delta = now - e.exec_start;
  if (delta <= 0) return false;
  e.exec_start = now;
  e.v += vdelta(delta, e);
  caps_.charge(static_cast<uint32_t>(r.curr), delta);
  bool resched = false;
  if (e.v >= e.deadline) {  // update_deadline: the request is used up
    e.deadline = e.v + vdelta(base_slice_, e);
    if (r.nr() > 1) {
      resched = true;
      mark_resched(c);
    }
  }
  update_min_vruntime(r);
  return resched;
}

void Eevdf::place(uint32_t c, uint32_t v) {
  const Rq& r = rqs_[c];
  Ent& e = ents_[v];
  double s, w;
  sums(r, s, w);
  double avg = w > 0 ? r.min_vruntime + s / w : r.min_vruntime;
  double lag = 0;
  if (r.nr() > 0) {
    // Adding e moves V towards it: inflate the lag by (W + w)/W so that
    // its lag after the insertion is the vlag it left with.
    lag = e.vlag * (w + e.w) / w;
  }
  e.v = avg - lag;
  double vslice = vdelta(base_slice_, e);
  if (!e.started) vslice /= 2;  // PLACE_DEADLINE_INITIAL
  e.deadline = e.v + vslice;
  e.started = true;
}

void Eevdf::add_waiting(uint32_t c, uint32_t v) {
  rqs_[c].q.push_back(v);
  ++nodes_[topo_.core_node[c]].waiting;
  ++waiting_;
}

void Eevdf::remove_waiting(uint32_t c, uint32_t v) {
  auto& q = rqs_[c].q;
  q.erase(std::find(q.begin(), q.end(), v));
  --nodes_[topo_.core_node[c]].waiting;
  --waiting_;
}

void Eevdf::enqueue(uint32_t c, uint32_t v, double now) {
  update_curr(c, now);
  place(c, v);
  add_waiting(c, v);
  Ent& e = ents_[v];
  e.st = VState::kQueued;
  e.core = static_cast<int>(c);
  e.stamp = now;
}

void Eevdf::dequeue(uint32_t c, uint32_t v, double now) {
  update_curr(c, now);
  Rq& r = rqs_[c];
  Ent& e = ents_[v];
  // update_entity_lag: clamp to +-max(2 slices, a tick) of its virtual time.
  double limit = vdelta(std::max(2 * base_slice_, kTickUs), e);
  e.vlag = std::clamp(avg_vruntime(c) - e.v, -limit, limit);
  if (r.curr == static_cast<int>(v)) r.curr = -1;
  else remove_waiting(c, v);
  update_min_vruntime(r);
}

int Eevdf::pick(uint32_t c) const {
  const Rq& r = rqs_[c];
  const uint32_t n = r.nr();
  if (n == 0) return -1;
  int curr = r.curr;
  if (n == 1) return curr >= 0 ? curr : static_cast<int>(r.q.front());
  double s, w;
  sums(r, s, w);
  if (curr >= 0 && !eligible_in(r, static_cast<uint32_t>(curr), s, w)) curr = -1;
  // RUN_TO_PARITY: an eligible running entity keeps the core until it has
  // used the slice it was picked with (its deadline then moves on).
  if (kRunToParity && curr >= 0 && ents_[curr].picked_deadline == ents_[curr].deadline) return curr;
  int best = -1;
  for (uint32_t v : r.q) {
    if (!eligible_in(r, v, s, w)) continue;
    if (best < 0 || ents_[v].deadline < ents_[best].deadline ||
        (ents_[v].deadline == ents_[best].deadline && static_cast<int>(v) < best))
      best = static_cast<int>(v);
  }
  if (best < 0 || (curr >= 0 && ents_[curr].deadline < ents_[best].deadline)) best = curr;
  if (best < 0) {  // cannot happen (someone is always eligible); the kernel takes the leftmost
    for (uint32_t v : r.q)
      if (best < 0 || ents_[v].v < ents_[best].v) best = static_cast<int>(v);
  }
  return best;
}

double Eevdf::next_tick(double now) const { return (std::floor(now / kTickUs) + 1) * kTickUs; }

bool Eevdf::schedule(uint32_t c, double now, double delay, int waker) {
  Rq& r = rqs_[c];
  r.need_resched = false;
  const int prev = r.curr;
  int next = pick(c);
  if (prev >= 0 && next == prev) return false;
  if (prev >= 0) {
    // put_prev_entity: back into the tree, still on the runqueue.
    if (next == waker) {
      ++stats_.preemptions;
      disp_.stop(c, host::StopReason::kPreempt);
    } else {
      ++stats_.rotations;
      disp_.stop(c, host::StopReason::kRotate);
    }
    Ent& p = ents_[prev];
    p.st = VState::kQueued;
    r.curr = -1;
    add_waiting(c, static_cast<uint32_t>(prev));
  }
  // The woken entity starts after the wake's decision; one pulled by the
  // idle balance after the balancing; any other at once.
  double start = next >= 0 && next == waker ? delay : 0.0;
  if (next < 0 && newidle_balance(c, now, start)) next = pick(c);
  if (next < 0) {
    r.timer_at = kNever;
    return prev >= 0;
  }
  // set_next_entity
  Ent& e = ents_[next];
  remove_waiting(c, static_cast<uint32_t>(next));
  r.curr = next;
  r.idle_stamp = -1;
  e.st = VState::kRunning;
  e.exec_start = now;
  e.picked_deadline = e.deadline;
  e.stamp = now;
  r.timer_at = next_tick(now);
  run_until(c, static_cast<uint32_t>(next), start, now, r.timer_at);
  return true;
}

void Eevdf::wake_up(uint32_t c, uint32_t v, double now, double delay) {
  enqueue(c, v, now);
  // An idle core runs it; a busy one lets it preempt if pick_eevdf picks it
  // (check_preempt_wakeup). A slice found used up by update_curr is left to
  // flush_resched.
  if (rqs_[c].curr < 0 || pick(c) == static_cast<int>(v)) schedule(c, now, delay, static_cast<int>(v));
}

uint32_t Eevdf::select_idle_sibling(uint32_t prev, uint32_t& examined) const {
  examined = 1;
  if (rqs_[prev].nr() == 0) return prev;
  // select_idle_cpu over the rest of the LLC (the node), from prev + 1
  // wrapping, with the SIS_UTIL budget of nr_idle_scan cores.
  const auto& cores = node_cores_[topo_.core_node[prev]];
  const size_t at = static_cast<size_t>(std::lower_bound(cores.begin(), cores.end(), prev) - cores.begin());
  uint32_t nr = nodes_[topo_.core_node[prev]].nr_scan + 1;
  if (nr == 1) return prev;
  for (size_t k = 1; k < cores.size(); ++k) {
    if (--nr == 0) return prev;
    uint32_t cpu = cores[(at + k) % cores.size()];
    ++examined;
    if (rqs_[cpu].nr() == 0) return cpu;
  }
  return prev;
}

// ------------------------------------------------------------ balance --

int Eevdf::migratable(uint32_t c, double now) const {
  // can_migrate_task: not the running one, not cache hot (ran in the last
  // sysctl_sched_migration_cost); detach_tasks takes the least recently
  // queued or picked first (the tail of rq->cfs_tasks).
  int best = -1;
  for (uint32_t v : rqs_[c].q) {
    const Ent& e = ents_[v];
    if (now - e.exec_start < kMigrationCostUs) continue;
    if (best < 0 || e.stamp < ents_[best].stamp) best = static_cast<int>(v);
  }
  return best;
}

int Eevdf::busiest_core(std::span<const uint32_t> nodes, uint32_t except, double now) const {
  int best = -1;
  for (uint32_t n : nodes) {
    if (nodes_[n].waiting == 0) continue;
    for (uint32_t c : node_cores_[n]) {
      if (c == except || rqs_[c].nr() < 2) continue;
      if (best >= 0 && rqs_[c].nr() <= rqs_[best].nr()) continue;
      if (migratable(c, now) >= 0) best = static_cast<int>(c);
    }
  }
  return best;
}

void Eevdf::detach(uint32_t v, double now) {
  dequeue(static_cast<uint32_t>(ents_[v].core), v, now);
  ++stats_.steals;
}

bool Eevdf::newidle_balance(uint32_t c, double now, double& cost) {
  Rq& r = rqs_[c];
  r.idle_stamp = now;
  cost = 0;
  if (waiting_ == 0) return false;  // no runqueue is overloaded
  const uint32_t n = topo_.core_node[c];
  const Node& nd = nodes_[n];
  for (size_t l = 0; l < nd.lb_cost.size(); ++l) {
    // Stop where balancing would cost more than this core expects to idle.
    if (r.avg_idle < cost + nd.lb_cost[l]) break;
    cost += nd.lb_cost[l];
    int b = l == 0 ? busiest_core({&n, 1}, c, now) : busiest_core(node_rings_[n][l - 1], c, now);
    if (b < 0) continue;
    uint32_t v = static_cast<uint32_t>(migratable(static_cast<uint32_t>(b), now));
    detach(v, now);
    enqueue(c, v, now);
    r.idle_stamp = -1;
    return true;
  }
  return false;
}

double Eevdf::interval_us(uint32_t c, size_t level) const {
  const uint32_t n = topo_.core_node[c];
  size_t span = node_cores_[n].size();
  for (size_t l = 0; l < level; ++l)
    for (uint32_t m : node_rings_[n][l]) span += node_cores_[m].size();
  // balance_interval = span ms, x busy_factor on a busy core; at least one
  // jiffy, at most max_load_balance_interval (HZ x CPUs / 10 jiffies).
  double ms = static_cast<double>(span) * (rqs_[c].curr >= 0 ? kBusyFactor : 1);
  double max_ms = kTickUs / 1000.0 * 250.0 * topo_.cores() / 10.0;
  return std::clamp(ms * 1000.0, kTickUs, max_ms * 1000.0);
}

void Eevdf::balance(uint32_t c, size_t level, double now) {
  const uint32_t n = topo_.core_node[c];
  uint32_t imbalance = 0;
  uint32_t from = n;  // the node to pull from
  if (level == 0) {
    // Within the node: halve the difference with the busiest core.
    int b = busiest_core({&from, 1}, c, now);
    if (b < 0) return;
    uint32_t nb = rqs_[b].nr(), nc = rqs_[c].nr();
    imbalance = nc == 0 ? 1 : (nb > nc ? (nb - nc) / 2 : 0);
  } else {
    // A NUMA level: the node's first idle core (else its first core) balances
    // against the busiest node at that distance, by runnable entities per core.
    uint32_t designated = node_cores_[n].front();
    for (uint32_t k : node_cores_[n])
      if (rqs_[k].nr() == 0) {
        designated = k;
        break;
      }
    if (designated != c) return;
    auto count = [&](uint32_t m, uint32_t& nr, uint32_t& idle) {
      nr = idle = 0;
      for (uint32_t k : node_cores_[m]) {
        nr += rqs_[k].nr();
        idle += rqs_[k].nr() == 0;
      }
    };
    uint32_t nr_l, idle_l;
    count(n, nr_l, idle_l);
    const uint64_t cores_l = node_cores_[n].size();
    int busiest = -1;
    uint32_t nr_b = 0, idle_b = 0;
    for (uint32_t m : node_rings_[n][level - 1]) {
      uint32_t nr, idle;
      count(m, nr, idle);
      if (busiest < 0 || uint64_t{nr} * node_cores_[busiest].size() > uint64_t{nr_b} * node_cores_[m].size()) {
        busiest = static_cast<int>(m);
        nr_b = nr;
        idle_b = idle;
      }
    }
    const uint64_t cores_b = node_cores_[busiest].size();
    if (nr_b > cores_b) {  // busiest overloaded: even out beyond imbalance_pct
      if (uint64_t{nr_b} * cores_l * 100 > uint64_t{nr_l} * cores_b * kImbalancePct)
        imbalance = static_cast<uint32_t>(
            (uint64_t{nr_b} * cores_l - std::min<uint64_t>(uint64_t{nr_l} * cores_b, uint64_t{nr_b} * cores_l)) /
            (cores_l + cores_b));
    } else if (idle_l > idle_b + 1) {  // both have spare cores: spread the idle ones
      imbalance = (idle_l - idle_b) / 2;
    }
    from = static_cast<uint32_t>(busiest);
  }
  for (uint32_t i = 0; i < std::min(imbalance, kNrMigrate); ++i) {
    int b = busiest_core({&from, 1}, c, now);
    if (b < 0) break;
    uint32_t v = static_cast<uint32_t>(migratable(static_cast<uint32_t>(b), now));
    detach(v, now);
    // attach_task: enqueue, then the wake-preemption check.
    wake_up(c, v, now, 0.0);
  }
}

// -------------------------------------------------------------- hooks --

void Eevdf::wake(uint32_t v, double now) {
  begin_wake(v, v < ents_.size() && ents_[v].st == VState::kBlocked);
  Ent& e = ents_[v];
  const uint32_t prev = e.core >= 0 ? static_cast<uint32_t>(e.core)
                                    : least_loaded_core(specs_[v].home, [&](uint32_t c) { return rqs_[c].nr(); });
  uint32_t examined = 0;
  const uint32_t target = select_idle_sibling(prev, examined);
  const double delay = cfg_.latency.software(examined);
  stats_.decision_us_total += delay;
  if (caps_.exhausted(v)) {  // its bandwidth is used up: throttled until the next period
    e.st = VState::kThrottled;
    e.core = static_cast<int>(target);
    return;
  }
  Rq& r = rqs_[target];
  if (r.idle_stamp >= 0) {  // ttwu_do_activate: the average idle time of the core
    r.avg_idle += (now - r.idle_stamp - r.avg_idle) / 8;
    r.avg_idle = std::min(r.avg_idle, 2 * kMaxIdleBalanceCostUs);
    r.idle_stamp = -1;
  }
  wake_up(target, v, now, delay);
  flush_resched(now);
}

void Eevdf::block(uint32_t v, double now) {
  check_vcpu(v, "block");
  Ent& e = ents_[v];
  if (e.st != VState::kRunning)
    throw Error(Errc::kInternal, "eevdf block: vCPU " + std::to_string(v) + " is not running");
  const uint32_t c = static_cast<uint32_t>(e.core);
  dequeue(c, v, now);
  e.st = VState::kBlocked;
  schedule(c, now, 0.0, -1);
  flush_resched(now);
}

bool Eevdf::slice_end(uint32_t c, double now) {
  Rq& r = rqs_[c];
  if (r.curr < 0 || early_timer(c, now, r.timer_at)) return false;
  // The scheduler tick on core c.
  r.timer_at = next_tick(now);
  const uint32_t v = static_cast<uint32_t>(r.curr);
  update_curr(c, now);
  bool switched = false;
  if (caps_.exhausted(v)) {  // CFS bandwidth: throttled until the next period
    ++stats_.parks;
    disp_.stop(c, host::StopReason::kRotate);
    dequeue(c, v, now);
    ents_[v].st = VState::kThrottled;
    schedule(c, now, 0.0, -1);
    switched = true;
  } else if (r.need_resched) {
    switched = schedule(c, now, 0.0, -1);
  }
  if (!switched) disp_.trim_slice(c, r.timer_at);
  flush_resched(now);
  return switched;
}

void Eevdf::tick(double now, const std::vector<double>& busy, double elapsed_us) {
  // SIS_UTIL (update_idle_cpu_scan): nr_idle_scan = llc x (1 - (x x 1.17)^2)
  // for the node's utilisation x, averaged as PELT does (32 ms half-life).
  const double decay = std::exp2(-elapsed_us / kPeltHalflifeUs);
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    double sum = 0;
    for (uint32_t c : node_cores_[n]) sum += c < busy.size() ? busy[c] : 0.0;
    const double llc = static_cast<double>(node_cores_[n].size());
    Node& nd = nodes_[n];
    nd.util = nd.util * decay + sum / llc * (1 - decay);
    double x = std::min(1.0, nd.util) * 1024.0;
    double y = 1024.0 - std::min(1024.0, std::floor(x * x * kImbalancePct * kImbalancePct / (10000.0 * 1024.0)));
    nd.nr_scan = static_cast<uint32_t>(std::floor(y * llc / 1024.0));
  }
  // rebalance_domains, each domain at its own interval.
  for (uint32_t c = 0; c < rqs_.size(); ++c)
    for (size_t l = 0; l < rqs_[c].next_balance.size(); ++l) {
      if (now < rqs_[c].next_balance[l]) continue;
      balance(c, l, now);
      rqs_[c].next_balance[l] = now + interval_us(c, l);
    }
  flush_resched(now);
}

void Eevdf::account(double now) {
  caps_.refill();
  // Unthrottled entities go back to their runqueue; an idle core runs them.
  for (uint32_t v = 0; v < ents_.size(); ++v) {
    if (ents_[v].st != VState::kThrottled || caps_.exhausted(v)) continue;
    uint32_t c = static_cast<uint32_t>(ents_[v].core);
    enqueue(c, v, now);
    if (rqs_[c].curr < 0) schedule(c, now, 0.0, -1);
  }
  flush_resched(now);
}

}  // namespace vshard::hostsim::peers
