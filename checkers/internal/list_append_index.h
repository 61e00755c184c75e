// checkers/internal/list_append_index.h: what list_append.cc derives from a
// history before judging it: paired transactions, appended elements, each
// key's version order, and who read which version. Shared by the non-cyclic
// detectors (list_append.cc) and the graph builder and cycle explainer
// (list_append_cycles.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkers/internal/flat_map.h"
#include "checkers/internal/handoff.h"
#include "checkers/internal/isolation.h"
#include "checkers/internal/key_ids.h"
#include "checkers/internal/txn_graph.h"
#include "checkers/verdict.h"
#include "history/compact.h"

namespace fl::checkers::internal {

using LaTxn = PairedTxn;  // [la.1] is [iso.1]; over a CompactHistory (mop_begin, mop_count)

// One (key, value) ever appended, or read without being appended (garbage).
struct LaElement {
  int64_t key = 0;
  int64_t value = 0;
  uint32_t key_id = 0;
  uint32_t writer = kNoId;  // the transaction whose invocation appended it
  int32_t position = -1;    // index in its key's version order; -1 if never read
  bool intermediate = false;  // its writer appended to the key again later
  uint32_t seq = 0;           // its place among its writer's appends to the key
};

struct LaKey {
  static constexpr uint32_t kNoPosition = std::numeric_limits<uint32_t>::max();

  int64_t key = 0;
  const history::CompactMop* longest = nullptr;  // the longest :ok/:info read
  uint32_t longest_size = 0;                     // its length
  uint32_t longest_reader = kNoId;               // the transaction that read it
  std::vector<uint32_t> order;                   // element ids, distinct, from `longest`
  std::vector<uint32_t> ids;                     // the element id at each position of `longest`
  // Positions in `longest`: the first element no one appended, and the
  // first repeated element. A read that is a prefix of `longest` shares
  // them, so it needs no element lookups of its own.
  uint32_t first_garbage = kNoPosition;
  uint32_t first_duplicate = kNoPosition;
};

struct LaIndex {
  const history::CompactHistory* history = nullptr;
  std::vector<LaTxn> txns;  // in order of invocation
  std::vector<LaElement> elements;
  std::vector<LaKey> keys;
  KeyIds key_ids;
  KeyValueIds element_ids;
  // Per micro-op of the history: 1 when it is a read whose list is a prefix
  // of its key's longest read.
  std::vector<uint8_t> prefix_read;
  // Per micro-op of the history: an append's element, a nonempty read's
  // last element (what it read); kNoId otherwise. Saves a lookup per use.
  std::vector<uint32_t> mop_element;
  // Read index: slot -> the :ok/:info transactions whose read of the key
  // ended with that element (slots 0..elements-1), or was empty or nil
  // (slot elements.size() + key_id: the initial state). Sorted, distinct.
  std::vector<uint32_t> reader_offsets;
  std::vector<uint32_t> readers;

  uint32_t element_id(int64_t key, int64_t value) const { return element_ids.find(key, value, elements); }
  std::span<const history::CompactMop> mops(const LaTxn& txn) const {
    return history->all_mops().subspan(txn.mop_begin, txn.mop_count);
  }
  std::span<const history::CompactMop> invoke_mops(const LaTxn& txn) const {
    return history->mops((*history)[txn.invoke_pos]);
  }
  uint32_t mop_number(const history::CompactMop& mop) const {
    return static_cast<uint32_t>(&mop - history->all_mops().data());
  }
  // A read's list; empty for nil.
  std::span<const int64_t> list(const history::CompactMop& mop) const {
    return mop.tag == history::MopValue::kList ? history->list(mop) : std::span<const int64_t>();
  }
  bool is_prefix_read(const history::CompactMop& mop) const { return prefix_read[mop_number(mop)] != 0; }
  uint32_t element_of(const history::CompactMop& mop) const { return mop_element[mop_number(mop)]; }
  uint32_t init_slot(uint32_t key_id) const { return static_cast<uint32_t>(elements.size()) + key_id; }
  bool is_init_slot(uint32_t slot) const { return slot >= elements.size(); }
  // The version an append of `element` overwrote: the element before it in
  // the version order, the last known element if it was never read, or the
  // initial state (Elle's previously-appended-element).
  uint32_t previous_slot(uint32_t element) const;
  bool slot_read_by(uint32_t slot, uint32_t txn) const;
};

// Builds the graph [la.4] over transaction ids, with the realtime order
// when `realtime` is given (made from index.txns) or else the process
// order if `process`. `help` is offered a share of the linking, and closed
// before this returns.
TxnGraph build_graph(const LaIndex& index, const RealtimeEdges* realtime, bool process, Handoff& help);

// Why transaction b depends on a through data relation `label` (ww, wr or
// rw): a DataEdgeExplainer (isolation.h) for explain_cycle().
std::string explain_data_edge(const LaIndex& index, uint32_t a, const std::string& an, uint32_t b,
                              const std::string& bn, uint8_t label);
std::string render_read(const LaIndex& index, const history::CompactMop& mop);  // nil or render_list

}  // namespace fl::checkers::internal
