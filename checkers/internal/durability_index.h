// checkers/internal/durability_index.h: the transactions of a history,
// paired and placed in crash epochs, as durability.cc and
// durability_register.cc read them. Private to checkers/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checkers/durability.h"
#include "history/history.h"

namespace fl::checkers::internal {

inline constexpr size_t kNoPosition = static_cast<size_t>(-1);

// One client transaction: its :invoke and completion (if any).
struct TxnRecord {
  size_t invoke_pos = kNoPosition;
  size_t complete_pos = kNoPosition;  // kNoPosition when it never completed
  int64_t index = 0;                  // :index of the completion, else of the invoke
  history::OpType type = history::OpType::kInfo;  // completion type; kInfo when none
  uint64_t epoch = 0;                 // epoch of the :invoke
  const history::Txn* txn = nullptr;  // the completion's value when :ok, else the invoke's
  bool ok() const { return type == history::OpType::kOk; }
};

struct DurabilityIndex {
  std::vector<CrashEpoch> crashes;    // crashes[i].epoch == i + 1
  std::vector<TxnRecord> txns;        // in order of invocation
  // (key, value) -> position in txns of its writer (append or write).
  std::map<std::pair<int64_t, int64_t>, size_t> writer;
  std::set<int64_t> duplicate_keys;   // keys with a value written twice [dur.6]
  std::vector<std::string> notes;
};

DurabilityIndex build_durability_index(const history::History& history);

// True when the promise in force at crash `epoch` (1-based) requires every
// acknowledged transaction to survive it. [dur.2]
bool crash_requires_acked(const CrashEpoch& crash, DurabilityPromise promise, const DurabilityOptions& options);

// The epoch (0-based) the position `pos` of history.ops falls in.
uint64_t epoch_at(const DurabilityIndex& index, size_t pos);

// rw-register part of check_durability(). [dur.5]
void check_register_durability(const DurabilityIndex& index, DurabilityPromise promise,
                               const DurabilityOptions& options, DurabilityResult& result);

}  // namespace fl::checkers::internal
