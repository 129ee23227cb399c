// Event logs: binary and text forms (include/vshard/event_log.h).
#include "vshard/event_log.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "vshard/error.h"
#include "vshard/file.h"
#include "vshard/model.h"
#include "vshard/regs.h"

namespace vshard {

namespace {

// ---- field tables -----------------------------------------------------------

enum Slot : uint8_t { kSlotFlags, kSlotVcpu, kSlotCore, kSlotB8, kSlotC16, kSlotD32 };

struct Field {
  const char* name;
  Slot slot;
  uint32_t max;           // largest value (flags fields: the bit mask)
  bool optional = false;  // may be left out (0); written only when not 0
};

struct EventForm {
  const char* name;
  uint8_t flag_mask;  // defined flag bits
  Field fields[4];
  int nfields;
};

// Index = event type code.
const EventForm kEventForms[13] = {
    {"?", 0, {}, 0},
    {"WAKE", 0x01, {{"vcpu", kSlotVcpu, 0xFFFF}, {"lat", kSlotFlags, 1}}, 2},
    {"BLOCK", 0, {{"vcpu", kSlotVcpu, 0xFFFF}}, 1},
    {"SCHED", 0, {{"vcpu", kSlotVcpu, 0xFFFF}, {"core", kSlotCore, 0xFF}}, 2},
    {"TICK", 0, {{"core", kSlotCore, 0xFF}, {"util", kSlotB8, 0xFF}, {"elapsed", kSlotC16, 0xFFFF}}, 3},
    {"PROFILE",
     0,
     {{"vcpu", kSlotVcpu, 0xFFFF},
      {"blocks", kSlotB8, 0xFF},
      {"cost", kSlotC16, 0xFFFF},
      {"erun", kSlotD32, 0xFFFF, true}},
     4},
    {"UTIL", 0x03, {{"core", kSlotCore, 0xFF}, {"util", kSlotB8, 0xFF}, {"freq", kSlotFlags, 3}}, 3},
    {"SHARD_DONE", 0, {{"vcpu", kSlotVcpu, 0xFFFF}, {"core", kSlotCore, 0xFF}}, 2},
    {"ACCOUNT", 0, {}, 0},
    {"CONFIG", 0, {{"key", kSlotC16, 0xFFFF}, {"value", kSlotD32, 0xFFFFFFFF}}, 2},
    {"CORE_CFG", 0x01, {{"core", kSlotCore, 0xFF}, {"node", kSlotB8, 0xFF}, {"online", kSlotFlags, 1}}, 3},
    {"VCPU_CFG",
     0,
     {{"vcpu", kSlotVcpu, 0xFFFF},
      {"home", kSlotB8, 0xFF},
      {"weight", kSlotC16, 0xFFFF},
      {"cap", kSlotD32, 0xFFFF, true}},
     4},
    {"COMMIT",
     0,
     {{"vcpu", kSlotVcpu, 0xFFFF}, {"core", kSlotCore, 0xFF}, {"node", kSlotB8, 0xFF}, {"epoch", kSlotD32, 0xFFFFFFFF}},
     4},
};

const Field kRawFields[7] = {{"type", kSlotFlags, 0xFF},   {"flags", kSlotFlags, 0xFF}, {"vcpu", kSlotVcpu, 0xFFFF},
                             {"core", kSlotCore, 0xFF},    {"b8", kSlotB8, 0xFF},       {"c16", kSlotC16, 0xFFFF},
                             {"d32", kSlotD32, 0xFFFFFFFF}};

uint32_t get_slot(const Descriptor& d, Slot s) {
  switch (s) {
    case kSlotFlags: return d.flags;
    case kSlotVcpu: return d.vcpu;
    case kSlotCore: return d.core;
    case kSlotB8: return d.b8;
    case kSlotC16: return d.c16;
    case kSlotD32: return d.d32;
  }
  return 0;
}

void set_slot(Descriptor& d, Slot s, uint32_t v) {
  switch (s) {
    case kSlotFlags: d.flags = static_cast<uint8_t>(d.flags | v); break;
    case kSlotVcpu: d.vcpu = static_cast<uint16_t>(v); break;
    case kSlotCore: d.core = static_cast<uint8_t>(v); break;
    case kSlotB8: d.b8 = static_cast<uint8_t>(v); break;
    case kSlotC16: d.c16 = static_cast<uint16_t>(v); break;
    case kSlotD32: d.d32 = v; break;
  }
}

// True when the named form of the event's type expresses every bit of it.
bool named_form_fits(const Event& e) {
  if (e.type == 0 || e.type > 0x0C) return false;
  const EventForm& f = kEventForms[e.type];
  if (e.flags & ~f.flag_mask) return false;
  bool used[6] = {true, false, false, false, false, false};
  for (int i = 0; i < f.nfields; ++i) {
    used[f.fields[i].slot] = true;
    if (f.fields[i].slot != kSlotFlags && get_slot(e, f.fields[i].slot) > f.fields[i].max) return false;
  }
  for (int s = kSlotVcpu; s <= kSlotD32; ++s)
    if (!used[s] && get_slot(e, static_cast<Slot>(s)) != 0) return false;
  return true;
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%X", v);
  return buf;
}

// Names of the scalar configuration keys: the register map's table
// (include/vshard/regs.h, generated), one row per key in key order.
static_assert(std::size(regs::kCfgKeys) == cfg::kNumScalarKeys);
constexpr bool cfg_keys_in_order() {
  for (uint16_t k = 0; k < cfg::kNumScalarKeys; ++k)
    if (regs::kCfgKeys[k].key != k) return false;
  return true;
}
static_assert(cfg_keys_in_order(), "regs::kCfgKeys must list the scalar keys in key order");
const char* scalar_key_name(uint16_t key) { return regs::kCfgKeys[key].name; }

// ---- text tokenising -----------------------------------------------------------

[[noreturn]] void fail(const std::string& where, const std::string& msg) {
  throw Error(Errc::kBadInput, where + ": " + msg);
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\r') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Unsigned number, decimal or 0x-hex, at most max. Negative numbers only when allow_negative
// (two's complement in 32 bits, down to -2^31).
uint32_t parse_number(std::string_view text, uint32_t max, bool allow_negative, const std::string& where,
                      const std::string& field) {
  bool neg = false;
  std::string_view t = text;
  if (!t.empty() && t[0] == '-') {
    if (!allow_negative) fail(where, "field '" + field + "': negative value '" + std::string(text) + "' not allowed");
    neg = true;
    t.remove_prefix(1);
  }
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size())
    fail(where, "field '" + field + "': '" + std::string(text) + "' is not a number");
  if (neg) {
    if (v > 0x80000000ull) fail(where, "field '" + field + "': " + std::string(text) + " is below -2147483648");
    return static_cast<uint32_t>(-static_cast<int64_t>(v));
  }
  if (v > max)
    fail(where, "field '" + field + "': " + std::string(text) + " does not fit (largest " + std::to_string(max) + ")");
  return static_cast<uint32_t>(v);
}

// key=value tokens after the first; returns pairs; rejects duplicates.
std::vector<std::pair<std::string_view, std::string_view>> kv_pairs(const std::vector<std::string_view>& toks,
                                                                    const std::string& where) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (size_t i = 1; i < toks.size(); ++i) {
    const size_t eq = toks[i].find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == toks[i].size())
      fail(where, "expected field=value, got '" + std::string(toks[i]) + "'");
    const std::string_view k = toks[i].substr(0, eq);
    for (auto& p : out)
      if (p.first == k) fail(where, "field '" + std::string(k) + "' given twice");
    out.emplace_back(k, toks[i].substr(eq + 1));
  }
  return out;
}

Params parse_params_line(std::string_view rest, const std::string& where) {
  const auto toks = split_ws(rest);
  if (toks.size() == 1 && toks[0].find('=') == std::string_view::npos) {
    try {
      return Params::named(std::string(toks[0]));
    } catch (const Error& e) { fail(where, e.what()); }
  }
  std::vector<std::string_view> with_head{"params"};
  with_head.insert(with_head.end(), toks.begin(), toks.end());
  Params p{0, 0, 0, 0};
  bool seen[4] = {};
  for (auto& [k, v] : kv_pairs(with_head, where)) {
    const std::string key(k);
    uint32_t* dst = nullptr;
    int idx = -1;
    if (key == "cores") dst = &p.cores, idx = 0;
    else if (key == "vcpus") dst = &p.vcpus, idx = 1;
    else if (key == "nodes") dst = &p.nodes, idx = 2;
    else if (key == "max_shards") dst = &p.max_shards, idx = 3;
    else fail(where, "params: unknown field '" + key + "' (use cores, vcpus, nodes, max_shards)");
    *dst = parse_number(v, 0xFFFFFFFF, false, where, key);
    seen[idx] = true;
  }
  for (int i = 0; i < 4; ++i)
    if (!seen[i])
      fail(where, std::string("params: field '") +
                      (i == 0   ? "cores"
                       : i == 1 ? "vcpus"
                       : i == 2 ? "nodes"
                                : "max_shards") +
                      "' missing (write '# params cores=8 vcpus=64 nodes=2 max_shards=4' or '# params small')");
  try {
    p.validate();
  } catch (const Error& e) { fail(where, e.what()); }
  return p;
}

void put_le(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

// ---- config keys -------------------------------------------------------------------

std::string config_key_name(uint16_t key) {
  if (key < cfg::kNumScalarKeys) return scalar_key_name(key);
  if (key >= cfg::kNumaDistBase && key < cfg::kNumaDistBase + 64) {
    const int i = (key - cfg::kNumaDistBase) >> 3, j = (key - cfg::kNumaDistBase) & 7;
    return "NUMA_DIST[" + std::to_string(i) + "][" + std::to_string(j) + "]";
  }
  return hex(key);
}

std::optional<uint16_t> config_key_from_name(std::string_view name) {
  for (uint16_t k = 0; k < cfg::kNumScalarKeys; ++k)
    if (name == scalar_key_name(k)) return k;
  if (name.size() == 15 && name.substr(0, 10) == "NUMA_DIST[" && name[11] == ']' && name[12] == '[' &&
      name[14] == ']' && name[10] >= '0' && name[10] <= '7' && name[13] >= '0' && name[13] <= '7')
    return static_cast<uint16_t>(cfg::kNumaDistBase + 8 * (name[10] - '0') + (name[13] - '0'));
  return std::nullopt;
}

// ---- one event / decision as text --------------------------------------------------------

std::string format_event(const Event& e) {
  std::string s;
  if (!named_form_fits(e)) {
    s = "RAW seq=" + std::to_string(e.seq) + " type=" + hex(e.type) + " flags=" + hex(e.flags) +
        " vcpu=" + std::to_string(e.vcpu) + " core=" + std::to_string(e.core) + " b8=" + std::to_string(e.b8) +
        " c16=" + std::to_string(e.c16) + " d32=" + std::to_string(e.d32);
    return s;
  }
  const EventForm& f = kEventForms[e.type];
  s = std::string(f.name) + " seq=" + std::to_string(e.seq);
  for (int i = 0; i < f.nfields; ++i) {
    const Field& fd = f.fields[i];
    if (fd.optional && get_slot(e, fd.slot) == 0) continue;
    s += ' ';
    s += fd.name;
    s += '=';
    uint32_t v = get_slot(e, fd.slot);
    if (fd.slot == kSlotFlags) v &= fd.max;
    if (e.type == static_cast<uint8_t>(EventType::kConfig) && fd.slot == kSlotC16) {
      s += config_key_name(e.c16);
    } else if (e.type == static_cast<uint8_t>(EventType::kConfig) && fd.slot == kSlotD32 &&
               e.c16 == cfg::kShardMinCredit) {
      s += std::to_string(static_cast<int32_t>(v));
    } else {
      s += std::to_string(v);
    }
  }
  return s;
}

Event parse_event(std::string_view line, uint32_t prev_seq, const std::string& where) {
  const auto toks = split_ws(line);
  if (toks.empty()) fail(where, "empty event line");
  const auto kvs = kv_pairs(toks, where);
  Event e;
  e.seq = prev_seq + 1;
  auto take_seq = [&](std::string_view k, std::string_view v) {
    if (k != "seq") return false;
    e.seq = parse_number(v, 0xFFFFFFFF, false, where, "seq");
    return true;
  };
  if (toks[0] == "RAW") {
    bool seen[7] = {};
    for (auto& [k, v] : kvs) {
      if (take_seq(k, v)) continue;
      int idx = -1;
      for (int i = 0; i < 7; ++i)
        if (k == kRawFields[i].name) idx = i;
      if (idx < 0)
        fail(where, "RAW: unknown field '" + std::string(k) + "' (fields: seq type flags vcpu core b8 c16 d32)");
      const uint32_t val = parse_number(v, kRawFields[idx].max, false, where, std::string(k));
      if (idx == 0) e.type = static_cast<uint8_t>(val);
      else if (idx == 1) e.flags = static_cast<uint8_t>(val);
      else set_slot(e, kRawFields[idx].slot, val);
      seen[idx] = true;
    }
    for (int i = 0; i < 7; ++i)
      if (!seen[i]) fail(where, std::string("RAW: field '") + kRawFields[i].name + "' missing");
    return e;
  }
  int type = -1;
  for (int t = 1; t <= 0x0C; ++t)
    if (toks[0] == kEventForms[t].name) type = t;
  if (type < 0)
    fail(where, "unknown event type '" + std::string(toks[0]) +
                    "' (WAKE BLOCK SCHED TICK PROFILE UTIL SHARD_DONE ACCOUNT CONFIG CORE_CFG VCPU_CFG COMMIT RAW)");
  e.type = static_cast<uint8_t>(type);
  const EventForm& f = kEventForms[type];
  bool seen[4] = {};
  for (auto& [k, v] : kvs) {
    if (take_seq(k, v)) continue;
    int idx = -1;
    for (int i = 0; i < f.nfields; ++i)
      if (k == f.fields[i].name) idx = i;
    if (idx < 0) {
      std::string list;
      for (int i = 0; i < f.nfields; ++i) list += std::string(" ") + f.fields[i].name;
      fail(where, std::string(f.name) + ": unknown field '" + std::string(k) + "' (fields: seq" + list + ")");
    }
    const Field& fd = f.fields[idx];
    uint32_t val;
    if (type == static_cast<int>(EventType::kConfig) && fd.slot == kSlotC16 && !v.empty() &&
        !(v[0] >= '0' && v[0] <= '9')) {
      auto key = config_key_from_name(v);
      if (!key) fail(where, "field 'key': unknown configuration key '" + std::string(v) + "' (docs/spec.md section 5)");
      val = *key;
    } else {
      val =
          parse_number(v, fd.max, type == static_cast<int>(EventType::kConfig) && fd.slot == kSlotD32, where, fd.name);
    }
    set_slot(e, fd.slot, val);
    seen[idx] = true;
  }
  for (int i = 0; i < f.nfields; ++i)
    if (!seen[i] && !f.fields[i].optional)
      fail(where, std::string(f.name) + ": field '" + f.fields[i].name + "' missing");
  return e;
}

std::string format_decision(const Decision& d) {
  const std::string seq = " seq=" + std::to_string(d.seq);
  const std::string v = std::to_string(d.vcpu), c = std::to_string(d.core);
  auto tail = [&](bool committed_ok) {
    std::string t;
    if (committed_ok && (d.flags & kFlagCommitted)) t += " committed";
    if (d.flags & kFlagLast) t += " last";
    return t;
  };
  auto type_name = [](uint32_t t) {
    const char* n = event_type_name(static_cast<uint8_t>(t));
    return n[0] == '?' ? hex(t) : std::string(n);
  };
  const uint8_t allowed_flags = (d.type == 0x01 || d.type == 0x02) ? (kFlagLast | kFlagCommitted) : kFlagLast;
  bool ok = !(d.flags & ~allowed_flags);
  std::string s;
  switch (d.type) {
    case 0x01:
      ok = ok && !d.b8 && !d.c16 && !d.d32;
      s = "RUN" + seq + " vcpu=" + v + " core=" + c + tail(true);
      break;
    case 0x02:
      ok = ok && !d.d32;
      s = "PREEMPT" + seq + " victim=" + v + " core=" + c + " by=" + std::to_string(d.c16) +
          " k=" + std::to_string(d.b8) + tail(true);
      break;
    case 0x03:
      s = "SHARD" + seq + " victim=" + v + " core=" + c + " i=" + std::to_string(d.b8) +
          " first=" + std::to_string(d.c16) + " count=" + std::to_string(d.d32) + tail(false);
      break;
    case 0x04:
      ok = ok && !d.b8 && !d.c16 && !d.d32;
      s = "RESUME" + seq + " vcpu=" + v + " core=" + c + tail(false);
      break;
    case 0x05:
      ok = ok && !d.core && !d.b8 && !d.c16 && !d.d32;
      s = "QUEUED" + seq + " vcpu=" + v + tail(false);
      break;
    case 0x06:
      ok = ok && !d.c16 && !d.d32;
      s = "ACK" + seq + " vcpu=" + v + " core=" + c + " type=" + type_name(d.b8) + tail(false);
      break;
    case 0x07:
      ok = ok && !d.c16;
      s = "ABORT" + seq + " vcpu=" + v + " core=" + c + " node=" + std::to_string(d.b8) +
          " epoch=" + std::to_string(d.d32) + tail(false);
      break;
    case 0x09:
      ok = ok && !d.b8 && !d.c16 && !d.d32;
      s = "PARK" + seq + " vcpu=" + v + " core=" + c + tail(false);
      break;
    case 0x08: {
      ok = ok && !d.d32 && d.c16 <= 0xFF;
      const char* code = error_code_name(d.b8);
      s = "ERROR" + seq + " vcpu=" + v + " core=" + c + " code=" + (code[0] == '?' ? hex(d.b8) : std::string(code)) +
          " type=" + type_name(d.c16) + tail(false);
      break;
    }
    default: ok = false;
  }
  if (ok) return s;
  return "RAW seq=" + std::to_string(d.seq) + " type=" + hex(d.type) + " flags=" + hex(d.flags) + " vcpu=" + v +
         " core=" + c + " b8=" + std::to_string(d.b8) + " c16=" + std::to_string(d.c16) +
         " d32=" + std::to_string(d.d32);
}

// ---- whole logs ---------------------------------------------------------------------------

std::vector<uint8_t> encode_event_log(const EventLog& log) {
  std::vector<uint8_t> out;
  out.reserve(kEventLogHeaderBytes + 16 * log.events.size());
  for (char ch : kEventLogMagic) out.push_back(static_cast<uint8_t>(ch));
  put_le(out, kEventLogVersion, 2);
  put_le(out, kEventLogHeaderBytes, 2);
  put_le(out, log.params.cores, 4);
  put_le(out, log.params.vcpus, 4);
  put_le(out, log.params.nodes, 4);
  put_le(out, log.params.max_shards, 4);
  put_le(out, log.events.size(), 8);
  uint8_t buf[16];
  for (const Event& e : log.events) {
    encode(e, buf);
    out.insert(out.end(), buf, buf + 16);
  }
  return out;
}

EventLog decode_event_log(const uint8_t* data, size_t size, const std::string& name) {
  auto bad = [&](size_t off, const std::string& msg) {
    throw Error(Errc::kBadInput, name + ": offset " + std::to_string(off) + ": " + msg);
  };
  if (size < 4 || std::memcmp(data, kEventLogMagic, 4) != 0)
    bad(0, "not a binary vShard event log (magic \"VSEL\" missing); text logs are read by load_event_log");
  if (size < kEventLogHeaderBytes)
    bad(size,
        "truncated header: " + std::to_string(size) + " bytes, the header has " + std::to_string(kEventLogHeaderBytes));
  const uint64_t version = get_le(data + 4, 2);
  if (version != kEventLogVersion)
    bad(4, "format version " + std::to_string(version) + " is not supported (this build reads version " +
               std::to_string(kEventLogVersion) + ")");
  const uint64_t hdr = get_le(data + 6, 2);
  if (hdr != kEventLogHeaderBytes)
    bad(6, "header size " + std::to_string(hdr) + " is not " + std::to_string(kEventLogHeaderBytes));
  EventLog log;
  log.params.cores = static_cast<uint32_t>(get_le(data + 8, 4));
  log.params.vcpus = static_cast<uint32_t>(get_le(data + 12, 4));
  log.params.nodes = static_cast<uint32_t>(get_le(data + 16, 4));
  log.params.max_shards = static_cast<uint32_t>(get_le(data + 20, 4));
  try {
    log.params.validate();
  } catch (const Error& e) { bad(8, std::string("bad parameters in header: ") + e.what()); }
  const uint64_t count = get_le(data + 24, 8);
  const uint64_t body = size - kEventLogHeaderBytes;
  if (body % 16 != 0)
    bad(kEventLogHeaderBytes + body / 16 * 16,
        "truncated descriptor: " + std::to_string(body % 16) + " trailing bytes (descriptors are 16 bytes)");
  if (body / 16 != count)
    bad(24, "header says " + std::to_string(count) + " events but the file holds " + std::to_string(body / 16) +
                " (truncated or extended file)");
  log.events.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    const Descriptor d = decode(data + kEventLogHeaderBytes + 16 * i);
    static_cast<Descriptor&>(log.events[i]) = d;
  }
  return log;
}

std::string format_event_log_text(const EventLog& log) {
  std::string s =
      "# vShard event log, text form (include/vshard/event_log.h)\n# params cores=" + std::to_string(log.params.cores) +
      " vcpus=" + std::to_string(log.params.vcpus) + " nodes=" + std::to_string(log.params.nodes) +
      " max_shards=" + std::to_string(log.params.max_shards) + "\n";
  for (const Event& e : log.events) {
    s += format_event(e);
    s += '\n';
  }
  return s;
}

EventLog parse_event_log_text(std::string_view text, const std::string& name, const std::optional<Params>& fallback) {
  EventLog log;
  std::optional<Params> params;
  uint32_t prev_seq = 0;
  size_t lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    const std::string where = name + ":" + std::to_string(lineno);
    const size_t hash = line.find('#');
    if (hash != std::string_view::npos) {
      const std::string_view comment = trim(line.substr(hash + 1));
      if (trim(line.substr(0, hash)).empty() && comment.substr(0, 7) == "params ") {
        if (params) fail(where, "second '# params' line");
        if (!log.events.empty()) fail(where, "'# params' must come before the first event");
        params = parse_params_line(comment.substr(7), where);
        continue;
      }
      line = line.substr(0, hash);
    }
    line = trim(line);
    if (line.empty()) continue;
    if (!params && !fallback)
      fail(where,
           "no parameters: put '# params cores=.. vcpus=.. nodes=.. max_shards=..' (or '# params small') "
           "before the first event, or pass a configuration (vshard replay --config)");
    Event e = parse_event(line, prev_seq, where);
    prev_seq = e.seq;
    log.events.push_back(e);
  }
  if (params) log.params = *params;
  else if (fallback) log.params = *fallback;
  else throw Error(Errc::kBadInput, name + ": no '# params' line and no configuration given");
  log.params.validate();
  return log;
}

EventLog load_event_log(const std::string& path, const std::optional<Params>& fallback) {
  const std::string data = read_file(path, "event log", kMaxEventLogBytes);
  if (data.size() >= 4 && std::memcmp(data.data(), kEventLogMagic, 4) == 0)
    return decode_event_log(reinterpret_cast<const uint8_t*>(data.data()), data.size(), path);
  if (data.find('\0') != std::string::npos)
    throw Error(Errc::kBadInput, path + ": offset 0: neither a binary event log (magic \"VSEL\") nor text");
  return parse_event_log_text(data, path, fallback);
}

void save_event_log(const std::string& path, const EventLog& log, LogFormat format) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw Error(Errc::kIo, "cannot open '" + path + "' for writing: check the directory and permissions");
  if (format == LogFormat::kBinary) {
    const auto bytes = encode_event_log(log);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  } else {
    const std::string s = format_event_log_text(log);
    f.write(s.data(), static_cast<std::streamsize>(s.size()));
  }
  f.flush();
  if (!f) throw Error(Errc::kIo, "error writing event log '" + path + "'");
}

}  // namespace vshard
