// checkers/internal/cycle_exists.cc: [graph.5] of txn_graph.h, Elle's
// cycle-exists checks over one component.
#include <array>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "checkers/consistency_models.h"
#include "checkers/internal/cycle_facts.h"
#include "checkers/internal/txn_graph.h"

namespace fl::checkers::internal {
namespace {

// Whether the edges with (labels[e] & mask) != 0 hold a cycle: an iterative
// depth-first search that stops at its first back edge. Unlike tarjan() it
// need not finish the graph when there is a cycle, which matters in one huge
// component. REQUIRES: no self-loops.
bool has_any_cycle(uint32_t n, const std::vector<uint32_t>& offsets, const std::vector<uint32_t>& targets,
                   const std::vector<uint8_t>& labels, uint8_t mask) {
  enum : uint8_t { kWhite, kGray, kBlack };
  std::vector<uint8_t> color(n, kWhite);
  std::vector<std::pair<uint32_t, uint32_t>> frames;  // (vertex, next edge)
  for (uint32_t root = 0; root < n; ++root) {
    if (color[root] != kWhite) continue;
    color[root] = kGray;
    frames.push_back({root, offsets[root]});
    while (!frames.empty()) {
      auto& [v, e] = frames.back();
      if (e == offsets[v + 1]) {
        color[v] = kBlack;
        frames.pop_back();
        continue;
      }
      uint32_t edge = e++;
      if ((labels[edge] & mask) == 0) continue;
      uint32_t w = targets[edge];
      if (color[w] == kGray) return true;
      if (color[w] == kWhite) {
        color[w] = kGray;
        frames.push_back({w, offsets[w]});
      }
    }
  }
  return false;
}


struct CycleExistsSpec {
  const char* model;  // canonical
  uint8_t a;          // relations of the graph
  uint8_t b;          // relations of the one extra step (0: plain union)
};

// Elle's cycle-exists-specs, in its order.
constexpr CycleExistsSpec kCycleExistsSpecs[] = {
    {"PL-1", kWw, 0},
    {"PL-2", kWw | kWr, 0},
    {"PL-SI", kWw | kWr, kRw},
    {"PL-2.99", kWw | kWr | kRw, 0},
    {"PL-3", kWw | kWr | kRw, 0},
    {"strong-session-PL-1", kWw | kProcess, 0},
    {"strong-session-PL-2", kWw | kWr | kProcess, 0},
    {"strong-session-snapshot-isolation", kWw | kWr | kProcess, kRw},
    {"strong-session-serializable", kWw | kWr | kRw | kProcess, 0},
    {"strong-PL-1", kWw | kRealtime, 0},
    {"strong-PL-2", kWw | kWr | kRealtime, 0},
    {"strong-snapshot-isolation", kWw | kWr | kRealtime, kRw},
    {"PL-SS", kWw | kWr | kRw | kRealtime, 0},
};

// Whether the edges with any relation of `rels` hold a cycle.
bool has_cycle(const Component& local, uint8_t rels, CycleFacts& facts) {
  if (std::optional<bool> known = facts.known(rels)) return *known;
  const bool cyclic = has_any_cycle(static_cast<uint32_t>(local.global.size()), local.offsets, local.targets,
                                    local.rels, rels);
  facts.note(rels, cyclic);
  return cyclic;
}

bool has_cycle(const Component& local, const CycleExistsSpec& spec, CycleFacts& facts) {
  const uint8_t a = spec.a & local.graph_rels;
  const uint8_t b = spec.b & local.graph_rels;
  // A u (A;B) has a cycle when A has one, and none when A u B has none (a
  // cycle of it is a closed walk over A u B); both are a plain pass,
  // cheaper than building the extension below.
  if (has_cycle(local, a, facts)) return true;
  if (b == 0 || !has_cycle(local, a | b, facts)) return false;
  uint32_t n = static_cast<uint32_t>(local.global.size());
  // A u (A;B) without building A;B: vertex v' (n + v) means "arrived at v by
  // an A edge; a B edge may follow". A cycle of the extension is a cycle here.
  std::vector<uint32_t> offsets{0};
  std::vector<uint32_t> targets;
  for (uint32_t v = 0; v < n; ++v) {
    for (uint32_t e = local.offsets[v]; e < local.offsets[v + 1]; ++e) {
      if ((local.rels[e] & a) == 0) continue;
      targets.push_back(local.targets[e]);
      targets.push_back(n + local.targets[e]);
    }
    offsets.push_back(static_cast<uint32_t>(targets.size()));
  }
  for (uint32_t v = 0; v < n; ++v) {
    for (uint32_t e = local.offsets[v]; e < local.offsets[v + 1]; ++e) {
      if ((local.rels[e] & b) != 0) targets.push_back(local.targets[e]);
    }
    offsets.push_back(static_cast<uint32_t>(targets.size()));
  }
  std::vector<uint8_t> all(targets.size(), 1);
  return has_any_cycle(2 * n, offsets, targets, all, 1);
}

}  // namespace

std::vector<std::string> cycle_exists_types(const TxnGraph& graph, const std::vector<uint32_t>& scc) {
  return cycle_exists_types(make_component(graph, scc));
}

std::vector<std::string> cycle_exists_types(const Component& local) {
  // Per spec, the specs whose models imply its model: once it holds, they
  // do too and are not checked. Closed once per process, not per component.
  constexpr size_t kSpecs = std::size(kCycleExistsSpecs);
  static_assert(kSpecs <= 32);
  static const std::array<uint32_t, kSpecs> kImplying = [] {
    std::array<uint32_t, kSpecs> implying{};
    for (size_t i = 0; i < kSpecs; ++i) {
      const std::set<std::string> models = models_implying(kCycleExistsSpecs[i].model);
      for (size_t j = 0; j < kSpecs; ++j) {
        if (models.count(kCycleExistsSpecs[j].model) > 0) implying[i] |= uint32_t{1} << j;
      }
    }
    return implying;
  }();
  std::vector<std::string> types;
  uint32_t redundant = 0;
  CycleFacts facts;  // over the edges' relations
  for (size_t i = 0; i < kSpecs; ++i) {
    const CycleExistsSpec& spec = kCycleExistsSpecs[i];
    if ((redundant >> i & 1) != 0) continue;
    if (!has_cycle(local, spec, facts)) continue;
    types.push_back(std::string(spec.model) + "-cycle-exists");
    redundant |= kImplying[i];
  }
  return types;
}
}  // namespace fl::checkers::internal
