#include "checkers/internal/txn_graph.h"

#include <algorithm>
#include <array>
#include <future>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>
#include <utility>

#include "base/assert.h"
#include "history/thread.h"
#include "checkers/consistency_models.h"
#include "checkers/internal/cycle_facts.h"

namespace fl::checkers::internal {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Tarjan's algorithm, iterative (no recursion: components can hold millions
// of vertices). An edge counts when (labels[e] & mask) != 0. Returns the
// component of each vertex; components are numbered in completion order.
// Once `stop` is requested it gives up and returns nothing.
std::vector<uint32_t> tarjan(uint32_t n, const std::vector<uint32_t>& offsets, const std::vector<uint32_t>& targets,
                             const std::vector<uint8_t>& labels, uint8_t mask, std::stop_token stop = {}) {
  std::vector<uint32_t> index(n, kNone);
  std::vector<uint32_t> low(n, 0);
  std::vector<uint32_t> comp(n, kNone);
  std::vector<uint32_t> stack;
  std::vector<std::pair<uint32_t, uint32_t>> frames;  // (vertex, next edge)
  uint32_t next_index = 0;
  uint32_t next_comp = 0;
  uint32_t steps = 0;
  for (uint32_t root = 0; root < n; ++root) {
    if (index[root] != kNone) continue;
    frames.push_back({root, offsets[root]});
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    while (!frames.empty()) {
      if ((++steps & 0xffff) == 0 && stop.stop_requested()) return {};
      auto& [v, e] = frames.back();
      if (e < offsets[v + 1]) {
        uint32_t edge = e++;
        if ((labels[edge] & mask) == 0) continue;
        uint32_t w = targets[edge];
        if (index[w] == kNone) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          frames.push_back({w, offsets[w]});
        } else if (comp[w] == kNone) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      uint32_t done = v;
      frames.pop_back();
      if (!frames.empty()) {
        uint32_t parent = frames.back().first;
        low[parent] = std::min(low[parent], low[done]);
      }
      if (low[done] == index[done]) {
        uint32_t w = kNone;
        do {
          w = stack.back();
          stack.pop_back();
          comp[w] = next_comp;
        } while (w != done);
        ++next_comp;
      }
    }
  }
  FL_ASSERT(stack.empty());
  return comp;
}

// One anomaly class to search for (Elle's cycle-anomaly-specs): which
// relations the cycle may use, and constraints on its rw edges and on the
// relations it must contain.
struct CycleSpec {
  std::string name;
  uint8_t rels = 0;            // usable freely
  bool rw_single = false;      // exactly one rw edge
  bool rw_multiple = false;    // at least two rw edges
  bool rw_nonadjacent = false; // no two rw edges in a row (cyclically)
  uint8_t required[2] = {0, 0};  // at least one edge of each (0: none)
  std::string type;            // when set, classify_cycle() must give it
};

std::vector<CycleSpec> base_specs() {
  std::vector<CycleSpec> specs;
  specs.push_back({"G0", kWw, false, false, false, {0, 0}, ""});
  specs.push_back({"G1c", kWw | kWr, false, false, false, {kWr, 0}, ""});
  specs.push_back({"G-single-item", kWw | kWr, true, false, false, {0, 0}, "G-single-item"});
  specs.push_back({"G-nonadjacent-item", kWw | kWr, false, true, true, {0, 0}, "G-nonadjacent-item"});
  specs.push_back({"G2-item", kWw | kWr | kRw, false, true, false, {0, 0}, "G2-item"});
  return specs;
}

std::vector<CycleSpec> specs_for(uint8_t graph_rels) {
  std::vector<CycleSpec> specs;
  for (const CycleSpec& base : base_specs()) {
    specs.push_back(base);
    for (Rel variant : {kProcess, kRealtime}) {
      if ((graph_rels & variant) == 0) continue;
      CycleSpec v = base;
      std::string suffix(1, '-');  // not "-" + ...: GCC 12 -O3 warns falsely (-Wrestrict)
      suffix.append(rel_name(variant));
      v.name += suffix;
      v.rels |= variant;
      (v.required[0] == 0 ? v.required[0] : v.required[1]) = variant;
      if (!v.type.empty()) v.type += suffix;
      specs.push_back(v);
    }
  }
  std::sort(specs.begin(), specs.end(),
            [](const CycleSpec& a, const CycleSpec& b) { return anomaly_depth_compare(a.name, b.name) < 0; });
  return specs;
}

// The classes searched in a component of a graph with these relations, in
// order, and which of them each one found makes redundant (the anomalies
// it implies). Built once per process for each set of order relations (the
// only ones that change the list), not per component: a history can hold
// 10^4 small components, and building the list and closing its names over
// the implication tables for each took a third of their search.
class SpecTable {
 public:
  static const SpecTable& of(uint8_t graph_rels) {
    static const std::array<SpecTable, 4> tables{SpecTable(0), SpecTable(kProcess), SpecTable(kRealtime),
                                                 SpecTable(kProcess | kRealtime)};
    return tables[((graph_rels & kProcess) != 0 ? 1 : 0) | ((graph_rels & kRealtime) != 0 ? 2 : 0)];
  }

  const std::vector<CycleSpec>& specs() const { return specs_; }
  // Specs made redundant by finding spec `i` with a cycle of `type`: those
  // named in all_implied_anomalies({type, name of i}), which is the union
  // of the two names' closures.
  uint32_t redundant_after(size_t i, const std::string& type) const {
    for (size_t j = 0; j < specs_.size(); ++j) {
      if (specs_[j].name == type) return implies_[i] | implies_[j];
    }
    return implies_[i] | mask_of(all_implied_anomalies({type}));
  }

 private:
  explicit SpecTable(uint8_t graph_rels) : specs_(specs_for(graph_rels)) {
    FL_ASSERT(specs_.size() <= 32);
    for (const CycleSpec& spec : specs_) implies_.push_back(mask_of(all_implied_anomalies({spec.name})));
  }
  uint32_t mask_of(const std::set<std::string>& names) const {
    uint32_t mask = 0;
    for (size_t j = 0; j < specs_.size(); ++j) {
      if (names.count(specs_[j].name) > 0) mask |= uint32_t{1} << j;
    }
    return mask;
  }

  std::vector<CycleSpec> specs_;
  std::vector<uint32_t> implies_;
};

uint8_t allowed_mask(const CycleSpec& spec) {
  uint8_t mask = spec.rels | spec.required[0] | spec.required[1];
  if (spec.rw_single || spec.rw_multiple || spec.rw_nonadjacent) mask |= kRw;
  return mask;
}


// A search state is a vertex and a class: the rw edges so far (0, 1, 2+),
// the required relations met (2 bits), and one more bit: at a transaction,
// whether the last edge was rw; at a barrier (entered by realtime edges
// only), whether the barrier path began at a transaction with a direct
// edge to the search's start, so that closing the cycle through it would
// make a pair whose first relation is not realtime [graph.2], [graph.7].
//
// A spec reaches only some classes: no rw edges, a single one, or only one
// required relation leave parts of that space empty. Classes are numbered
// in mixed radix over the values a spec can reach, so the per-state arrays
// hold at most 12 classes per vertex, not all 24 (at 10^7 transactions in
// one component the 24-class arrays alone were 3.4 GB). Which states exist,
// and so the search, are the same either way.
constexpr uint8_t kNoClass = 0xff;  // the parent class of a search's first state

struct ClassLayout {
  uint32_t rw_radix = 1;    // 1: no rw edge allowed; 2: at most one; 3: 0, 1, 2+
  uint32_t bits_radix = 1;  // 1, 2 or 4: the required relations' bits
  uint32_t last_radix = 1;  // 2 when rw edges or barriers can set the last bit

  static ClassLayout of(const CycleSpec& spec, bool barriers) {
    const bool rw = (allowed_mask(spec) & kRw) != 0;
    ClassLayout layout;
    layout.rw_radix = !rw ? 1 : spec.rw_single ? 2 : 3;
    layout.bits_radix = spec.required[1] != 0 ? 4 : spec.required[0] != 0 ? 2 : 1;
    layout.last_radix = rw || barriers ? 2 : 1;
    return layout;
  }
  uint32_t count() const { return rw_radix * bits_radix * last_radix; }
  uint32_t encode(uint32_t rw_count, uint32_t bits, uint32_t last) const {
    FL_ASSERT(rw_count < rw_radix && bits < bits_radix && last < last_radix);
    return (rw_count * bits_radix + bits) * last_radix + last;
  }
  uint32_t last(uint32_t cls) const { return cls % last_radix; }
  uint32_t bits(uint32_t cls) const { return cls / last_radix % bits_radix; }
  uint32_t rw_count(uint32_t cls) const { return cls / last_radix / bits_radix; }
};
constexpr uint32_t kClassCountMax = 12;

// The BFS over (vertex, class) states of one component. Per state the
// search keeps the edge it was reached by (kNone: not yet reached) and its
// parent's class (5 bytes; the parent's vertex is that edge's source); per
// barrier state also the transaction its barrier path began at, so that a
// barrier path a -> ... -> b is not taken where a -> b is a direct edge:
// that pair counts as its data relation [graph.2], and the direct edge is
// searched as such.
class Searcher {
 public:
  // `classes`: the most classes any spec to be searched has.
  Searcher(const Component& local, uint64_t steps_max, uint32_t classes) : local_(local), steps_max_(steps_max) {
    FL_ASSERT(classes >= 1 && classes <= kClassCountMax);
    const uint64_t states = uint64_t{local.global.size()} * classes;
    FL_ASSERT(states < kNone);
    parent_edge_.assign(states, kNone);
    parent_class_.assign(states, kNoClass);
    entry_.assign(uint64_t{local.global.size() - local.txn_count} * classes, kNone);
    classes_max_ = classes;
  }
  ~Searcher() {
    ahead_stop_.request_stop();
    ahead_thread_.reset();
  }
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  bool exhausted() const { return steps_ > steps_max_; }
  uint64_t steps() const { return steps_; }

  // Components of the relation sets in `masks` (each a proper subset of
  // the component's relations), computed on a second thread in that order
  // while the search runs; find() takes each when it gets there, and does
  // not wait for one its facts make needless.
  void compute_ahead(const std::vector<uint8_t>& masks) {
    FL_ASSERT(ahead_.empty());  // Invariant: called once, with distinct masks
    for (uint8_t mask : masks) ahead_[mask] = std::promise<std::vector<uint32_t>>();
    FL_ASSERT(ahead_.size() == masks.size());
    std::vector<std::pair<uint8_t, std::promise<std::vector<uint32_t>>*>> work;
    for (uint8_t mask : masks) work.push_back({mask, &ahead_[mask]});
    for (auto& [mask, promise] : work) ahead_results_[mask] = promise->get_future();
    ahead_thread_.emplace([this, work, stop = ahead_stop_.get_token()] {
      for (auto& [mask, promise] : work) {
        if (stop.stop_requested()) {
          promise->set_value({});  // never read: the search is over
          continue;
        }
        try {
          promise->set_value(tarjan(static_cast<uint32_t>(local_.global.size()), local_.offsets, local_.targets,
                                    local_.labels, mask, stop));
        } catch (...) {
          promise->set_exception(std::current_exception());
        }
      }
    });
  }

  // A cycle of `spec`, or an empty Cycle.
  Cycle find(const CycleSpec& spec) {
    use_layout(spec);
    uint8_t mask = allowed_mask(spec);
    // On a history whose cycles all need realtime or process edges, the
    // specs without them need no component pass of their own.
    if (facts_.known(mask & local_.graph_rels) == false) return {};
    // Over all its relations the component is strongly connected: it is
    // one, and the search need not ask which vertices are in it.
    if ((mask & local_.graph_rels) == local_.graph_rels) return find_in_component(spec, mask, nullptr, 0);
    uint32_t n = static_cast<uint32_t>(local_.global.size());
    auto ahead = ahead_results_.find(mask);
    std::vector<uint32_t> comp = ahead != ahead_results_.end()
                                     ? ahead->second.get()
                                     : tarjan(n, local_.offsets, local_.targets, local_.labels, mask);
    if (ahead != ahead_results_.end()) ahead_results_.erase(ahead);
    // Components in order of their smallest vertex.
    std::vector<uint32_t> order;
    std::vector<bool> seen_comp(n, false);
    std::vector<uint32_t> sizes(n, 0);
    for (uint32_t v = 0; v < n; ++v) sizes[comp[v]] += 1;
    for (uint32_t v = 0; v < n; ++v) {
      if (sizes[comp[v]] > 1 && !seen_comp[comp[v]]) {
        seen_comp[comp[v]] = true;
        order.push_back(comp[v]);
      }
    }
    if (order.empty()) facts_.note(mask & local_.graph_rels, false);
    for (uint32_t c : order) {
      Cycle cycle = find_in_component(spec, mask, &comp, c);
      if (!cycle.vertices.empty() || exhausted()) return cycle;
    }
    return {};
  }

  // Any cycle through vertex 0: the fallback witness [graph.4].
  static CycleSpec any_spec() { return {"any", kWw | kWr | kRw | kProcess | kRealtime, false, false, false, {0, 0}, ""}; }
  Cycle any_cycle() {
    const CycleSpec any = any_spec();
    use_layout(any);
    uint64_t saved = steps_max_;
    steps_max_ = std::numeric_limits<uint64_t>::max();
    uint32_t u = 0;
    Cycle found;
    for (uint32_t e = local_.offsets[u]; e < local_.offsets[u + 1] && found.vertices.empty(); ++e) {
      found = bfs(any, allowed_mask(any), nullptr, 0, e);
    }
    steps_max_ = saved;
    return found;
  }

 private:
  // `comp` null: the whole of `local_` is the component.
  Cycle find_in_component(const CycleSpec& spec, uint8_t mask, const std::vector<uint32_t>* comp, uint32_t c) {
    auto in = [&](uint32_t v) { return comp == nullptr || (*comp)[v] == c; };
    uint64_t counts[32] = {};
    // Edges out of transactions only: every barrier path starts with one [graph.7].
    for (uint32_t x = 0; x < local_.txn_count; ++x) {
      if (!in(x)) continue;
      for (uint32_t e = local_.offsets[x]; e < local_.offsets[x + 1]; ++e) {
        if ((local_.labels[e] & mask) != 0 && in(local_.targets[e])) counts[local_.labels[e]] += 1;
      }
    }
    for (uint8_t r : spec.required) {
      if (r != 0 && counts[r] == 0) return {};
    }
    bool uses_rw = spec.rw_single || spec.rw_multiple;
    if (uses_rw && counts[kRw] == 0) return {};
    // Anchor on the rarest relation every such cycle must contain.
    uint8_t anchor = 0;
    if (uses_rw) anchor = kRw;
    for (uint8_t r : spec.required) {
      if (r != 0 && (anchor == 0 || counts[r] < counts[anchor])) anchor = r;
    }
    for (uint32_t x = 0; x < local_.txn_count; ++x) {
      if (!in(x)) continue;
      for (uint32_t e = local_.offsets[x]; e < local_.offsets[x + 1]; ++e) {
        uint8_t label = local_.labels[e];
        if ((label & mask) == 0 || !in(local_.targets[e])) continue;
        if (anchor != 0 && label != anchor) continue;
        Cycle cycle = bfs(spec, mask, comp, c, e);
        if (!cycle.vertices.empty()) return cycle;
        if (exhausted()) return {};
      }
    }
    return {};
  }

  uint32_t required_bits(const CycleSpec& spec, uint8_t label) const {
    uint32_t bits = 0;
    if (spec.required[0] != 0 && label == spec.required[0]) bits |= 1;
    if (spec.required[1] != 0 && label == spec.required[1]) bits |= 2;
    return bits;
  }

  uint32_t full_bits(const CycleSpec& spec) const {
    return (spec.required[0] != 0 ? 1u : 0u) | (spec.required[1] != 0 ? 2u : 0u);
  }

  // Shortest cycle that starts with edge `anchor_edge` (u -> v), returns to
  // u through vertices of component c, and meets `spec`.
  Cycle bfs(const CycleSpec& spec, uint8_t mask, const std::vector<uint32_t>* comp, uint32_t c, uint32_t anchor_edge) {
    uint32_t u = source_of(anchor_edge);
    uint32_t v = local_.targets[anchor_edge];
    uint8_t anchor_label = local_.labels[anchor_edge];
    bool anchor_rw = anchor_label == kRw;
    FL_ASSERT(u < local_.txn_count);  // Invariant: cycles start at a transaction
    for (uint32_t s : queue_) parent_edge_[s] = kNone;  // the previous search's states
    queue_.clear();
    uint32_t start =
        state_of(v, layout_.encode(anchor_rw ? 1 : 0, required_bits(spec, anchor_label), anchor_rw ? 1 : 0));
    parent_edge_[start] = anchor_edge;
    parent_class_[start] = kNoClass;
    if (v >= local_.txn_count) entry_of(start) = u;
    queue_.push_back(start);
    if (v == u) return {};
    for (size_t head = 0; head < queue_.size(); ++head) {
      uint32_t s = queue_[head];
      uint32_t x = vertex_of(s);
      uint32_t cls = class_of_state(s);
      const bool at_barrier = x >= local_.txn_count;
      uint32_t last_rw = at_barrier ? 0 : layout_.last(cls);
      const uint32_t entry_linked = at_barrier ? layout_.last(cls) : 0;  // see ClassLayout
      uint32_t bits = layout_.bits(cls);
      uint32_t rw_count = layout_.rw_count(cls);
      for (uint32_t e = local_.offsets[x]; e < local_.offsets[x + 1]; ++e) {
        // Steps count edges out of transactions: a barrier path stands for
        // one realtime edge [graph.7], so the budget means what it did
        // before barriers (each barrier has at most two edges out).
        if (!at_barrier && ++steps_ > steps_max_) return {};
        uint8_t label = local_.labels[e];
        if ((label & mask) == 0) continue;
        uint32_t y = local_.targets[e];
        if (comp != nullptr && (*comp)[y] != c) continue;
        uint32_t rw2 = rw_count;
        uint32_t last2 = 0;
        if (label == kRw) {
          if (spec.rw_single && rw_count >= 1) continue;
          if (spec.rw_nonadjacent && last_rw) continue;
          rw2 = std::min<uint32_t>(rw_count + 1, 2);
          last2 = 1;
        }
        uint32_t bits2 = bits | required_bits(spec, label);
        if (y >= local_.txn_count) {
          last2 = at_barrier ? entry_linked : (linked(x, u) ? 1 : 0);
        } else if (at_barrier && linked(entry_of(s), y)) {
          FL_ASSERT(y != u || entry_linked != 0);  // Invariant: the class bit says so for the start
          continue;  // [graph.2]: this pair counts as its data relation, not realtime
        }
        if (y == u) {
          if (bits2 != full_bits(spec)) continue;
          if (spec.rw_single && rw2 != 1) continue;
          if (spec.rw_multiple && rw2 < 2) continue;
          if (spec.rw_nonadjacent && last2 && anchor_rw) continue;
          Cycle cycle = reconstruct(s, e, anchor_edge);
          if (cycle.vertices.empty()) continue;  // not simple; look further
          if (!meets(spec, cycle.labels)) continue;  // a collapsed barrier path was relabelled
          cycle.type = classify_cycle(cycle.labels);
          if (!spec.type.empty() && cycle.type != spec.type) continue;
          return cycle;
        }
        uint32_t t = state_of(y, layout_.encode(rw2, bits2, last2));
        if (parent_edge_[t] != kNone) continue;
        parent_edge_[t] = e;
        parent_class_[t] = static_cast<uint8_t>(cls);
        if (y >= local_.txn_count) entry_of(t) = at_barrier ? entry_of(s) : x;
        queue_.push_back(t);
      }
    }
    return {};
  }

  uint32_t source_of(uint32_t edge) const {
    auto it = std::upper_bound(local_.offsets.begin(), local_.offsets.end(), edge);
    return static_cast<uint32_t>(it - local_.offsets.begin()) - 1;
  }

  // States of the current layout; the arrays are indexed by them alone, so
  // a layout change needs no reset beyond the one each search does.
  void use_layout(const CycleSpec& spec) {
    layout_ = ClassLayout::of(spec, local_.txn_count < local_.global.size());
    classes_ = layout_.count();
    FL_ASSERT(classes_ <= classes_max_);
  }
  uint32_t state_of(uint32_t v, uint32_t cls) const { return v * classes_ + cls; }
  uint32_t& entry_of(uint32_t barrier_state) { return entry_[barrier_state - local_.txn_count * classes_]; }
  uint32_t vertex_of(uint32_t s) const { return s / classes_; }
  uint32_t class_of_state(uint32_t s) const { return s % classes_; }

  // The local edge a -> b, or kNone. Rows are sorted by target [graph.1].
  uint32_t edge_between(uint32_t a, uint32_t b) const {
    auto row_begin = local_.targets.begin() + local_.offsets[a];
    auto row_end = local_.targets.begin() + local_.offsets[a + 1];
    auto it = std::lower_bound(row_begin, row_end, b);
    return it == row_end || *it != b ? kNone : static_cast<uint32_t>(it - local_.targets.begin());
  }
  bool linked(uint32_t a, uint32_t b) const { return edge_between(a, b) != kNone; }

  // The cycle u -> v ... x -> u, or empty when a transaction repeats. A
  // path through barriers becomes its first edge, the realtime edge out of
  // a transaction [graph.7].
  Cycle reconstruct(uint32_t last_state, uint32_t closing_edge, uint32_t anchor_edge) {
    std::vector<uint32_t> edges{closing_edge};
    for (uint32_t s = last_state;; s = state_of(source_of(edges.back()), parent_class_[s])) {
      edges.push_back(parent_edge_[s]);
      if (parent_class_[s] == kNoClass) break;
    }
    FL_ASSERT(edges.back() == anchor_edge);
    std::reverse(edges.begin(), edges.end());
    Cycle cycle;
    std::set<uint32_t> seen;
    std::vector<uint32_t> from_local;
    std::vector<bool> collapsed;
    for (uint32_t e : edges) {
      uint32_t from = source_of(e);
      if (from >= local_.txn_count) {
        FL_ASSERT(local_.labels[e] == kRealtime);  // Invariant: barriers carry only realtime edges
        continue;
      }
      if (!seen.insert(from).second) return {};
      cycle.vertices.push_back(local_.global[from]);
      cycle.labels.push_back(local_.labels[e]);
      from_local.push_back(from);
      collapsed.push_back(local_.targets[e] >= local_.txn_count);
    }
    FL_ASSERT(local_.targets[edges.back()] == source_of(edges.front()));  // Invariant: closed
    // A collapsed realtime edge a -> b joins the relations of a direct edge
    // a -> b, if any, and counts as the first of them all, as one edge
    // carrying several relations does [graph.2].
    for (size_t i = 0; i < cycle.vertices.size(); ++i) {
      if (!collapsed[i]) continue;
      const uint32_t e = edge_between(from_local[i], from_local[(i + 1) % from_local.size()]);
      if (e == kNone) continue;
      cycle.labels[i] = first_rel(static_cast<uint8_t>(local_.rels[e] | kRealtime), local_.precedence);
    }
    return cycle;
  }

  // Whether a cycle with these labels is one `spec` asks for: what the BFS
  // tracks in its states, checked on the whole cycle.
  static bool meets(const CycleSpec& spec, const std::vector<uint8_t>& labels) {
    const uint8_t allowed = spec.rels | spec.required[0] | spec.required[1];
    uint8_t seen = 0;
    size_t rw = 0;
    bool rw_adjacent = false;
    for (size_t i = 0; i < labels.size(); ++i) {
      const uint8_t label = labels[i];
      seen |= label;
      if (label == kRw) {
        rw += 1;
        rw_adjacent = rw_adjacent || labels[(i + labels.size() - 1) % labels.size()] == kRw;
      } else if ((label & allowed) == 0) {
        return false;
      }
    }
    for (uint8_t r : spec.required) {
      if (r != 0 && (seen & r) == 0) return false;
    }
    if (rw > 0 && !(spec.rw_single || spec.rw_multiple || spec.rw_nonadjacent || (allowed & kRw) != 0)) return false;
    if (spec.rw_single && rw != 1) return false;
    if (spec.rw_multiple && rw < 2) return false;
    if (spec.rw_nonadjacent && rw_adjacent) return false;
    return true;
  }

  const Component& local_;
  uint64_t steps_max_;
  uint64_t steps_ = 0;
  ClassLayout layout_;
  uint32_t classes_ = 1;
  uint32_t classes_max_ = 1;
  std::vector<uint32_t> parent_edge_;
  std::vector<uint8_t> parent_class_;
  std::vector<uint32_t> entry_;  // per barrier state: the transaction its path began at
  std::vector<uint32_t> queue_;  // the current (or last) search's states, in BFS order
  CycleFacts facts_;  // over the edges' labels
  // compute_ahead(): a promise per mask (its thread's), and its future.
  std::map<uint8_t, std::promise<std::vector<uint32_t>>> ahead_;
  std::map<uint8_t, std::future<std::vector<uint32_t>>> ahead_results_;
  std::stop_source ahead_stop_;
  // Last: stopped and joined (~Searcher) before the members it uses go.
  std::optional<history::ElsewhereThread> ahead_thread_;
};

}  // namespace

Component make_component(const TxnGraph& graph, std::vector<uint32_t> scc_ids) {
  FL_ASSERT(scc_ids.size() >= 2);
  FL_ASSERT(std::is_sorted(scc_ids.begin(), scc_ids.end()));
  Component local;
  local.global = std::move(scc_ids);
  const std::vector<uint32_t>& scc = local.global;
  local.graph_rels = graph.all_rels();
  local.txn_count = static_cast<uint32_t>(txns_in(graph, scc));
  local.precedence = graph.precedence();
  local.offsets.reserve(scc.size() + 1);
  local.offsets.push_back(0);
  // A big component maps global ids through an array; a small one searches
  // the sorted component instead of touching an array of every vertex.
  std::vector<uint32_t> to_local;
  if (scc.size() >= graph.vertex_count() / 64) {
    to_local.assign(graph.vertex_count(), kNone);
    for (uint32_t i = 0; i < scc.size(); ++i) to_local[scc[i]] = i;
  }
  auto local_id = [&](uint32_t w) {
    if (!to_local.empty()) return to_local[w];
    auto it = std::lower_bound(scc.begin(), scc.end(), w);
    return it == scc.end() || *it != w ? kNone : static_cast<uint32_t>(it - scc.begin());
  };
  // Room for every edge out of the component's vertices (exact when it is
  // the whole graph), trimmed after if much was left over: grown edge by
  // edge, the arrays kept up to twice their size for the whole search.
  size_t out_edges = 0;
  for (uint32_t v : scc) out_edges += graph.out_end(v) - graph.out_begin(v);
  local.targets.reserve(out_edges);
  local.labels.reserve(out_edges);
  local.rels.reserve(out_edges);
  for (uint32_t v : scc) {
    for (uint32_t e = graph.out_begin(v); e < graph.out_end(v); ++e) {
      const uint32_t w = local_id(graph.target(e));
      if (w == kNone) continue;
      local.targets.push_back(w);
      local.labels.push_back(graph.label(e));
      local.rels.push_back(graph.rels(e));
    }
    local.offsets.push_back(static_cast<uint32_t>(local.targets.size()));
  }
  if (local.targets.capacity() - local.targets.size() > local.targets.size() / 8) {
    local.targets.shrink_to_fit();
    local.labels.shrink_to_fit();
    local.rels.shrink_to_fit();
  }
  return local;
}

std::string_view rel_name(uint8_t rel) {
  switch (rel) {
    case kWw:
      return "ww";
    case kWr:
      return "wr";
    case kRw:
      return "rw";
    case kProcess:
      return "process";
    case kRealtime:
      return "realtime";
    default:
      return "?";
  }
}

uint8_t first_rel(uint8_t rels, RelPrecedence precedence) {
  FL_ASSERT(rels != 0);
  if (precedence == RelPrecedence::kWrFirst && (rels & kWr) != 0) return kWr;
  return static_cast<uint8_t>(rels & static_cast<uint8_t>(-rels));  // lowest bit: ww < wr < rw < process < realtime
}

uint32_t TxnGraph::add_barriers(uint32_t count) {
  FL_ASSERT(mode_ == Mode::kPending && pending_.empty() && !finished_);
  FL_ASSERT(uint64_t{vertex_count_} + count < kNone);
  const uint32_t first = vertex_count_;
  vertex_count_ += count;
  return first;
}

void TxnGraph::count_pass(uint32_t lanes) {
  FL_ASSERT(!finished_ && mode_ == Mode::kPending && pending_.empty() && lanes >= 1);
  mode_ = Mode::kCount;
  lanes_.resize(lanes);
  for (Lane& lane : lanes_) {
    lane.graph_ = this;
    lane.next_.assign(vertex_count_, 0);
  }
}

void TxnGraph::collect_pass(uint32_t lanes, size_t max_links) {
  FL_ASSERT(!finished_ && mode_ == Mode::kPending && pending_.empty() && lanes >= 1);
  mode_ = Mode::kCollect;
  max_held_ = max_links;
  lanes_.resize(lanes);
  for (Lane& lane : lanes_) {
    lane.graph_ = this;
    lane.max_held_ = max_links;
  }
}

bool TxnGraph::overflowed() const {
  size_t held = 0;
  for (const Lane& lane : lanes_) {
    if (lane.overflowed_) return true;
    held += lane.held_;
  }
  return mode_ == Mode::kCollect && held > max_held_;
}

void TxnGraph::place_pass() {
  FL_ASSERT(mode_ == Mode::kCount);
  mode_ = Mode::kPlace;
  // Row v holds lane 0's links from v, then lane 1's, and so on: each
  // lane's count becomes the start of its part.
  offsets_.assign(static_cast<size_t>(vertex_count_) + 1, 0);
  for (uint32_t v = 0; v < vertex_count_; ++v) {
    uint64_t next = offsets_[v];
    for (Lane& lane : lanes_) {
      const uint32_t count = lane.next_[v];
      lane.next_[v] = static_cast<uint32_t>(next);
      next += count;
    }
    FL_ASSERT(next <= std::numeric_limits<uint32_t>::max());
    offsets_[v + 1] = static_cast<uint32_t>(next);
  }
  for (size_t i = 0; i + 1 < lanes_.size(); ++i) lanes_[i].end_ = lanes_[i + 1].next_;
  placed_.resize(offsets_[vertex_count_]);
}

void TxnGraph::finish() {
  FL_ASSERT(!finished_ && mode_ != Mode::kCount && !overflowed());
  finished_ = true;
  if (mode_ != Mode::kPlace) {
    std::vector<std::vector<Pending>*> lists;
    if (mode_ == Mode::kCollect) {
      for (Lane& lane : lanes_) {
        for (std::vector<Pending>& chunk : lane.collected_) lists.push_back(&chunk);
      }
    } else {
      lists.push_back(&pending_);
    }
    place_held(lists);
  }
  finish_placed();
}

// Each row sorted by target; duplicate pairs merge into one edge with the
// union of their relations. The rows are compacted in place.
void TxnGraph::finish_placed() {
  if (mode_ == Mode::kPlace) {
    for (const Lane& lane : lanes_) {
      for (uint32_t v = 0; v < vertex_count_; ++v) FL_ASSERT(lane.next_[v] == lane.end(v));  // [graph.6]
    }
  }
  std::vector<Lane>().swap(lanes_);
  targets_.resize(placed_.size());
  rels_.resize(placed_.size());
  uint32_t out = 0;
  uint32_t row_begin = 0;
  for (uint32_t v = 0; v < vertex_count_; ++v) {
    const uint32_t row_end = offsets_[v + 1];
    std::sort(placed_.begin() + row_begin, placed_.begin() + row_end);
    const uint32_t row_out = out;
    for (uint32_t i = row_begin; i < row_end; ++i) {
      const auto to = static_cast<uint32_t>(placed_[i] >> 8);
      const auto rel = static_cast<uint8_t>(placed_[i] & 0xff);
      all_rels_ |= rel;
      if (out > row_out && targets_[out - 1] == to) {
        rels_[out - 1] |= rel;
        continue;
      }
      targets_[out] = to;
      rels_[out] = rel;
      ++out;
    }
    offsets_[v + 1] = out;
    row_begin = row_end;
  }
  std::vector<uint64_t>().swap(placed_);
  targets_.resize(out);
  rels_.resize(out);
}

// Links held in lists [graph.9] (or pending) into rows, by counting sort
// on the source, in list order: the layout place_pass() gives.
void TxnGraph::place_held(const std::vector<std::vector<Pending>*>& lists) {
  offsets_.assign(static_cast<size_t>(vertex_count_) + 1, 0);
  size_t links = 0;
  for (const std::vector<Pending>* list : lists) {
    for (const Pending& p : *list) {
      FL_ASSERT(p.from != p.to && p.from < vertex_count_ && p.to < vertex_count_);
      offsets_[p.from + 1] += 1;
    }
    links += list->size();
  }
  FL_ASSERT(links <= std::numeric_limits<uint32_t>::max());
  for (uint32_t v = 0; v < vertex_count_; ++v) offsets_[v + 1] += offsets_[v];
  placed_.resize(links);
  std::vector<uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (std::vector<Pending>* list : lists) {
    for (const Pending& p : *list) placed_[fill[p.from]++] = static_cast<uint64_t>(p.to) << 8 | p.rel;
    std::vector<Pending>().swap(*list);
  }
}

// True when the graph has no cycle: peeling vertices with no edge in left
// (Kahn's algorithm) peels them all. One pass over the edges for the
// in-degrees, then one over those of each peeled vertex; a cycle stops the
// peeling at its first vertex, so a graph with an early cycle costs little
// more than its in-degrees.
bool is_acyclic(const TxnGraph& graph) {
  const uint32_t n = graph.vertex_count();
  std::vector<uint32_t> in(n, 0);
  for (uint32_t w : graph.targets()) in[w] += 1;
  std::vector<uint32_t> ready;
  for (uint32_t v = 0; v < n; ++v) {
    if (in[v] == 0) ready.push_back(v);
  }
  uint32_t peeled = 0;
  while (!ready.empty()) {
    const uint32_t v = ready.back();
    ready.pop_back();
    ++peeled;
    for (uint32_t e = graph.out_begin(v); e < graph.out_end(v); ++e) {
      if (--in[graph.target(e)] == 0) ready.push_back(graph.target(e));
    }
  }
  return peeled == n;
}

std::vector<std::vector<uint32_t>> nontrivial_sccs(const TxnGraph& graph) {
  // Most histories checked are valid, and their graphs have no cycle:
  // showing that costs less than Tarjan's bookkeeping.
  if (is_acyclic(graph)) return {};
  // Over the graph's own arrays: a copy of them was 5 bytes per edge more
  // at the checker's busiest moment, and the time to make it.
  std::vector<uint32_t> comp = tarjan(graph.vertex_count(), graph.offsets(), graph.targets(), graph.all_edge_rels(), 0xff);
  std::vector<uint32_t> sizes(graph.vertex_count(), 0);
  for (uint32_t c : comp) sizes[c] += 1;
  std::vector<uint32_t> slot(graph.vertex_count(), kNone);
  std::vector<std::vector<uint32_t>> sccs;
  for (uint32_t v = 0; v < graph.vertex_count(); ++v) {
    uint32_t c = comp[v];
    if (sizes[c] < 2) continue;
    if (slot[c] == kNone) {
      slot[c] = static_cast<uint32_t>(sccs.size());
      sccs.emplace_back();
    }
    sccs[slot[c]].push_back(v);  // ascending, since v ascends
  }
  for (const std::vector<uint32_t>& scc : sccs) {
    FL_ASSERT(txns_in(graph, scc) >= 2);  // Invariant: a barrier lies on a cycle between two transactions [graph.7]
  }
  return sccs;
}

size_t txns_in(const TxnGraph& graph, const std::vector<uint32_t>& scc) {
  return static_cast<size_t>(std::lower_bound(scc.begin(), scc.end(), graph.txn_count()) - scc.begin());
}

std::string classify_cycle(const std::vector<uint8_t>& labels) {
  FL_ASSERT(labels.size() >= 2);
  size_t ww = 0, wr = 0, rw = 0, process = 0, realtime = 0;
  bool rw_adjacent = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    uint8_t l = labels[i];
    uint8_t prev = labels[(i + labels.size() - 1) % labels.size()];
    ww += l == kWw;
    wr += l == kWr;
    rw += l == kRw;
    process += l == kProcess;
    realtime += l == kRealtime;
    if (l == kRw && prev == kRw) rw_adjacent = true;
  }
  std::string type;
  if (rw == 1) {
    type = "G-single-item";
  } else if (rw > 1) {
    type = rw_adjacent ? "G2-item" : "G-nonadjacent-item";
  } else if (wr > 0) {
    type = "G1c";
  } else {
    // Invariant: process and realtime orders follow history order, so a
    // cycle needs at least one data edge.
    FL_ASSERT(ww > 0);
    type = "G0";
  }
  if (realtime > 0) return type + "-realtime";
  if (process > 0) return type + "-process";
  return type;
}

CycleSearch search_cycles(const TxnGraph& graph, const std::vector<uint32_t>& scc, uint64_t steps_max) {
  return search_cycles(make_component(graph, scc), steps_max);
}

// Components at least this big compute some passes ahead on a thread.
constexpr size_t kAheadComponentMin = 4096;

CycleSearch search_cycles(const Component& local, uint64_t steps_max) {
  const SpecTable& table = SpecTable::of(local.graph_rels);
  const std::vector<CycleSpec>& specs = table.specs();
  const bool barriers = local.txn_count < local.global.size();
  uint32_t classes = ClassLayout::of(Searcher::any_spec(), barriers).count();
  for (const CycleSpec& spec : specs) classes = std::max(classes, ClassLayout::of(spec, barriers).count());
  Searcher searcher(local, steps_max, classes);
  // In a big component, the component passes the realtime and process
  // classes need run ahead on a second thread while the classes before
  // them are searched (10^6 transactions in one component: two passes of
  // 0.11 s each, beside a 0.5 s search of G-single-item-realtime).
  if (local.global.size() >= kAheadComponentMin) {
    std::vector<uint8_t> masks;
    for (const CycleSpec& spec : specs) {
      const uint8_t mask = allowed_mask(spec);
      if ((mask & local.graph_rels) == local.graph_rels || (mask & (kProcess | kRealtime)) == 0) continue;
      if (std::find(masks.begin(), masks.end(), mask) == masks.end()) masks.push_back(mask);
    }
    searcher.compute_ahead(masks);
  }
  CycleSearch result;
  uint32_t redundant = 0;  // bit i: specs[i] is implied by a cycle found
  for (size_t i = 0; i < specs.size(); ++i) {
    const CycleSpec& spec = specs[i];
    if ((redundant >> i & 1) != 0) continue;
    Cycle cycle = searcher.find(spec);
    if (searcher.exhausted()) {
      result.truncated = true;
      result.truncated_during = spec.name;
      break;
    }
    if (cycle.vertices.empty()) continue;
    redundant |= table.redundant_after(i, cycle.type);
    result.cycles.push_back(std::move(cycle));
  }
  if (result.truncated && result.cycles.empty()) {
    Cycle fallback = searcher.any_cycle();
    FL_ASSERT(!fallback.vertices.empty());  // Invariant: a component has a cycle through every vertex
    result.cycles.push_back(std::move(fallback));
  }
  result.steps = searcher.steps();
  return result;
}

}  // namespace fl::checkers::internal
