// The realtime order as a barrier chain (checkers/internal/isolation.h
// [iso.2], RealtimeEdges; checkers/internal/txn_graph.h [graph.7]): which
// barriers and edges a small history gets, that cycles through barriers are
// reported and explained between transactions only, and that :info
// transactions take realtime edges in, never out.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checkers/internal/isolation.h"
#include "checkers/internal/txn_graph.h"
#include "checkers/list_append.h"
#include "tests/checkers/la_gen.h"

namespace fl::checkers {
namespace {

using history::OpType;
using internal::kRealtime;
using internal::PairedTxn;
using internal::RealtimeEdges;
using internal::TxnGraph;
using testing::check;
using testing::edn;
using testing::types;
using Set = std::set<std::string>;

// A transaction invoked at history position `invoked`, completing with
// `type` at `completed` (none when negative).
PairedTxn txn(size_t invoked, OpType type, int64_t completed) {
  PairedTxn t;
  t.invoke_pos = invoked;
  t.invoke_index = static_cast<int64_t>(invoked);
  t.type = type;
  if (completed >= 0) {
    t.complete_pos = static_cast<size_t>(completed);
    t.complete_index = completed;
  }
  return t;
}

TxnGraph barrier_graph(const std::vector<PairedTxn>& txns) {
  TxnGraph g(static_cast<uint32_t>(txns.size()));
  RealtimeEdges edges(txns);
  edges.add_barriers(g);
  g.count_pass();
  edges.link(g);
  g.place_pass();
  edges.link(g);
  g.finish();
  return g;
}

std::vector<std::pair<uint32_t, uint32_t>> edge_list(const TxnGraph& g) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (uint32_t v = 0; v < g.vertex_count(); ++v) {
    for (uint32_t e = g.out_begin(v); e < g.out_end(v); ++e) {
      EXPECT_EQ(g.rels(e), kRealtime);
      out.push_back({v, g.target(e)});
    }
  }
  return out;
}

TEST(RealtimeBarrier, SequentialTransactionsChainThroughOneBarrierEach) {  // [iso.2]
  // T0 [0,1], T1 [2,3], T2 [4,5]: barriers 3 (at 2) and 4 (at 4).
  std::vector<PairedTxn> txns{txn(0, OpType::kOk, 1), txn(2, OpType::kOk, 3), txn(4, OpType::kOk, 5)};
  TxnGraph g = barrier_graph(txns);
  EXPECT_EQ(g.txn_count(), 3u);
  EXPECT_EQ(g.vertex_count(), 5u);
  EXPECT_TRUE(g.is_barrier(3));
  EXPECT_FALSE(g.is_barrier(2));
  using E = std::pair<uint32_t, uint32_t>;
  EXPECT_EQ(edge_list(g), (std::vector<E>{{0, 3}, {1, 4}, {3, 1}, {3, 4}, {4, 2}}));
}

TEST(RealtimeBarrier, ConcurrentCompletionsShareABarrier) {  // [iso.2]
  // T0 [0,2], T1 [1,3] both complete before T2 [4,5] is invoked: one
  // barrier, two edges into it, one out. T2 completes last: no barrier after it.
  std::vector<PairedTxn> txns{txn(0, OpType::kOk, 2), txn(1, OpType::kOk, 3), txn(4, OpType::kOk, 5)};
  TxnGraph g = barrier_graph(txns);
  EXPECT_EQ(g.vertex_count(), 4u);
  using E = std::pair<uint32_t, uint32_t>;
  EXPECT_EQ(edge_list(g), (std::vector<E>{{0, 3}, {1, 3}, {3, 2}}));
}

TEST(RealtimeBarrier, InfoTakesEdgesInNeverOutAndFailIsLeftOut) {  // [iso.2]
  // T0 :info [0,1], T1 :fail [2,3], T2 :ok [4,5], T3 never completes (6),
  // T4 :ok [7,8]. Only T2's completion makes a barrier (at 6), which links
  // to T3 and T4; T0 and T1 link to nothing.
  std::vector<PairedTxn> txns{txn(0, OpType::kInfo, 1), txn(2, OpType::kFail, 3), txn(4, OpType::kOk, 5),
                              txn(6, OpType::kInfo, -1), txn(7, OpType::kOk, 8)};
  TxnGraph g = barrier_graph(txns);
  EXPECT_EQ(g.vertex_count(), 6u);
  using E = std::pair<uint32_t, uint32_t>;
  EXPECT_EQ(edge_list(g), (std::vector<E>{{2, 5}, {5, 3}, {5, 4}}));
}

TEST(RealtimeBarrier, NoCompletionBeforeAnyInvocationMeansNoEdges) {  // [iso.2]
  std::vector<PairedTxn> txns{txn(0, OpType::kOk, 2), txn(1, OpType::kOk, 3)};
  TxnGraph g = barrier_graph(txns);
  EXPECT_EQ(g.vertex_count(), 2u);
  EXPECT_EQ(g.edge_count(), 0u);
}

// A realtime cycle whose order part spans a transaction off the cycle: T0
// appends and completes, T1 runs alone, then T2 reads the old state. The
// transitively reduced order has T0 -> T1 -> T2 only; through barriers the
// cycle is T0 -> T2 (realtime) -> T0 (rw), explained between the two.
TEST(RealtimeBarrier, CycleThroughBarriersIsExplainedAsOneRealtimeEdge) {  // [graph.7], [la.5]
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"},
                         {1, "ok", "[[:append 2 1]]"},
                         {2, "ok", "[[:r 1 []]]"},
                         {3, "ok", "[[:r 1 [1]]]"}}));
  EXPECT_EQ(types(v), (Set{"G-single-item-realtime"}));
  const Anomaly& a = v.anomalies.at("G-single-item-realtime").front();
  std::vector<int64_t> ops = a.op_indices;
  std::sort(ops.begin(), ops.end());
  EXPECT_EQ(ops, (std::vector<int64_t>{1, 5}));  // T0 and T2, by their completions; not T1 (op 3)
  EXPECT_NE(a.explanation.find("completed at index 1 before"), std::string::npos) << a.explanation;
  EXPECT_NE(a.explanation.find("was invoked at index 4 (realtime)"), std::string::npos) << a.explanation;
  EXPECT_NE(a.explanation.find("(rw)"), std::string::npos) << a.explanation;
  // The DOT has the two transactions and their two edges, nothing virtual.
  EXPECT_NE(a.dot.find("t0 [label="), std::string::npos) << a.dot;
  EXPECT_NE(a.dot.find("t1 [label="), std::string::npos) << a.dot;
  EXPECT_EQ(a.dot.find("t2"), std::string::npos) << a.dot;
  EXPECT_NE(a.dot.find("[label=\"realtime\"]"), std::string::npos) << a.dot;
  EXPECT_NE(a.dot.find("[label=\"rw\"]"), std::string::npos) << a.dot;
}

TEST(RealtimeBarrier, RealtimeChainCycleKeepsItsClassification) {  // [graph.7], [graph.3]
  // T0 appends 1 to key 1 and completes; T1 runs alone; T2 appends 2 to
  // key 1; the final read puts 2 before 1, so T2 -ww-> T0, while T0
  // completed before T2 began: G0-realtime.
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"},
                         {1, "ok", "[[:append 3 1]]"},
                         {2, "ok", "[[:append 1 2]]"},
                         {3, "ok", "[[:r 1 [2 1]]]"}}));
  EXPECT_EQ(types(v), (Set{"G0-realtime"}));
  const Anomaly& a = v.anomalies.at("G0-realtime").front();
  EXPECT_EQ(a.op_indices.size(), 2u) << a.explanation;
  EXPECT_NE(a.explanation.find("(realtime)"), std::string::npos) << a.explanation;
  EXPECT_NE(a.explanation.find("(ww)"), std::string::npos) << a.explanation;
}

// An :info transaction that began after another completed takes a
// realtime edge from it, but never gives one: a read after an :info
// append that misses it is fine (as [la.4]), even through a chain of
// barriers.
TEST(RealtimeBarrier, InfoTransactionGivesNoRealtimeEdgeThroughBarriers) {  // [iso.2]
  Verdict v = check(edn({{0, "info", "[[:append 1 1]]"},
                         {1, "ok", "[[:append 2 1]]"},
                         {2, "ok", "[[:append 2 2]]"},
                         {3, "ok", "[[:r 1 []] [:r 2 [1 2]]]"},
                         {4, "ok", "[[:r 1 [1]]]"}}));
  EXPECT_EQ(v.validity, Validity::kValid) << (v.anomalies.empty() ? "" : v.anomalies.begin()->first);
}

}  // namespace
}  // namespace fl::checkers
