// The vCPU backends of include/vshard/agent/guest.h against the guest
// programs as guest.h specifies them. Every case runs on each backend:
//  - "threads" always;
//  - "kvm" where /dev/kvm can be used (elsewhere the case warns with the
//    reason and checks nothing for it);
//  - "native", a test backend (native_guest.cc): the kvm backend's guest
//    image run on the host CPU in user mode, so the assembly guests are
//    checked where there is no KVM (not in sanitizer builds: it warns).
#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "native_guest.h"
#include "vshard/agent/guest.h"
#include "vshard/error.h"

using namespace vshard;
using namespace vshard::agent;

namespace {

// Kicks a kicker thread sends at most, so that a vCPU that a kick sets back
// by more than the kicks' spacing (a nested KVM re-enters in milliseconds)
// still finishes; the kicks land at random points all the same. On kvm the
// kick tests also run a tenth of the work: on the nested KVM of these
// machines one kick and re-entry costs milliseconds, tens of them on a
// loaded machine, and a test beside other CTest jobs would not end in its
// 120 s.
uint32_t max_kicks(const std::string& backend) { return backend == "kvm" ? 200 : 2000; }
uint32_t scaled(const std::string& backend, uint32_t n) { return backend == "kvm" ? n / 10 : n; }

uint32_t load(uint32_t& f) { return std::atomic_ref<uint32_t>(f).load(); }
void store(uint32_t& f, uint32_t v) { std::atomic_ref<uint32_t>(f).store(v); }

// The VM of `backend`, or nullptr (with a warning naming the reason) when
// the backend cannot run here.
std::unique_ptr<Vm> make_vm(const std::string& backend) {
  if (backend == "threads") return make_threads_vm();
  std::string why;
  if (backend == "native") {
    auto vm = testing::make_native_guest_vm(&why);
    if (!vm) WARN("native guest backend not run: " << why);
    return vm;
  }
  if (!kvm_usable(&why)) {
    WARN("kvm backend not run: " << why);
    return nullptr;
  }
  return make_kvm_vm();
}

// run() until an exit other than kKicked; counts the kicks in *kicks.
Exit run_through_kicks(Vcpu& v, uint32_t* kicks = nullptr) {
  for (;;) {
    Exit e = v.run();
    if (e.kind != ExitKind::kKicked) return e;
    if (kicks) ++*kicks;
  }
}

void setup_queue(Vm& vm, uint32_t total, uint32_t block_iters) {
  store(vm.shared().next, 0);
  store(vm.shared().block_iters, block_iters);
  store(vm.shared().total, total);
}

}  // namespace

TEST_CASE("agent vm: names of roles and exits", "[agent][vm]") {
  CHECK(std::string(role_name(Role::kServer)) == "server");
  CHECK(std::string(role_name(Role::kBatch)) == "batch");
  CHECK(std::string(role_name(Role::kShardHelper)) == "shard_helper");
  CHECK(std::string(exit_kind_name(ExitKind::kWaitRequest)) == "wait_request");
  CHECK(std::string(exit_kind_name(ExitKind::kResponded)) == "responded");
  CHECK(std::string(exit_kind_name(ExitKind::kQueueEmpty)) == "queue_empty");
  CHECK(std::string(exit_kind_name(ExitKind::kShardDone)) == "shard_done");
  CHECK(std::string(exit_kind_name(ExitKind::kKicked)) == "kicked");
  CHECK(std::string(exit_kind_name(ExitKind::kFault)) == "fault");
}

TEST_CASE("agent vm: work() is xorshift32 from a non-zero seed", "[agent][vm]") {
  // One round of xorshift32 from 1, worked by hand:
  //   1 ^ 1<<13 = 0x2001; ^ >>17 = 0x2001; ^ <<5 = 0x42021
  CHECK(work(1, 1) == 0x42021u);
  CHECK(work(5, 0) == 5u);
  CHECK(work(0, 0) == 0x9E3779B9u);
  CHECK(work(0, 7) == work(0x9E3779B9u, 7));
}

TEST_CASE("agent vm: memory is zeroed from the shared page up, backend named", "[agent][vm]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  CHECK(vm->backend() == backend);
  const uint8_t* m = vm->memory();
  size_t nonzero = 0;
  for (uint64_t i = layout::kShared; i < layout::kMemBytes; ++i) nonzero += m[i] != 0;
  CHECK(nonzero == 0);
}

TEST_CASE("agent vm: server waits, serves each request once with its checksum", "[agent][vm]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  auto v = vm->create_vcpu(3, Role::kServer);
  CHECK(v->index() == 3);
  CHECK(v->role() == Role::kServer);
  Mailbox& mb = vm->mailbox(3);

  CHECK(v->run().kind == ExitKind::kWaitRequest);
  CHECK(v->run().kind == ExitKind::kWaitRequest);  // nothing injected: waits again

  store(mb.req_iters, 1000);
  store(mb.req_seq, 1);
  Exit e = v->run();
  REQUIRE(e.kind == ExitKind::kResponded);
  CHECK(e.value == 1);
  CHECK(load(mb.resp_seq) == 1);
  CHECK(load(mb.checksum) == work(1, 1000));
  CHECK(v->run().kind == ExitKind::kWaitRequest);

  // Sequence numbers need not be consecutive; zero rounds give the seed.
  store(mb.req_iters, 0);
  store(mb.req_seq, 7);
  e = v->run();
  REQUIRE(e.kind == ExitKind::kResponded);
  CHECK(e.value == 7);
  CHECK(load(mb.checksum) == 7);

  // Other mailboxes are untouched.
  CHECK(load(vm->mailbox(2).resp_seq) == 0);
  CHECK(load(vm->mailbox(4).checksum) == 0);
}

TEST_CASE("agent vm: a kick while not running returns kKicked at once and loses nothing", "[agent][vm]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  auto v = vm->create_vcpu(0, Role::kServer);
  Mailbox& mb = vm->mailbox(0);
  store(mb.req_iters, 3 * kKickPollIters + 5);
  store(mb.req_seq, 1);
  v->kick();
  CHECK(v->run().kind == ExitKind::kKicked);
  CHECK(load(mb.resp_seq) == 0);  // not served yet
  Exit e = v->run();
  REQUIRE(e.kind == ExitKind::kResponded);
  CHECK(load(mb.checksum) == work(1, 3 * kKickPollIters + 5));

  // Two kicks before a run are one kick.
  v->kick();
  v->kick();
  CHECK(v->run().kind == ExitKind::kKicked);
  CHECK(v->run().kind == ExitKind::kWaitRequest);
}

TEST_CASE("agent vm: server requests kicked at random still give the right checksums", "[agent][vm][threads]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  auto v = vm->create_vcpu(1, Role::kServer);
  Mailbox& mb = vm->mailbox(1);
  std::atomic<bool> stop{false};
  // At most max_kicks(backend) kicks: a nested KVM re-enters a kicked vCPU
  // in milliseconds, and kicks every 0-200 us without end can starve it.
  std::thread kicker([&] {
    std::mt19937 rng(11);
    for (uint32_t n = 0; n < max_kicks(backend) && !stop.load(); ++n) {
      v->kick();
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
    }
  });
  uint32_t kicks = 0;
  for (uint32_t seq = 1; seq <= scaled(backend, 20); ++seq) {
    uint32_t iters = 50 * kKickPollIters + seq;
    store(mb.req_iters, iters);
    store(mb.req_seq, seq);
    Exit e = run_through_kicks(*v, &kicks);
    REQUIRE(e.kind == ExitKind::kResponded);
    CHECK(e.value == seq);
    CHECK(load(mb.checksum) == work(seq, iters));
  }
  stop.store(true);
  kicker.join();
  INFO("kicked " << kicks << " times");
  SUCCEED();
}

TEST_CASE("agent vm: batch blocks run exactly once under random kicks, several vCPUs", "[agent][vm][threads]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  // Blocks longer than the kick poll interval, so kicks land mid-block.
  const uint32_t kTotal = scaled(backend, 3000);
  constexpr uint32_t kIters = 3 * kKickPollIters + 17, kVcpus = 4;
  setup_queue(*vm, kTotal, kIters);
  std::vector<std::unique_ptr<Vcpu>> vcpus;
  for (uint32_t i = 0; i < kVcpus; ++i) vcpus.push_back(vm->create_vcpu(i, Role::kBatch));

  std::atomic<uint32_t> finished{0}, kicks{0};
  std::vector<Exit> last(kVcpus);
  std::vector<std::thread> threads;
  for (uint32_t i = 0; i < kVcpus; ++i)
    threads.emplace_back([&, i] {
      uint32_t k = 0;
      last[i] = run_through_kicks(*vcpus[i], &k);
      kicks += k;
      ++finished;
    });
  std::thread kicker([&] {  // at most max_kicks(backend), as above
    std::mt19937 rng(42);
    for (uint32_t n = 0; n < max_kicks(backend) && finished.load() < kVcpus; ++n) {
      vcpus[rng() % kVcpus]->kick();
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 100));
    }
  });
  for (auto& t : threads) t.join();
  kicker.join();

  for (uint32_t i = 0; i < kVcpus; ++i) CHECK(last[i].kind == ExitKind::kQueueEmpty);
  uint32_t wrong_count = 0, wrong_sum = 0, wrong_vcpu = 0;
  for (uint32_t b = 0; b < kTotal; ++b) {
    BlockSlot& s = vm->slot(b);
    wrong_count += load(s.count) != 1;
    wrong_sum += load(s.checksum) != work(b, kIters);
    wrong_vcpu += load(s.by_vcpu) >= kVcpus;
  }
  INFO("kicked " << kicks.load() << " times");
  CHECK(wrong_count == 0);
  CHECK(wrong_sum == 0);
  CHECK(wrong_vcpu == 0);
  CHECK(load(vm->slot(kTotal).count) == 0);  // nothing past the queue
  CHECK(load(vm->shared().next) >= kTotal);
  // Queue still empty on the next run.
  for (auto& v : vcpus) CHECK(run_through_kicks(*v).kind == ExitKind::kQueueEmpty);
}

TEST_CASE("agent vm: batch on an empty queue exits at once and claims nothing", "[agent][vm]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  auto v = vm->create_vcpu(0, Role::kBatch);
  CHECK(v->run().kind == ExitKind::kQueueEmpty);  // total = 0 in zeroed memory
  CHECK(v->run().kind == ExitKind::kQueueEmpty);
  // Both backends test `next` before claiming, so idle polls leave it be.
  CHECK(load(vm->shared().next) == 0);
  CHECK(load(vm->slot(0).count) == 0);

  // One block: claimed once, then empty again.
  setup_queue(*vm, 1, 10);
  CHECK(v->run().kind == ExitKind::kQueueEmpty);
  CHECK(load(vm->slot(0).count) == 1);
  CHECK(load(vm->slot(0).checksum) == work(0, 10));  // seed 0 is replaced, as in work()
  CHECK(load(vm->slot(0).by_vcpu) == 0);
  CHECK(load(vm->shared().next) == 1);
}

TEST_CASE("agent vm: shard helper claims at most its budget and reports done", "[agent][vm]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  constexpr uint32_t kTotal = 10, kIters = 100;
  setup_queue(*vm, kTotal, kIters);
  auto helper = vm->create_vcpu(5, Role::kShardHelper);
  auto batch = vm->create_vcpu(0, Role::kBatch);
  Mailbox& mb = vm->mailbox(5);

  // Budget 0 (zeroed mailbox): nothing claimed.
  Exit e = helper->run();
  REQUIRE(e.kind == ExitKind::kShardDone);
  CHECK(e.value == 0);
  CHECK(load(vm->shared().next) == 0);

  store(mb.budget, 3);
  e = helper->run();
  REQUIRE(e.kind == ExitKind::kShardDone);
  CHECK(e.value == 3);
  CHECK(load(mb.done) == 3);
  CHECK(load(vm->shared().next) == 3);

  // Budget used and not renewed: done again at once, nothing claimed.
  e = helper->run();
  REQUIRE(e.kind == ExitKind::kShardDone);
  CHECK(e.value == 3);
  CHECK(load(vm->shared().next) == 3);

  // New budget larger than what is left: the queue empties first.
  store(mb.done, 0);
  store(mb.budget, 100);
  e = helper->run();
  REQUIRE(e.kind == ExitKind::kShardDone);
  CHECK(e.value == kTotal - 3);
  CHECK(load(mb.done) == kTotal - 3);
  CHECK(batch->run().kind == ExitKind::kQueueEmpty);

  for (uint32_t b = 0; b < kTotal; ++b) {
    INFO("block " << b);
    CHECK(load(vm->slot(b).count) == 1);
    CHECK(load(vm->slot(b).checksum) == work(b, kIters));
    CHECK(load(vm->slot(b).by_vcpu) == 5);
  }
}

TEST_CASE("agent vm: shard helper beside a batch vCPU, both kicked, exactly once", "[agent][vm][threads]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  const uint32_t kTotal = scaled(backend, 2000);
  constexpr uint32_t kIters = 2 * kKickPollIters + 3;
  setup_queue(*vm, kTotal, kIters);
  auto batch = vm->create_vcpu(0, Role::kBatch);
  auto helper = vm->create_vcpu(1, Role::kShardHelper);
  Mailbox& mb = vm->mailbox(1);

  std::atomic<bool> stop{false};
  std::thread kicker([&] {  // at most max_kicks(backend), as above
    std::mt19937 rng(7);
    for (uint32_t n = 0; n < max_kicks(backend) && !stop.load(); ++n) {
      (rng() & 1 ? batch : helper)->kick();
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 100));
    }
  });
  // The helper in shards of 16 blocks on this thread while the batch vCPU
  // runs on another, as the agent does with a preempted batch vCPU.
  Exit batch_exit;
  std::thread batch_thread([&] { batch_exit = run_through_kicks(*batch); });
  uint32_t by_helper = 0;
  for (;;) {
    store(mb.done, 0);
    store(mb.budget, 16);
    Exit e = run_through_kicks(*helper);
    REQUIRE(e.kind == ExitKind::kShardDone);
    REQUIRE(e.value <= 16);
    by_helper += e.value;
    if (e.value < 16) break;  // the queue is empty
  }
  batch_thread.join();
  stop.store(true);
  kicker.join();

  CHECK(batch_exit.kind == ExitKind::kQueueEmpty);
  uint32_t wrong = 0, helper_slots = 0;
  for (uint32_t b = 0; b < kTotal; ++b) {
    wrong += load(vm->slot(b).count) != 1 || load(vm->slot(b).checksum) != work(b, kIters);
    helper_slots += load(vm->slot(b).by_vcpu) == 1;
  }
  CHECK(wrong == 0);
  CHECK(helper_slots == by_helper);
}

TEST_CASE("agent vm: bad and reused vCPU indices are refused", "[agent][vm]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  auto expect_bad = [&](uint32_t index, Role role, const char* words) {
    try {
      vm->create_vcpu(index, role);
      FAIL("create_vcpu(" << index << ") did not throw");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.code() == Errc::kBadConfig);
      CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
  };
  expect_bad(layout::kMaxVcpus, Role::kBatch, "out of range");
  expect_bad(1000, Role::kServer, "out of range");
  expect_bad(0, static_cast<Role>(9), "unknown role");
  auto v = vm->create_vcpu(layout::kMaxVcpus - 1, Role::kBatch);
  expect_bad(layout::kMaxVcpus - 1, Role::kBatch, "already created");
  expect_bad(layout::kMaxVcpus - 1, Role::kServer, "already created");
  // A refused role did not use up index 0.
  CHECK(vm->create_vcpu(0, Role::kServer)->index() == 0);
}

TEST_CASE("agent vm: a queue longer than the slots is a fault, and the vCPU stays dead", "[agent][vm]") {
  auto backend = GENERATE(as<std::string>{}, "threads", "kvm", "native");
  auto vm = make_vm(backend);
  if (!vm) return;
  setup_queue(*vm, layout::kMaxBlocks + 1, 1);
  auto v = vm->create_vcpu(2, Role::kBatch);
  Exit e = v->run();
  REQUIRE(e.kind == ExitKind::kFault);
  INFO(e.message);
  CHECK(!e.message.empty());
  CHECK(load(vm->shared().next) == 0);
  // Even with the queue fixed, a faulted vCPU does not run again.
  setup_queue(*vm, 1, 1);
  CHECK(v->run().kind == ExitKind::kFault);
  CHECK(load(vm->slot(0).count) == 0);
}

TEST_CASE("agent vm: make_kvm_vm without a usable /dev/kvm says why", "[agent][vm]") {
  std::string why;
  if (kvm_usable(&why)) {
    CHECK(why.empty());
    CHECK(make_kvm_vm()->backend() == "kvm");
    return;
  }
  INFO(why);
  CHECK(why.find("/dev/kvm") != std::string::npos);
  try {
    make_kvm_vm();
    FAIL("make_kvm_vm did not throw");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::kDeviceNotFound);
    CHECK(std::string(e.what()) == why);
  }
}
