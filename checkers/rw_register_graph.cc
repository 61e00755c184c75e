// rw-register: the dependency graph [rw.5] and its data edges explained in
// words [rw.6] (isolation.cc explains order edges and renders cycles).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/assert.h"
#include "checkers/internal/rw_register_index.h"

namespace fl::checkers::internal {
namespace {

void link_data_edges(const RwIndex& ix, TxnGraph& g) {
  // wr: the external writer of a version to its external readers.
  for (uint32_t v = 0; v < ix.versions.size(); ++v) {
    uint32_t w = ix.versions[v].ext_writer;
    if (w == kNoId) continue;
    for (uint32_t r : ix.ext_readers[v]) {
      if (r != w) g.link(w, r, kWr);
    }
  }
  // ww and rw: along each edge v1 -> v2 of the version orders, to the
  // external writer of v2.
  for (const VersionEdge& e : ix.order) {
    uint32_t w2 = ix.versions[e.to].ext_writer;
    if (w2 == kNoId) continue;
    uint32_t w1 = ix.versions[e.from].ext_writer;
    if (w1 != kNoId && w1 != w2) g.link(w1, w2, kWw);
    for (uint32_t r : ix.ext_readers[e.from]) {
      if (r != w2) g.link(r, w2, kRw);
    }
  }
}

// Why v1 precedes v2 in the version order, from the edge's first source.
std::string order_reason(const RwIndex& ix, uint32_t v1, uint32_t v2) {
  uint8_t sources = ix.order_sources(v1, v2);
  FL_ASSERT(sources != 0);  // Invariant: only edges of the order explain ww and rw
  if (sources & kInitialState) return "nil, the initial state, precedes every written value";
  if (sources & kWfrKeys) {
    return "the transaction that wrote " + ix.render(v2) + " had read " + ix.render(v1) + " first (wfr-keys)";
  }
  if (sources & kSequentialKeys) return "by process order, each key being sequential (sequential-keys)";
  return "by realtime order, each key being linearizable (linearizable-keys)";
}

}  // namespace

TxnGraph build_rw_graph(const RwIndex& ix, const OrderEdges& orders) {
  FL_ASSERT(!(orders.realtime && orders.process));
  TxnGraph g(static_cast<uint32_t>(ix.txns.size()), RelPrecedence::kWrFirst);
  std::optional<RealtimeEdges> realtime_edges;
  if (orders.realtime) {
    realtime_edges.emplace(ix.txns);
    realtime_edges->add_barriers(g);  // [graph.7]
  }
  auto link_all = [&] {
    link_data_edges(ix, g);
    if (realtime_edges) realtime_edges->link(g);
    if (orders.process) link_process_edges(ix.txns, g);
  };
  g.count_pass();  // [graph.6]
  link_all();
  g.place_pass();
  link_all();
  g.finish();
  return g;
}

std::string explain_rw_data_edge(const RwIndex& ix, uint32_t a, const std::string& an, uint32_t b,
                                 const std::string& bn, uint8_t rel) {
  if (rel == kWr) {
    for (const auto& [k, v] : ix.external[a].writes) {
      const std::vector<uint32_t>& readers = ix.ext_readers[v];
      if (!std::binary_search(readers.begin(), readers.end(), b)) continue;
      return an + " set key " + std::to_string(ix.keys[k].key) + " to " + ix.render(v) + ", and " + bn +
             " read that value, so " + bn + " read " + an + "'s write (wr)";
    }
    return "";
  }
  if (rel != kWw && rel != kRw) return "";
  for (const auto& [k, v2] : ix.external[b].writes) {
    uint32_t v1 = rel == kWw ? ix.ext_write(a, k) : ix.ext_read(a, k);
    if (v1 == kNoId || ix.order_sources(v1, v2) == 0) continue;
    std::string key = std::to_string(ix.keys[k].key);
    if (rel == kWw) {
      return an + " set key " + key + " to " + ix.render(v1) + ", and " + bn + " set it to " + ix.render(v2) +
             ", which came later in the version order (" + order_reason(ix, v1, v2) + "), so " + bn + " overwrote " +
             an + "'s write (ww)";
    }
    return an + " read key " + key + " = " + ix.render(v1) + ", and " + bn + " set it to " + ix.render(v2) +
           ", which came later in the version order (" + order_reason(ix, v1, v2) + "), so " + an + " did not see " +
           bn + "'s write (rw)";
  }
  return "";
}

}  // namespace fl::checkers::internal
