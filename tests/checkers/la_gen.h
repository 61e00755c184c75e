// tests/checkers/la_gen.h: small list-append histories for the checker
// tests, written as transactions plus an event order, rendered to EDN and
// parsed with history::read_edn (so the tests go through the real reader).
#pragma once

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/prng.h"
#include "checkers/list_append.h"
#include "history/edn_reader.h"

namespace fl::checkers::testing {

struct T {
  int process;
  std::string type;   // "ok", "fail", "info", or "" (never completes)
  std::string value;  // the completion's :value; the invocation's has nil reads
};

inline std::string invocation_value(const std::string& value) {
  static const std::regex kRead(R"(\[:r (-?\d+) (\[[^\]]*\]|nil)\])");
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
    size_t n = std::stoul(e.substr(1));
    const T& t = txns.at(n);
    bool invoke = e[0] == 'i';
    out += "{:index " + std::to_string(index) + ", :time " + std::to_string(index * 10) + ", :type :" +
           (invoke ? std::string("invoke") : t.type) + ", :process " + std::to_string(t.process) +
           ", :f :txn, :value " + (invoke ? invocation_value(t.value) : t.value) + "}\n";
    ++index;
  }
  return out;
}

inline Verdict check(const std::string& text, std::vector<std::string> models = {"strict-serializable"}) {
  Result<history::History> h = history::read_edn(text, "test.edn");
  EXPECT_TRUE(h.ok()) << h.status().to_string() << "\n" << text;
  if (!h.ok()) return {};
  ListAppendOptions options;
  options.consistency_models = std::move(models);
  return check_list_append(*h, options);
}

inline std::set<std::string> types(const Verdict& v) {
  std::set<std::string> out;
  for (const auto& [type, examples] : v.anomalies) out.insert(type);
  return out;
}

// A random list-append history: `txn_count` transactions over `key_count`
// keys by `process_count` concurrent clients, executed atomically at their
// completion against a correct list store, then perturbed: some reads miss
// the newest element (stale), some failed transactions take effect anyway
// (dirty), some outcomes are :info (applied or not; the process is then
// replaced, as in Jepsen). Values are unique per key.
struct GenOptions {
  int txn_count = 12;
  int key_count = 3;
  int process_count = 3;
  int mops_max = 4;
  Ratio stale_read{1, 10};
  Ratio fail{1, 20};
  Ratio dirty_fail{1, 2};  // of the failed ones
  Ratio info{1, 20};
};

inline std::string random_history(uint64_t seed, const GenOptions& o = {}) {
  Prng prng = Prng::stream(seed, "list-append-history");
  std::vector<std::vector<int64_t>> lists(static_cast<size_t>(o.key_count));
  std::vector<int64_t> next_value(static_cast<size_t>(o.key_count), 1);
  struct Pending {
    int64_t process;
    std::vector<std::pair<bool, int64_t>> mops;  // (append?, key); values below
    std::vector<int64_t> values;
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
      if (i) v += " ";
      if (t.mops[i].first) {
        v += "[:append " + std::to_string(t.mops[i].second) + " " + std::to_string(t.values[i]) + "]";
      } else {
        v += "[:r " + std::to_string(t.mops[i].second) + " " + (reads ? (*reads)[i] : std::string("nil")) + "]";
      }
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
        bool append = prng.chance(Ratio{1, 2});
        t.mops.push_back({append, k});
        t.values.push_back(append ? next_value[static_cast<size_t>(k)]++ : 0);
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
    if (prng.chance(o.fail)) type = "fail";
    else if (prng.chance(o.info)) type = "info";
    bool apply = type == "ok" || (type == "fail" && prng.chance(o.dirty_fail)) ||
                 (type == "info" && prng.chance(Ratio{1, 2}));
    std::vector<std::vector<int64_t>> view = lists;
    std::vector<std::string> reads;
    for (size_t i = 0; i < t.mops.size(); ++i) {
      auto& list = view[static_cast<size_t>(t.mops[i].second)];
      if (t.mops[i].first) {
        list.push_back(t.values[i]);
        reads.push_back("");
        continue;
      }
      size_t shown = list.size();
      if (shown > 0 && prng.chance(o.stale_read)) shown -= 1;
      std::string r = "[";
      for (size_t j = 0; j < shown; ++j) {
        if (j > 0) r += ' ';
        r += std::to_string(list[j]);
      }
      reads.push_back(r + "]");
    }
    if (apply) lists = view;
    emit(type, t.process, type == "ok" ? render(t, &reads) : render(t, nullptr));
    idle.push_back(type == "info" ? next_process++ : t.process);
  }
  return out;
}

}  // namespace fl::checkers::testing
