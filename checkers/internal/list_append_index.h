// checkers/internal/list_append_index.h: what list_append.cc derives from a
// history before judging it: paired transactions, appended elements, each
// key's version order, and who read which version. Shared by the non-cyclic
// detectors (list_append.cc) and the graph builder and cycle explainer
// (list_append_cycles.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkers/internal/txn_graph.h"
#include "checkers/verdict.h"
#include "history/history.h"

namespace fl::checkers::internal {

constexpr uint32_t kNoId = std::numeric_limits<uint32_t>::max();

struct LaTxn {
  const history::Txn* mops = nullptr;  // the completion's value if a Txn, else the invocation's
  int64_t invoke_index = 0;            // :index of the invocation
  int64_t complete_index = -1;         // :index of the completion; -1 when none
  size_t invoke_pos = 0;               // positions in History::ops
  size_t complete_pos = std::numeric_limits<size_t>::max();
  history::OpType type = history::OpType::kInfo;  // kOk, kFail or kInfo [la.1]
  int64_t process = 0;

  bool completed() const { return complete_index >= 0; }
  // The index that names this transaction in reports.
  int64_t index() const { return completed() ? complete_index : invoke_index; }
  bool in_graph() const { return type != history::OpType::kFail; }
};

// One (key, value) ever appended, or read without being appended (garbage).
struct LaElement {
  int64_t key = 0;
  int64_t value = 0;
  uint32_t key_id = 0;
  uint32_t writer = kNoId;  // the transaction whose invocation appended it
  int32_t position = -1;    // index in its key's version order; -1 if never read
  bool intermediate = false;  // its writer appended to the key again later
};

struct LaKey {
  int64_t key = 0;
  const std::vector<int64_t>* longest = nullptr;  // the longest :ok/:info read
  std::vector<uint32_t> order;                    // element ids, distinct, from `longest`
};

struct KeyValue {
  int64_t key;
  int64_t value;
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};
struct KeyValueHash {
  size_t operator()(const KeyValue& kv) const {
    uint64_t x = static_cast<uint64_t>(kv.key) * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(kv.value);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return static_cast<size_t>(x);
  }
};

struct LaIndex {
  const history::History* history = nullptr;
  std::vector<LaTxn> txns;  // in order of invocation
  std::vector<LaElement> elements;
  std::vector<LaKey> keys;
  std::unordered_map<int64_t, uint32_t> key_ids;
  std::unordered_map<KeyValue, uint32_t, KeyValueHash> element_ids;
  // Read index: slot -> the :ok/:info transactions whose read of the key
  // ended with that element (slots 0..elements-1), or was empty or nil
  // (slot elements.size() + key_id: the initial state). Sorted, distinct.
  std::vector<uint32_t> reader_offsets;
  std::vector<uint32_t> readers;

  uint32_t element_id(int64_t key, int64_t value) const {
    auto it = element_ids.find({key, value});
    return it == element_ids.end() ? kNoId : it->second;
  }
  uint32_t init_slot(uint32_t key_id) const { return static_cast<uint32_t>(elements.size()) + key_id; }
  bool is_init_slot(uint32_t slot) const { return slot >= elements.size(); }
  // The version an append of `element` overwrote: the element before it in
  // the version order, the last known element if it was never read, or the
  // initial state (Elle's previously-appended-element).
  uint32_t previous_slot(uint32_t element) const;
  bool slot_read_by(uint32_t slot, uint32_t txn) const;
};

// Builds the graph [la.4] over transaction ids.
TxnGraph build_graph(const LaIndex& index, bool realtime, bool process);

// A reported cycle with each edge explained in words and a DOT rendering.
Anomaly explain_cycle(const LaIndex& index, const Cycle& cycle);

// "op 12 (process 3, ok): [[:append 3 1] [:r 4 [1 2]]]"
std::string describe_txn(const LaTxn& txn);
std::string render_list(const std::vector<int64_t>* list);  // nil, [1 2 3], or [... 7 8 9]

}  // namespace fl::checkers::internal
