// Descriptors, event logs (binary and text) and decision formatting.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "vshard/error.h"
#include "vshard/event_gen.h"
#include "vshard/event_log.h"
#include "vshard/file.h"
#include "vshard/model.h"

using namespace vshard;

namespace {

// Runs f, which must throw vshard::Error(kBadInput) whose message contains every needle.
template <typename F>
void require_bad_input(F f, std::initializer_list<const char*> needles) {
  try {
    f();
    FAIL("no error");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.code() == Errc::kBadInput);
    for (const char* n : needles) CHECK(std::string(e.what()).find(n) != std::string::npos);
  }
}

std::filesystem::path tmp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("vshard_model_test_" + std::to_string(::getpid()) + "_" + name);
}

}  // namespace

TEST_CASE("3 descriptor byte layout is little-endian, one layout for all types") {
  Descriptor d{0x0C, 0x80, 0x1234, 0xA1B2C3D4u, 0x56, 0x78, 0x9ABC, 0x0102F3F4u};
  uint8_t b[16];
  encode(d, b);
  const uint8_t expect[16] = {0x0C, 0x80, 0x34, 0x12, 0xD4, 0xC3, 0xB2, 0xA1,
                              0x56, 0x78, 0xBC, 0x9A, 0xF4, 0xF3, 0x02, 0x01};
  for (int i = 0; i < 16; ++i) CHECK(b[i] == expect[i]);
  CHECK(decode(b) == d);
}

TEST_CASE("3 event constructors fill the spec's fields") {
  CHECK(make_wake(1, 2, true) == Event{{0x01, 0x01, 2, 1, 0, 0, 0, 0}});
  CHECK(make_block(1, 2) == Event{{0x02, 0, 2, 1, 0, 0, 0, 0}});
  CHECK(make_sched(1, 2, 3) == Event{{0x03, 0, 2, 1, 3, 0, 0, 0}});
  CHECK(make_tick(1, 3, 4, 5) == Event{{0x04, 0, 0, 1, 3, 4, 5, 0}});
  CHECK(make_profile(1, 2, 4, 5) == Event{{0x05, 0, 2, 1, 0, 4, 5, 0}});
  CHECK(make_util(1, 3, 4, 2) == Event{{0x06, 0x02, 0, 1, 3, 4, 0, 0}});
  CHECK(make_shard_done(1, 2, 3) == Event{{0x07, 0, 2, 1, 3, 0, 0, 0}});
  CHECK(make_account(1) == Event{{0x08, 0, 0, 1, 0, 0, 0, 0}});
  CHECK(make_config(1, 0x13, 77) == Event{{0x09, 0, 0, 1, 0, 0, 0x13, 77}});
  CHECK(make_core_cfg(1, 3, 1, true) == Event{{0x0A, 0x01, 0, 1, 3, 1, 0, 0}});
  CHECK(make_vcpu_cfg(1, 2, 1, 200) == Event{{0x0B, 0, 2, 1, 0, 1, 200, 0}});
  CHECK(make_commit(1, 2, 3, 1, 99) == Event{{0x0C, 0, 2, 1, 3, 1, 0, 99}});
  CHECK(std::string(event_type_name(0x07)) == "SHARD_DONE");
  CHECK(std::string(decision_type_name(0x02)) == "PREEMPT");
  CHECK(std::string(error_code_name(0x0A)) == "E_BAD_STATE");
  CHECK(std::string(error_code_name(0x0C)) == "E_CFG_LOCKED");
  CHECK(std::string(event_type_name(0)) == "?");
}

TEST_CASE("event text form: named and RAW lines") {
  CHECK(format_event(make_wake(7, 3, true)) == "WAKE seq=7 vcpu=3 lat=1");
  CHECK(format_event(make_config(9, cfg::kSliceUs, 20000)) == "CONFIG seq=9 key=SLICE_US value=20000");
  CHECK(format_event(make_config(9, cfg::kShardMinCredit, static_cast<uint32_t>(-300))) ==
        "CONFIG seq=9 key=SHARD_MIN_CREDIT value=-300");
  CHECK(format_event(make_config(9, 0x40 + 8 * 1 + 0, 30)) == "CONFIG seq=9 key=NUMA_DIST[1][0] value=30");
  CHECK(format_event(make_config(9, 0x30, 1)) == "CONFIG seq=9 key=0x30 value=1");
  CHECK(format_event(make_tick(8, 2, 128, 1000)) == "TICK seq=8 core=2 util=128 elapsed=1000");
  CHECK(format_event(make_commit(4, 1, 2, 0, 17)) == "COMMIT seq=4 vcpu=1 core=2 node=0 epoch=17");
  Event bad = make_block(5, 1);
  bad.d32 = 3;
  CHECK(format_event(bad) == "RAW seq=5 type=0x2 flags=0x0 vcpu=1 core=0 b8=0 c16=0 d32=3");
  Event zero;
  CHECK(format_event(zero) == "RAW seq=0 type=0x0 flags=0x0 vcpu=0 core=0 b8=0 c16=0 d32=0");
  // Parsing: any order, optional seq, names or numbers for keys, negative values.
  CHECK(parse_event("WAKE lat=1 vcpu=3", 6, "t") == make_wake(7, 3, true));
  CHECK(parse_event("CONFIG key=NUMA_DIST[1][0] value=0x1E seq=2", 0, "t") == make_config(2, 0x48, 30));
  CHECK(parse_event("CONFIG key=13 value=-300", 0, "t") == make_config(1, 13, static_cast<uint32_t>(-300)));
  CHECK(parse_event("RAW seq=5 type=0x2 flags=0x0 vcpu=1 core=0 b8=0 c16=0 d32=3", 0, "t") == bad);
  // Spec 1.1's optional fields: PROFILE erun, VCPU_CFG cap (d32[15:0]); written only when not 0.
  CHECK(format_event(make_profile(3, 1, 2, 40)) == "PROFILE seq=3 vcpu=1 blocks=2 cost=40");
  CHECK(format_event(make_profile(3, 1, 0, 0, 150)) == "PROFILE seq=3 vcpu=1 blocks=0 cost=0 erun=150");
  CHECK(format_event(make_vcpu_cfg(3, 1, 0, 16, 3000)) == "VCPU_CFG seq=3 vcpu=1 home=0 weight=16 cap=3000");
  CHECK(parse_event("PROFILE vcpu=1 blocks=2 cost=40", 2, "t") == make_profile(3, 1, 2, 40));
  CHECK(parse_event("PROFILE erun=65535 vcpu=1 blocks=2 cost=40", 2, "t") == make_profile(3, 1, 2, 40, 65535));
  CHECK(parse_event("VCPU_CFG vcpu=1 home=0 weight=16 cap=3000", 2, "t") == make_vcpu_cfg(3, 1, 0, 16, 3000));
  CHECK_THROWS_AS(parse_event("PROFILE vcpu=1 blocks=2 cost=40 erun=65536", 0, "t"), Error);
  Event wide = make_profile(3, 1, 2, 40);
  wide.d32 = 0x10000;  // d32[31:16] reserved: only RAW can say it
  CHECK(format_event(wide) == "RAW seq=3 type=0x5 flags=0x0 vcpu=1 core=0 b8=2 c16=40 d32=65536");
}

TEST_CASE("decision text form") {
  Decision p{{0x02, kFlagLast | kFlagCommitted, 12, 7, 3, 2, 3, 0}};
  CHECK(format_decision(p) == "PREEMPT seq=7 victim=12 core=3 by=3 k=2 committed last");
  CHECK(format_decision(Decision{{0x03, 0, 12, 7, 5, 1, 3, 3}}) == "SHARD seq=7 victim=12 core=5 i=1 first=3 count=3");
  CHECK(format_decision(Decision{{0x06, 1, 0, 8, 2, 0x04, 0, 0}}) == "ACK seq=8 vcpu=0 core=2 type=TICK last");
  CHECK(format_decision(Decision{{0x08, 1, 70, 9, 0, 0x03, 0x01, 0}}) ==
        "ERROR seq=9 vcpu=70 core=0 code=E_BAD_VCPU type=WAKE last");
  CHECK(format_decision(Decision{{0x08, 1, 0, 9, 0, 0x01, 0xEE, 0}}) ==
        "ERROR seq=9 vcpu=0 core=0 code=E_BAD_TYPE type=0xEE last");
  CHECK(format_decision(Decision{{0x07, 0, 4, 9, 1, 0, 0, 5}}) == "ABORT seq=9 vcpu=4 core=1 node=0 epoch=5");
  CHECK(format_decision(Decision{{0x05, 1, 4, 9, 0, 0, 0, 0}}) == "QUEUED seq=9 vcpu=4 last");
  CHECK(format_decision(Decision{{0x04, 1, 4, 9, 6, 0, 0, 0}}) == "RESUME seq=9 vcpu=4 core=6 last");
  CHECK(format_decision(Decision{{0x01, 3, 4, 9, 6, 0, 0, 0}}) == "RUN seq=9 vcpu=4 core=6 committed last");
  CHECK(format_decision(Decision{{0x01, 0, 4, 9, 6, 0, 0, 1}}) ==
        "RAW seq=9 type=0x1 flags=0x0 vcpu=4 core=6 b8=0 c16=0 d32=1");
  CHECK(format_decision(Decision{{0x09, 1, 4, 9, 3, 0, 0, 0}}) == "PARK seq=9 vcpu=4 core=3 last");
  CHECK(format_decision(Decision{{0x09, 0, 4, 9, 3, 0, 0, 7}}).rfind("RAW ", 0) == 0);  // PARK has no d32
  CHECK(format_decision(Decision{{0x0A, 0, 0, 1, 0, 0, 0, 0}}).rfind("RAW ", 0) == 0);
  CHECK(format_decision(Decision{{0x08, 1, 4, 9, 3, 0x0D, 0x03, 0}}) ==
        "ERROR seq=9 vcpu=4 core=3 code=E_CAPPED type=SCHED last");
}

TEST_CASE("event log binary and text round trips, including malformed events") {
  EventGenOptions o;
  o.bad_fraction = 0.3;  // many RAW lines
  const EventLog log = generate_event_log(Params::large(), 21, 5000, o);
  const auto bytes = encode_event_log(log);
  CHECK(bytes.size() == 32 + 16 * log.events.size());
  CHECK(decode_event_log(bytes.data(), bytes.size(), "mem") == log);
  const std::string text = format_event_log_text(log);
  CHECK(text.find("RAW ") != std::string::npos);
  CHECK(parse_event_log_text(text, "mem") == log);
  // Files, with auto-detection.
  const auto bin = tmp_path("a.evlog"), txt = tmp_path("a.evlog.txt");
  save_event_log(bin.string(), log, LogFormat::kBinary);
  save_event_log(txt.string(), log, LogFormat::kText);
  CHECK(load_event_log(bin.string()) == log);
  CHECK(load_event_log(txt.string()) == log);
  std::filesystem::remove(bin);
  std::filesystem::remove(txt);
}

TEST_CASE("every 16-byte descriptor round-trips through the text form") {
  // Random bytes: mostly RAW lines, some named.
  uint64_t x = 12345;
  EventLog log;
  log.params = Params::small();
  for (int i = 0; i < 3000; ++i) {
    uint8_t b[16];
    for (auto& v : b) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      v = static_cast<uint8_t>(x >> 56);
    }
    if (i % 3 == 0) b[0] = static_cast<uint8_t>(1 + i % 12);  // known types
    Event e;
    static_cast<Descriptor&>(e) = decode(b);
    log.events.push_back(e);
  }
  CHECK(parse_event_log_text(format_event_log_text(log), "mem") == log);
}

TEST_CASE("binary event log: malformed input names the file and the offset") {
  EventLog log = generate_event_log(Params::small(), 1, 10);
  auto bytes = encode_event_log(log);
  auto dec = [](std::vector<uint8_t> b) { return [b] { decode_event_log(b.data(), b.size(), "x.evlog"); }; };
  {
    auto b = bytes;
    b.resize(b.size() - 5);
    require_bad_input(dec(b), {"x.evlog", "offset 176", "truncated descriptor"});
  }
  {
    auto b = bytes;
    b.resize(b.size() - 16);
    require_bad_input(dec(b), {"x.evlog", "offset 24", "10 events"});
  }
  {
    auto b = bytes;
    b[0] = 'X';
    require_bad_input(dec(b), {"offset 0", "magic"});
  }
  {
    auto b = bytes;
    b.resize(20);
    require_bad_input(dec(b), {"truncated header"});
  }
  {
    auto b = bytes;
    b[4] = 9;
    require_bad_input(dec(b), {"offset 4", "version 9"});
  }
  {
    auto b = bytes;
    b[8] = 0;  // NCores = 0
    require_bad_input(dec(b), {"offset 8", "NCores"});
  }
}

TEST_CASE("text event log: malformed lines name file:line and the field") {
  const std::string head = "# params small\n";
  auto parse = [&](const std::string& body) { return [=] { parse_event_log_text(head + body, "d.txt"); }; };
  require_bad_input(parse("WAKE vcpu=1 lat=1\nFOO vcpu=1\n"), {"d.txt:3", "unknown event type 'FOO'"});
  require_bad_input(parse("WAKE vcpu=1\n"), {"d.txt:2", "'lat' missing"});
  require_bad_input(parse("WAKE vcpu=x lat=0\n"), {"d.txt:2", "field 'vcpu'", "not a number"});
  require_bad_input(parse("WAKE vcpu=70000 lat=0\n"), {"field 'vcpu'", "does not fit"});
  require_bad_input(parse("WAKE vcpu=1 lat=2\n"), {"field 'lat'"});
  require_bad_input(parse("WAKE vcpu=1 lat=1 core=2\n"), {"unknown field 'core'"});
  require_bad_input(parse("WAKE vcpu=1 vcpu=2 lat=1\n"), {"given twice"});
  require_bad_input(parse("WAKE vcpu=-1 lat=1\n"), {"negative"});
  require_bad_input(parse("CONFIG key=SLICE value=1\n"), {"field 'key'", "SLICE"});
  require_bad_input(parse("TICK core=1 util=2\n"), {"'elapsed' missing"});
  require_bad_input(parse("RAW type=1 flags=0 vcpu=0 core=0 b8=0 c16=0\n"), {"'d32' missing"});
  require_bad_input(parse("WAKE vcpu=1 lat\n"), {"field=value"});
  require_bad_input([] { parse_event_log_text("WAKE vcpu=1 lat=1\n", "n.txt"); }, {"n.txt:1", "no parameters"});
  require_bad_input([] { parse_event_log_text("# params cores=8 vcpus=64 nodes=2\n", "p.txt"); },
                    {"p.txt:1", "max_shards"});
  require_bad_input([] { parse_event_log_text("# params cores=300 vcpus=64 nodes=2 max_shards=4\n", "p.txt"); },
                    {"p.txt:1", "NCores"});
  // Parameters from a fallback, comments anywhere.
  const EventLog l = parse_event_log_text("WAKE vcpu=1 lat=1 # a comment\n\n  # only a comment\nBLOCK vcpu=1\n",
                                          "f.txt", Params::large());
  CHECK(l.params == Params::large());
  REQUIRE(l.events.size() == 2);
  CHECK(l.events[1] == make_block(2, 1));
  // Missing file.
  try {
    load_event_log("/nonexistent/dir/x.evlog");
    FAIL("no error");
  } catch (const Error& e) { CHECK(e.code() == Errc::kIo); }
}

TEST_CASE("the demo event log replays as its comments describe") {
  const EventLog log = load_event_log(VSHARD_TEST_DATA_DIR "/demo_small.evlog.txt");
  CHECK(log.params == Params::small());
  Model m(log.params);
  std::vector<Decision> d;
  for (const Event& e : log.events) m.step(e, d);
  const Counters& c = m.counters();
  CHECK(c.preempts >= 2);
  CHECK(c.shards >= 2);
  CHECK(c.commits == 1);
  CHECK(c.aborts == 1);
  CHECK(c.errors >= 2);
  CHECK(c.errors >= 4);
  size_t parks = 0, resumes = 0;
  for (const Decision& x : d) {
    parks += x.type == static_cast<uint8_t>(DecisionType::kPark);
    resumes += x.type == static_cast<uint8_t>(DecisionType::kResume);
  }
  CHECK(parks == 1);    // spec 1.1 caps
  CHECK(resumes == 0);  // 1.0 only
  CHECK(m.vcpu(1).shards == 0);
  CHECK(m.vcpu(1).blocks == 2);  // 10 blocks, 4 shards of 2
  // The whole decision stream equals the checked-in golden text.
  std::ifstream f(VSHARD_TEST_DATA_DIR "/demo_small.decisions.txt");
  REQUIRE(f);
  std::vector<std::string> golden;
  for (std::string line; std::getline(f, line);)
    if (!line.empty() && line[0] != '#') golden.push_back(line);
  REQUIRE(golden.size() == d.size());
  for (size_t i = 0; i < d.size(); ++i) CHECK(format_decision(d[i]) == golden[i]);
}

TEST_CASE("read_file: missing, directory, FIFO and over-limit files are refused at once") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vshard-read-file-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto code_of = [](auto f) {
    try {
      f();
    } catch (const Error& e) { return std::make_pair(e.code(), std::string(e.what())); }
    FAIL("no error");
    return std::make_pair(Errc::kInternal, std::string());
  };
  const std::string small = (dir / "small").string();
  std::ofstream(small) << "0123456789";
  CHECK(read_file(small, "test file", 10) == "0123456789");
  auto [c1, m1] = code_of([&] { read_file(small, "test file", 9); });
  CHECK(c1 == Errc::kBadInput);
  CHECK(m1.find("10 bytes, more than the 9") != std::string::npos);
  auto [c2, m2] = code_of([&] { read_file((dir / "missing").string(), "test file", 100); });
  CHECK(c2 == Errc::kIo);
  CHECK(m2.find("No such file") != std::string::npos);
  auto [c3, m3] = code_of([&] { read_file(dir.string(), "test file", 100); });
  CHECK(c3 == Errc::kIo);
  CHECK(m3.find("is a directory") != std::string::npos);
  const std::string fifo = (dir / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto [c4, m4] = code_of([&] { read_file(fifo, "test file", 100); });  // would block if opened
  CHECK(c4 == Errc::kIo);
  CHECK(m4.find("not a regular file") != std::string::npos);
  // load_event_log takes its limit from kMaxEventLogBytes: a sparse file one
  // byte over it is refused without being read.
  const std::string huge = (dir / "huge.evlog").string();
  { std::ofstream(huge).close(); }
  fs::resize_file(huge, kMaxEventLogBytes + 1);
  auto [c5, m5] = code_of([&] { load_event_log(huge); });
  CHECK(c5 == Errc::kBadInput);
  CHECK(m5.find("more than the") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("check_toml_non_ascii: non-ASCII only in comments every reading of the line agrees on") {
  auto refused = [](const std::string& text) {
    try {
      vshard::check_toml_non_ascii(text, "s.toml");
    } catch (const vshard::Error& e) {
      CHECK(e.code() == vshard::Errc::kBadInput);
      CHECK_THAT(e.what(), Catch::Contains("s.toml:") && Catch::Contains("non-ASCII"));
      return true;
    }
    return false;
  };
  CHECK_FALSE(refused("# 25 \xc2\xb5s mean\nname = \"x\"\n"));  // a full-line comment
  CHECK_FALSE(refused("a = 1  # \xc2\xb5s\n"));                 // a comment no quote precedes
  CHECK_FALSE(refused("name = 'plain ascii'\n"));
  CHECK(refused("name = \"\xc3\xa9\"\n"));  // in a string
  // A '#' inside a string is no comment (the fuzzers' finding: toml++ then
  // scanned the token after the string into undefined behaviour).
  CHECK(
      refused("'## '\xef\xba\xbf"
              "a2\n"));
  CHECK(refused("name = \"x\"  # \xc2\xb5s\n"));  // a quote precedes the '#': conservative
  CHECK(refused("1x\"\xc2\xb5\n"));
  // Multi-line strings may hold '#' and newlines: no non-ASCII anywhere.
  CHECK(refused("a = '''\nx\n'''\n# \xc2\xb5\n"));
  CHECK(refused("a = \"\"\"\nx\n\"\"\"\n# \xc2\xb5\n"));
  // The line number is the offending character's.
  try {
    vshard::check_toml_non_ascii("a = 1\nb = 2\nc = \"\xc3\xa9\"\n", "s.toml");
    FAIL("not refused");
  } catch (const vshard::Error& e) { CHECK_THAT(e.what(), Catch::StartsWith("s.toml:3:")); }
}
