// list-append: the dependency graph [la.4] and cycle explanations [la.5].
#include <algorithm>
#include <deque>
#include <unordered_map>

#include "base/assert.h"
#include "checkers/internal/list_append_index.h"
#include "checkers/limits.h"

namespace fl::checkers::internal {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::OpType;

const std::vector<int64_t>* read_list(const MicroOp& mop) { return std::get_if<std::vector<int64_t>>(&mop.value); }

void link_data_edges(const LaIndex& ix, TxnGraph& g) {
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    const LaTxn& txn = ix.txns[t];
    if (!txn.in_graph()) continue;
    for (const MicroOp& mop : *txn.mops) {
      if (mop.kind == MicroKind::kRead) {
        // wr: the writer of the last element this read saw.
        const std::vector<int64_t>* list = read_list(mop);
        if (list == nullptr || list->empty()) continue;
        uint32_t w = ix.elements[ix.element_id(mop.key, list->back())].writer;
        if (w != kNoId && w != t && ix.txns[w].in_graph()) g.link(w, t, kWr);
        continue;
      }
      uint32_t e = ix.element_id(mop.key, std::get<int64_t>(mop.value));
      FL_ASSERT(e != kNoId);
      uint32_t slot = ix.previous_slot(e);
      if (!ix.is_init_slot(slot)) {
        // ww: the writer of the version this append replaced.
        uint32_t w = ix.elements[slot].writer;
        if (w != kNoId && w != t && ix.txns[w].in_graph()) g.link(w, t, kWw);
      }
      // rw: everyone who read the version this append replaced.
      for (uint32_t i = ix.reader_offsets[slot]; i < ix.reader_offsets[slot + 1]; ++i) {
        uint32_t r = ix.readers[i];
        if (r != t) g.link(r, t, kRw);
      }
    }
  }
}

// Each process's :ok transactions in completion order.
void link_process_edges(const LaIndex& ix, TxnGraph& g) {
  std::vector<uint32_t> oks;
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    if (ix.txns[t].type == OpType::kOk) oks.push_back(t);
  }
  std::sort(oks.begin(), oks.end(), [&](uint32_t a, uint32_t b) { return ix.txns[a].complete_pos < ix.txns[b].complete_pos; });
  std::unordered_map<int64_t, uint32_t> last;
  for (uint32_t t : oks) {
    auto [it, fresh] = last.emplace(ix.txns[t].process, t);
    if (!fresh) {
      g.link(it->second, t, kProcess);
      it->second = t;
    }
  }
}

// Elle's realtime order, transitively reduced: a frontier of :ok
// transactions not yet implied by a later one; each invocation links the
// whole frontier to its transaction; each :ok completion replaces, in the
// frontier, every transaction that preceded its invocation. The frontier is
// ordered by when entries joined, so those are a prefix.
void link_realtime_edges(const LaIndex& ix, TxnGraph& g) {
  struct Event {
    size_t pos;
    uint32_t txn;
    bool invoke;
  };
  std::vector<Event> events;
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    const LaTxn& txn = ix.txns[t];
    if (!txn.in_graph()) continue;
    events.push_back({txn.invoke_pos, t, true});
    if (txn.type == OpType::kOk) events.push_back({txn.complete_pos, t, false});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.pos < b.pos; });
  std::deque<std::pair<uint32_t, uint64_t>> frontier;  // (txn, joined at)
  std::vector<uint64_t> invoked_at(ix.txns.size(), 0);
  uint64_t clock = 0;
  for (const Event& ev : events) {
    clock += 1;
    if (ev.invoke) {
      invoked_at[ev.txn] = clock;
      for (const auto& [t, joined] : frontier) g.link(t, ev.txn, kRealtime);
      continue;
    }
    while (!frontier.empty() && frontier.front().second < invoked_at[ev.txn]) frontier.pop_front();
    frontier.push_back({ev.txn, clock});
  }
}

std::string name_of(size_t i) {
  std::string name(1, 'T');  // not "T" + ...: GCC 12 -O3 warns falsely (-Wrestrict)
  return name.append(std::to_string(i + 1));
}

std::string render_mop(const MicroOp& mop) {
  std::string out = "[:" + std::string(history::micro_kind_name(mop.kind)) + " " + std::to_string(mop.key) + " ";
  if (const int64_t* v = std::get_if<int64_t>(&mop.value)) return out + std::to_string(*v) + "]";
  return out + render_list(read_list(mop)) + "]";
}

// Why b depends on a through `label`: one sentence, or "" if it does not.
std::string explain_edge(const LaIndex& ix, uint32_t a, const std::string& an, uint32_t b, const std::string& bn,
                         uint8_t label) {
  const LaTxn& ta = ix.txns[a];
  const LaTxn& tb = ix.txns[b];
  if (label == kProcess) {
    return "process " + std::to_string(ta.process) + " executed " + an + " before " + bn + " (process)";
  }
  if (label == kRealtime) {
    return an + " completed at index " + std::to_string(ta.complete_index) + " before " + bn +
           " was invoked at index " + std::to_string(tb.invoke_index) + " (realtime)";
  }
  for (const MicroOp& mop : *tb.mops) {
    if (label == kWr && mop.kind == MicroKind::kRead) {
      const std::vector<int64_t>* list = read_list(mop);
      if (list == nullptr || list->empty()) continue;
      if (ix.elements[ix.element_id(mop.key, list->back())].writer != a) continue;
      return bn + " read key " + std::to_string(mop.key) + " = " + render_list(list) + ", whose last element " +
             std::to_string(list->back()) + " " + an + " appended, so " + bn + " read " + an + "'s write (wr)";
    }
    if (mop.kind != MicroKind::kAppend || label == kWr) continue;
    int64_t value = std::get<int64_t>(mop.value);
    uint32_t slot = ix.previous_slot(ix.element_id(mop.key, value));
    if (label == kWw && !ix.is_init_slot(slot) && ix.elements[slot].writer == a) {
      return an + " appended " + std::to_string(ix.elements[slot].value) + " to key " + std::to_string(mop.key) +
             " and " + bn + " appended " + std::to_string(value) + " right after it, so " + bn + " overwrote " + an +
             "'s write (ww)";
    }
    if (label == kRw && ix.slot_read_by(slot, a)) {
      if (ix.is_init_slot(slot)) {
        return an + " read key " + std::to_string(mop.key) + " in its initial (empty) state, which " + bn +
               " changed by appending " + std::to_string(value) + ", so " + an + " did not see " + bn + "'s write (rw)";
      }
      return an + " read key " + std::to_string(mop.key) + " ending in " + std::to_string(ix.elements[slot].value) +
             ", and " + bn + " appended " + std::to_string(value) + " after that element, so " + an +
             " did not see " + bn + "'s write (rw)";
    }
  }
  return "";
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string render_list(const std::vector<int64_t>* list) {
  if (list == nullptr) return "nil";
  std::string out = "[";
  size_t skip = list->size() > kExplainedListElementsMax ? list->size() - kExplainedListElementsMax : 0;
  if (skip > 0) out += "...";
  for (size_t i = skip; i < list->size(); ++i) {
    if (i > 0 || skip > 0) out += " ";
    out += std::to_string((*list)[i]);
  }
  return out + "]";
}

std::string describe_txn(const LaTxn& txn) {
  std::string out = "op " + std::to_string(txn.index()) + " (process " + std::to_string(txn.process) + ", " +
                    std::string(history::op_type_name(txn.type)) + (txn.completed() ? "" : ", never completed") + "): [";
  for (size_t i = 0; i < txn.mops->size(); ++i) {
    if (i > 0) out += ' ';
    out += render_mop((*txn.mops)[i]);
  }
  return out + "]";
}

TxnGraph build_graph(const LaIndex& ix, bool realtime, bool process) {
  FL_ASSERT(!(realtime && process));
  TxnGraph g(static_cast<uint32_t>(ix.txns.size()));
  link_data_edges(ix, g);
  if (realtime) link_realtime_edges(ix, g);
  if (process) link_process_edges(ix, g);
  g.finish();
  return g;
}

Anomaly explain_cycle(const LaIndex& ix, const Cycle& cycle) {
  FL_ASSERT(cycle.vertices.size() == cycle.labels.size());
  FL_ASSERT(cycle.vertices.size() >= 2);
  Anomaly a{cycle.type, {}, "", ""};
  std::string text = "Let:\n";
  std::string dot = "digraph \"" + cycle.type + "\" {\n  rankdir=LR;\n  node [shape=box];\n";
  size_t n = cycle.vertices.size();
  for (size_t i = 0; i < n; ++i) {
    const LaTxn& txn = ix.txns[cycle.vertices[i]];
    a.op_indices.push_back(txn.index());
    text += "  " + name_of(i) + " = " + describe_txn(txn) + "\n";
    dot += "  t" + std::to_string(i) + " [label=\"" + name_of(i) + "\\nop " + std::to_string(txn.index()) + "\"];\n";
  }
  text += "Then:\n";
  for (size_t i = 0; i < n; ++i) {
    size_t j = (i + 1) % n;
    std::string why = explain_edge(ix, cycle.vertices[i], name_of(i), cycle.vertices[j], name_of(j), cycle.labels[i]);
    FL_ASSERT(!why.empty());  // Invariant: every graph edge has a reason
    text += "  - " + std::string(i + 1 == n ? "However, " : "") + why + (i + 1 == n ? ": a contradiction!" : ".") + "\n";
    dot += "  t" + std::to_string(i) + " -> t" + std::to_string(j) + " [label=\"" +
           dot_escape(std::string(rel_name(cycle.labels[i]))) + "\"];\n";
  }
  a.explanation = text;
  a.dot = dot + "}\n";
  return a;
}

}  // namespace fl::checkers::internal
