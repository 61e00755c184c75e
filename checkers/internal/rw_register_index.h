// checkers/internal/rw_register_index.h: what rw_register.cc derives from a
// history before judging it: paired transactions, every version (a written
// or read value of a key, or the key's initial nil), each transaction's
// external reads and writes, and the inferred version orders. Shared by the
// version-order inference (rw_register_versions.cc), the non-cyclic
// detectors (rw_register_detectors.cc) and the graph and its explanations
// (rw_register_graph.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checkers/internal/isolation.h"
#include "checkers/internal/txn_graph.h"
#include "checkers/rw_register.h"
#include "checkers/verdict.h"
#include "history/history.h"

namespace fl::checkers::internal {

// One value of one key (written, or read without being written: garbage),
// or the key's initial nil state.
struct RwVersion {
  int64_t key = 0;
  uint32_t key_id = 0;
  bool nil = false;
  int64_t value = 0;            // meaningless when nil
  uint32_t writer = kNoId;      // the transaction that wrote it (any outcome)
  bool intermediate = false;    // its writer wrote the key again later
  uint32_t ext_writer = kNoId;  // writer, when :ok or :info and this is its last write of the key
};

struct RwKey {
  int64_t key = 0;
  uint32_t nil_version = kNoId;
};

// A transaction's external reads (:ok only) and writes (:ok and :info), as
// (key id, version id), sorted by key id. [rw.3]
struct RwExternal {
  std::vector<std::pair<uint32_t, uint32_t>> reads;
  std::vector<std::pair<uint32_t, uint32_t>> writes;
};

// Where an edge of the version order came from [rw.3]; a bit set.
enum VersionSource : uint8_t {
  kInitialState = 1,
  kWfrKeys = 2,
  kSequentialKeys = 4,
  kLinearizableKeys = 8,
};
std::string_view version_source_name(VersionSource source);  // "initial-state", "wfr-keys", ...

struct VersionEdge {
  uint32_t from = 0;  // version ids of one key
  uint32_t to = 0;
  uint8_t sources = 0;  // VersionSource bits
};

struct RwIndex {
  std::vector<PairedTxn> txns;       // in order of invocation
  std::vector<RwExternal> external;  // per transaction
  std::vector<RwVersion> versions;
  std::vector<RwKey> keys;
  std::unordered_map<int64_t, uint32_t> key_ids;
  std::unordered_map<KeyValue, uint32_t, KeyValueHash> version_ids;  // non-nil versions
  // Per version: the :ok transactions whose external read saw it; sorted.
  std::vector<std::vector<uint32_t>> ext_readers;
  // The accepted version orders [rw.3]: sorted by (from, to), distinct.
  std::vector<VersionEdge> order;

  uint32_t key_id(int64_t key);                                        // creates the key and its nil version
  uint32_t version_id(int64_t key, const history::MicroValue& value);  // creates on first use
  // kNoId when the transaction has no such external read/write of the key.
  uint32_t ext_read(uint32_t txn, uint32_t key_id) const;
  uint32_t ext_write(uint32_t txn, uint32_t key_id) const;
  // The sources of edge from -> to of `order`, or 0 when it has none.
  uint8_t order_sources(uint32_t from, uint32_t to) const;
  std::string render(uint32_t version) const;  // "nil" or the value
};

// Infers `index.order` [rw.3]; cyclic-versions into `found`, a note into
// `verdict` when an inference runs out of budget.
void infer_version_orders(RwIndex& index, const RwRegisterOptions& options, std::vector<Anomaly>& found,
                          Verdict& verdict);

// [rw.4]
void find_rw_non_cyclic(const RwIndex& index, std::vector<Anomaly>& found);

// [rw.5] Over transaction ids.
TxnGraph build_rw_graph(const RwIndex& index, const OrderEdges& orders);

// A DataEdgeExplainer (isolation.h) for the graph of build_rw_graph().
std::string explain_rw_data_edge(const RwIndex& index, uint32_t a, const std::string& an, uint32_t b,
                                 const std::string& bn, uint8_t rel);

}  // namespace fl::checkers::internal
