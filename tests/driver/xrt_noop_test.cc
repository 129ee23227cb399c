// The xrt backend as far as this machine allows: no card, so XRT's noop
// emulation (XCL_EMULATION_MODE=noop) with a synthetic xclbin built here.
// Exercised: environment checks, spec errors, xclbin parsing (kernel
// argument offsets and their checks), device open, xclbin load, xrt::ip
// open, buffer-object allocation / map / sync, and the clear error when
// register access fails (noop has none). NOT exercised: any register value,
// the identity check passing, rings served by hardware (docs/driver.md).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <experimental/xrt_xclbin.h>

#include "vshard/driver/internal/backend.h"
#include "vshard/driver/internal/mover_core.h"
#include "vshard/driver/internal/regmap.h"
#include "vshard/driver/internal/xrt_layout.h"
#include "vshard/device.h"

namespace fs = std::filesystem;
using namespace vshard;

namespace {

struct Arg {
  const char* name;
  uint32_t offset;
  // 1 = global memory pointer (8 bytes, port m_axi_gmem), 0 = scalar
  // (4 bytes), 4 = AXI-Stream (port of the same name).
  int qualifier = 1;
};

struct KernelDesc {
  std::string name;
  std::vector<Arg> args;
};

// The one memory bank of a synthetic xclbin (MEM_TOPOLOGY type and tag).
struct Bank {
  uint8_t type;  // xclbin.h MEM_TYPE
  const char* tag;
};
const Bank kDdrBank = {1, "bank0"};      // MEM_DDR4
const Bank kHostBank = {10, "HOST[0]"};  // MEM_HOST: a platform's host-memory bank

// A minimal xclbin (axlf): EMBEDDED_METADATA (kernels, arguments, instances)
// and IP_LAYOUT (one IP per kernel).
std::vector<char> make_xclbin(const std::vector<KernelDesc>& kernels, const Bank& bank = kDdrBank) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project name=\"vshard\">\n"
      "<platform vendor=\"xilinx\" boardid=\"none\" name=\"noop\" featureRomTime=\"0\">\n"
      "<version major=\"1\" minor=\"0\"/>\n<device name=\"fpga0\" fpgaDevice=\"\" addrWidth=\"0\">\n"
      "<core name=\"OCL_REGION_0\" target=\"hw\" type=\"clc_region\" clockFreq=\"300MHz\" numComputeUnits=\"" +
      std::to_string(kernels.size()) + "\">\n";
  // IP_LAYOUT: int32 count, pad, then per IP {u32 type = IP_KERNEL, u32 props, u64 base, char name[64]}.
  std::vector<char> ipl(8 + 80 * kernels.size(), 0);
  const auto count = static_cast<int32_t>(kernels.size());
  std::memcpy(ipl.data(), &count, 4);
  for (size_t k = 0; k < kernels.size(); ++k) {
    const KernelDesc& kd = kernels[k];
    const uint64_t base = 0x1800000 + 0x10000 * k;
    char basetxt[24];
    std::snprintf(basetxt, sizeof basetxt, "0x%llX", static_cast<unsigned long long>(base));
    xml += "<kernel name=\"" + kd.name + "\" language=\"c\" vlnv=\"vshard:kernel:" + kd.name +
           ":1.0\" preferredWorkGroupSizeMultiple=\"0\" "
           "workGroupSize=\"1\" debug=\"false\" interrupt=\"false\" hwControlProtocol=\"user_managed\">\n"
           "<port name=\"s_axi_control\" mode=\"slave\" range=\"0x1000\" dataWidth=\"32\" portType=\"addressable\" "
           "base=\"0x0\"/>\n"
           "<port name=\"m_axi_gmem\" mode=\"master\" range=\"0xFFFFFFFFFFFFFFFF\" dataWidth=\"64\" "
           "portType=\"addressable\" base=\"0x0\"/>\n";
    int id = 0;
    for (const Arg& a : kd.args) {
      char off[16];
      std::snprintf(off, sizeof off, "0x%X", a.offset);
      const std::string port = a.qualifier == 1 ? "m_axi_gmem" : a.qualifier == 4 ? a.name : "s_axi_control";
      if (a.qualifier == 4) {
        xml += "<port name=\"" + port + "\" mode=\"read_only\" dataWidth=\"128\" portType=\"stream\"/>\n";
      }
      xml += "<arg name=\"" + std::string(a.name) + "\" addressQualifier=\"" + std::to_string(a.qualifier) +
             "\" id=\"" + std::to_string(id++) + "\" port=\"" + port + "\" size=\"" +
             (a.qualifier == 0 ? "0x4" : "0x8") + "\" offset=\"" + off + "\" hostOffset=\"0x0\" hostSize=\"" +
             (a.qualifier == 0 ? "0x4" : "0x8") + "\" type=\"" + (a.qualifier == 0 ? "uint" : "void*") + "\"/>\n";
    }
    xml += "<instance name=\"" + kd.name + "_1\"><addrRemap base=\"" + basetxt +
           "\" range=\"0x1000\" port=\"s_axi_control\"/></instance>\n</kernel>\n";
    const uint32_t type = 1;
    std::memcpy(ipl.data() + 8 + 80 * k, &type, 4);
    std::memcpy(ipl.data() + 8 + 80 * k + 8, &base, 8);
    const std::string ipname = kd.name + ":" + kd.name + "_1";
    std::memcpy(ipl.data() + 8 + 80 * k + 16, ipname.data(), ipname.size());
  }
  xml += "</core>\n</device>\n</platform>\n</project>\n";

  struct Sec {
    uint32_t kind;
    const char* name;
    std::vector<char> data;
  };
  // MEM_TOPOLOGY: int32 count, pad, then mem_data {u8 type, u8 used, pad[6],
  // u64 size in KiB, u64 base, char tag[16]}: one 16 GiB bank.
  std::vector<char> topo(8 + 40, 0);
  const int32_t banks = 1;
  const uint8_t used = 1;
  const uint64_t kib = 16ull << 20, mem_base = 0x4000000000ull;
  std::memcpy(topo.data(), &banks, 4);
  std::memcpy(topo.data() + 8, &bank.type, 1);
  std::memcpy(topo.data() + 9, &used, 1);
  std::memcpy(topo.data() + 16, &kib, 8);
  std::memcpy(topo.data() + 24, &mem_base, 8);
  std::memcpy(topo.data() + 32, bank.tag, std::strlen(bank.tag));
  // CONNECTIVITY: int32 count, then {i32 arg index, i32 ip_layout index, i32 mem index}
  // for every memory pointer argument.
  std::vector<int32_t> conn{0};
  for (size_t k = 0; k < kernels.size(); ++k) {
    for (size_t a = 0; a < kernels[k].args.size(); ++a) {
      if (kernels[k].args[a].qualifier != 1) continue;
      conn.insert(conn.end(), {static_cast<int32_t>(a), static_cast<int32_t>(k), 0});
      ++conn[0];
    }
  }
  std::vector<char> connb(conn.size() * 4);
  std::memcpy(connb.data(), conn.data(), connb.size());
  const std::vector<Sec> secs = {{2, "metadata", std::vector<char>(xml.begin(), xml.end())},
                                 {8, "ip_layout", ipl},
                                 {6, "mem_topology", topo},
                                 {7, "connectivity", connb}};
  const size_t head = 496 + 40 * (secs.size() - 1);
  size_t off = (head + 7) & ~size_t{7};
  std::vector<char> out(off, 0);
  auto put = [&](size_t at, const void* p, size_t n) { std::memcpy(out.data() + at, p, n); };
  put(0, "xclbin2\0", 8);
  const int32_t sig = -1;
  put(8, &sig, 4);
  std::memset(out.data() + 12, 0xFF, 28);
  // axlf_header at 304: m_length, timestamps, version 2.1, platform name, uuid, numSections
  const size_t h = 304;
  const uint8_t vmaj = 2, vmin = 1;
  put(h + 26, &vmaj, 1);
  put(h + 27, &vmin, 1);
  put(h + 48, "xilinx_noop", 11);
  const unsigned char uuid[16] = {0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78,
                                  0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78};
  put(h + 112, uuid, 16);
  const uint32_t nsec = static_cast<uint32_t>(secs.size());
  put(h + 144, &nsec, 4);
  for (size_t i = 0; i < secs.size(); ++i) {
    const size_t sh = 456 + 40 * i;
    put(sh, &secs[i].kind, 4);
    put(sh + 4, secs[i].name, std::strlen(secs[i].name));
    const uint64_t so = out.size(), ss = secs[i].data.size();
    put(sh + 24, &so, 8);
    put(sh + 32, &ss, 8);
    out.insert(out.end(), secs[i].data.begin(), secs[i].data.end());
    out.resize((out.size() + 7) & ~size_t{7}, 0);
  }
  const uint64_t total = out.size();
  put(h, &total, 8);
  return out;
}

// The ring front-end kernel of bitstreams/alveo (kernel_card.xml), by default.
std::vector<char> make_xclbin(const std::vector<Arg>& args, const char* kernel = "vs_card",
                              const Bank& bank = kDdrBank) {
  return make_xclbin(std::vector<KernelDesc>{{kernel, args}}, bank);
}

// The kernels bitstreams/alveo links (argument lists of vs_movers.cc).
KernelDesc mm2s_kernel() {
  return {"vs_mm2s", {{"ring", 0x10}, {"first", 0x1C, 0}, {"n", 0x24, 0}, {"size_log2", 0x2C, 0}, {"evt", 0x0, 4}}};
}
KernelDesc s2mm_kernel() {
  return {"vs_s2mm", {{"dec", 0x0, 4}, {"out", 0x10}, {"events", 0x1C, 0}, {"max", 0x24, 0}, {"written", 0x2C}}};
}
KernelDesc engine_kernel() { return {"vs_engine", {{"MAGIC", 0x0, 0}, {"CTRL", 0x40, 0}, {"STATUS", 0x44, 0}}}; }

const std::vector<Arg> kGoodArgs = {{"evq_base", 0x80}, {"dq_base", 0x94}, {"prestage_base", 0xAC}};

// A private XILINX_XRT with lib/ linking Debian's XRT shims; false if the
// noop shim is not installed.
bool setup_xrt_root(fs::path& dir) {
  const fs::path libdir = "/usr/lib/x86_64-linux-gnu";
  if (!fs::exists(libdir / "libxrt_noop.so.2")) return false;
  dir = fs::temp_directory_path() / ("vshard-xrt-" + std::to_string(::getpid()));
  fs::create_directories(dir / "lib");
  for (const auto& e : fs::directory_iterator(libdir)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("libxrt", 0) == 0 && !fs::exists(fs::symlink_status(dir / "lib" / n))) {
      fs::create_symlink(e.path(), dir / "lib" / n);
    }
  }
  return true;
}

std::string write_file(const fs::path& dir, const std::string& name, const std::vector<char>& data) {
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
  return p.string();
}

Errc code_of(const std::function<void()>& f, std::string& msg) {
  try {
    f();
  } catch (const Error& e) {
    msg = e.what();
    return e.code();
  }
  msg = "(no error)";
  return Errc::kInternal;
}

}  // namespace

TEST_CASE("xrt backend under XRT's noop emulation", "[driver][xrt]") {
  fs::path root;
  if (!setup_xrt_root(root)) {
    WARN("libxrt_noop.so.2 not installed: xrt backend test skipped");
    return;
  }
  std::string msg;

  ::unsetenv("XILINX_XRT");
  CHECK(code_of([] { Device::open("xrt://0?xclbin=x.xclbin"); }, msg) == Errc::kDeviceNotFound);
  CHECK(msg.find("XILINX_XRT") != std::string::npos);

  ::setenv("XILINX_XRT", root.c_str(), 1);
  ::setenv("XCL_EMULATION_MODE", "noop", 1);

  CHECK(code_of([] { Device::open("xrt://0"); }, msg) == Errc::kBadConfig);
  CHECK(msg.find("xclbin=") != std::string::npos);

  const std::string garbage = write_file(root, "garbage.xclbin", {'n', 'o', 'p', 'e'});
  CHECK(code_of([&] { Device::open("xrt://0?xclbin=" + garbage); }, msg) == Errc::kBadInput);
  CHECK(msg.find("cannot read xclbin") != std::string::npos);

  const std::string no_dq = write_file(root, "nodq.xclbin", make_xclbin({{"evq_base", 0x80}, {"prestage_base", 0xAC}}));
  CHECK(code_of([&] { Device::open("xrt://0?xclbin=" + no_dq); }, msg) == Errc::kIdentityMismatch);
  CHECK(msg.find("dq_base") != std::string::npos);

  const std::string good = write_file(root, "good.xclbin", make_xclbin(kGoodArgs));
  CHECK(code_of([&] { Device::open("xrt://0?xclbin=" + good + "&kernel=other"); }, msg) == Errc::kIdentityMismatch);
  CHECK(msg.find("kernels: vs_card") != std::string::npos);

  SECTION("offsets come from the xclbin's kernel arguments") {
    const std::string moved = write_file(
        root, "moved.xclbin", make_xclbin({{"evq_base", 0x300}, {"dq_base", 0x310}, {"prestage_base", 0x320}}));
    const auto lay = driver::xrt_kernel_layout(xrt::xclbin(moved), "vs_card", "test");
    CHECK(lay.remap.at(driver::reg::kEvqBaseLo) == 0x300);
    CHECK(lay.remap.at(driver::reg::kEvqBaseHi) == 0x304);
    CHECK(lay.remap.at(driver::reg::kDqBaseLo) == 0x310);
    CHECK(lay.remap.at(driver::reg::kPrestageBaseHi) == 0x324);
    CHECK(lay.remap.size() == 6);
    CHECK(lay.mem_group == 0);
    CHECK_FALSE(lay.host_memory);  // a DDR4 bank: normal buffers, synced
    const std::string host = write_file(root, "host.xclbin", make_xclbin(kGoodArgs, "vs_card", kHostBank));
    CHECK(driver::xrt_kernel_layout(xrt::xclbin(host), "vs_card", "test").host_memory);
  }

  SECTION("a data-mover card (bitstreams/alveo): its layout, and what is missing is named") {
    const std::string alveo =
        write_file(root, "alveo.xclbin", make_xclbin({engine_kernel(), mm2s_kernel(), s2mm_kernel()}));
    const auto lay = driver::xrt_mover_layout(xrt::xclbin(alveo), "vs_engine", "test");
    REQUIRE(lay);
    CHECK(lay->engine == "vs_engine");
    CHECK(lay->mm2s_ring == 0);
    CHECK(lay->s2mm_out == 1);
    CHECK(lay->s2mm_written == 4);
    CHECK_FALSE(driver::xrt_mover_layout(xrt::xclbin(good), "vs_engine", "test"));

    const auto mismatch = [&](const std::vector<KernelDesc>& ks, const char* name) {
      const std::string f = write_file(root, name, make_xclbin(ks));
      return code_of([&] { driver::xrt_mover_layout(xrt::xclbin(f), "vs_engine", "test"); }, msg);
    };
    CHECK(mismatch({engine_kernel(), mm2s_kernel()}, "one.xclbin") == Errc::kIdentityMismatch);
    CHECK(msg.find("has 'vs_mm2s' but not 'vs_s2mm'") != std::string::npos);
    CHECK(mismatch({mm2s_kernel(), s2mm_kernel()}, "noengine.xclbin") == Errc::kIdentityMismatch);
    CHECK(msg.find("no engine kernel 'vs_engine' (kernels: vs_mm2s, vs_s2mm)") != std::string::npos);
    KernelDesc short_mm2s = mm2s_kernel();
    short_mm2s.args.erase(short_mm2s.args.begin() + 3);
    CHECK(mismatch({engine_kernel(), short_mm2s, s2mm_kernel()}, "nolog2.xclbin") == Errc::kIdentityMismatch);
    CHECK(msg.find("'vs_mm2s' has no argument 'size_log2'") != std::string::npos);
    KernelDesc scalar_out = s2mm_kernel();
    scalar_out.args[1].qualifier = 0;
    CHECK(mismatch({engine_kernel(), mm2s_kernel(), scalar_out}, "scalarout.xclbin") == Errc::kIdentityMismatch);
    CHECK(msg.find("vs_s2mm.out is 4 bytes, expected a 64-bit pointer") != std::string::npos);

    // Through the public API (engine kernel vs_engine by default): the movers
    // are set up (xrt::kernel, memory banks, buffers, runs) and the open gets
    // as far as the identity check, which noop's register access refuses.
    CHECK(code_of([&] { Device::open("xrt://0?xclbin=" + alveo); }, msg) == Errc::kDeviceFailed);
    CHECK(msg.find("register read at " + std::to_string(driver::reg::kNNodes)) != std::string::npos);
    CHECK(msg.find("setting up the data movers") == std::string::npos);

    // One transfer through XRT: events written and synced, both runs started
    // and waited for. noop completes every run without running anything, so
    // no decision comes back, and MoverCore says so.
    auto link = driver::make_xrt_mover_link("0", alveo, "vs_engine");
    Event evs[3];
    Decision out[3 * kMaxDecisionsPerEvent];
    CHECK(link->transfer(evs, 3, out, 3 * kMaxDecisionsPerEvent) == 0);
    CHECK(code_of([&] { link->transfer(evs, driver::kMoverBatch + 1, out, 3); }, msg) == Errc::kDeviceFailed);
    CHECK(msg.find("does not fit the movers' buffers") != std::string::npos);
    driver::MoverCore core(std::move(link), 4);
    CHECK(core.offer(evs[0]));
    CHECK(core.offer(evs[1]));
    CHECK_FALSE(core.run());
    CHECK(core.fault() == "2 events came back with 0 LAST flags in 0 decisions (expected 2)");
    const auto details = core.details();
    CHECK(details.front().second.find("between the data movers vs_mm2s and vs_s2mm") != std::string::npos);
  }

  SECTION("device, xclbin and ip open; buffers work; register access fails clearly") {
    auto be = driver::make_xrt_backend("0", good, "");
    CHECK(std::string(be->name()) == "xrt");
    auto mem = be->alloc(3 * 4096);
    REQUIRE(mem->size() == 3 * 4096);
    CHECK(mem->device_address() != 0);
    std::memset(mem->data(), 0x5A, mem->size());
    mem->sync_to_device(0, mem->size());
    mem->sync_from_device(4096, 64);
    CHECK(mem->data()[4096] == 0x5A);
    CHECK(be->details().back().second == "card memory (bank 0)");
    // In a host-memory bank the buffers are host_only (noop allocates them too).
    const std::string host = write_file(root, "hostmem.xclbin", make_xclbin(kGoodArgs, "vs_card", kHostBank));
    auto hbe = driver::make_xrt_backend("0", host, "");
    CHECK(hbe->details().back().second == "host memory (HOST bank 0)");
    auto hmem = hbe->alloc(4096);
    std::memset(hmem->data(), 0xA5, 4096);
    hmem->sync_to_device(0, 4096);
    CHECK(hmem->data()[100] == 0xA5);
    CHECK(code_of([&] { be->read32(driver::reg::kMagic); }, msg) == Errc::kDeviceFailed);
    CHECK(msg.find("register read") != std::string::npos);
    // Through the public API the open gets as far as the identity check.
    CHECK(code_of([&] { Device::open("xrt://0?xclbin=" + good); }, msg) == Errc::kDeviceFailed);
    CHECK(msg.find("register read at 0") != std::string::npos);
  }
  std::error_code ec;
  fs::remove_all(root, ec);
}
