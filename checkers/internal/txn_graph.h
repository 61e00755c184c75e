// checkers/internal/txn_graph.h: the transaction dependency graph shared by
// the isolation checkers, its strongly connected components, and the search
// for cycles of each anomaly class (Elle's txn.clj and graph.clj do the same
// jobs; the graph knows nothing of keys or values).
//
// [graph.1] Vertices are dense integer ids; edges are stored once per ordered
//           pair, in CSR form sorted by (from, to), with the union of their
//           relations. finish() must run before any query.
// [graph.2] An edge carrying several relations counts as its first in the
//           graph's RelPrecedence: the order in which Elle's combined
//           explainer explains a pair for that workload, so classification
//           agrees. kWwFirst (list-append): ww, wr, rw, process, realtime;
//           kWrFirst (rw-register, whose wr analyzer comes first): wr, ww,
//           rw, process, realtime.
// [graph.3] search_cycles() looks, within one strongly connected component,
//           for a cycle of each class (G0, G1c, G-single-item,
//           G-nonadjacent-item, G2-item, and their -process and -realtime
//           variants when those edges exist), most severe first, skipping a
//           class once a class found implies it. Each reported cycle is
//           simple and classify() of its labels is its type.
// [graph.4] The search expands at most `steps_max` states per component.
//           When the budget runs out, `truncated` is set, and if nothing was
//           found yet a fallback cycle (any cycle of the component) is
//           returned, so every component yields at least one witness.
// [graph.6] Two-pass building, for graphs of millions of edges: after
//           count_pass() the links are counted per source; after
//           place_pass() the same links, made again in any order, are
//           placed straight into their rows. No list of pending edges is
//           held (at 10^6 transactions that list and its sorting copy
//           were a third of the checker's memory). Making different links
//           in the two passes fails an assertion.
// [graph.8] Lanes: count_pass(n) splits two-pass building into n lanes,
//           each linked by one thread through lane(i) (link() is lane 0),
//           at the same time. A lane makes the same links in both passes;
//           each row holds its lanes' links in lane order, and finish()
//           sorts and merges every row, so the graph does not depend on
//           how the links were split.
// [graph.9] One-pass building, for graphs small enough that their links
//           can be held: after collect_pass(n, max), finish() sorts the
//           links the lanes hold into rows. Linking once instead of twice;
//           12 bytes per link held until finish(). The graph is the same
//           as two-pass building's. A lane never makes a link twice here,
//           so the links may be split among the lanes in any way, decided
//           as they are made. Lanes given more than max links together
//           leave the graph overflowed(), however they were split: its
//           builder starts again on a fresh graph in two passes (link
//           counts do not follow from transaction counts: every reader of
//           a version links to every append that replaced it). The bound
//           is judged once the links are made, so each lane holds up to
//           max of them until then (dropping the rest): n * max at most.
// [graph.7] Barrier vertices: add_barriers() appends virtual vertices after
//           the txn_count() transactions (ids txn_count() and up). They
//           carry only realtime edges, and a path T1 -> b -> ... -> b' -> T2
//           through barriers stands for one realtime edge T1 -> T2 (the
//           barrier chain of RealtimeEdges, isolation.h). A barrier lies on
//           a cycle only between two transactions, so nontrivial_sccs()
//           groups the same transactions as without barriers (each
//           component lists its barriers after them), and search_cycles()
//           returns cycles of transactions only, every barrier path
//           collapsed into one realtime edge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/assert.h"

namespace fl::checkers::internal {

enum Rel : uint8_t { kWw = 1, kWr = 2, kRw = 4, kProcess = 8, kRealtime = 16 };

std::string_view rel_name(uint8_t rel);  // "ww", "wr", "rw", "process", "realtime"
enum class RelPrecedence : uint8_t { kWwFirst, kWrFirst };
uint8_t first_rel(uint8_t rels, RelPrecedence precedence = RelPrecedence::kWwFirst);  // [graph.2]

class TxnGraph {
  struct Pending {
    uint32_t from;
    uint32_t to;
    uint8_t rel;
  };
  enum class Mode : uint8_t { kPending, kCount, kPlace, kCollect };

 public:
  explicit TxnGraph(uint32_t txn_count, RelPrecedence precedence = RelPrecedence::kWwFirst)
      : txn_count_(txn_count), vertex_count_(txn_count), precedence_(precedence) {}

  // [graph.7] Adds `count` barrier vertices; returns the first one's id.
  // REQUIRES: nothing linked yet.
  uint32_t add_barriers(uint32_t count);

  // One thread's share of the links [graph.8], [graph.9].
  class Lane {
   public:
    // REQUIRES: from != to, both < vertex_count().
    void link(uint32_t from, uint32_t to, Rel rel) {
      if (graph_->mode_ == Mode::kCount) {
        FL_ASSERT(from != to && from < graph_->vertex_count_ && to < graph_->vertex_count_);
        next_[from] += 1;
      } else if (graph_->mode_ == Mode::kCollect) {
        FL_ASSERT(from != to && from < graph_->vertex_count_ && to < graph_->vertex_count_);
        if (held_ == max_held_) {
          overflowed_ = true;
          return;
        }
        ++held_;
        if (collected_.empty() || collected_.back().size() == kChunkLinks) {
          collected_.emplace_back();
          collected_.back().reserve(kChunkLinks);
        }
        collected_.back().push_back({from, to, rel});
      } else {
        FL_ASSERT(from < graph_->vertex_count_ && next_[from] < end(from));
        graph_->placed_[next_[from]++] = static_cast<uint64_t>(to) << 8 | rel;
      }
    }

   private:
    friend class TxnGraph;
    // Where this lane's part of row v ends: the next lane's start, or the
    // row's end for the last lane.
    uint32_t end(uint32_t v) const { return end_.empty() ? graph_->offsets_[v + 1] : end_[v]; }

    TxnGraph* graph_ = nullptr;
    std::vector<uint32_t> next_;  // counting: links per source; placing: the next free slot per source
    std::vector<uint32_t> end_;   // placing, all but the last lane: see end()
    // Collecting [graph.9]: in chunks, never regrown (a list doubling as it
    // fills copies itself and faults in fresh pages each time).
    static constexpr size_t kChunkLinks = 8192;
    std::vector<std::vector<Pending>> collected_;
    size_t held_ = 0;
    size_t max_held_ = 0;
    bool overflowed_ = false;
  };

  // REQUIRES: from != to, both < vertex_count(), not finished.
  void link(uint32_t from, uint32_t to, Rel rel) {
    if (mode_ == Mode::kPending) {
      pending_.push_back({from, to, rel});
    } else {
      lanes_[0].link(from, to, rel);
    }
  }
  void count_pass(uint32_t lanes = 1);  // [graph.6], [graph.8]
  void collect_pass(uint32_t lanes, size_t max_links);  // [graph.9]
  // [graph.9] The lanes were given more links than they may hold: finish()
  // must not be called; build the graph again in two passes.
  bool overflowed() const;
  Lane& lane(uint32_t i) { return lanes_[i]; }
  void place_pass();
  void finish();  // [graph.1]

  uint32_t vertex_count() const { return vertex_count_; }  // transactions and barriers
  uint32_t txn_count() const { return txn_count_; }
  bool is_barrier(uint32_t v) const { return v >= txn_count_; }
  size_t edge_count() const { return targets_.size(); }
  uint32_t out_begin(uint32_t v) const { return offsets_[v]; }
  uint32_t out_end(uint32_t v) const { return offsets_[v + 1]; }
  uint32_t target(uint32_t e) const { return targets_[e]; }
  uint8_t rels(uint32_t e) const { return rels_[e]; }
  uint8_t label(uint32_t e) const { return first_rel(rels_[e], precedence_); }  // [graph.2]
  uint8_t all_rels() const { return all_rels_; }
  // The CSR arrays themselves (vertex_count() + 1 offsets; a target and
  // its relations per edge), for walks over the whole graph.
  const std::vector<uint32_t>& offsets() const { return offsets_; }
  const std::vector<uint32_t>& targets() const { return targets_; }
  const std::vector<uint8_t>& all_edge_rels() const { return rels_; }
  RelPrecedence precedence() const { return precedence_; }

 private:
  void place_held(const std::vector<std::vector<Pending>*>& lists);  // empties them
  void finish_placed();

  uint32_t txn_count_;
  uint32_t vertex_count_;
  RelPrecedence precedence_;
  Mode mode_ = Mode::kPending;
  std::vector<Pending> pending_;
  std::vector<Lane> lanes_;       // kCount, kPlace, kCollect
  size_t max_held_ = 0;           // kCollect: by all lanes together [graph.9]
  std::vector<uint64_t> placed_;  // in finish() (kPlace: from place_pass()): (to << 8 | rel), rows in source order
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> targets_;
  std::vector<uint8_t> rels_;
  uint8_t all_rels_ = 0;
  bool finished_ = false;
};

// Components with more than one vertex, each sorted ascending (so its
// barriers, if any, come after its at least two transactions [graph.7]),
// ordered by their smallest vertex.
std::vector<std::vector<uint32_t>> nontrivial_sccs(const TxnGraph& graph);
// The transactions of such a component: a prefix of it.
size_t txns_in(const TxnGraph& graph, const std::vector<uint32_t>& scc);

// Elle's cycle classification of labels[i] (the relation of the edge from
// cycle vertex i to vertex i+1, wrapping around) [graph.2].
std::string classify_cycle(const std::vector<uint8_t>& labels);

struct Cycle {
  std::string type;                // classify_cycle(labels)
  std::vector<uint32_t> vertices;  // vertices[i] -> vertices[(i+1) % n]; transactions only [graph.7]
  std::vector<uint8_t> labels;     // one relation per edge
};

struct CycleSearch {
  std::vector<Cycle> cycles;
  bool truncated = false;
  std::string truncated_during;  // the class being searched when it ran out
  uint64_t steps = 0;
};

// One strongly connected component as a graph of its own: local ids
// 0..n-1 (transactions, then barriers [graph.7]), CSR rows sorted by target,
// one label per edge [graph.2]. Built once per component and only read by
// cycle_exists_types() and search_cycles(), which may run at once on two
// threads: at 10^7 transactions in one component each copy is ~600 MB.
struct Component {
  std::vector<uint32_t> global;  // local -> global vertex
  uint32_t txn_count = 0;        // local ids below it are transactions, the rest barriers
  RelPrecedence precedence = RelPrecedence::kWwFirst;
  uint8_t graph_rels = 0;  // the whole graph's relations: which -process/-realtime classes to search
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> targets;
  std::vector<uint8_t> labels;
  std::vector<uint8_t> rels;  // every relation of the edge
};
// REQUIRES: scc is one of nontrivial_sccs(graph).
Component make_component(const TxnGraph& graph, std::vector<uint32_t> scc);

// [graph.5] Elle's cycle-exists checks: for each model, in Elle's order,
// whether the component restricted to that model's relations (for the
// snapshot-isolation family: A then at most one rw step, A's sequential
// extension) still holds a cycle. Returns "<canonical model>-cycle-exists"
// types; a model is skipped once a weaker one was found impossible. These
// catch closed walks that are not simple cycles, which the classified search
// cannot name; edges count with all their relations here.
std::vector<std::string> cycle_exists_types(const Component& component);
std::vector<std::string> cycle_exists_types(const TxnGraph& graph, const std::vector<uint32_t>& scc);

CycleSearch search_cycles(const Component& component, uint64_t steps_max);
CycleSearch search_cycles(const TxnGraph& graph, const std::vector<uint32_t>& scc, uint64_t steps_max);

}  // namespace fl::checkers::internal
