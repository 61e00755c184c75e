// tests/checkers/oracle.h: brute-force serializability of tiny histories,
// shared by the checker property tests (tests/checkers/oracle_prop_test.cc)
// and the simulator legality tests (tests/workloads/legality_prop_test.cc).
// It knows only history/, so it can judge any history the checkers judge.
//
// [oracle.1] A set of transactions is serializable when some order of them,
//            each run alone and in micro-op order from the empty state (its
//            reads see its own appends and writes), reproduces every read.
//            A read of nil and a read of [] are the same (Elle's initial
//            state, [wl.6]).
// [oracle.2] With real time, T1 must come before T2 whenever T1 completed
//            before T2 was invoked (strict serializability).
// [oracle.3] serial_order_exists() judges a whole history: :ok transactions
//            ran (their completions carry the reads); :fail ones never ran;
//            an :info one, or an invocation that never completed, ran or
//            did not, and its reads are unknown (only its appends count),
//            and it precedes nothing in real time. Nemesis operations are
//            ignored.
// [oracle.4] SerialSearch (depth first, memoising dead (placed, state)
//            pairs, pruning orders a later list read cannot extend) and
//            serial_order_by_permutation() (every subset of the optional
//            transactions, every permutation) always agree; the second is
//            the definition, the first is what larger tests can afford.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/assert.h"
#include "history/history.h"
#include "history/op.h"

namespace fl::oracle {

using history::MicroKind;
using history::MicroOp;
using history::MicroValue;
using history::Op;
using history::OpType;
using history::Txn;

// One transaction that ran, may have run (optional), and when.
struct Committed {
  Txn ops;
  int64_t invoked = 0;    // :index of its invoke
  int64_t completed = 0;  // :index of its :ok (or int64 max: precedes nothing)
  bool writes = false;    // has an :append or :w
  std::set<int64_t> write_keys;
};

inline Committed make_committed(Txn ops, int64_t invoked, int64_t completed) {
  Committed c{std::move(ops), invoked, completed, false, {}};
  for (const MicroOp& m : c.ops) {
    if (m.kind == MicroKind::kRead) continue;
    c.writes = true;
    c.write_keys.insert(m.key);
  }
  return c;
}

// The :ok transactions of `h` (completions carry the reads).
// REQUIRES: every completion of an integer process follows its invoke.
inline std::vector<Committed> committed_txns(const history::History& h) {
  std::map<int64_t, int64_t> open;  // process -> invoke index
  std::vector<Committed> out;
  for (const Op& op : h.ops) {
    const std::optional<int64_t> process = op.process.id();
    if (!process) continue;
    if (op.type == OpType::kInvoke) {
      open[*process] = op.index;
      continue;
    }
    const auto invoke = open.find(*process);
    FL_ASSERT(invoke != open.end());  // simulator_test.cc checks well-formedness
    const int64_t invoked = invoke->second;
    open.erase(invoke);
    if (op.type != OpType::kOk || op.txn() == nullptr) continue;
    out.push_back(make_committed(*op.txn(), invoked, op.index));
  }
  return out;
}

// key -> list (list-append) or integer (rw-register); absent reads nil.
using State = std::map<int64_t, MicroValue>;

// [oracle.1]: nil and [] are the same read.
inline bool same_read(const MicroValue& now, const MicroValue& read) {
  auto empty = [](const MicroValue& v) {
    const auto* list = std::get_if<std::vector<int64_t>>(&v);
    return std::holds_alternative<std::monostate>(v) || (list != nullptr && list->empty());
  };
  if (empty(now) || empty(read)) return empty(now) && empty(read);
  return now == read;
}

// Runs `txn` on `state` in micro-op order (its reads see its own writes);
// false as soon as a read differs from what `state` holds.
inline bool run_txn(const Txn& txn, State& state) {
  for (const MicroOp& m : txn) {
    const auto found = state.find(m.key);
    switch (m.kind) {
      case MicroKind::kRead: {
        const MicroValue now = found == state.end() ? MicroValue{} : found->second;
        if (!same_read(now, m.value)) return false;
        break;
      }
      case MicroKind::kAppend: {
        MicroValue& slot = state[m.key];
        if (std::holds_alternative<int64_t>(slot)) return false;
        if (std::holds_alternative<std::monostate>(slot)) slot = std::vector<int64_t>{};
        std::get<std::vector<int64_t>>(slot).push_back(std::get<int64_t>(m.value));
        break;
      }
      case MicroKind::kWrite: state[m.key] = m.value; break;
    }
  }
  return true;
}

inline bool is_prefix(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// List-append pruning: lists only grow, so whatever list `state` holds for
// k must be a prefix of a later read of k (`extends`), or at least be
// prefix-comparable with it (a read from an older snapshot).
inline bool list_reads_possible(const State& state, const Committed& later, bool extends) {
  for (const MicroOp& m : later.ops) {
    if (m.kind != MicroKind::kRead) continue;
    const auto found = state.find(m.key);
    if (found == state.end() || !std::holds_alternative<std::vector<int64_t>>(found->second)) continue;
    const auto& now = std::get<std::vector<int64_t>>(found->second);
    const auto* read = std::get_if<std::vector<int64_t>>(&m.value);
    const std::vector<int64_t> empty;
    const std::vector<int64_t>& seen = read != nullptr ? *read : empty;
    if (extends ? !is_prefix(now, seen) : !(is_prefix(now, seen) || is_prefix(seen, now))) return false;
  }
  return true;
}

inline std::string encode(uint64_t mask, const State& state) {
  std::string out = std::to_string(mask) + "|";
  for (const auto& [key, value] : state) {
    out += std::to_string(key) + "=";
    if (const auto* i = std::get_if<int64_t>(&value)) out += std::to_string(*i);
    if (const auto* list = std::get_if<std::vector<int64_t>>(&value)) {
      for (int64_t v : *list) out += std::to_string(v) + ",";
    }
    out += ";";
  }
  return out;
}

// Bit i of before[t]: transaction i completed before t was invoked.
inline std::vector<uint64_t> real_time_predecessors(const std::vector<Committed>& txns) {
  std::vector<uint64_t> before(txns.size(), 0);
  for (size_t t = 0; t < txns.size(); ++t) {
    for (size_t i = 0; i < txns.size(); ++i) {
      if (txns[i].completed < txns[t].invoked) before[t] |= uint64_t{1} << i;
    }
  }
  return before;
}

// Depth-first search over serial orders, memoising (placed set, state)
// pairs that lead nowhere: the future of a serial order depends on nothing
// else. Transactions in `optional_mask` may be left out ([oracle.3]).
class SerialSearch {
 public:
  SerialSearch(std::vector<Committed> txns, bool real_time, uint64_t optional_mask = 0)
      : txns_(std::move(txns)), before_(real_time_predecessors(txns_)), real_time_(real_time),
        optional_(optional_mask) {
    FL_ASSERT(txns_.size() < 64);
    FL_ASSERT((optional_ >> txns_.size()) == 0);
  }
  bool run() { return dfs(0, State{}); }
  const std::vector<size_t>& order() const { return order_; }
  uint64_t nodes() const { return nodes_; }

 private:
  bool dfs(uint64_t placed, const State& state) {
    ++nodes_;
    if ((placed | optional_) == (uint64_t{1} << txns_.size()) - 1) return true;
    if (dead_.contains(encode(placed, state))) return false;
    for (size_t t = 0; t < txns_.size(); ++t) {
      const uint64_t bit = uint64_t{1} << t;
      if ((placed & bit) != 0) continue;
      if (real_time_ && (before_[t] & ~placed) != 0) continue;
      State next = state;
      if (!run_txn(txns_[t].ops, next)) continue;
      bool possible = true;
      for (size_t u = 0; u < txns_.size() && possible; ++u) {
        if (((placed | bit) & (uint64_t{1} << u)) == 0) possible = list_reads_possible(next, txns_[u], true);
      }
      if (!possible) continue;
      order_.push_back(t);
      if (dfs(placed | bit, next)) return true;
      order_.pop_back();
    }
    dead_.insert(encode(placed, state));
    return false;
  }

  std::vector<Committed> txns_;
  std::vector<uint64_t> before_;
  bool real_time_;
  uint64_t optional_;
  std::set<std::string> dead_;
  std::vector<size_t> order_;
  uint64_t nodes_ = 0;
};

// The :ok transactions (final reads included) have a serial order, in real
// time when asked: what the simulator's histories are judged by.
inline bool serializable(const history::History& h, bool real_time) {
  return SerialSearch(committed_txns(h), real_time).run();
}

// [oracle.3] The transactions that ran or may have run, and which may not.
struct OracleInput {
  std::vector<Committed> txns;
  uint64_t optional_mask = 0;
};

inline OracleInput oracle_input(const history::History& h) {
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  struct Open {
    const Txn* invocation;
    int64_t invoked;
  };
  std::map<int64_t, Open> open;  // process -> its pending invocation
  OracleInput in;
  auto add_maybe = [&](const Txn& txn, int64_t invoked) {
    Txn appends;
    for (const MicroOp& m : txn) {
      if (m.kind != MicroKind::kRead) appends.push_back(m);
    }
    in.optional_mask |= uint64_t{1} << in.txns.size();
    in.txns.push_back(make_committed(std::move(appends), invoked, kNever));
  };
  for (const Op& op : h.ops) {
    const std::optional<int64_t> process = op.process.id();
    if (!process || op.txn() == nullptr) continue;
    if (op.type == OpType::kInvoke) {
      FL_ASSERT(!open.contains(*process));
      open[*process] = {op.txn(), op.index};
      continue;
    }
    const auto it = open.find(*process);
    FL_ASSERT(it != open.end());
    const Open pending = it->second;
    open.erase(it);
    if (op.type == OpType::kOk) in.txns.push_back(make_committed(*op.txn(), pending.invoked, op.index));
    if (op.type == OpType::kInfo) add_maybe(*pending.invocation, pending.invoked);
  }
  for (const auto& [process, pending] : open) add_maybe(*pending.invocation, pending.invoked);
  return in;
}

// [oracle.3] by depth-first search.
inline bool serial_order_exists(const history::History& h, bool real_time) {
  OracleInput in = oracle_input(h);
  return SerialSearch(std::move(in.txns), real_time, in.optional_mask).run();
}

// [oracle.3] by definition: every subset of the optional transactions,
// every permutation of the chosen ones. REQUIRES: at most 9 transactions.
inline bool serial_order_by_permutation(const history::History& h, bool real_time) {
  const OracleInput in = oracle_input(h);
  const size_t n = in.txns.size();
  FL_ASSERT(n <= 9);
  const std::vector<uint64_t> before = real_time_predecessors(in.txns);
  for (uint64_t chosen = 0; chosen < (uint64_t{1} << n); ++chosen) {
    if ((chosen | in.optional_mask) != (uint64_t{1} << n) - 1) continue;
    std::vector<size_t> order;
    for (size_t t = 0; t < n; ++t) {
      if ((chosen >> t) & 1) order.push_back(t);
    }
    do {
      State state;
      uint64_t placed = 0;
      bool fits = true;
      for (size_t t : order) {
        fits = (!real_time || (before[t] & chosen & ~placed) == 0) && run_txn(in.txns[t].ops, state);
        if (!fits) break;
        placed |= uint64_t{1} << t;
      }
      if (fits) return true;
    } while (std::next_permutation(order.begin(), order.end()));
  }
  return false;
}

}  // namespace fl::oracle
