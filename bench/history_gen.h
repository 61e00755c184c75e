// bench/history_gen.h: list-append histories of any size for the checker
// benchmarks, generated one operation at a time (a 10^7-transaction history
// is never held in memory).
//
// Shape: `processes` clients, each transaction `mops` micro-ops (appends or
// reads, evenly), keys drawn from a window of kKeysPerWindow keys that moves
// on every kTxnsPerWindow transactions so lists stay short (about 15
// elements per read), and up to `processes` transactions in flight: each
// is invoked, then completed `processes - 1` steps later. Transactions run
// in completion order against a serial store, so the history is
// strict-serializable. With `stale` > 0, that fraction of reads misses the
// newest element of its list, which puts the reading transaction in a
// dependency cycle. With `loop`, the first transaction also reads, from a
// key of its own, a value the last transaction appends: it saw the future,
// so under the realtime order every transaction joins one strongly
// connected component (the witness-search worst case).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/prng.h"
#include "history/op.h"

namespace fl::bench {

struct HistoryShape {
  int64_t txns = 1000;
  int processes = 8;
  int mops = 4;
  Ratio stale{0, 1};
  uint64_t seed = 42;
  bool loop = false;
};

inline constexpr int64_t kKeysPerWindow = 16;
inline constexpr int64_t kTxnsPerWindow = 240;
inline constexpr int64_t kLoopKey = -1;  // `loop`: never drawn from a window
inline constexpr int64_t kLoopValue = 1;

// Calls `emit` for each operation, in history order.
inline void generate_history(const HistoryShape& shape, const std::function<void(history::Op&&)>& emit) {
  Prng prng = Prng::stream(shape.seed, "history-gen");
  std::vector<std::vector<int64_t>> lists;  // per key, within the current windows
  std::vector<int64_t> next_value;
  std::vector<history::Txn> in_flight(static_cast<size_t>(shape.processes));
  int64_t index = 0;
  auto op = [&](int64_t txn, history::OpType type, history::Txn value) {
    history::Op o;
    o.index = index;
    o.time = index * 1000;
    ++index;
    o.type = type;
    o.process = history::Process::integer(txn % shape.processes);
    o.f = "txn";
    o.value = std::move(value);
    emit(std::move(o));
  };
  const int64_t lag = shape.processes - 1;
  for (int64_t step = 0; step < shape.txns + lag; ++step) {
    if (step < shape.txns) {
      history::Txn txn;
      for (int m = 0; m < shape.mops; ++m) {
        int64_t key = static_cast<int64_t>(prng.uniform(kKeysPerWindow)) + kKeysPerWindow * (step / kTxnsPerWindow);
        if (static_cast<size_t>(key) >= lists.size()) {
          lists.resize(static_cast<size_t>(key) + 1);
          next_value.resize(static_cast<size_t>(key) + 1, 1);
          // Keys of windows long gone are never touched again: free them.
          if (key >= 2 * kKeysPerWindow) std::vector<int64_t>().swap(lists[static_cast<size_t>(key - 2 * kKeysPerWindow)]);
        }
        if (prng.chance(Ratio{1, 2})) {
          txn.push_back({history::MicroKind::kAppend, key, next_value[static_cast<size_t>(key)]++});
        } else {
          txn.push_back({history::MicroKind::kRead, key, std::monostate{}});
        }
      }
      if (shape.loop && step == 0) txn.push_back({history::MicroKind::kRead, kLoopKey, std::monostate{}});
      if (shape.loop && step == shape.txns - 1) txn.push_back({history::MicroKind::kAppend, kLoopKey, kLoopValue});
      in_flight[static_cast<size_t>(step % shape.processes)] = txn;
      op(step, history::OpType::kInvoke, std::move(txn));
    }
    const int64_t done = step - lag;
    if (done < 0) continue;
    history::Txn txn = std::move(in_flight[static_cast<size_t>(done % shape.processes)]);
    for (history::MicroOp& mop : txn) {
      if (mop.key == kLoopKey) {
        if (mop.kind == history::MicroKind::kRead) mop.value = std::vector<int64_t>{kLoopValue};
        continue;
      }
      std::vector<int64_t>& list = lists[static_cast<size_t>(mop.key)];
      if (mop.kind == history::MicroKind::kAppend) {
        list.push_back(std::get<int64_t>(mop.value));
      } else {
        size_t shown = list.size();
        if (shown > 0 && prng.chance(shape.stale)) shown -= 1;
        if (shown > 0) mop.value = std::vector<int64_t>(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(shown));
        else mop.value = std::vector<int64_t>();
      }
    }
    op(done, history::OpType::kOk, std::move(txn));
  }
}

}  // namespace fl::bench
