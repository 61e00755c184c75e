// checkers/internal/isolation.h: what the Elle-style isolation checkers
// (list_append*.cc, rw_register*.cc) share once each has inferred its own
// version orders: paired transactions, the process and realtime orders,
// rendering a transaction, explaining a cycle in words and DOT, the cycle
// search over every component, and turning anomalies into a verdict. The
// workload-specific part is only which data edges exist and why.
//
// [iso.1] pair_transactions() pairs each client invocation (integer
//         :process) with the next completion of its process; nemesis and
//         other non-client operations are skipped. An invocation with no
//         completion stays kInfo (it may have committed). It returns false,
//         with the verdict unknown and a note naming the op, when an
//         invocation's :value is not a transaction or a completion has no
//         invocation.
// [iso.2] Process edges link each process's :ok transactions in completion
//         order. The realtime order puts T1 before T2 when T1 completed :ok
//         before T2 was invoked; :info and never-completed transactions
//         take such edges in, never out; :fail transactions are not linked
//         at all. The checkers' graphs hold it as a barrier chain
//         (RealtimeEdges, O(n) edges: T1 reaches T2 through barriers iff
//         T1 precedes T2); link_realtime_edges() links it directly, as
//         Elle's realtime-graph (transitively reduced, up to one edge per
//         process per transaction), for inferences that walk transactions
//         only.
// [iso.3] order_edges_for(): realtime edges when a requested model
//         proscribes a -realtime anomaly, else process edges when one
//         proscribes a -process anomaly, else neither (Elle's
//         additional-graphs).
// [iso.4] finish_verdict() reports only the anomalies the requested models
//         proscribe (the rest are named in a note), after dropping
//         "<model>-cycle-exists" anomalies that others already imply;
//         violated_models and possible_models reflect every anomaly found;
//         a verdict with no anomaly and an "empty-transaction-graph" note is
//         unknown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "checkers/internal/txn_graph.h"
#include "checkers/verdict.h"
#include "history/compact.h"
#include "history/history.h"

namespace fl::checkers::internal {

constexpr uint32_t kNoId = std::numeric_limits<uint32_t>::max();

struct PairedTxn {
  // The completion's value if a Txn, else the invocation's: `mops` for a
  // History, the window [mop_begin, mop_begin + mop_count) of
  // CompactHistory::all_mops() for a CompactHistory (mops is then null).
  const history::Txn* mops = nullptr;
  uint32_t mop_begin = 0;
  uint32_t mop_count = 0;
  int64_t invoke_index = 0;     // :index of the invocation
  int64_t complete_index = -1;  // :index of the completion; -1 when none
  size_t invoke_pos = 0;        // positions in History::ops
  size_t complete_pos = std::numeric_limits<size_t>::max();
  history::OpType type = history::OpType::kInfo;  // kOk, kFail or kInfo [iso.1]
  int64_t process = 0;

  bool completed() const { return complete_index >= 0; }
  // The index that names this transaction in reports.
  int64_t index() const { return completed() ? complete_index : invoke_index; }
  bool in_graph() const { return type != history::OpType::kFail; }
};

// A (key, value) pair of a history, hashable: a written version.
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

// [iso.1] Appends to `txns`, in order of invocation.
bool pair_transactions(const history::History& history, std::vector<PairedTxn>& txns, Verdict& verdict);
// The same over flat arrays: mop_begin/mop_count are set, mops is null.
bool pair_transactions(const history::CompactHistory& history, std::vector<PairedTxn>& txns, Verdict& verdict);

struct OrderEdges {
  bool realtime = false;
  bool process = false;
};
OrderEdges order_edges_for(const std::set<std::string>& prohibited);  // [iso.3]

// [iso.2] Vertices are indices into `txns`.
void link_process_edges(const std::vector<PairedTxn>& txns, TxnGraph& graph);
void link_realtime_edges(const std::vector<PairedTxn>& txns, TxnGraph& graph);  // Elle's, no barriers

// [iso.2] The realtime order as a barrier chain [graph.7]. Walking the
// invocations and :ok completions in history order, the first invocation
// after one or more completions creates a barrier b (in order, from
// txn_count() up); then
//   - each transaction that completed since the previous barrier -> b,
//   - the previous barrier -> b,
//   - every invocation's transaction gets an edge from the latest barrier.
// So T1 reaches T2 through barriers exactly when T1 completed :ok before T2
// was invoked, with at most one barrier per invocation and three edges per
// transaction, where the frontier construction makes up to one edge per
// process per transaction. It can make the links more than once (a
// two-pass TxnGraph [graph.6] asks twice): the events are put in history
// order once, by their positions.
class RealtimeEdges {
 public:
  explicit RealtimeEdges(const std::vector<PairedTxn>& txns);
  uint32_t barrier_count() const { return barrier_count_; }
  // Adds the barriers to `graph`. REQUIRES: before any link.
  void add_barriers(TxnGraph& graph) const;
  // REQUIRES: add_barriers(graph) was called, and no one else added barriers.
  void link(TxnGraph& graph) const;
  // The same, through one of the graph's lanes [graph.8], [graph.9].
  void link(TxnGraph& graph, TxnGraph::Lane& lane) const;

 private:
  template <class Link>
  void link(const TxnGraph& graph, Link&& link_one) const;
  std::vector<uint32_t> events_;  // txn << 1 | (1 for an invocation), in history order
  uint32_t barrier_count_ = 0;
};

std::string render_list(const std::vector<int64_t>* list);  // nil, [1 2 3], or [... 7 8 9]
std::string render_list(std::span<const int64_t> list);     // [1 2 3], or [... 7 8 9]
std::string render_mop(const history::MicroOp& mop);        // [:w 3 1], [:r 4 nil], [:r 4 [1 2]]
// "op 12 (process 3, ok): [[:append 3 1] [:r 4 [1 2]]]". REQUIRES: txn.mops.
std::string describe_txn(const PairedTxn& txn);
std::string render_mop(const history::CompactHistory& history, const history::CompactMop& mop);
// describe_txn for a transaction paired over `history`.
std::string describe_txn(const history::CompactHistory& history, const PairedTxn& txn);
// The same for transaction `txn` (an index into the checker's txns); null
// means describe_txn().
using TxnDescriber = std::function<std::string(uint32_t txn)>;

// Why txns[b] depends on txns[a] through data relation `rel` (kWw, kWr or
// kRw): one sentence naming them `a_name` and `b_name`, or "" if it does not.
using DataEdgeExplainer = std::function<std::string(uint32_t a, const std::string& a_name, uint32_t b,
                                                    const std::string& b_name, uint8_t rel)>;

// A reported cycle: every edge explained in a sentence, and a Graphviz DOT.
Anomaly explain_cycle(const std::vector<PairedTxn>& txns, const Cycle& cycle, const DataEdgeExplainer& explain_data,
                      const TxnDescriber& describe = nullptr);

// Every nontrivial component of `graph`: its explained cycles
// (search_cycles, [graph.3]/[graph.4]) and its cycle-exists anomalies
// ([graph.5]) into `found`; notes for an empty graph and exhausted budgets.
// Past the first kExamplesPerType anomalies of a type in `found`, a cycle
// is added with its type alone (a Verdict keeps no more examples).
// Takes the graph to free it once its components are copied out.
void find_cycles(const std::vector<PairedTxn>& txns, TxnGraph graph, uint64_t steps_max,
                 const DataEdgeExplainer& explain_data, std::vector<Anomaly>& found, Verdict& verdict,
                 const TxnDescriber& describe = nullptr);

// "op 12 (process 3)": how detectors name a transaction.
std::string who(const PairedTxn& txn);

// lost-update (Elle's): committed transactions (ids into `txns`, ascending)
// that read one state of a key and then each wrote the key. `state` renders
// that read; `wrote` says how they wrote ("appended to", "wrote").
struct LostUpdateGroup {
  int64_t key = 0;
  std::string state;
  std::vector<uint32_t> txns;
};
// Reports every group of two or more, ordered by its first transaction.
void report_lost_updates(const std::vector<PairedTxn>& txns, std::vector<LostUpdateGroup> groups,
                         std::string_view wrote, std::vector<Anomaly>& found);

// [iso.4] Moves `found` into `verdict`.
void finish_verdict(std::vector<Anomaly> found, const std::set<std::string>& prohibited, Verdict& verdict);

}  // namespace fl::checkers::internal
