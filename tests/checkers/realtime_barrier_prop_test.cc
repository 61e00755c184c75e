// Properties of the realtime barrier chain (checkers/internal/isolation.h
// [iso.2], checkers/internal/txn_graph.h [graph.7]) on random small
// histories: reachability through barriers is the quadratic definition of
// the realtime order, and a graph with the chain has the same components
// and cycle-exists anomalies as one with Elle's transitively reduced
// realtime edges (link_realtime_edges), every cycle class of that graph or
// a more severe one implying it, and every reported cycle made of
// transactions and edges that hold.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "checkers/consistency_models.h"
#include "checkers/internal/isolation.h"
#include "checkers/internal/txn_graph.h"

namespace fl::checkers::internal {
namespace {

using history::OpType;

struct DataEdge {
  uint32_t from;
  uint32_t to;
  Rel rel;
};

// Up to `max` transactions whose invocations and completions interleave at
// random; each completes :ok, :info or :fail, or never.
std::vector<PairedTxn> random_txns(size_t max) {
  const size_t n = *rc::gen::inRange<size_t>(1, max + 1);
  std::vector<uint32_t> events;  // txn ids, each twice; the first is its invocation
  for (uint32_t t = 0; t < n; ++t) events.insert(events.end(), {t, t});
  events = *rc::gen::apply(
      [](std::vector<uint32_t> e, uint64_t seed) {
        for (size_t i = e.size(); i > 1; --i) std::swap(e[i - 1], e[(seed = seed * 6364136223846793005ull + 1) % i]);
        return e;
      },
      rc::gen::just(events), rc::gen::arbitrary<uint64_t>());
  std::vector<PairedTxn> txns(n);
  std::vector<bool> invoked(n, false);
  for (size_t pos = 0; pos < events.size(); ++pos) {
    PairedTxn& txn = txns[events[pos]];
    if (!invoked[events[pos]]) {
      invoked[events[pos]] = true;
      txn.invoke_pos = pos;
      txn.invoke_index = static_cast<int64_t>(pos);
      continue;
    }
    const int outcome = *rc::gen::inRange(0, 8);  // mostly :ok
    if (outcome == 0) continue;                  // never completes: stays :info
    txn.type = outcome == 1 ? OpType::kInfo : outcome == 2 ? OpType::kFail : OpType::kOk;
    txn.complete_pos = pos;
    txn.complete_index = static_cast<int64_t>(pos);
  }
  return txns;
}

bool precedes(const PairedTxn& a, const PairedTxn& b) {  // [iso.2], the definition
  return a.in_graph() && b.in_graph() && a.type == OpType::kOk && a.complete_pos < b.invoke_pos;
}

std::vector<DataEdge> random_data_edges(const std::vector<PairedTxn>& txns) {
  std::vector<DataEdge> edges;
  const size_t count = *rc::gen::inRange<size_t>(0, 2 * txns.size() + 1);
  for (size_t i = 0; i < count; ++i) {
    const auto a = *rc::gen::inRange<uint32_t>(0, static_cast<uint32_t>(txns.size()));
    const auto b = *rc::gen::inRange<uint32_t>(0, static_cast<uint32_t>(txns.size()));
    const Rel rel = *rc::gen::element(kWw, kWr, kRw);
    if (a == b || !txns[a].in_graph() || !txns[b].in_graph()) continue;
    edges.push_back({a, b, rel});
  }
  return edges;
}

TxnGraph barrier_graph(const std::vector<PairedTxn>& txns, const std::vector<DataEdge>& data) {
  TxnGraph g(static_cast<uint32_t>(txns.size()));
  RealtimeEdges realtime(txns);
  realtime.add_barriers(g);
  auto link_all = [&] {
    for (const DataEdge& e : data) g.link(e.from, e.to, e.rel);
    realtime.link(g);
  };
  g.count_pass();
  link_all();
  g.place_pass();
  link_all();
  g.finish();
  return g;
}

TxnGraph reduced_graph(const std::vector<PairedTxn>& txns, const std::vector<DataEdge>& data) {
  TxnGraph g(static_cast<uint32_t>(txns.size()));
  for (const DataEdge& e : data) g.link(e.from, e.to, e.rel);
  link_realtime_edges(txns, g);
  g.finish();
  return g;
}

// Vertices reachable from `from` by realtime edges.
std::vector<bool> realtime_reach(const TxnGraph& g, uint32_t from) {
  std::vector<bool> seen(g.vertex_count(), false);
  std::vector<uint32_t> stack{from};
  while (!stack.empty()) {
    uint32_t v = stack.back();
    stack.pop_back();
    for (uint32_t e = g.out_begin(v); e < g.out_end(v); ++e) {
      if ((g.rels(e) & kRealtime) == 0 || seen[g.target(e)]) continue;
      seen[g.target(e)] = true;
      stack.push_back(g.target(e));
    }
  }
  return seen;
}

bool has_edge(const TxnGraph& g, uint32_t a, uint32_t b, uint8_t rel) {
  for (uint32_t e = g.out_begin(a); e < g.out_end(a); ++e) {
    if (g.target(e) == b && (g.rels(e) & rel) != 0) return true;
  }
  return false;
}

std::vector<std::vector<uint32_t>> txn_components(const TxnGraph& g) {
  std::vector<std::vector<uint32_t>> out;
  for (std::vector<uint32_t> scc : nontrivial_sccs(g)) {
    scc.resize(txns_in(g, scc));
    out.push_back(scc);
  }
  return out;
}

RC_GTEST_PROP(RealtimeBarrierProp, ReachabilityThroughBarriersIsTheRealtimeOrder, ()) {  // [iso.2]
  const std::vector<PairedTxn> txns = random_txns(24);
  const TxnGraph g = barrier_graph(txns, {});
  const auto n = static_cast<uint32_t>(txns.size());
  RC_ASSERT(g.txn_count() == n);
  RC_ASSERT(g.edge_count() <= 3 * size_t{n});  // O(n): three edges per transaction at most
  RC_ASSERT(g.vertex_count() - n <= n);        // at most one barrier per invocation
  for (uint32_t a = 0; a < n; ++a) {
    const std::vector<bool> reach = realtime_reach(g, a);
    for (uint32_t b = 0; b < n; ++b) RC_ASSERT(reach[b] == precedes(txns[a], txns[b]));
  }
  // Barriers link only forward in time, so no barrier reaches itself, and
  // nothing links into a barrier from a transaction that did not commit.
  for (uint32_t v = 0; v < g.vertex_count(); ++v) {
    for (uint32_t e = g.out_begin(v); e < g.out_end(v); ++e) {
      if (!g.is_barrier(v)) RC_ASSERT(txns[v].type == OpType::kOk);
      if (!g.is_barrier(g.target(e))) RC_ASSERT(txns[g.target(e)].in_graph());
    }
  }
}

RC_GTEST_PROP(RealtimeBarrierProp, BarrierChainJudgesCyclesAsTheReducedOrder, ()) {  // [graph.7]
  const std::vector<PairedTxn> txns = random_txns(12);
  const std::vector<DataEdge> data = random_data_edges(txns);
  for (const PairedTxn& t : txns) {
    RC_LOG() << "txn [" << t.invoke_pos << ", " << (t.completed() ? std::to_string(t.complete_pos) : "-") << "] "
             << static_cast<int>(t.type) << "\n";
  }
  for (const DataEdge& e : data) RC_LOG() << e.from << " -" << rel_name(e.rel) << "-> " << e.to << "\n";
  const TxnGraph chain = barrier_graph(txns, data);
  const TxnGraph reduced = reduced_graph(txns, data);
  const std::vector<std::vector<uint32_t>> components = txn_components(chain);
  RC_ASSERT(components == nontrivial_sccs(reduced));
  const std::vector<std::vector<uint32_t>> full = nontrivial_sccs(chain);
  for (size_t c = 0; c < components.size(); ++c) {
    RC_ASSERT(cycle_exists_types(chain, full[c]) == cycle_exists_types(reduced, components[c]));
    const CycleSearch with_barriers = search_cycles(chain, full[c], uint64_t{1} << 24);
    const CycleSearch without = search_cycles(reduced, components[c], uint64_t{1} << 24);
    RC_ASSERT(!with_barriers.truncated);
    RC_ASSERT(!without.truncated);
    std::set<std::string> types_with;
    std::set<std::string> types_without;
    for (const Cycle& cycle : without.cycles) types_without.insert(cycle.type);
    for (const Cycle& cycle : with_barriers.cycles) {
      types_with.insert(cycle.type);
      RC_ASSERT(classify_cycle(cycle.labels) == cycle.type);
      std::set<uint32_t> distinct(cycle.vertices.begin(), cycle.vertices.end());
      RC_ASSERT(distinct.size() == cycle.vertices.size());  // simple
      for (size_t i = 0; i < cycle.vertices.size(); ++i) {
        const uint32_t a = cycle.vertices[i];
        const uint32_t b = cycle.vertices[(i + 1) % cycle.vertices.size()];
        RC_ASSERT(a < chain.txn_count());  // transactions only
        RC_ASSERT(std::binary_search(components[c].begin(), components[c].end(), a));
        if (cycle.labels[i] == kRealtime) {
          RC_ASSERT(precedes(txns[a], txns[b]));
        } else {
          RC_ASSERT(has_edge(chain, a, b, cycle.labels[i]));
        }
      }
    }
    for (const std::string& t : types_with) RC_LOG() << "with barriers: " << t << "\n";
    for (const std::string& t : types_without) RC_LOG() << "reduced: " << t << "\n";
    // Every class the reduced order yields is found through barriers, or
    // implied by a more severe one found there: where an intermediate
    // transaction's realtime edge is masked by a data edge [graph.2], the
    // reduced order hides a realtime pair the chain keeps (e.g. G2-item-
    // realtime there, G-single-item-realtime here).
    const std::set<std::string> implied = all_implied_anomalies(types_with);
    for (const std::string& t : types_without) RC_ASSERT(types_with.count(t) > 0 || implied.count(t) > 0);
  }
}

}  // namespace
}  // namespace fl::checkers::internal
