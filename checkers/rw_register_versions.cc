// rw-register: version orders [rw.3]. A register read shows one version,
// so each key's order is only what these rules justify (Elle's
// version-graphs: initial-state, wfr-keys, sequential-keys,
// linearizable-keys, tried in that order; an inference that would make an
// order cyclic is reported as cyclic-versions and left out).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "checkers/internal/rw_register_index.h"
#include "checkers/limits.h"

namespace fl::checkers::internal {
namespace {

using history::OpType;

// Initial-state: nil precedes every external write of an :ok or :info
// transaction and every non-nil external read of an :ok one.
void initial_state_edges(const RwIndex& ix, std::vector<VersionEdge>& out) {
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    for (const auto* list : {&ix.external[t].writes, &ix.external[t].reads}) {
      for (const auto& [k, v] : *list) {
        if (!ix.versions[v].nil) out.push_back({ix.keys[k].nil_version, v, kInitialState});
      }
    }
  }
}

// Writes follow reads: an :ok transaction's external read of a key precedes
// its external write of it.
void wfr_edges(const RwIndex& ix, std::vector<VersionEdge>& out) {
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    for (const auto& [k, r] : ix.external[t].reads) {
      uint32_t w = ix.ext_write(t, k);
      if (ix.versions[r].nil || w == kNoId || w == r) continue;  // nil: initial-state's job
      out.push_back({r, w, kWfrKeys});
    }
  }
}

// The keys a transaction is known to have touched externally (Elle's
// ext-keys): :ok ones their reads and writes, :info ones their writes.
std::vector<uint32_t> touched_keys(const RwIndex& ix, uint32_t t) {
  std::vector<uint32_t> keys;
  for (const auto& [k, v] : ix.external[t].reads) keys.push_back(k);
  for (const auto& [k, v] : ix.external[t].writes) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// The version of key k a transaction left behind: its external write, else
// (:ok) its external read.
uint32_t last_version(const RwIndex& ix, uint32_t t, uint32_t k) {
  uint32_t w = ix.ext_write(t, k);
  if (w != kNoId || ix.txns[t].type != OpType::kOk) return w;
  return ix.ext_read(t, k);
}

// The version of key k a transaction first saw: (:ok) its external read
// unless nil, else its external write, else its (nil) read. Elle's choice:
// a nil read followed by a write counts as the write.
uint32_t first_version(const RwIndex& ix, uint32_t t, uint32_t k) {
  uint32_t r = ix.txns[t].type == OpType::kOk ? ix.ext_read(t, k) : kNoId;
  if (r != kNoId && !ix.versions[r].nil) return r;
  uint32_t w = ix.ext_write(t, k);
  return w != kNoId ? w : r;
}

// Elle's transaction-graph->version-graphs over an order graph (process or
// realtime edges only): for each transaction T and key k, the transactions
// that touch k first along each path out of T; the version T left behind
// precedes the first version each of them saw. False when `steps_left` ran
// out (nothing is added then).
bool order_edges(const RwIndex& ix, const TxnGraph& g, VersionSource source, uint64_t& steps_left,
                 std::vector<VersionEdge>& out) {
  uint32_t n = g.vertex_count();
  std::vector<std::vector<uint32_t>> touched(n);
  for (uint32_t t = 0; t < n; ++t) touched[t] = touched_keys(ix, t);
  // next[t]: key -> the first transactions touching it downstream of t.
  std::vector<std::map<uint32_t, std::vector<uint32_t>>> next(n);
  for (uint32_t t = n; t-- > 0;) {
    std::map<uint32_t, std::set<uint32_t>> acc;
    for (uint32_t e = g.out_begin(t); e < g.out_end(t); ++e) {
      uint32_t s = g.target(e);
      FL_ASSERT(s > t);  // Invariant: order edges point forward in invocation order, so this is topological
      for (uint32_t k : touched[s]) acc[k].insert(s);
      uint64_t cost = touched[s].size();
      for (const auto& [k, firsts] : next[s]) {
        if (std::binary_search(touched[s].begin(), touched[s].end(), k)) continue;
        acc[k].insert(firsts.begin(), firsts.end());
        cost += firsts.size();
      }
      if (cost >= steps_left) return false;
      steps_left -= cost;
    }
    for (auto& [k, firsts] : acc) next[t][k].assign(firsts.begin(), firsts.end());
  }
  for (uint32_t t = 0; t < n; ++t) {
    for (const auto& [k, firsts] : next[t]) {
      uint32_t v1 = last_version(ix, t, k);
      if (v1 == kNoId) continue;  // Elle links nil here, which initial-state already holds
      for (uint32_t b : firsts) {
        uint32_t v2 = first_version(ix, b, k);
        if (v2 != kNoId && v2 != v1) out.push_back({v1, v2, source});
      }
    }
  }
  return true;
}

// Sorted by (from, to), duplicates merged with their sources.
std::vector<VersionEdge> normalized(std::vector<VersionEdge> edges) {
  std::sort(edges.begin(), edges.end(),
            [](const VersionEdge& a, const VersionEdge& b) { return std::tie(a.from, a.to) < std::tie(b.from, b.to); });
  std::vector<VersionEdge> out;
  for (const VersionEdge& e : edges) {
    if (!out.empty() && out.back().from == e.from && out.back().to == e.to) {
      out.back().sources |= e.sources;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

// The version orders as one graph over version ids (keys never link, so
// each component is one key's); its nontrivial components are the cycles.
std::vector<std::vector<uint32_t>> version_cycles(const RwIndex& ix, const std::vector<VersionEdge>& edges) {
  TxnGraph g(static_cast<uint32_t>(ix.versions.size()));
  for (const VersionEdge& e : edges) g.link(e.from, e.to, kWw);  // the relation is unused here
  g.finish();
  return nontrivial_sccs(g);
}

std::string source_names(uint8_t sources) {
  std::string out;
  for (VersionSource s : {kInitialState, kWfrKeys, kSequentialKeys, kLinearizableKeys}) {
    if ((sources & s) == 0) continue;
    if (!out.empty()) out += ", ";
    out += version_source_name(s);
  }
  return out;
}

Anomaly cyclic_versions(const RwIndex& ix, const std::vector<VersionEdge>& edges, const std::vector<uint32_t>& scc,
                        uint8_t sources, VersionSource dropped) {
  const RwVersion& first = ix.versions[scc.front()];
  Anomaly a{"cyclic-versions", {}, "", ""};
  std::string values;
  std::string steps;
  size_t shown = 0;
  for (uint32_t v : scc) {
    values += (values.empty() ? "" : " ") + ix.render(v);
    uint32_t w = ix.versions[v].writer;
    if (w != kNoId && a.op_indices.size() < kCycleExistsOpsShownMax) a.op_indices.push_back(ix.txns[w].index());
  }
  for (const VersionEdge& e : edges) {
    bool inside =
        std::binary_search(scc.begin(), scc.end(), e.from) && std::binary_search(scc.begin(), scc.end(), e.to);
    if (!inside || shown++ >= kCycleExistsOpsShownMax) continue;
    steps += " " + ix.render(e.from) + " < " + ix.render(e.to) + " (" + source_names(e.sources) + ");";
  }
  a.explanation = "The version order of key " + std::to_string(first.key) + " inferred from " + source_names(sources) +
                  " is cyclic over the values [" + values + "]:" + steps +
                  " no order of writes satisfies all of it, so the " + std::string(version_source_name(dropped)) +
                  " inference is not used for the graph.";
  return a;
}

}  // namespace

void infer_version_orders(RwIndex& ix, const RwRegisterOptions& options, std::vector<Anomaly>& found,
                          Verdict& verdict) {
  uint64_t steps_left = options.version_inference_steps_max;
  std::vector<VersionEdge> accepted;
  uint8_t accepted_sources = 0;
  for (VersionSource source : {kInitialState, kWfrKeys, kSequentialKeys, kLinearizableKeys}) {
    std::vector<VersionEdge> edges = accepted;
    if (source == kInitialState) {
      initial_state_edges(ix, edges);
    } else if (source == kWfrKeys) {
      if (!options.wfr_keys) continue;
      wfr_edges(ix, edges);
    } else {
      if (source == kSequentialKeys ? !options.sequential_keys : !options.linearizable_keys) continue;
      TxnGraph order(static_cast<uint32_t>(ix.txns.size()));
      if (source == kSequentialKeys) link_process_edges(ix.txns, order);
      if (source == kLinearizableKeys) link_realtime_edges(ix.txns, order);
      order.finish();
      if (!order_edges(ix, order, source, steps_left, edges)) {
        verdict.notes.push_back("version-inference-truncated: the " + std::string(version_source_name(source)) +
                                " inference ran out of its budget of " +
                                std::to_string(options.version_inference_steps_max) +
                                " steps and was not used; fewer dependencies were inferred");
        continue;
      }
    }
    edges = normalized(std::move(edges));
    std::vector<std::vector<uint32_t>> cycles = version_cycles(ix, edges);
    if (!cycles.empty()) {
      // Elle's rule: an inference that closes a cycle is reported, not used.
      for (const std::vector<uint32_t>& scc : cycles) {
        found.push_back(cyclic_versions(ix, edges, scc, accepted_sources | source, source));
      }
      continue;
    }
    accepted = std::move(edges);
    accepted_sources |= source;
  }
  FL_ASSERT(std::is_sorted(accepted.begin(), accepted.end(), [](const VersionEdge& a, const VersionEdge& b) {
    return std::tie(a.from, a.to) < std::tie(b.from, b.to);
  }));
  ix.order = std::move(accepted);
}

}  // namespace fl::checkers::internal
