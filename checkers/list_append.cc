// list-append: indexing the history and the non-cyclic anomalies. The graph
// and cycle explanations are in list_append_cycles.cc.
#include "checkers/list_append.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <unordered_set>
#include <utility>

#include "base/assert.h"
#include "checkers/consistency_models.h"
#include "checkers/internal/list_append_index.h"
#include "checkers/internal/txn_graph.h"

namespace fl::checkers {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::OpType;
using internal::kNoId;
using internal::LaIndex;
using internal::LaTxn;

const std::vector<int64_t>* read_list(const MicroOp& mop) { return std::get_if<std::vector<int64_t>>(&mop.value); }
bool read_is_nil(const MicroOp& mop) { return std::holds_alternative<std::monostate>(mop.value); }

std::string op_name(const LaTxn& txn) { return "op " + std::to_string(txn.index()); }

// [la.1] Pairs invocations with completions. False (and an unknown verdict)
// when the history cannot be read as transactions.
bool pair_transactions(const history::History& h, LaIndex& ix, Verdict& verdict) {
  std::unordered_map<int64_t, uint32_t> pending;  // process -> txn id
  for (size_t pos = 0; pos < h.ops.size(); ++pos) {
    const history::Op& op = h.ops[pos];
    std::optional<int64_t> process = op.process.id();
    if (!process) continue;  // nemesis and other non-client operations
    if (op.type == OpType::kInvoke) {
      if (op.txn() == nullptr) {
        verdict.unknown("unexpected-value: op " + std::to_string(op.index) + ": :value is not a transaction");
        return false;
      }
      LaTxn txn;
      txn.mops = op.txn();
      txn.invoke_index = op.index;
      txn.invoke_pos = pos;
      txn.process = *process;
      pending[*process] = static_cast<uint32_t>(ix.txns.size());
      ix.txns.push_back(txn);
      continue;
    }
    auto it = pending.find(*process);
    if (it == pending.end()) {
      verdict.unknown("unpaired-completion: op " + std::to_string(op.index) + " (process " +
                      std::to_string(*process) + ") completes no invocation");
      return false;
    }
    LaTxn& txn = ix.txns[it->second];
    pending.erase(it);
    txn.type = op.type;
    txn.complete_index = op.index;
    txn.complete_pos = pos;
    if (op.txn() != nullptr) txn.mops = op.txn();
  }
  return true;
}

// [la.2] Elle's preconditions: micro-op kinds and unique appends.
bool check_preconditions(const history::History& h, const LaIndex& ix, Verdict& verdict) {
  std::unordered_set<internal::KeyValue, internal::KeyValueHash> appended;
  std::unordered_map<internal::KeyValue, int64_t, internal::KeyValueHash> first_op;
  for (const LaTxn& txn : ix.txns) {
    for (const history::Txn* mops : {h.ops[txn.invoke_pos].txn(), txn.mops}) {
      for (const MicroOp& mop : *mops) {
        bool bad = mop.kind == MicroKind::kWrite ||
                   (mop.kind == MicroKind::kRead && std::holds_alternative<int64_t>(mop.value)) ||
                   (mop.kind == MicroKind::kAppend && !std::holds_alternative<int64_t>(mop.value));
        if (bad) {
          verdict.unknown("unexpected-txn-micro-op-types: " + op_name(txn) + " holds [:" +
                          std::string(history::micro_kind_name(mop.kind)) + " " + std::to_string(mop.key) +
                          " ...]; a list-append history has only [:append k v] and [:r k list]");
          return false;
        }
      }
    }
    for (const MicroOp& mop : *h.ops[txn.invoke_pos].txn()) {
      if (mop.kind != MicroKind::kAppend) continue;
      internal::KeyValue kv{mop.key, std::get<int64_t>(mop.value)};
      auto [it, fresh] = first_op.emplace(kv, txn.invoke_index);
      if (!fresh) {
        verdict.unknown("duplicate-appends: value " + std::to_string(kv.value) + " appended to key " +
                        std::to_string(kv.key) + " multiple times (invocations op " + std::to_string(it->second) +
                        " and op " + std::to_string(txn.invoke_index) + ")");
        return false;
      }
    }
  }
  return true;
}

uint32_t key_id(LaIndex& ix, int64_t key) {
  if (auto found = ix.key_ids.find(key); found != ix.key_ids.end()) return found->second;  // no node allocation
  auto [it, fresh] = ix.key_ids.emplace(key, static_cast<uint32_t>(ix.keys.size()));
  if (fresh) ix.keys.push_back({key, nullptr, {}});
  return it->second;
}

uint32_t element_or_garbage(LaIndex& ix, int64_t key, int64_t value) {
  if (uint32_t e = ix.element_id(key, value); e != kNoId) return e;  // no node allocation
  auto [it, fresh] = ix.element_ids.emplace(internal::KeyValue{key, value}, static_cast<uint32_t>(ix.elements.size()));
  if (fresh) ix.elements.push_back({key, value, key_id(ix, key), kNoId, -1, false});
  return it->second;
}

void index_appends(LaIndex& ix) {
  std::vector<std::pair<int64_t, uint32_t>> last_append;  // key -> element, within one txn
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    last_append.clear();
    for (const MicroOp& mop : *ix.txns[t].mops) {
      uint32_t k = key_id(ix, mop.key);
      if (mop.kind != MicroKind::kAppend) continue;
      uint32_t e = element_or_garbage(ix, mop.key, std::get<int64_t>(mop.value));
      if (ix.elements[e].writer == kNoId) ix.elements[e].writer = t;
      (void)k;
      auto it = std::find_if(last_append.begin(), last_append.end(), [&](const auto& p) { return p.first == mop.key; });
      if (it == last_append.end()) {
        last_append.push_back({mop.key, e});
      } else {
        ix.elements[it->second].intermediate = true;
        it->second = e;
      }
    }
  }
}

// Reads that count for version orders and the graph: those of :ok and
// :info transactions, except an :info transaction's nil reads (which only
// mean "not known").
template <class F>
void for_each_possible_read(const LaIndex& ix, F&& f) {
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    const LaTxn& txn = ix.txns[t];
    if (!txn.in_graph()) continue;
    for (const MicroOp& mop : *txn.mops) {
      if (mop.kind != MicroKind::kRead) continue;
      if (txn.type != OpType::kOk && read_is_nil(mop)) continue;
      f(t, mop);
    }
  }
}

bool is_prefix(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Version orders, and the anomalies found on the way: garbage-read,
// duplicate-elements, incompatible-order.
void index_reads(LaIndex& ix, std::vector<Anomaly>& found) {
  for_each_possible_read(ix, [&](uint32_t, const MicroOp& mop) {
    const std::vector<int64_t>* list = read_list(mop);
    internal::LaKey& key = ix.keys[key_id(ix, mop.key)];
    if (list != nullptr && !list->empty() && (key.longest == nullptr || list->size() > key.longest->size())) {
      key.longest = list;
    }
  });
  std::vector<uint32_t> stamp;  // element -> serial of the last read that held it
  uint32_t serial = 0;
  std::vector<bool> incompatible_reported(ix.keys.size(), false);
  for_each_possible_read(ix, [&](uint32_t t, const MicroOp& mop) {
    const std::vector<int64_t>* list = read_list(mop);
    if (list == nullptr || list->empty()) return;
    const LaTxn& txn = ix.txns[t];
    serial += 1;
    bool garbage = false;
    std::vector<int64_t> duplicates;
    for (int64_t value : *list) {
      uint32_t e = element_or_garbage(ix, mop.key, value);
      if (stamp.size() < ix.elements.size()) stamp.resize(ix.elements.size(), 0);
      if (ix.elements[e].writer == kNoId && !garbage) {
        garbage = true;
        found.push_back({"garbage-read", {txn.index()},
                         op_name(txn) + " (process " + std::to_string(txn.process) + ") read key " +
                             std::to_string(mop.key) + " = " + internal::render_list(list) + ", which holds " +
                             std::to_string(value) + ", a value no operation appended.",
                         ""});
      }
      if (stamp[e] == serial) duplicates.push_back(value);
      stamp[e] = serial;
    }
    if (!duplicates.empty()) {
      found.push_back({"duplicate-elements", {txn.index()},
                       op_name(txn) + " read key " + std::to_string(mop.key) + " = " + internal::render_list(list) +
                           ", in which " + std::to_string(duplicates.front()) +
                           " appears more than once; each value is appended once.",
                       ""});
    }
    uint32_t k = ix.key_ids.at(mop.key);
    const std::vector<int64_t>& longest = *ix.keys[k].longest;
    if (!incompatible_reported[k] && !is_prefix(*list, longest)) {
      incompatible_reported[k] = true;
      found.push_back({"incompatible-order", {txn.index()},
                       op_name(txn) + " read key " + std::to_string(mop.key) + " = " + internal::render_list(list) +
                           ", which is not a prefix of " + internal::render_list(&longest) +
                           ", the longest read of that key: no single order of appends explains both.",
                       ""});
    }
  });
  std::vector<uint32_t> seen(ix.elements.size(), 0);
  uint32_t key_serial = 0;
  for (internal::LaKey& key : ix.keys) {
    if (key.longest == nullptr) continue;
    key_serial += 1;
    for (int64_t value : *key.longest) {
      uint32_t e = ix.element_id(key.key, value);
      FL_ASSERT(e != kNoId);  // Invariant: every read element was indexed above
      if (seen[e] == key_serial) continue;  // Elle keeps distinct elements
      seen[e] = key_serial;
      ix.elements[e].position = static_cast<int32_t>(key.order.size());
      key.order.push_back(e);
    }
  }
}

void index_readers(LaIndex& ix) {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (slot, reader)
  for_each_possible_read(ix, [&](uint32_t t, const MicroOp& mop) {
    const std::vector<int64_t>* list = read_list(mop);
    uint32_t slot = (list == nullptr || list->empty()) ? ix.init_slot(ix.key_ids.at(mop.key))
                                                       : ix.element_id(mop.key, list->back());
    FL_ASSERT(slot != kNoId);
    pairs.push_back({slot, t});
  });
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  size_t slots = ix.elements.size() + ix.keys.size();
  ix.reader_offsets.assign(slots + 1, 0);
  ix.readers.reserve(pairs.size());
  for (const auto& [slot, reader] : pairs) {
    ix.reader_offsets[slot + 1] += 1;
    ix.readers.push_back(reader);
  }
  for (size_t s = 0; s < slots; ++s) ix.reader_offsets[s + 1] += ix.reader_offsets[s];
}

}  // namespace

namespace internal {

uint32_t LaIndex::previous_slot(uint32_t element) const {
  const LaElement& e = elements[element];
  const LaKey& key = keys[e.key_id];
  if (e.position > 0) return key.order[static_cast<size_t>(e.position) - 1];
  if (e.position == 0 || key.order.empty()) return init_slot(e.key_id);
  return key.order.back();
}

bool LaIndex::slot_read_by(uint32_t slot, uint32_t txn) const {
  auto begin = readers.begin() + reader_offsets[slot];
  auto end = readers.begin() + reader_offsets[slot + 1];
  return std::binary_search(begin, end, txn);
}

}  // namespace internal

// Implemented in list_append_detectors.cc.
namespace internal {
void find_non_cyclic(const LaIndex& ix, std::vector<Anomaly>& found);
}

namespace {

bool model_needs(const std::set<std::string>& prohibited, std::string_view suffix) {
  for (const std::string& a : prohibited) {
    if (a.size() > suffix.size() && a.compare(a.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        a.rfind("G", 0) == 0) {
      return true;
    }
  }
  return false;
}

void find_cycles(const LaIndex& ix, const std::set<std::string>& prohibited, const ListAppendOptions& options,
                 std::vector<Anomaly>& found, Verdict& verdict) {
  bool realtime = model_needs(prohibited, "-realtime");
  bool process = !realtime && model_needs(prohibited, "-process");
  internal::TxnGraph graph = internal::build_graph(ix, realtime, process);
  if (graph.edge_count() == 0) {
    verdict.notes.push_back("empty-transaction-graph: no two transactions are related, so no cycle can be judged");
  }
  for (const std::vector<uint32_t>& scc : internal::nontrivial_sccs(graph)) {
    internal::CycleSearch search = internal::search_cycles(graph, scc, options.cycle_search_steps_max);
    if (search.truncated) {
      verdict.notes.push_back("cycle-search-truncated: a component of " + std::to_string(scc.size()) +
                              " transactions ran out of its budget of " +
                              std::to_string(options.cycle_search_steps_max) + " steps while searching for " +
                              search.truncated_during + "; classes after it were not searched there");
    }
    for (const internal::Cycle& cycle : search.cycles) found.push_back(internal::explain_cycle(ix, cycle));
    for (const std::string& type : internal::cycle_exists_types(graph, scc)) {
      Anomaly a{type, {}, "", ""};
      for (size_t i = 0; i < scc.size() && i < kCycleExistsOpsShownMax; ++i) {
        a.op_indices.push_back(ix.txns[scc[i]].index());
      }
      a.explanation = "These " + std::to_string(scc.size()) + " transactions" +
                      (scc.size() > kCycleExistsOpsShownMax ? " (the first " +
                                                                  std::to_string(kCycleExistsOpsShownMax) + " listed)"
                                                            : std::string()) +
                      " hold a cycle of the dependencies " + friendly_model_name(type.substr(0, type.size() - 13)) +
                      " forbids (a closed walk, not necessarily a simple cycle of one named class).";
      found.push_back(std::move(a));
    }
  }
}

bool is_cycle_exists(const std::string& type) {
  constexpr std::string_view kSuffix = "-cycle-exists";
  return type.size() > kSuffix.size() && type.compare(type.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

// Elle's remove-redundant-cycle-exists: a cycle-exists anomaly says nothing
// new when other anomalies already rule its model out.
void drop_redundant_cycle_exists(std::vector<Anomaly>& found) {
  std::set<std::string> others;
  for (const Anomaly& a : found) {
    if (!is_cycle_exists(a.type)) others.insert(a.type);
  }
  std::set<std::string> impossible;
  for (const std::string& m : impossible_models(others)) impossible.insert(canonical_model_name(m));
  std::erase_if(found, [&](const Anomaly& a) {
    return is_cycle_exists(a.type) && impossible.count(a.type.substr(0, a.type.size() - 13)) > 0;
  });
}

}  // namespace

Verdict check_list_append(const history::History& history, const ListAppendOptions& options) {
  Verdict verdict;
  for (const std::string& model : options.consistency_models) {
    if (!is_known_model(model)) {
      verdict.unknown("unknown consistency model \"" + model + "\"");
      return verdict;
    }
  }
  LaIndex ix;
  ix.history = &history;
  if (!pair_transactions(history, ix, verdict)) return verdict;
  if (!check_preconditions(history, ix, verdict)) return verdict;
  std::vector<Anomaly> found;
  index_appends(ix);
  index_reads(ix, found);
  index_readers(ix);
  internal::find_non_cyclic(ix, found);
  std::set<std::string> prohibited = anomalies_prohibited_by(options.consistency_models);
  find_cycles(ix, prohibited, options, found, verdict);
  drop_redundant_cycle_exists(found);

  std::set<std::string> types;
  std::set<std::string> unreported;
  for (Anomaly& anomaly : found) {
    types.insert(anomaly.type);
    if (prohibited.count(anomaly.type)) {
      verdict.add(std::move(anomaly));
    } else {
      unreported.insert(anomaly.type);
    }
  }
  verdict.violated_models = violated_models(types);
  std::set<std::string> ruled_out;
  for (const auto& [model, reasons] : verdict.violated_models) ruled_out.insert(model);
  verdict.possible_models = strongest_possible_models(ruled_out);
  if (!unreported.empty()) {
    std::string note = "found but allowed by the requested models:";
    for (const std::string& t : unreported) note += " " + t;
    verdict.notes.push_back(note);
  }
  bool empty_graph = std::any_of(verdict.notes.begin(), verdict.notes.end(),
                                 [](const std::string& n) { return n.rfind("empty-transaction-graph", 0) == 0; });
  if (empty_graph && verdict.validity == Validity::kValid) verdict.validity = Validity::kUnknown;  // [la.6]
  return verdict;
}

}  // namespace fl::checkers
