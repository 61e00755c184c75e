// tests/checkers/rw_register_gen.h: small rw-register histories for the
// checker tests, written as transactions plus an event order, rendered to
// EDN and parsed with history::read_edn (so the tests go through the real
// reader), and random concurrent histories from a model register store.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/prng.h"
#include "checkers/rw_register.h"
#include "history/edn_reader.h"

namespace fl::checkers::rw_testing {

struct T {
  int process;
  std::string type;   // "ok", "fail", "info", or "" (never completes)
  std::string value;  // the completion's :value; the invocation's has nil reads
};

inline std::string invocation_value(const std::string& value) {
  static const std::regex kRead(R"(\[:r (-?\d+) (-?\d+|nil)\])");
  return std::regex_replace(value, kRead, "[:r $1 nil]");
}

// `order`: space-separated events "iN" (invoke txn N) and "cN" (complete it).
// Empty: every transaction runs alone, in the order given.
inline std::string edn(const std::vector<T>& txns, const std::string& order = "") {
  std::vector<std::string> events;
  if (order.empty()) {
    for (size_t i = 0; i < txns.size(); ++i) {
      events.push_back("i" + std::to_string(i));
      if (!txns[i].type.empty()) events.push_back("c" + std::to_string(i));
    }
  } else {
    std::istringstream in(order);
    for (std::string e; in >> e;) events.push_back(e);
  }
  std::string out;
  int index = 0;
  for (const std::string& e : events) {
    const T& t = txns.at(std::stoul(e.substr(1)));
    bool invoke = e[0] == 'i';
    bool keep_reads = !invoke && t.type == "ok";
    out += "{:index " + std::to_string(index) + ", :time " + std::to_string(index * 10) +
           ", :type :" + (invoke ? std::string("invoke") : t.type) + ", :process " + std::to_string(t.process) +
           ", :f :txn, :value " + (keep_reads ? t.value : invocation_value(t.value)) + "}\n";
    ++index;
  }
  return out;
}

inline Verdict check(const std::string& text, RwRegisterOptions options = {}) {
  Result<history::History> h = history::read_edn(text, "test.edn");
  EXPECT_TRUE(h.ok()) << h.status().to_string() << "\n" << text;
  if (!h.ok()) return {};
  return check_rw_register(*h, options);
}

inline Verdict check(const std::string& text, std::vector<std::string> models) {
  RwRegisterOptions options;
  options.consistency_models = std::move(models);
  return check(text, options);
}

inline std::set<std::string> types(const Verdict& v) {
  std::set<std::string> out;
  for (const auto& [type, examples] : v.anomalies) out.insert(type);
  return out;
}

// A random rw-register history: `txn_count` transactions of reads and
// writes over `key_count` keys by `process_count` concurrent clients, each
// executed atomically at its completion against a register store (so a
// correct store gives a strict serializable history), then perturbed: some
// reads return the key's previous value (stale), some failed transactions
// take effect anyway (dirty), some outcomes are :info (their process is
// then replaced, as in Jepsen; they take effect with `info_applies`).
// Written values are unique per key.
struct GenOptions {
  int txn_count = 12;
  int key_count = 3;
  int process_count = 3;
  int mops_max = 4;
  Ratio stale_read{1, 10};
  Ratio fail{1, 20};
  Ratio dirty_fail{1, 2};  // of the failed ones
  Ratio info{1, 20};
  Ratio info_applies{1, 2};  // of the :info ones
};

inline std::string random_history(uint64_t seed, const GenOptions& o = {}) {
  Prng prng = Prng::stream(seed, "rw-register-history");
  struct Register {
    bool set = false;
    int64_t value = 0;
    bool had_previous = false;
    int64_t previous = 0;  // meaningful when had_previous; else the previous state was nil
  };
  std::vector<Register> store(static_cast<size_t>(o.key_count));
  std::vector<int64_t> next_value(static_cast<size_t>(o.key_count), 1);
  struct Pending {
    int64_t process;
    std::vector<std::pair<bool, int64_t>> mops;  // (write?, key)
    std::vector<int64_t> values;                 // written values
  };
  std::vector<int64_t> idle;
  for (int p = 0; p < o.process_count; ++p) idle.push_back(p);
  int64_t next_process = o.process_count;
  std::vector<Pending> pending;
  std::string out;
  int64_t index = 0;
  auto emit = [&](const std::string& type, int64_t process, const std::string& value) {
    out += "{:index " + std::to_string(index) + ", :time " + std::to_string(index * 10) + ", :type :" + type +
           ", :process " + std::to_string(process) + ", :f :txn, :value " + value + "}\n";
    ++index;
  };
  auto render = [](const Pending& t, const std::vector<std::string>* reads) {
    std::string v = "[";
    for (size_t i = 0; i < t.mops.size(); ++i) {
      if (i > 0) v += " ";
      std::string key = std::to_string(t.mops[i].second);
      v += t.mops[i].first ? "[:w " + key + " " + std::to_string(t.values[i]) + "]"
                           : "[:r " + key + " " + (reads ? (*reads)[i] : std::string("nil")) + "]";
    }
    return v + "]";
  };
  int issued = 0;
  while (issued < o.txn_count || !pending.empty()) {
    bool invoke = issued < o.txn_count && !idle.empty() && (pending.empty() || prng.chance(Ratio{1, 2}));
    if (invoke) {
      size_t pi = prng.uniform(idle.size());
      Pending t{idle[pi], {}, {}};
      idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(pi));
      uint64_t n = prng.range_inclusive(1, static_cast<uint64_t>(o.mops_max));
      for (uint64_t i = 0; i < n; ++i) {
        int64_t k = static_cast<int64_t>(prng.uniform(static_cast<uint64_t>(o.key_count)));
        bool write = prng.chance(Ratio{1, 2});
        t.mops.push_back({write, k});
        t.values.push_back(write ? next_value[static_cast<size_t>(k)]++ : 0);
      }
      emit("invoke", t.process, render(t, nullptr));
      pending.push_back(std::move(t));
      ++issued;
      continue;
    }
    size_t pi = prng.uniform(pending.size());
    Pending t = std::move(pending[pi]);
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(pi));
    std::string type = "ok";
    if (prng.chance(o.fail)) {
      type = "fail";
    } else if (prng.chance(o.info)) {
      type = "info";
    }
    bool apply = type == "ok" || (type == "fail" && prng.chance(o.dirty_fail)) ||
                 (type == "info" && prng.chance(o.info_applies));
    std::vector<Register> view = store;
    std::vector<bool> written(view.size(), false);  // by this txn: its own reads are never stale
    std::vector<std::string> reads;
    for (size_t i = 0; i < t.mops.size(); ++i) {
      Register& r = view[static_cast<size_t>(t.mops[i].second)];
      if (t.mops[i].first) {
        r.had_previous = r.set;
        r.previous = r.value;
        r.set = true;
        r.value = t.values[i];
        written[static_cast<size_t>(t.mops[i].second)] = true;
        reads.push_back("");
        continue;
      }
      bool stale = r.set && !written[static_cast<size_t>(t.mops[i].second)] && prng.chance(o.stale_read);
      if (!stale) {
        reads.push_back(r.set ? std::to_string(r.value) : "nil");
      } else {
        reads.push_back(r.had_previous ? std::to_string(r.previous) : "nil");
      }
    }
    if (apply) store = view;
    emit(type, t.process, type == "ok" ? render(t, &reads) : render(t, nullptr));
    idle.push_back(type == "info" ? next_process++ : t.process);
  }
  return out;
}

}  // namespace fl::checkers::rw_testing
