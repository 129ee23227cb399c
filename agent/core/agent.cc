// `vshard agent`'s runtime (include/vshard/agent/agent.h): vCPU threads,
// the agent thread over host::Scheduler, the Linux baseline and the
// mechanism floors.
#include "vshard/agent/agent.h"

#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "vshard/agent/fallback_engine.h"
#include "vshard/agent/guest.h"
#include "vshard/error.h"
#include "vshard/host/engine.h"
#include "vshard/host/scheduler.h"
#include "vshard/host/shard_sync.h"

namespace vshard::agent {
namespace {

// The floors phase's bound on a vCPU thread starting or parking: it only
// turns a lost thread into an error instead of a hang. Generous, because a
// loaded shared machine (a CI run's other tests, two fuzzers at normal
// priority) has kept a pinned thread off its CPU for over 1 s.
constexpr int64_t kFloorWaitNs = int64_t{10} * 1000000000;

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Waits while *word == val, at most timeout_ns. Spurious returns are fine:
// every caller re-checks its condition.
void futex_wait(const void* word, uint32_t val, int64_t timeout_ns) {
  timespec ts{static_cast<time_t>(timeout_ns / 1000000000), static_cast<long>(timeout_ns % 1000000000)};
  syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, &ts, nullptr, 0);
}
void futex_wake(const void* word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr, nullptr, 0); }

uint32_t aload(uint32_t& f) { return std::atomic_ref<uint32_t>(f).load(std::memory_order_acquire); }
void astore(uint32_t& f, uint32_t v) { std::atomic_ref<uint32_t>(f).store(v, std::memory_order_release); }

std::vector<int> affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    throw Error(Errc::kIo, std::string("sched_getaffinity: ") + std::strerror(errno));
  std::vector<int> cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  return cpus;
}

void pin_self(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// work() rounds per µs of CPU on this machine (the same loop as the
// guests'). Timed by this thread's CPU clock, not the wall clock: on a
// shared machine the thread may be preempted while it measures, which
// would make every block shorter than the scenario says.
double calibrate() {
  volatile uint32_t sink = 0;
  uint32_t iters = 1u << 16;
  for (;;) {
    const double t0 = thread_cpu_s();
    sink = sink + work(1, iters);
    const double dt_us = (thread_cpu_s() - t0) * 1e6;
    if (dt_us >= 20000 || iters >= (1u << 30)) return static_cast<double>(iters) / std::max(dt_us, 1e-3);
    iters *= 2;
  }
}

enum class Mode { kFloors, kAgent, kLinux };

// What a vCPU thread tells the agent thread.
struct Report {
  enum class Kind : uint8_t { kBlock, kKicked, kShardDone, kFault } kind = Kind::kBlock;
  uint32_t thread = 0;
  uint32_t run_no = 0;
  int64_t t_ns = 0;
  uint32_t value = 0;
  std::string message;
};

// A latency server's requests: arrivals not yet injected wait here (the
// mailbox holds one request at a time). Generator and server thread share
// it under `mu` (uncontended almost always).
struct ServerQueue {
  std::mutex mu;
  bool outstanding = false;
  int64_t arrival_ns = 0;  // of the request in the mailbox
  std::atomic<int64_t> inject_ns{0};
  std::deque<int64_t> pending;
  uint64_t injected = 0, completed = 0, bad_checksum = 0;
};

struct VThread {
  uint32_t idx = 0;  // guest vCPU index
  Role role = Role::kBatch;
  int sched_v = -1;    // scheduler vCPU (server, batch); -1 for a helper
  int home_core = -1;  // helper: the core it serves
  std::unique_ptr<Vcpu> vcpu;
  std::thread th;
  // agent -> thread
  std::atomic<uint32_t> cmd_seq{0};  // futex word: run command number
  std::atomic<int> cmd_cpu{-1};
  std::atomic<int64_t> cmd_ns{0}, event_ns{0};
  std::atomic<uint32_t> kick_target{0};  // the run a kick was meant to stop
  std::atomic<bool> quit{false};
  // agent-side
  int64_t kick_ns = 0;
  uint32_t kicked_run = 0;
  int pinned_cpu = -1;
  // thread-side statistics (read after join)
  LogHistogram wake_to_run, enforcement, decision, request;
  uint64_t runs = 0, wrong_core = 0;
  std::string wrong_core_note;  // the first misplacement: decided, observed, mask
  bool released = false;
  uint32_t last_started = 0;
  ServerQueue* sq = nullptr;
  int shard_victim = -1;
  uint32_t shard_index = 0;
};

// One phase's runtime: a VM, its vCPU threads and (agent) the scheduler.
class Runtime final : public host::Dispatcher {
 public:
  Runtime(Mode mode, const AgentScenario& sc, const AgentOptions& opt, std::function<std::unique_ptr<Vm>()> make_vm,
          const std::vector<int>& cpus, double rpu, int sigfd)
      : mode_(mode), sc_(sc), opt_(opt), cpus_(cpus), rpu_(rpu), sigfd_(sigfd), ring_(1024) {
    vm_ = make_vm();
    ncores_ = static_cast<uint32_t>(cpus_.size());
    block_iters_ = std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(sc_.block_us * rpu_)));
    req_iters_ = std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(sc_.service_us * rpu_)));
    SharedPage& sh = vm_->shared();
    astore(sh.block_iters, block_iters_);
    astore(sh.total, sc_.blocks);
    evfd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (evfd_ < 0) throw Error(Errc::kIo, std::string("eventfd: ") + std::strerror(errno));
    heartbeat_.store(mono_ns());
    park_timeout_ns_ = std::clamp<int64_t>(static_cast<int64_t>(opt_.heartbeat_bound_ms * 1e6 / 4), 1000000, 50000000);
    uint32_t idx = 0;
    const uint32_t servers = mode_ == Mode::kFloors ? 0 : sc_.servers;
    const uint32_t batch = mode_ == Mode::kFloors ? ncores_ : sc_.batch_vcpus;
    squeues_ = std::vector<ServerQueue>(servers);
    for (uint32_t s = 0; s < servers; ++s) add_thread(idx++, Role::kServer, static_cast<int>(s), -1);
    for (uint32_t b = 0; b < batch; ++b) add_thread(idx++, Role::kBatch, static_cast<int>(servers + b), -1);
    if (mode_ == Mode::kAgent && batch > 0)
      for (uint32_t c = 0; c < ncores_; ++c) add_thread(idx++, Role::kShardHelper, -1, static_cast<int>(c));
    if (idx > layout::kMaxVcpus)
      throw Error(Errc::kBadConfig, std::to_string(idx) + " vCPUs in one VM; the layout has room for " +
                                        std::to_string(layout::kMaxVcpus));
    for (auto& t : threads_)
      if (t->role == Role::kServer) astore(vm_->mailbox(t->idx).req_iters, req_iters_);
    nsched_ = servers + batch;
    if (mode_ == Mode::kAgent) make_scheduler();
  }

  ~Runtime() override {
    stop_threads();
    if (evfd_ >= 0) close(evfd_);
  }

  PhaseResult run_phase(double seconds);
  Floors run_floors(uint32_t iterations);
  bool interrupted() const { return interrupted_; }
  const std::string& engine_name() const { return engine_name_; }

  // ---- host::Dispatcher ----
  void run(uint32_t c, uint32_t v, double, double slice_us) override {
    VThread& t = *threads_[v];
    Core& k = cores_[c];
    k.occ = Occ::kRun;
    k.v = v;
    k.slice_end_ns = now_ + static_cast<int64_t>(slice_us * 1000);
    k.busy_since = now_;
    open_slice(c, v, Timeline::Slice::Kind::kRun);
    command(t, static_cast<int>(c), hook_event_ns_);
  }
  double stop(uint32_t c, host::StopReason why) override {
    Core& k = cores_[c];
    VThread& t = *threads_[k.v];
    t.kick_target.store(t.cmd_seq.load());
    t.kick_ns = mono_ns();
    t.kicked_run = t.cmd_seq.load();
    t.vcpu->kick();
    if (why == host::StopReason::kPreempt) instant(Timeline::Instant::Kind::kPreempt, static_cast<int>(c), k.v);
    close_slice(c);
    idle_core(c);
    return std::max(0.0, static_cast<double>(k.slice_end_ns - now_) / 1000.0);
  }
  void shard(uint32_t c, uint32_t v, uint32_t index, uint32_t, uint32_t count, double) override {
    VThread& h = *threads_[helper_of_[c]];
    Core& k = cores_[c];
    k.occ = Occ::kShard;
    k.v = v;
    k.busy_since = now_;
    Mailbox& mb = vm_->mailbox(h.idx);
    astore(mb.budget, count);
    astore(mb.done, 0);
    h.shard_victim = static_cast<int>(v);
    h.shard_index = index;
    ++shards_;
    instant(Timeline::Instant::Kind::kShard, static_cast<int>(c), v);
    open_slice(c, v, Timeline::Slice::Kind::kShard);
    // Issued once the hook returns, after the join is armed for all of them.
    deferred_shards_.push_back({c, v});
  }
  void trim_slice(uint32_t c, double end_us) override {
    int64_t e = t0_ + static_cast<int64_t>(end_us * 1000);
    if (cores_[c].occ == Occ::kRun) cores_[c].slice_end_ns = std::min(cores_[c].slice_end_ns, e);
  }

 private:
  enum class Occ : uint8_t { kIdle, kRun, kShard };
  struct Core {
    Occ occ = Occ::kIdle;
    uint32_t v = 0;
    int64_t slice_end_ns = 0;
    int64_t busy_since = -1;
    int64_t busy_acc = 0;
    int slice = -1;  // open timeline slice
  };

  void add_thread(uint32_t idx, Role role, int sched_v, int home_core) {
    auto t = std::make_unique<VThread>();
    t->idx = idx;
    t->role = role;
    t->sched_v = sched_v;
    t->home_core = home_core;
    t->vcpu = vm_->create_vcpu(idx, role);
    if (role == Role::kServer) t->sq = &squeues_[static_cast<size_t>(sched_v)];
    if (role == Role::kShardHelper) helper_of_.push_back(static_cast<uint32_t>(threads_.size()));
    threads_.push_back(std::move(t));
  }

  void make_scheduler() {
    host::Topology topo;
    topo.nodes = std::min(sc_.nodes, ncores_);
    for (uint32_t c = 0; c < ncores_; ++c) topo.core_node.push_back(static_cast<uint8_t>(c * topo.nodes / ncores_));
    topo.distance.assign(topo.nodes, std::vector<uint8_t>(topo.nodes, static_cast<uint8_t>(sc_.remote_distance)));
    for (uint32_t n = 0; n < topo.nodes; ++n) topo.distance[n][n] = 10;
    std::vector<host::VcpuSpec> specs;
    for (uint32_t v = 0; v < nsched_; ++v) {
      host::VcpuSpec s;
      s.latency = threads_[v]->role == Role::kServer;
      s.home = static_cast<uint8_t>(std::min<uint32_t>(s.latency ? sc_.server_home : sc_.batch_home, topo.nodes - 1));
      specs.push_back(s);
    }
    Params p = Params::small();
    for (const Params& q : {Params::small(), Params::large(), Params::max()})
      if (ncores_ <= q.cores && nsched_ <= q.vcpus && topo.nodes <= q.nodes) {
        p = q;
        break;
      }
    std::unique_ptr<host::Engine> engine = host::make_engine(opt_.engine, p);
    if (opt_.engine != "model") {
      auto fb = std::make_unique<FallbackEngine>(std::move(engine), p);
      fallback_ = fb.get();
      engine = std::move(fb);
    }
    engine_name_ = opt_.engine == engine->name() ? engine->name() : opt_.engine + " (" + engine->name() + ")";
    host::SchedConfig cfg;
    cfg.policy = host::Policy::kShard;
    cfg.path = opt_.path == "hardware"    ? host::DecisionPath::kHardware
               : opt_.path == "prestaged" ? host::DecisionPath::kPrestaged
                                          : host::DecisionPath::kSoftware;
    cfg.timeslice_us = sc_.timeslice_us;
    cfg.account_us = sc_.account_us;
    cfg.profile_interval_us = sc_.profile_interval_us;
    cores_.assign(ncores_, Core{});
    joins_ = std::vector<host::ShardJoin>(nsched_);
    sched_ = std::make_unique<host::Scheduler>(topo, std::move(specs), cfg, *this, std::move(engine));
  }

  // ---- the agent's side of a vCPU thread ----
  void command(VThread& t, int core, int64_t event_ns) {
    const int cpu = cpus_[static_cast<size_t>(core)];
    if (t.pinned_cpu != cpu) {
      // Placement before the release, from here: the thread then wakes on
      // its new core instead of waking on its old one to move itself.
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      if (pthread_setaffinity_np(t.th.native_handle(), sizeof set, &set) != 0) ++affinity_failures_;
      ++affinity_changes_;
      t.pinned_cpu = cpu;
    }
    t.cmd_cpu.store(cpu, std::memory_order_relaxed);
    t.event_ns.store(event_ns, std::memory_order_relaxed);
    t.cmd_ns.store(mono_ns(), std::memory_order_relaxed);
    t.cmd_seq.fetch_add(1, std::memory_order_release);
    futex_wake(&t.cmd_seq);
  }

  // wake = false: the agent reads it at its next wake-up, no sooner needed.
  void post(Report r, bool wake = true) {
    {
      std::lock_guard<std::mutex> g(rmu_);
      reports_.push_back(std::move(r));
    }
    if (!wake) return;
    uint64_t one = 1;
    if (write(evfd_, &one, sizeof one) < 0) {
      // EAGAIN: the counter is saturated, the agent is awake anyway
    }
  }

  // ---- the vCPU thread ----
  void thread_main(VThread& t) {
    std::vector<int> all = cpus_;
    if (mode_ == Mode::kLinux) {
      linux_main(t);
      return;
    }
    uint32_t consumed = 0;
    for (;;) {
      // Parked until the agent runs it; a silent agent releases it.
      while (t.cmd_seq.load(std::memory_order_acquire) == consumed && !t.quit.load()) {
        futex_wait(&t.cmd_seq, consumed, park_timeout_ns_);
        if (t.cmd_seq.load(std::memory_order_acquire) == consumed && !t.quit.load() &&
            mono_ns() - heartbeat_.load() > static_cast<int64_t>(opt_.heartbeat_bound_ms * 1e6)) {
          t.released = true;
          pin_self(all);
          linux_main(t);
          return;
        }
      }
      if (t.quit.load()) return;
      consumed = t.cmd_seq.load(std::memory_order_acquire);
      const int cpu = t.cmd_cpu.load(std::memory_order_relaxed);
      const int64_t start = mono_ns();
      ++t.runs;
      // Where it runs: on another core than decided is a misplacement
      // unless the agent has moved it since. A newer command changes the
      // affinity before it publishes itself, so a move since shows as a mask
      // without the decided CPU or as a newer command: this thread may have
      // been preempted between its reads for long enough for the agent to
      // move it away and back (A -> B -> A), after which the mask alone
      // holds the decided CPU again.
      if (const int seen = sched_getcpu(); seen != cpu) {
        cpu_set_t m;
        CPU_ZERO(&m);
        pthread_getaffinity_np(pthread_self(), sizeof m, &m);
        if (CPU_ISSET(cpu, &m) && t.cmd_seq.load(std::memory_order_acquire) == consumed) {
          if (t.wrong_core++ == 0) {
            const int again = sched_getcpu();
            t.wrong_core_note = std::string(role_name(t.role)) + " vCPU " + std::to_string(t.idx) + " run " +
                                std::to_string(consumed) + ": decided CPU " + std::to_string(cpu) + ", started on " +
                                std::to_string(seen) + " (then " + std::to_string(again) + "), mask has " +
                                std::to_string(CPU_COUNT(&m)) + " CPU(s), latest command " +
                                std::to_string(t.cmd_seq.load());
          }
        }
      }
      t.enforcement.add(static_cast<uint64_t>(std::max<int64_t>(0, start - t.cmd_ns.load())));
      if (int64_t ev = t.event_ns.load()) t.decision.add(static_cast<uint64_t>(std::max<int64_t>(0, start - ev)));
      if (t.role == Role::kServer) note_start(t, start);
      if (mode_ == Mode::kFloors) floor_started_.store(start);
      for (;;) {
        Exit e = t.vcpu->run();
        if (e.kind == ExitKind::kResponded) {
          on_response(t, e.value);
          continue;
        }
        if (e.kind == ExitKind::kKicked) {
          if (t.quit.load()) return;
          if (t.kick_target.load() < consumed) continue;  // a kick meant for an earlier run
          // The agent needs "parked" only for the kick -> parked figure
          // (the thread's own timestamp): it is not woken for it, which
          // would take a CPU from the vCPU just released.
          post({Report::Kind::kKicked, t.idx, consumed, mono_ns(), 0, {}}, mode_ == Mode::kFloors);
          break;
        }
        if (e.kind == ExitKind::kWaitRequest || e.kind == ExitKind::kQueueEmpty) {
          post({Report::Kind::kBlock, t.idx, consumed, mono_ns(), 0, {}});
          break;
        }
        if (e.kind == ExitKind::kShardDone) {
          host::ShardCompletion sc;
          sc.vcpu = static_cast<uint16_t>(t.shard_victim);
          sc.core = static_cast<uint8_t>(t.home_core);
          sc.shard = static_cast<uint8_t>(t.shard_index);
          sc.blocks_done = e.value;
          while (!ring_.try_push(sc)) std::this_thread::yield();  // the ring outsizes the helpers
          if (joins_[static_cast<size_t>(t.shard_victim)].arrive()) joins_done_.fetch_add(1);
          post({Report::Kind::kShardDone, t.idx, consumed, mono_ns(), e.value, {}});
          break;
        }
        post({Report::Kind::kFault, t.idx, consumed, mono_ns(), 0, e.message});
        return;
      }
    }
  }

  // Linux baseline, or a released vCPU: the guest runs free; a server waits
  // for its next request on the mailbox (the "I/O exit" a VMM would block).
  void linux_main(VThread& t) {
    Mailbox& mb = vm_->mailbox(t.idx);
    while (!t.quit.load()) {
      Exit e = t.vcpu->run();
      switch (e.kind) {
        case ExitKind::kResponded: on_response(t, e.value); break;
        case ExitKind::kWaitRequest: {
          const uint32_t resp = aload(mb.resp_seq);
          if (aload(mb.req_seq) == resp) futex_wait(&mb.req_seq, resp, 20000000);
          if (aload(mb.req_seq) != resp) note_start(t, mono_ns());
          break;
        }
        case ExitKind::kQueueEmpty:
        case ExitKind::kShardDone:
          while (!t.quit.load()) futex_wait(&t.cmd_seq, t.cmd_seq.load(), 20000000);
          return;
        case ExitKind::kKicked: break;
        case ExitKind::kFault: post({Report::Kind::kFault, t.idx, 0, mono_ns(), 0, e.message}); return;
      }
    }
  }

  void note_start(VThread& t, int64_t start) {
    Mailbox& mb = vm_->mailbox(t.idx);
    const uint32_t req = aload(mb.req_seq);
    if (req != aload(mb.resp_seq) && req != t.last_started) {
      t.last_started = req;
      t.wake_to_run.add(static_cast<uint64_t>(std::max<int64_t>(0, start - t.sq->inject_ns.load())));
    }
  }

  void on_response(VThread& t, uint32_t seq) {
    const int64_t now = mono_ns();
    Mailbox& mb = vm_->mailbox(t.idx);
    ServerQueue& q = *t.sq;
    std::lock_guard<std::mutex> g(q.mu);
    if (aload(mb.checksum) != work(seq, req_iters_)) ++q.bad_checksum;
    t.request.add(static_cast<uint64_t>(std::max<int64_t>(0, now - q.arrival_ns)));
    ++q.completed;
    q.outstanding = false;
    if (!q.pending.empty()) {  // the next one, without an exit: the guest is running
      q.arrival_ns = q.pending.front();
      q.pending.pop_front();
      q.outstanding = true;
      q.inject_ns.store(now);
      ++q.injected;
      astore(mb.req_seq, aload(mb.req_seq) + 1);
      t.last_started = aload(mb.req_seq);  // served without a wake: no wake-to-run sample
    }
  }

  // Generator side: a request for server s arrives at arrival_ns. True if it
  // went into the mailbox (the server must be woken if blocked).
  bool inject(uint32_t s, int64_t arrival_ns) {
    VThread& t = *threads_[s];
    ServerQueue& q = *t.sq;
    std::lock_guard<std::mutex> g(q.mu);
    if (q.outstanding) {
      q.pending.push_back(arrival_ns);
      return false;
    }
    q.outstanding = true;
    q.arrival_ns = arrival_ns;
    q.inject_ns.store(mono_ns());
    ++q.injected;
    Mailbox& mb = vm_->mailbox(t.idx);
    astore(mb.req_seq, aload(mb.req_seq) + 1);
    return true;
  }
  bool outstanding(uint32_t s) {
    std::lock_guard<std::mutex> g(threads_[s]->sq->mu);
    return threads_[s]->sq->outstanding;
  }

  void start_threads() {
    for (auto& t : threads_) {
      VThread* p = t.get();
      p->th = std::thread([this, p] { thread_main(*p); });
    }
  }

  void stop_threads() {
    for (auto& t : threads_) {
      t->quit.store(true);
      t->vcpu->kick();
      t->cmd_seq.fetch_add(1);
      futex_wake(&t->cmd_seq);
      futex_wake(&vm_->mailbox(t->idx).req_seq);
    }
    for (auto& t : threads_)
      if (t->th.joinable()) t->th.join();
  }

  // ---- the agent thread ----
  void idle_core(uint32_t c) {
    Core& k = cores_[c];
    if (k.busy_since >= 0) k.busy_acc += now_ - k.busy_since;
    k.busy_since = -1;
    k.occ = Occ::kIdle;
  }
  void open_slice(uint32_t c, uint32_t v, Timeline::Slice::Kind kind) {
    close_slice(c);
    if (timeline_.slices.size() >= kTimelineMax) return;
    Timeline::Slice s;
    s.core = c;
    s.vcpu = v;
    s.start_us = static_cast<double>(now_ - t0_) / 1000.0;
    s.end_us = s.start_us;
    s.kind = kind;
    cores_[c].slice = static_cast<int>(timeline_.slices.size());
    timeline_.slices.push_back(s);
  }
  void close_slice(uint32_t c) {
    if (cores_[c].slice >= 0) timeline_.slices[static_cast<size_t>(cores_[c].slice)].end_us = us();
    cores_[c].slice = -1;
  }
  void instant(Timeline::Instant::Kind kind, int core, uint32_t v) {
    if (timeline_.instants.size() < kTimelineMax) timeline_.instants.push_back({kind, us(), core, v});
  }
  double us() const { return static_cast<double>(now_ - t0_) / 1000.0; }

  // --metrics-file: this round's counters so far (AgentOptions::on_counters).
  void publish(const PhaseResult& res, double cpu0, bool final) {
    if (!opt_.on_counters) return;
    LiveCounters c;
    c.phase = res.name;
    c.backend = vm_->backend();
    c.engine = res.name == "agent" ? engine_name_ : "-";
    c.seconds = static_cast<double>(mono_ns() - t0_) / 1e9;
    for (ServerQueue& q : squeues_) {
      std::lock_guard<std::mutex> g(q.mu);
      c.requests_injected += q.injected + q.pending.size();
      c.requests_completed += q.completed;
    }
    c.blocks_claimed = std::min(aload(vm_->shared().next), aload(vm_->shared().total));
    c.agent_cpu_s = thread_cpu_s() - cpu0;
    if (sched_) c.sched = sched_->stats();
    c.final = final;
    opt_.on_counters(c);
  }

  void flush_shards() {
    if (deferred_shards_.empty()) return;
    std::vector<uint32_t> k(nsched_, 0);
    for (auto& [c, v] : deferred_shards_) ++k[v];
    for (uint32_t v = 0; v < nsched_; ++v)
      if (k[v]) joins_[v].arm(k[v]);
    for (auto& [c, v] : deferred_shards_) command(*threads_[helper_of_[c]], static_cast<int>(c), 0);
    deferred_shards_.clear();
  }

  // Calls a hook at real time now (µs since the phase started).
  template <class F>
  void hook(F&& f, int64_t event_ns = 0) {
    now_ = mono_ns();
    hook_event_ns_ = event_ns;
    const uint64_t commits = sched_->stats().commits, aborts = sched_->stats().aborts;
    f(us());
    hook_event_ns_ = 0;
    if (sched_->stats().commits != commits) instant(Timeline::Instant::Kind::kCommit, -1, 0);
    if (sched_->stats().aborts != aborts) instant(Timeline::Instant::Kind::kAbort, -1, 0);
    flush_shards();
  }

  void wake_server(uint32_t s, int64_t event_ns) {
    if (sched_->state(s) != host::Scheduler::VState::kBlocked) return;
    instant(Timeline::Instant::Kind::kWake, -1, s);
    hook([&](double t) { sched_->wake(s, t); }, event_ns);
  }

  void handle_report(const Report& r, PhaseResult& res) {
    VThread& t = *threads_[r.thread];
    switch (r.kind) {
      case Report::Kind::kFault: fault_ = r.message; return;
      case Report::Kind::kKicked:
        if (r.run_no == t.kicked_run && t.kick_ns > 0) {
          kick_lat_.add(static_cast<uint64_t>(std::max<int64_t>(0, r.t_ns - t.kick_ns)));
          t.kick_ns = 0;
        }
        return;
      case Report::Kind::kShardDone: {
        host::ShardCompletion sc;
        while (ring_.try_pop(sc)) {
          res.shard_blocks += sc.blocks_done;
          now_ = mono_ns();
          close_slice(sc.core);
          idle_core(sc.core);
          hook([&](double now) { sched_->shard_done(sc.vcpu, sc.core, now); });
        }
        return;
      }
      case Report::Kind::kBlock: {
        if (t.sched_v < 0 || r.run_no != t.cmd_seq.load()) return;  // a run that was stopped since
        const uint32_t v = static_cast<uint32_t>(t.sched_v);
        if (sched_->state(v) != host::Scheduler::VState::kRunning) return;
        const uint32_t c = static_cast<uint32_t>(sched_->core_of(v));
        now_ = mono_ns();
        close_slice(c);
        idle_core(c);
        hook([&](double now) { sched_->block(v, now); });
        if (t.role == Role::kServer && outstanding(v)) wake_server(v, mono_ns());
        return;
      }
    }
  }

  void drain_reports(PhaseResult& res) {
    uint64_t n;
    if (read(evfd_, &n, sizeof n) < 0) {
      // EAGAIN: nothing new since the last drain
    }
    std::deque<Report> batch;
    {
      std::lock_guard<std::mutex> g(rmu_);
      batch.swap(reports_);
    }
    for (const Report& r : batch) handle_report(r, res);
  }

  // Waits at most timeout_ns for a report (poll on the eventfd).
  void pollfd_wait(int64_t timeout_ns) {
    pollfd p{evfd_, POLLIN, 0};
    poll(&p, 1, static_cast<int>(std::clamp<int64_t>(timeout_ns / 1000000, 1, 1000)));
    uint64_t n;
    if (read(evfd_, &n, sizeof n) < 0) {
      // EAGAIN: timed out
    }
  }

  bool check_signal() {
    if (sigfd_ < 0) return false;
    signalfd_siginfo si;
    if (read(sigfd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
      interrupted_ = true;
      return true;
    }
    return false;
  }

  void finish_checks(PhaseResult& res, double seconds, uint64_t claimed_at_end);

  static constexpr size_t kTimelineMax = 200000;

  const Mode mode_;
  const AgentScenario& sc_;
  const AgentOptions& opt_;
  std::vector<int> cpus_;
  double rpu_;
  int sigfd_;
  uint32_t ncores_ = 0, nsched_ = 0;
  uint32_t block_iters_ = 1, req_iters_ = 1;
  std::unique_ptr<Vm> vm_;
  std::vector<std::unique_ptr<VThread>> threads_;
  std::vector<ServerQueue> squeues_;
  std::vector<uint32_t> helper_of_;  // core -> helper thread
  std::unique_ptr<host::Scheduler> sched_;
  FallbackEngine* fallback_ = nullptr;
  std::string engine_name_ = "-";
  std::vector<Core> cores_;
  std::vector<host::ShardJoin> joins_;
  std::atomic<uint64_t> joins_done_{0};
  host::MpmcRing ring_;
  std::vector<std::pair<uint32_t, uint32_t>> deferred_shards_;
  std::atomic<int64_t> heartbeat_{0};
  // How long a parked thread sleeps before it looks at the heartbeat again:
  // a quarter of the bound, at most 50 ms.
  int64_t park_timeout_ns_ = 50000000;
  std::atomic<int64_t> floor_started_{0};
  int evfd_ = -1;
  std::mutex rmu_;
  std::deque<Report> reports_;
  int64_t t0_ = 0, now_ = 0, hook_event_ns_ = 0;
  uint64_t shards_ = 0;
  uint64_t affinity_failures_ = 0;  // pthread_setaffinity_np refused
  uint64_t affinity_changes_ = 0;   // releases that moved a vCPU to another core
  LogHistogram kick_lat_;
  Timeline timeline_;
  std::string fault_;
  bool interrupted_ = false;
};

// Phase (a): the bare mechanism with the same threads: a futex release of a
// parked vCPU thread on its (idle) core, and a kick of a running one until
// it is parked. No scheduler, no engine.
Floors Runtime::run_floors(uint32_t iterations) {
  start_threads();
  LogHistogram kick;
  PhaseResult unused;
  // Each thread keeps one core (no affinity change inside the measurement).
  for (uint32_t i = 0; i < iterations && !check_signal(); ++i) {
    VThread& t = *threads_[i % threads_.size()];
    const int core = static_cast<int>(i % threads_.size() % ncores_);
    floor_started_.store(0);
    command(t, core, 0);
    const int64_t issued = mono_ns();
    // Let it run a little, as a vCPU would, then kick it (sleeping: a
    // spinning measurer would take a CPU from the thread it measures).
    do {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    } while (floor_started_.load() == 0 && mono_ns() - issued < kFloorWaitNs);
    t.kick_target.store(t.cmd_seq.load());
    const int64_t k0 = mono_ns();
    t.vcpu->kick();
    // The parked acknowledgement comes through the report queue.
    for (;;) {
      const int64_t left = kFloorWaitNs - (mono_ns() - k0);
      if (left <= 0)
        throw Error(Errc::kTimeout, "floors: a kicked vCPU thread did not park within " +
                                        std::to_string(kFloorWaitNs / 1000000000) + " s (is the machine overloaded?)");
      pollfd_wait(left);
      std::deque<Report> batch;
      {
        std::lock_guard<std::mutex> g(rmu_);
        batch.swap(reports_);
      }
      bool done = false;
      for (const Report& r : batch) {
        if (r.kind == Report::Kind::kFault) throw Error(Errc::kDeviceFailed, "vCPU fault: " + r.message);
        if (r.kind == Report::Kind::kKicked && r.thread == t.idx) {
          kick.add(static_cast<uint64_t>(std::max<int64_t>(0, r.t_ns - k0)));
          done = true;
        }
      }
      if (done) break;
    }
  }
  stop_threads();
  LogHistogram wake;
  for (auto& t : threads_) wake.merge(t->enforcement);
  return {percentiles(wake), percentiles(kick)};
}

PhaseResult Runtime::run_phase(double seconds) {
  PhaseResult res;
  res.name = mode_ == Mode::kAgent ? "agent" : "linux";
  res.engine = mode_ == Mode::kAgent ? engine_name_ : "-";
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // both modes' timers fire on time (default slack: 50 µs)
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (ep < 0 || tfd < 0) throw Error(Errc::kIo, std::string("epoll/timerfd: ") + std::strerror(errno));
  auto watch = [&](int fd) {
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
  };
  watch(evfd_);
  watch(tfd);
  if (sigfd_ >= 0) watch(sigfd_);

  // The same seeded arrivals in both phases.
  std::mt19937_64 rng(opt_.seed);
  std::exponential_distribution<double> gap(sc_.rate_per_s / 1e9);  // per ns
  const uint32_t servers = static_cast<uint32_t>(squeues_.size());
  const uint32_t batch_first = servers, batch_end = nsched_;

  start_threads();
  // The agent thread at SCHED_FIFO (it blocks in epoll, never polls): its
  // decisions then take a core at once instead of waiting behind the
  // batch vCPUs it schedules. Set after the vCPU threads exist, which keep
  // the default policy. Refused (no CAP_SYS_NICE): said in the report.
  sched_param old_param{};
  int old_policy = SCHED_OTHER;
  pthread_getschedparam(pthread_self(), &old_policy, &old_param);
  if (mode_ == Mode::kAgent && opt_.agent_fifo) {
    sched_param sp{};
    sp.sched_priority = 1;
    res.agent_fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
  }
  t0_ = now_ = mono_ns();
  heartbeat_.store(t0_);
  const double cpu0 = thread_cpu_s();
  std::vector<int64_t> next_arrival(servers);
  for (auto& a : next_arrival) a = t0_ + static_cast<int64_t>(gap(rng));
  const int64_t end_ns = t0_ + static_cast<int64_t>(seconds * 1e9);
  int64_t drain_deadline = end_ns + 1000000000;
  const int64_t tick_ns = static_cast<int64_t>(sc_.tick_us * 1000);
  const int64_t account_ns = static_cast<int64_t>(sc_.account_us * 1000);
  const int64_t profile_ns = static_cast<int64_t>(sc_.profile_interval_us * 1000);
  int64_t next_tick = t0_ + tick_ns, next_account = t0_ + account_ns, next_profile = t0_;
  int64_t last_tick = t0_;
  bool arrivals_on = true;
  uint64_t claimed_at_end = 0;
  double measured_s = seconds;
  std::vector<double> busy(ncores_);
  const int64_t timeslice_ns = static_cast<int64_t>(sc_.timeslice_us * 1000);

  if (mode_ == Mode::kAgent)
    for (uint32_t v = batch_first; v < batch_end; ++v) hook([&](double t) { sched_->wake(v, t); });
  const int64_t publish_ns = static_cast<int64_t>(std::max(1.0, opt_.counters_period_ms) * 1e6);
  int64_t next_publish = t0_;

  for (;;) {
    int64_t now = mono_ns();
    heartbeat_.store(now);
    if (now >= next_publish) {
      publish(res, cpu0, false);
      next_publish = now + publish_ns;
    }
    if (mode_ == Mode::kAgent && opt_.stall_agent_after_ms > 0 &&
        now - t0_ > static_cast<int64_t>(opt_.stall_agent_after_ms * 1e6)) {
      // The safety net under test: the agent goes silent (as if killed)
      // long enough for every parked vCPU to release itself.
      const int64_t until = now + static_cast<int64_t>(opt_.heartbeat_bound_ms * 3e6);
      std::this_thread::sleep_for(std::chrono::nanoseconds(until - mono_ns()));
      claimed_at_end = std::min(aload(vm_->shared().next), aload(vm_->shared().total));
      measured_s = static_cast<double>(mono_ns() - t0_) / 1e9;
      res.failures.push_back("the agent was stalled on purpose (--stall-agent-after-ms)");
      break;
    }
    if (arrivals_on) {
      for (uint32_t s = 0; s < servers; ++s)
        while (next_arrival[s] <= now && next_arrival[s] < end_ns) {
          if (inject(s, next_arrival[s])) {
            if (mode_ == Mode::kAgent) wake_server(s, now);
            else futex_wake(&vm_->mailbox(threads_[s]->idx).req_seq);
          }
          next_arrival[s] += std::max<int64_t>(1, static_cast<int64_t>(gap(rng)));
        }
      if (now >= end_ns) {
        arrivals_on = false;
        claimed_at_end = std::min(aload(vm_->shared().next), aload(vm_->shared().total));
        measured_s = static_cast<double>(now - t0_) / 1e9;
      }
    }
    if (!arrivals_on) {
      bool all = true;
      for (auto& q : squeues_) {
        std::lock_guard<std::mutex> g(q.mu);
        all = all && !q.outstanding && q.pending.empty();
      }
      if (all || now >= drain_deadline) break;
    }
    if (mode_ == Mode::kAgent) {
      for (uint32_t c = 0; c < ncores_; ++c)
        if (cores_[c].occ == Occ::kRun && now >= cores_[c].slice_end_ns) {
          cores_[c].slice_end_ns = now + timeslice_ns;
          hook([&](double t) { sched_->slice_end(c, t); });
        }
      if (now >= next_tick) {
        const int64_t elapsed = std::max<int64_t>(1, now - last_tick);
        for (uint32_t c = 0; c < ncores_; ++c) {
          Core& k = cores_[c];
          int64_t acc = k.busy_acc + (k.busy_since >= 0 ? now - k.busy_since : 0);
          busy[c] = std::min(1.0, static_cast<double>(acc) / static_cast<double>(elapsed));
          k.busy_acc = 0;
          if (k.busy_since >= 0) k.busy_since = now;
        }
        hook([&](double t) { sched_->tick(t, busy, static_cast<double>(elapsed) / 1000.0); });
        last_tick = now;
        next_tick = std::max(next_tick + tick_ns, now + tick_ns / 2);
      }
      if (now >= next_account) {
        hook([&](double t) { sched_->account(t); });
        next_account = std::max(next_account + account_ns, now + account_ns / 2);
      }
      if (now >= next_profile) {
        // The paravirtual profile: the batch queue's depth in the shared page.
        SharedPage& sh = vm_->shared();
        const uint32_t total = aload(sh.total), next = std::min(aload(sh.next), total);
        host::Profile p;
        p.blocks = static_cast<uint8_t>(std::min<uint32_t>(total - next, 255));
        p.bcost_us = p.blocks ? static_cast<uint16_t>(std::min(65535.0, std::ceil(sc_.block_us))) : 0;
        for (uint32_t v = batch_first; v < batch_end; ++v) hook([&](double t) { sched_->profile(v, p, t); });
        next_profile = std::max(next_profile + profile_ns, now + profile_ns / 2);
      }
    }
    // Sleep until the next deadline or a report.
    int64_t deadline = arrivals_on ? end_ns : drain_deadline;
    if (arrivals_on)
      for (int64_t a : next_arrival) deadline = std::min(deadline, a);
    if (mode_ == Mode::kAgent) {
      deadline = std::min({deadline, next_tick, next_account, next_profile});
      for (const Core& k : cores_)
        if (k.occ == Occ::kRun) deadline = std::min(deadline, k.slice_end_ns);
    } else if (!arrivals_on) {
      deadline = std::min(deadline, mono_ns() + 1000000);  // re-check the drain each ms
    }
    // Beat at least every 10 ms while nothing else is due.
    deadline = std::min(deadline, mono_ns() + 10000000);
    itimerspec its{};
    const int64_t d = std::max<int64_t>(deadline, 1);
    its.it_value.tv_sec = d / 1000000000;
    its.it_value.tv_nsec = d % 1000000000;
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, nullptr);
    epoll_event evs[4];
    int n = epoll_wait(ep, evs, 4, -1);
    bool stop = false;
    for (int i = 0; i < n; ++i) {
      if (evs[i].data.fd == tfd) {
        uint64_t x;
        if (read(tfd, &x, sizeof x) < 0) {
          // EAGAIN: re-armed since it fired
        }
      } else if (evs[i].data.fd == evfd_) {
        drain_reports(res);
      } else if (evs[i].data.fd == sigfd_ && check_signal()) {
        stop = true;
      }
    }
    if (!fault_.empty()) break;
    if (stop) {
      // A clean stop: no more arrivals, the requests in the guests are
      // served (at most 1 s more); a second signal stops at once.
      if (!arrivals_on) break;
      arrivals_on = false;
      claimed_at_end = std::min(aload(vm_->shared().next), aload(vm_->shared().total));
      measured_s = static_cast<double>(mono_ns() - t0_) / 1e9;
      drain_deadline = mono_ns() + 1000000000;
    }
  }
  res.agent_cpu_s = thread_cpu_s() - cpu0;
  if (res.agent_fifo) pthread_setschedparam(pthread_self(), old_policy, &old_param);
  stop_threads();
  publish(res, cpu0, true);
  close(tfd);
  close(ep);
  if (!fault_.empty()) throw Error(Errc::kDeviceFailed, "vCPU fault: " + fault_);
  res.seconds = measured_s;
  res.agent_cpu_pct = 100.0 * res.agent_cpu_s / std::max(1e-9, static_cast<double>(mono_ns() - t0_) / 1e9);
  finish_checks(res, measured_s, claimed_at_end);
  return res;
}

void Runtime::finish_checks(PhaseResult& res, double seconds, uint64_t claimed_at_end) {
  LogHistogram w2r, req, dec, enf;
  uint64_t pending = 0, bad_req = 0;
  for (auto& t : threads_) {
    res.runs += t->runs;
    res.runs_on_wrong_core += t->wrong_core;
    res.released += t->released ? 1 : 0;
    if (t->role == Role::kShardHelper) {
      res.shard_runs += t->runs;
      res.shard_runs_on_wrong_core += t->wrong_core;
    }
    if (t->role != Role::kServer) continue;
    w2r.merge(t->wake_to_run);
    req.merge(t->request);
    dec.merge(t->decision);
    enf.merge(t->enforcement);
    ServerQueue& q = *t->sq;
    res.requests_injected += q.injected + q.pending.size();
    res.requests_completed += q.completed;
    pending += q.pending.size() + (q.outstanding ? 1 : 0);
    bad_req += q.bad_checksum;
  }
  res.hist.wake_to_run = w2r;
  res.hist.request = req;
  res.hist.decision_path = dec;
  res.hist.enforcement = enf;
  res.hist.kick_to_parked = kick_lat_;
  res.update_percentiles();
  if (pending) res.failures.push_back(std::to_string(pending) + " requests not completed");
  if (bad_req) res.failures.push_back(std::to_string(bad_req) + " responses with a wrong checksum");

  // Blocks: each claimed one executed exactly once (a kick at the end may
  // leave one in progress per vCPU that ran blocks), none beyond the claims;
  // checksums recomputed for every 64th block (recomputing all would redo
  // the whole phase's batch work).
  SharedPage& sh = vm_->shared();
  const uint32_t total = aload(sh.total), claimed = std::min(aload(sh.next), total);
  uint64_t in_flight = 0, bad = 0, done = 0;
  for (uint32_t i = 0; i < total; ++i) {
    const BlockSlot& s = vm_->slot(i);
    const uint32_t count = aload(const_cast<uint32_t&>(s.count));
    if (i >= claimed) {
      bad += count != 0;
      continue;
    }
    if (count == 0) {
      ++in_flight;
    } else if (count > 1 || (i % 64 == 0 && aload(const_cast<uint32_t&>(s.checksum)) != work(i, block_iters_))) {
      ++bad;
    } else {
      ++done;
    }
  }
  uint64_t block_vcpus = 0;
  for (auto& t : threads_) block_vcpus += t->role != Role::kServer;
  res.blocks_claimed = claimed;
  res.blocks_in_flight = in_flight;
  res.blocks_bad = bad;
  res.blocks_done = done;
  res.blocks_measured = claimed_at_end;
  res.blocks_per_s = static_cast<double>(claimed_at_end) / std::max(1e-9, seconds);
  if (bad) res.failures.push_back(std::to_string(bad) + " blocks executed more than once, unclaimed or wrong");
  if (in_flight > block_vcpus)
    res.failures.push_back(std::to_string(in_flight) + " claimed blocks never executed (more than the " +
                           std::to_string(block_vcpus) + " vCPUs could hold in progress)");
  if (claimed >= total) res.failures.push_back("the batch queue ran empty: give batch.blocks more blocks");
  res.affinity_changes = affinity_changes_;
  if (affinity_failures_)
    res.failures.push_back(std::to_string(affinity_failures_) + " placements refused by pthread_setaffinity_np");
  if (res.runs_on_wrong_core) {
    std::string first;
    for (auto& t : threads_)
      if (first.empty()) first = t->wrong_core_note;
    res.failures.push_back(std::to_string(res.runs_on_wrong_core) +
                           " vCPU runs started on another core than decided (" + first + ")");
  }
  if (mode_ == Mode::kAgent) {
    const host::SchedStats& st = sched_->stats();
    res.preemptions = st.preemptions;
    res.shard_preemptions = st.shard_preemptions;
    res.shards = st.shards;
    res.wakes = st.wakes;
    res.rotations = st.rotations;
    res.commits = st.commits;
    res.aborts = st.aborts;
    res.engine_events = st.engine_events;
    res.joins_completed = joins_done_.load();
    for (const host::ShardJoin& j : joins_) res.joins_open += j.left() > 0;
    res.engine_failed_over = fallback_ != nullptr && fallback_->failed();
    const std::string name = sched_->engine()->name();
    res.engine = engine_name_ = opt_.engine == name ? name : opt_.engine + " (" + name + ")";
    if (res.released) res.failures.push_back(std::to_string(res.released) + " vCPU threads released themselves");
  }
  res.timeline = std::move(timeline_);
}

}  // namespace

void PhaseResult::update_percentiles() {
  wake_to_run = percentiles(hist.wake_to_run);
  request = percentiles(hist.request);
  decision_path = percentiles(hist.decision_path);
  enforcement = percentiles(hist.enforcement);
  kick_to_parked = percentiles(hist.kick_to_parked);
}

void PhaseResult::merge(const PhaseResult& o) {
  agent_cpu_pct = (agent_cpu_pct * seconds + o.agent_cpu_pct * o.seconds) / std::max(1e-9, seconds + o.seconds);
  seconds += o.seconds;
  requests_injected += o.requests_injected;
  requests_completed += o.requests_completed;
  blocks_done += o.blocks_done;
  blocks_measured += o.blocks_measured;
  blocks_per_s = static_cast<double>(blocks_measured) / std::max(1e-9, seconds);
  preemptions += o.preemptions;
  shard_preemptions += o.shard_preemptions;
  shards += o.shards;
  shard_blocks += o.shard_blocks;
  joins_completed += o.joins_completed;
  joins_open += o.joins_open;
  wakes += o.wakes;
  rotations += o.rotations;
  commits += o.commits;
  aborts += o.aborts;
  engine_events += o.engine_events;
  agent_cpu_s += o.agent_cpu_s;
  released += o.released;
  engine_failed_over = engine_failed_over || o.engine_failed_over;
  agent_fifo = agent_fifo && o.agent_fifo;
  blocks_claimed += o.blocks_claimed;
  blocks_in_flight += o.blocks_in_flight;
  blocks_bad += o.blocks_bad;
  shard_runs += o.shard_runs;
  shard_runs_on_wrong_core += o.shard_runs_on_wrong_core;
  runs += o.runs;
  runs_on_wrong_core += o.runs_on_wrong_core;
  affinity_changes += o.affinity_changes;
  failures.insert(failures.end(), o.failures.begin(), o.failures.end());
  hist.wake_to_run.merge(o.hist.wake_to_run);
  hist.request.merge(o.hist.request);
  hist.decision_path.merge(o.hist.decision_path);
  hist.enforcement.merge(o.hist.enforcement);
  hist.kick_to_parked.merge(o.hist.kick_to_parked);
  update_percentiles();
}

bool AgentResult::ok() const {
  for (const PhaseResult& p : phases)
    if (!p.failures.empty()) return false;
  return true;
}

AgentResult run_agent(const AgentScenario& sc, const AgentOptions& opt) {
  auto one_of = [](const std::string& what, const std::string& v, std::initializer_list<const char*> choices) {
    std::string list;
    for (const char* c : choices) {
      if (v == c) return;
      list += std::string(list.empty() ? "" : ", ") + c;
    }
    throw Error(Errc::kBadConfig, what + " '" + v + "': use one of " + list);
  };
  one_of("--vcpus", opt.vcpus, {"auto", "threads", "kvm"});
  one_of("--baseline", opt.baseline, {"linux", "none"});
  one_of("--path", opt.path, {"software", "hardware", "prestaged"});
  if (!(opt.duration_s > 0 && opt.duration_s <= 3600))
    throw Error(Errc::kBadConfig, "--duration-s must be in (0, 3600]");
  if (opt.rounds < 1 || opt.rounds > 1000 || opt.duration_s / opt.rounds < 0.01)
    throw Error(Errc::kBadConfig, "--rounds must be in [1, 1000] with rounds of at least 0.01 s");
  host::check_engine_spec(opt.engine);

  AgentResult r;
  r.scenario = sc.name;
  std::vector<int> cpus = affinity_cpus();
  if (sc.cores > cpus.size())
    throw Error(Errc::kBadConfig, sc.path + ": host.cores = " + std::to_string(sc.cores) +
                                      " but this process may use " + std::to_string(cpus.size()) + " CPU(s)");
  if (sc.cores) cpus.resize(sc.cores);
  if (sc.nodes > cpus.size())
    throw Error(Errc::kBadConfig, sc.path + ": host.nodes = " + std::to_string(sc.nodes) + " but only " +
                                      std::to_string(cpus.size()) + " core(s) are used");
  r.cpus = cpus;
  r.cores = static_cast<uint32_t>(cpus.size());

  std::function<std::unique_ptr<Vm>()> make_vm;
  std::string why;
  if (opt.vcpus == "kvm" || (opt.vcpus == "auto" && kvm_usable(&why))) {
    make_vm = [] { return make_kvm_vm(); };
    make_vm();  // fails here, naming why, rather than in a phase
    r.backend = "kvm";
  } else {
    make_vm = [] { return make_threads_vm(); };
    r.backend = "threads";
    r.backend_note = opt.vcpus == "auto" ? "KVM is not usable here (" + why + "): vCPUs are plain threads"
                                         : "vCPUs are plain threads (--vcpus threads)";
  }

  // SIGINT/SIGTERM: read by the agent thread through a signalfd; the vCPU
  // threads inherit the mask, so none of them takes the signal.
  int sigfd = -1;
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  if (opt.handle_signals) {
    pthread_sigmask(SIG_BLOCK, &set, &old);
    sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  }
  struct Restore {
    int fd;
    sigset_t old;
    bool on;
    ~Restore() {
      if (fd >= 0) close(fd);
      if (on) pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
  } restore{sigfd, old, opt.handle_signals};

  auto say = [&](const std::string& m) {
    if (opt.progress) opt.progress(m);
  };
  char secs[32];
  std::snprintf(secs, sizeof secs, "%g s", opt.duration_s);
  if (!r.backend_note.empty()) say(r.backend_note);
  r.work_rounds_per_us = calibrate();
  if (opt.floors && sc.batch_vcpus + sc.servers > 0) {
    say("phase floors: " + std::to_string(sc.floor_iterations) + " park/run and kick/park rounds");
    Runtime rt(Mode::kFloors, sc, opt, make_vm, cpus, r.work_rounds_per_us, sigfd);
    r.floors = rt.run_floors(sc.floor_iterations);
    r.have_floors = true;
    r.interrupted = rt.interrupted();
  }
  // Rounds alternate the agent and Linux phases, so that both see the same
  // background load of a shared machine; each phase's figures are merged
  // over its rounds.
  const double round_s = opt.duration_s / opt.rounds;
  std::snprintf(secs, sizeof secs, "%g s", round_s);
  for (uint32_t k = 0; k < opt.rounds && !r.interrupted; ++k) {
    const std::string of =
        opt.rounds > 1 ? " (round " + std::to_string(k + 1) + "/" + std::to_string(opt.rounds) + ")" : "";
    {
      Runtime rt(Mode::kAgent, sc, opt, make_vm, cpus, r.work_rounds_per_us, sigfd);
      say("phase agent: engine " + rt.engine_name() + ", " + secs + of);
      PhaseResult p = rt.run_phase(round_s);
      r.engine = rt.engine_name();
      r.interrupted = rt.interrupted();
      if (k == 0) r.phases.push_back(std::move(p));
      else r.phases[0].merge(p);
    }
    if (r.interrupted || opt.baseline != "linux") continue;
    say("phase linux: the same guests under Linux alone, " + std::string(secs) + of);
    Runtime rt(Mode::kLinux, sc, opt, make_vm, cpus, r.work_rounds_per_us, sigfd);
    PhaseResult p = rt.run_phase(round_s);
    r.interrupted = rt.interrupted();
    if (k == 0) r.phases.push_back(std::move(p));
    else r.phases[1].merge(p);
  }
  return r;
}

}  // namespace vshard::agent
