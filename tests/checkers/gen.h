// tests/checkers/gen.h: RapidCheck generators of list-append histories for
// the checker property tests (checker_prop_test.cc, oracle_prop_test.cc),
// built as history::History values in the shape workloads/simulator.h
// writes ([sim.2]): an :invoke, then one completion whose reads are filled
// in when :ok and nil otherwise.
//
// serial_history(): transactions run one at a time against a correct list
// store (completion right after invocation), so the history is valid under
// every consistency model.
// tiny_history(): at most kTinyTxnsMax transactions over kTinyKeys keys, from
// a random serial execution whose reads are then perturbed at random
// (stale, future, garbage, duplicated, reordered), with the events of the
// transactions randomly interleaved: sometimes serializable, often not.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checkers/verdict.h"
#include "history/history.h"
#include "tests/checkers/crash_history.h"

namespace fl::checkers::testing {

using history::MicroKind;
using history::MicroOp;
using history::OpType;
using history::Txn;
using Lists = std::map<int64_t, std::vector<int64_t>>;

// A read of `list` as the simulator writes it: nil when empty ([wl.6]).
inline MicroOp read_of(int64_t key, const std::vector<int64_t>& list) { return read_list(key, list); }

// Random micro-op shapes: reads hold nil, appends the next value of their
// key (values unique per key, as [wl.1] promises).
inline Txn random_shape(int64_t key_count, int micro_ops_max, std::map<int64_t, int64_t>& next_value) {
  Txn txn;
  const int micro_ops = *rc::gen::inRange(1, micro_ops_max + 1);
  for (int m = 0; m < micro_ops; ++m) {
    const int64_t key = *rc::gen::inRange<int64_t>(0, key_count);
    if (*rc::gen::arbitrary<bool>()) {
      txn.push_back(append(key, ++next_value[key]));
    } else {
      txn.push_back(read_nil(key));
    }
  }
  return txn;
}

// Runs `txn` on `lists`, filling in its reads (they see its own appends).
inline void execute(Txn& txn, Lists& lists) {
  for (MicroOp& m : txn) {
    if (m.kind == MicroKind::kAppend) {
      lists[m.key].push_back(std::get<int64_t>(m.value));
    } else {
      m = read_of(m.key, lists[m.key]);
    }
  }
}

// ------------------------------------------------------------- serial

// One transaction at a time against a correct store, by 1..4 processes:
// :ok ones take effect; :fail ones never do; :info ones may or may not,
// and their process is replaced (Jepsen). Sometimes a final read of every key.
inline history::History serial_history() {
  const int64_t key_count = *rc::gen::inRange<int64_t>(1, 5);
  const int64_t process_count = *rc::gen::inRange<int64_t>(1, 5);
  const int txn_count = *rc::gen::inRange(1, 21);
  std::vector<int64_t> processes;
  for (int64_t p = 0; p < process_count; ++p) processes.push_back(p);
  int64_t next_process = process_count;
  std::map<int64_t, int64_t> next_value;
  Lists lists;
  CrashHistory h;
  for (int i = 0; i < txn_count; ++i) {
    const size_t slot = *rc::gen::inRange<size_t>(0, processes.size());
    Txn txn = random_shape(key_count, 4, next_value);
    const int outcome = *rc::gen::inRange(0, 10);  // 0: fail, 1: info, else ok
    Lists after = lists;
    execute(txn, after);
    if (outcome == 0) {
      h.invoke(processes[slot], txn);
      h.complete(OpType::kFail, processes[slot], txn);
    } else if (outcome == 1) {
      if (*rc::gen::arbitrary<bool>()) lists = after;
      h.info(processes[slot], txn);
      processes[slot] = next_process++;
    } else {
      lists = after;
      h.ok(processes[slot], txn);
    }
  }
  if (*rc::gen::arbitrary<bool>()) {
    Txn final_read;
    for (int64_t key = 0; key < key_count; ++key) final_read.push_back(read_of(key, lists[key]));
    h.ok(next_process, final_read);
  }
  return h.history();
}

// ------------------------------------------------------------- tiny

inline constexpr int kTinyTxnsMax = 6;
inline constexpr int64_t kTinyKeys = 3;

enum class Outcome : uint8_t { kOk, kFail, kInfo, kNever };  // kNever: no completion

// A random permutation of `values` (Fisher-Yates on RapidCheck draws).
inline std::vector<int64_t> shuffled(std::vector<int64_t> values) {
  for (size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[*rc::gen::inRange<size_t>(0, i)]);
  return values;
}

// A wrong read of a key whose appended values are 1..appended: a prefix of
// `final` (stale or from the future), or a short list of values in
// 1..appended+1 (garbage, duplicates, any order).
inline std::vector<int64_t> perturbed(const std::vector<int64_t>& final_list, int64_t appended) {
  if (*rc::gen::arbitrary<bool>()) {
    const size_t length = *rc::gen::inRange<size_t>(0, final_list.size() + 1);
    return {final_list.begin(), final_list.begin() + static_cast<std::ptrdiff_t>(length)};
  }
  std::vector<int64_t> junk;
  const size_t length = *rc::gen::inRange<size_t>(0, 4);
  for (size_t i = 0; i < length; ++i) junk.push_back(*rc::gen::inRange<int64_t>(1, appended + 2));
  return junk;
}

// `complete`: no :info and no uncompleted transaction, and a final read of
// every key that holds every :ok append (each key's version order is then
// known, so the checker's verdict must equal the oracle's).
inline history::History tiny_history(bool complete) {
  const int txn_count = *rc::gen::inRange(1, kTinyTxnsMax + 1);
  std::map<int64_t, int64_t> next_value;
  std::vector<Txn> txns;
  std::vector<Outcome> outcomes;
  for (int i = 0; i < txn_count; ++i) {
    txns.push_back(random_shape(kTinyKeys, 4, next_value));
    const int draw = *rc::gen::inRange(0, complete ? 6 : 10);
    outcomes.push_back(draw == 0 ? Outcome::kFail
                       : draw == 6 || draw == 7 ? Outcome::kInfo
                       : draw == 8              ? Outcome::kNever
                                                : Outcome::kOk);
  }
  // A serial execution in a random order: :ok transactions take effect,
  // :fail ones do not, the others either way.
  Lists lists;
  for (size_t t : shuffled([&] {
         std::vector<int64_t> all;
         for (int i = 0; i < txn_count; ++i) all.push_back(i);
         return all;
       }())) {
    Lists after = lists;
    execute(txns[t], after);
    const bool applies = outcomes[t] == Outcome::kOk || (outcomes[t] != Outcome::kFail && *rc::gen::arbitrary<bool>());
    if (applies) lists = after;
  }
  // Perturb some :ok reads.
  for (size_t t = 0; t < txns.size(); ++t) {
    for (MicroOp& m : txns[t]) {
      if (m.kind != MicroKind::kRead || outcomes[t] != Outcome::kOk || *rc::gen::inRange(0, 5) != 0) continue;
      m = read_of(m.key, perturbed(lists[m.key], next_value[m.key]));
    }
  }
  // Events: each invoke before its completion, otherwise in any order.
  std::vector<std::pair<size_t, bool>> pending;  // (txn, is invoke), the next event of each txn
  for (size_t t = 0; t < txns.size(); ++t) pending.push_back({t, true});
  CrashHistory h;
  while (!pending.empty()) {
    const size_t pick = *rc::gen::inRange<size_t>(0, pending.size());
    const auto [t, invoke] = pending[pick];
    const int64_t process = static_cast<int64_t>(t);
    if (invoke) {
      h.invoke(process, txns[t]);
      if (outcomes[t] == Outcome::kNever) {
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(pick));
      } else {
        pending[pick].second = false;
      }
      continue;
    }
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(pick));
    const OpType type = outcomes[t] == Outcome::kOk     ? OpType::kOk
                        : outcomes[t] == Outcome::kFail ? OpType::kFail
                                                        : OpType::kInfo;
    h.complete(type, process, txns[t]);
  }
  if (complete || *rc::gen::arbitrary<bool>()) {
    // The final read sees the end state; sometimes a failed append too, or
    // the elements out of order, or two appends of one transaction swapped
    // (a case no read-to-read comparison sees).
    std::map<std::pair<int64_t, int64_t>, size_t> writer;  // (key, value) -> txn
    for (size_t t = 0; t < txns.size(); ++t) {
      for (const MicroOp& m : txns[t]) {
        if (m.kind == MicroKind::kAppend) writer[{m.key, std::get<int64_t>(m.value)}] = t;
      }
    }
    Txn final_read;
    for (int64_t key = 0; key < kTinyKeys; ++key) {
      std::vector<int64_t> list = lists[key];
      if (*rc::gen::inRange(0, 6) == 0 && next_value[key] > 0) {
        const int64_t value = *rc::gen::inRange<int64_t>(1, next_value[key] + 1);
        if (std::find(list.begin(), list.end(), value) == list.end()) {
          list.insert(list.begin() + *rc::gen::inRange<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(list.size()) + 1),
                      value);
        }
      }
      if (*rc::gen::inRange(0, 8) == 0) list = shuffled(list);
      for (size_t i = 0; i < list.size(); ++i) {
        for (size_t j = i + 1; j < list.size(); ++j) {
          if (writer.at({key, list[i]}) != writer.at({key, list[j]}) || *rc::gen::arbitrary<bool>()) continue;
          std::swap(list[i], list[j]);
          i = j = list.size();  // one swap at most
        }
      }
      final_read.push_back(read_of(key, list));
    }
    h.ok(static_cast<int64_t>(txns.size()), final_read);
  }
  return h.history();
}

// ------------------------------------------------------------- verdicts

inline std::set<std::string> anomaly_types(const Verdict& v) {
  std::set<std::string> out;
  for (const auto& [type, examples] : v.anomalies) out.insert(type);
  return out;
}

// [la.6]: a history none of whose transactions are related is unknown, not
// valid; no other reason for unknown is expected from these generators.
inline bool unknown_only_for_empty_graph(const Verdict& v) {
  if (v.validity != Validity::kUnknown) return true;
  for (const std::string& note : v.notes) {
    if (note.rfind("empty-transaction-graph", 0) == 0) return true;
  }
  return false;
}

}  // namespace fl::checkers::testing
