// rw-register: preconditions, indexing the history, and the checker's
// outline. Version orders are in rw_register_versions.cc, the non-cyclic
// anomalies in rw_register_detectors.cc, the graph and its explanations in
// rw_register_graph.cc.
#include "checkers/rw_register.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <utility>

#include "base/assert.h"
#include "checkers/consistency_models.h"
#include "checkers/internal/isolation.h"
#include "checkers/internal/rw_register_index.h"

namespace fl::checkers {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::OpType;
using internal::kNoId;
using internal::PairedTxn;
using internal::RwIndex;

bool well_formed(const MicroOp& mop) {
  if (mop.kind == MicroKind::kWrite) return std::holds_alternative<int64_t>(mop.value);
  if (mop.kind == MicroKind::kRead) return !std::holds_alternative<std::vector<int64_t>>(mop.value);
  return false;
}

// [rw.2] Elle's preconditions: micro-op kinds, and unique writes per key.
bool check_preconditions(const history::History& h, const RwIndex& ix, Verdict& verdict) {
  std::unordered_map<internal::KeyValue, int64_t, internal::KeyValueHash> first_op;
  for (const PairedTxn& txn : ix.txns) {
    for (const history::Txn* mops : {h.ops[txn.invoke_pos].txn(), txn.mops}) {
      for (const MicroOp& mop : *mops) {
        if (well_formed(mop)) continue;
        verdict.unknown("unexpected-txn-micro-op-types: op " + std::to_string(txn.index()) + " holds " +
                        internal::render_mop(mop) +
                        "; an rw-register history has only [:w k integer] and [:r k integer-or-nil]");
        return false;
      }
    }
    for (const MicroOp& mop : *txn.mops) {
      if (mop.kind != MicroKind::kWrite) continue;
      internal::KeyValue kv{mop.key, std::get<int64_t>(mop.value)};
      auto [it, fresh] = first_op.emplace(kv, txn.index());
      if (!fresh) {
        verdict.unknown("duplicate-writes: value " + std::to_string(kv.value) + " written to key " +
                        std::to_string(kv.key) + " more than once (op " + std::to_string(it->second) + " and op " +
                        std::to_string(txn.index()) + ")");
        return false;
      }
    }
  }
  return true;
}

// Versions, writers, and each transaction's external reads and writes.
void index_transactions(RwIndex& ix) {
  ix.external.resize(ix.txns.size());
  std::vector<std::pair<uint32_t, uint32_t>> last_write;  // (key id, version), within one txn
  std::vector<uint32_t> touched;                          // key ids, within one txn
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    const PairedTxn& txn = ix.txns[t];
    internal::RwExternal& ext = ix.external[t];
    last_write.clear();
    touched.clear();
    for (const MicroOp& mop : *txn.mops) {
      uint32_t k = ix.key_id(mop.key);
      uint32_t v = ix.version_id(mop.key, mop.value);
      bool first_touch = std::find(touched.begin(), touched.end(), k) == touched.end();
      if (first_touch) touched.push_back(k);
      if (mop.kind == MicroKind::kRead) {
        if (first_touch && txn.type == OpType::kOk) ext.reads.push_back({k, v});
        continue;
      }
      FL_ASSERT(ix.versions[v].writer == kNoId);  // Invariant: [rw.2] unique writes
      ix.versions[v].writer = t;
      auto it = std::find_if(last_write.begin(), last_write.end(), [&](const auto& p) { return p.first == k; });
      if (it == last_write.end()) {
        last_write.push_back({k, v});
      } else {
        ix.versions[it->second].intermediate = true;
        it->second = v;
      }
    }
    if (txn.in_graph()) {
      for (const auto& [k, v] : last_write) {
        ix.versions[v].ext_writer = t;
        ext.writes.push_back({k, v});
      }
    }
    std::sort(ext.reads.begin(), ext.reads.end());
    std::sort(ext.writes.begin(), ext.writes.end());
  }
  ix.ext_readers.assign(ix.versions.size(), {});
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    for (const auto& [k, v] : ix.external[t].reads) ix.ext_readers[v].push_back(t);  // ascending t
  }
}

uint32_t lookup(const std::vector<std::pair<uint32_t, uint32_t>>& sorted, uint32_t key_id) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), std::make_pair(key_id, uint32_t{0}));
  return it != sorted.end() && it->first == key_id ? it->second : kNoId;
}

}  // namespace

namespace internal {

std::string_view version_source_name(VersionSource source) {
  switch (source) {
    case kInitialState:
      return "initial-state";
    case kWfrKeys:
      return "wfr-keys";
    case kSequentialKeys:
      return "sequential-keys";
    case kLinearizableKeys:
      return "linearizable-keys";
  }
  return "?";
}

uint32_t RwIndex::key_id(int64_t key) {
  if (auto found = key_ids.find(key); found != key_ids.end()) return found->second;
  uint32_t id = static_cast<uint32_t>(keys.size());
  key_ids.emplace(key, id);
  RwVersion nil;
  nil.key = key;
  nil.key_id = id;
  nil.nil = true;
  keys.push_back({key, static_cast<uint32_t>(versions.size())});
  versions.push_back(nil);
  return id;
}

uint32_t RwIndex::version_id(int64_t key, const history::MicroValue& value) {
  uint32_t k = key_id(key);
  const int64_t* v = std::get_if<int64_t>(&value);
  if (v == nullptr) return keys[k].nil_version;
  auto [it, fresh] = version_ids.emplace(KeyValue{key, *v}, static_cast<uint32_t>(versions.size()));
  if (fresh) {
    RwVersion version;
    version.key = key;
    version.key_id = k;
    version.value = *v;
    versions.push_back(version);
  }
  return it->second;
}

uint32_t RwIndex::ext_read(uint32_t txn, uint32_t key_id) const { return lookup(external[txn].reads, key_id); }
uint32_t RwIndex::ext_write(uint32_t txn, uint32_t key_id) const { return lookup(external[txn].writes, key_id); }

uint8_t RwIndex::order_sources(uint32_t from, uint32_t to) const {
  auto it = std::lower_bound(
      order.begin(), order.end(), std::make_pair(from, to),
      [](const VersionEdge& e, const std::pair<uint32_t, uint32_t>& p) { return std::make_pair(e.from, e.to) < p; });
  return it != order.end() && it->from == from && it->to == to ? it->sources : 0;
}

std::string RwIndex::render(uint32_t version) const {
  return versions[version].nil ? "nil" : std::to_string(versions[version].value);
}

}  // namespace internal

Verdict check_rw_register(const history::History& history, const RwRegisterOptions& options) {
  Verdict verdict;
  for (const std::string& model : options.consistency_models) {
    if (!is_known_model(model)) {
      verdict.unknown("unknown consistency model \"" + model + "\"");
      return verdict;
    }
  }
  RwIndex ix;
  if (!internal::pair_transactions(history, ix.txns, verdict)) return verdict;  // [rw.1]
  if (!check_preconditions(history, ix, verdict)) return verdict;
  index_transactions(ix);
  std::vector<Anomaly> found;
  internal::infer_version_orders(ix, options, found, verdict);
  internal::find_rw_non_cyclic(ix, found);
  std::set<std::string> prohibited = anomalies_prohibited_by(options.consistency_models);
  internal::TxnGraph graph = internal::build_rw_graph(ix, internal::order_edges_for(prohibited));
  auto explain = [&ix](uint32_t a, const std::string& an, uint32_t b, const std::string& bn, uint8_t rel) {
    return internal::explain_rw_data_edge(ix, a, an, b, bn, rel);
  };
  internal::find_cycles(ix.txns, std::move(graph), options.cycle_search_steps_max, explain, found, verdict);  // [rw.6]
  internal::finish_verdict(std::move(found), prohibited, verdict);
  return verdict;
}

}  // namespace fl::checkers
