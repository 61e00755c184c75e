// checkers/internal/isolation.h: [iso.1]..[iso.4], shared by the
// list-append and rw-register checkers.
#include "checkers/internal/isolation.h"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <deque>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "base/assert.h"
#include "history/thread.h"
#include "checkers/consistency_models.h"
#include "checkers/limits.h"

namespace fl::checkers::internal {
namespace {

using history::OpType;

bool model_needs(const std::set<std::string>& prohibited, std::string_view suffix) {
  for (const std::string& a : prohibited) {
    if (a.size() > suffix.size() && a.compare(a.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        a.rfind("G", 0) == 0) {
      return true;
    }
  }
  return false;
}

// Appends the decimal `v` (std::to_string made a string per number, and
// an explained cycle of 10^5 transactions renders millions of them).
void append_int(std::string& out, int64_t v) {
  char digits[24];
  const std::to_chars_result r = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, r.ptr);
}

std::string name_of(size_t i) {
  std::string name(1, 'T');  // not "T" + ...: GCC 12 -O3 warns falsely (-Wrestrict)
  return name.append(std::to_string(i + 1));
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The order edges explain themselves; data edges are the workload's.
std::string explain_edge(const std::vector<PairedTxn>& txns, uint32_t a, const std::string& an, uint32_t b,
                         const std::string& bn, uint8_t label, const DataEdgeExplainer& explain_data) {
  const PairedTxn& ta = txns[a];
  const PairedTxn& tb = txns[b];
  if (label == kProcess) {
    return "process " + std::to_string(ta.process) + " executed " + an + " before " + bn + " (process)";
  }
  if (label == kRealtime) {
    // Invariant: a realtime edge, or a barrier path collapsed into one
    // [graph.7], joins a transaction that completed :ok to one invoked later.
    FL_ASSERT(ta.type == OpType::kOk && ta.complete_pos < tb.invoke_pos);
    return an + " completed at index " + std::to_string(ta.complete_index) + " before " + bn +
           " was invoked at index " + std::to_string(tb.invoke_index) + " (realtime)";
  }
  return explain_data(a, an, b, bn, label);
}

constexpr std::string_view kCycleExistsSuffix = "-cycle-exists";

bool is_cycle_exists(const std::string& type) {
  return type.size() > kCycleExistsSuffix.size() &&
         type.compare(type.size() - kCycleExistsSuffix.size(), kCycleExistsSuffix.size(), kCycleExistsSuffix) == 0;
}

std::string cycle_exists_model(const std::string& type) {
  FL_ASSERT(is_cycle_exists(type));
  return type.substr(0, type.size() - kCycleExistsSuffix.size());
}

// Elle's remove-redundant-cycle-exists: a cycle-exists anomaly says nothing
// new when other anomalies already rule its model out.
void drop_redundant_cycle_exists(std::vector<Anomaly>& found) {
  std::set<std::string> others;
  for (const Anomaly& a : found) {
    if (!is_cycle_exists(a.type)) others.insert(a.type);
  }
  std::set<std::string> impossible;
  for (const std::string& m : impossible_models(others)) impossible.insert(canonical_model_name(m));
  std::erase_if(found, [&](const Anomaly& a) {
    return is_cycle_exists(a.type) && impossible.count(cycle_exists_model(a.type)) > 0;
  });
}

// Process -> the transaction it has pending. Client ids are small
// integers in practice, kept in an array; others in a hash map (an
// insert, find and erase in one per operation was 40 ms at 10^6
// transactions).
class PendingTxns {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  void put(int64_t process, uint32_t txn) {
    if (dense(process)) {
      const auto p = static_cast<size_t>(process);
      if (p >= dense_.size()) dense_.resize(std::max(p + 1, 2 * dense_.size()), kNone);
      dense_[p] = txn;
    } else {
      sparse_[process] = txn;
    }
  }
  // The pending transaction, no longer pending; kNone when there is none.
  uint32_t take(int64_t process) {
    if (dense(process)) {
      const auto p = static_cast<size_t>(process);
      if (p >= dense_.size()) return kNone;
      return std::exchange(dense_[p], kNone);
    }
    auto it = sparse_.find(process);
    if (it == sparse_.end()) return kNone;
    const uint32_t txn = it->second;
    sparse_.erase(it);
    return txn;
  }

 private:
  static bool dense(int64_t process) { return process >= 0 && process < (int64_t{1} << 16); }
  std::vector<uint32_t> dense_;
  std::unordered_map<int64_t, uint32_t> sparse_;
};

}  // namespace

bool pair_transactions(const history::History& h, std::vector<PairedTxn>& txns, Verdict& verdict) {
  PendingTxns pending;
  for (size_t pos = 0; pos < h.ops.size(); ++pos) {
    const history::Op& op = h.ops[pos];
    std::optional<int64_t> process = op.process.id();
    if (!process) continue;  // nemesis and other non-client operations
    if (op.type == OpType::kInvoke) {
      if (op.txn() == nullptr) {
        verdict.unknown("unexpected-value: op " + std::to_string(op.index) + ": :value is not a transaction");
        return false;
      }
      PairedTxn txn;
      txn.mops = op.txn();
      txn.invoke_index = op.index;
      txn.invoke_pos = pos;
      txn.process = *process;
      pending.put(*process, static_cast<uint32_t>(txns.size()));
      txns.push_back(txn);
      continue;
    }
    const uint32_t t = pending.take(*process);
    if (t == PendingTxns::kNone) {
      verdict.unknown("unpaired-completion: op " + std::to_string(op.index) + " (process " + std::to_string(*process) +
                      ") completes no invocation");
      return false;
    }
    PairedTxn& txn = txns[t];
    txn.type = op.type;
    txn.complete_index = op.index;
    txn.complete_pos = pos;
    if (op.txn() != nullptr) txn.mops = op.txn();
  }
  return true;
}

bool pair_transactions(const history::CompactHistory& h, std::vector<PairedTxn>& txns, Verdict& verdict) {
  PendingTxns pending;
  txns.reserve(txns.size() + h.size() / 2 + 1);
  for (size_t pos = 0; pos < h.size(); ++pos) {
    const history::CompactOp& op = h[pos];
    if (op.process_kind != history::Process::Kind::kInteger) continue;  // nemesis and other non-client operations
    if (op.type == OpType::kInvoke) {
      if (!op.is_txn) {
        verdict.unknown("unexpected-value: op " + std::to_string(op.index) + ": :value is not a transaction");
        return false;
      }
      PairedTxn txn;
      txn.mop_begin = op.mop_begin;
      txn.mop_count = op.mop_count;
      txn.invoke_index = op.index;
      txn.invoke_pos = pos;
      txn.process = op.process;
      pending.put(op.process, static_cast<uint32_t>(txns.size()));
      txns.push_back(txn);
      continue;
    }
    const uint32_t t = pending.take(op.process);
    if (t == PendingTxns::kNone) {
      verdict.unknown("unpaired-completion: op " + std::to_string(op.index) + " (process " +
                      std::to_string(op.process) + ") completes no invocation");
      return false;
    }
    PairedTxn& txn = txns[t];
    txn.type = op.type;
    txn.complete_index = op.index;
    txn.complete_pos = pos;
    if (op.is_txn) {
      txn.mop_begin = op.mop_begin;
      txn.mop_count = op.mop_count;
    }
  }
  return true;
}

OrderEdges order_edges_for(const std::set<std::string>& prohibited) {
  OrderEdges edges;
  edges.realtime = model_needs(prohibited, "-realtime");
  edges.process = !edges.realtime && model_needs(prohibited, "-process");
  return edges;
}

// Each process's :ok transactions in completion order.
void link_process_edges(const std::vector<PairedTxn>& txns, TxnGraph& g) {
  std::vector<uint32_t> oks;
  for (uint32_t t = 0; t < txns.size(); ++t) {
    if (txns[t].type == OpType::kOk) oks.push_back(t);
  }
  std::sort(oks.begin(), oks.end(),
            [&](uint32_t a, uint32_t b) { return txns[a].complete_pos < txns[b].complete_pos; });
  std::unordered_map<int64_t, uint32_t> last;
  for (uint32_t t : oks) {
    auto [it, fresh] = last.emplace(txns[t].process, t);
    if (!fresh) {
      g.link(it->second, t, kProcess);
      it->second = t;
    }
  }
}

namespace {

// The invocations of the graph's transactions and their :ok completions,
// in history order: txn << 1 | (1 for an invocation). Positions are
// distinct indices into the history, so the events are placed by position
// (linear) rather than sorted.
std::vector<uint32_t> realtime_events(const std::vector<PairedTxn>& txns) {
  FL_ASSERT(txns.size() < (size_t{1} << 31));
  constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
  size_t end = 0;
  for (const PairedTxn& txn : txns) {
    if (!txn.in_graph()) continue;
    end = std::max(end, txn.invoke_pos + 1);
    if (txn.type == OpType::kOk) end = std::max(end, txn.complete_pos + 1);
  }
  std::vector<uint32_t> by_pos(end, kEmpty);
  size_t count = 0;
  for (uint32_t t = 0; t < txns.size(); ++t) {
    const PairedTxn& txn = txns[t];
    if (!txn.in_graph()) continue;
    FL_ASSERT(by_pos[txn.invoke_pos] == kEmpty);
    by_pos[txn.invoke_pos] = t << 1 | 1;
    count += 1;
    if (txn.type == OpType::kOk) {
      FL_ASSERT(by_pos[txn.complete_pos] == kEmpty);
      by_pos[txn.complete_pos] = t << 1;
      count += 1;
    }
  }
  std::vector<uint32_t> events;
  events.reserve(count);
  for (uint32_t e : by_pos) {
    if (e != kEmpty) events.push_back(e);
  }
  return events;
}

}  // namespace

// Elle's realtime order, transitively reduced: a frontier of :ok
// transactions not yet implied by a later one; each invocation links the
// whole frontier to its transaction; each :ok completion replaces, in the
// frontier, every transaction that preceded its invocation. The frontier is
// ordered by when entries joined, so those are a prefix.
void link_realtime_edges(const std::vector<PairedTxn>& txns, TxnGraph& g) {
  std::deque<std::pair<uint32_t, uint64_t>> frontier;  // (txn, joined at)
  std::vector<uint64_t> invoked_at(txns.size(), 0);
  uint64_t clock = 0;
  for (uint32_t ev : realtime_events(txns)) {
    clock += 1;
    const uint32_t txn = ev >> 1;
    if ((ev & 1) != 0) {
      invoked_at[txn] = clock;
      for (const auto& [t, joined] : frontier) g.link(t, txn, kRealtime);
      continue;
    }
    while (!frontier.empty() && frontier.front().second < invoked_at[txn]) frontier.pop_front();
    frontier.push_back({txn, clock});
  }
}

// A barrier is needed at an invocation when some transaction completed
// since the last barrier; otherwise the last barrier serves it.
RealtimeEdges::RealtimeEdges(const std::vector<PairedTxn>& txns) : events_(realtime_events(txns)) {
  bool completed = false;
  for (uint32_t ev : events_) {
    if ((ev & 1) == 0) {
      completed = true;
    } else if (completed) {
      barrier_count_ += 1;
      completed = false;
    }
  }
}

void RealtimeEdges::add_barriers(TxnGraph& g) const { g.add_barriers(barrier_count_); }

void RealtimeEdges::link(TxnGraph& g) const { link(g, [&g](uint32_t from, uint32_t to) { g.link(from, to, kRealtime); }); }

void RealtimeEdges::link(TxnGraph& g, TxnGraph::Lane& lane) const {
  link(g, [&lane](uint32_t from, uint32_t to) { lane.link(from, to, kRealtime); });
}

template <class Link>
void RealtimeEdges::link(const TxnGraph& g, Link&& link_one) const {
  // Invariant: add_barriers() was called on this graph, and nothing else added barriers.
  FL_ASSERT(g.vertex_count() - g.txn_count() == barrier_count_);
  std::vector<uint32_t> completed;  // since the last barrier
  uint32_t barrier = kNoId;         // the latest
  uint32_t next = g.txn_count();
  for (uint32_t ev : events_) {
    const uint32_t txn = ev >> 1;
    if ((ev & 1) == 0) {
      completed.push_back(txn);
      continue;
    }
    if (!completed.empty()) {
      const uint32_t fresh = next++;
      for (uint32_t t : completed) link_one(t, fresh);
      if (barrier != kNoId) link_one(barrier, fresh);
      completed.clear();
      barrier = fresh;
    }
    if (barrier != kNoId) link_one(barrier, txn);
  }
  FL_ASSERT(next == g.vertex_count());
}

std::string render_list(const std::vector<int64_t>* list) {
  return list == nullptr ? "nil" : render_list(std::span<const int64_t>(*list));
}

std::string render_list(std::span<const int64_t> list) {
  std::string out = "[";
  size_t skip = list.size() > kExplainedListElementsMax ? list.size() - kExplainedListElementsMax : 0;
  if (skip > 0) out += "...";
  for (size_t i = skip; i < list.size(); ++i) {
    if (i > 0 || skip > 0) out += ' ';
    append_int(out, list[i]);
  }
  out += ']';
  return out;
}

std::string render_mop(const history::MicroOp& mop) {
  std::string out = "[:" + std::string(history::micro_kind_name(mop.kind)) + " " + std::to_string(mop.key) + " ";
  if (const int64_t* v = std::get_if<int64_t>(&mop.value)) return out + std::to_string(*v) + "]";
  return out + render_list(std::get_if<std::vector<int64_t>>(&mop.value)) + "]";
}

std::string describe_txn(const PairedTxn& txn) {
  FL_ASSERT(txn.mops != nullptr);
  std::string out = "op " + std::to_string(txn.index()) + " (process " + std::to_string(txn.process) + ", " +
                    std::string(history::op_type_name(txn.type)) + (txn.completed() ? "" : ", never completed") +
                    "): [";
  for (size_t i = 0; i < txn.mops->size(); ++i) {
    if (i > 0) out += ' ';
    out += render_mop((*txn.mops)[i]);
  }
  return out + "]";
}

namespace {

void append_mop(std::string& out, const history::CompactHistory& h, const history::CompactMop& mop) {
  out.append("[:").append(history::micro_kind_name(mop.kind)).append(" ");
  append_int(out, mop.key);
  out += ' ';
  if (mop.tag == history::MopValue::kInt) {
    append_int(out, mop.data);
  } else if (mop.tag == history::MopValue::kNil) {
    out += "nil";
  } else {
    out += render_list(h.list(mop));
  }
  out += ']';
}

}  // namespace

std::string render_mop(const history::CompactHistory& h, const history::CompactMop& mop) {
  std::string out;
  append_mop(out, h, mop);
  return out;
}

std::string describe_txn(const history::CompactHistory& h, const PairedTxn& txn) {
  std::string out = "op ";
  append_int(out, txn.index());
  out += " (process ";
  append_int(out, txn.process);
  out.append(", ").append(history::op_type_name(txn.type)).append(txn.completed() ? "" : ", never completed");
  out += "): [";
  bool first = true;
  for (const history::CompactMop& mop : h.all_mops().subspan(txn.mop_begin, txn.mop_count)) {
    if (!first) out += ' ';
    first = false;
    append_mop(out, h, mop);
  }
  out += ']';
  return out;
}

Anomaly explain_cycle(const std::vector<PairedTxn>& txns, const Cycle& cycle, const DataEdgeExplainer& explain_data,
                      const TxnDescriber& describe) {
  FL_ASSERT(cycle.vertices.size() == cycle.labels.size());
  FL_ASSERT(cycle.vertices.size() >= 2);
  Anomaly a{cycle.type, {}, "", ""};
  std::string text = "Let:\n";
  std::string dot = "digraph \"" + cycle.type + "\" {\n  rankdir=LR;\n  node [shape=box];\n";
  const size_t n = cycle.vertices.size();
  std::vector<std::string> names;
  names.reserve(n);
  for (size_t i = 0; i < n; ++i) names.push_back(name_of(i));
  for (size_t i = 0; i < n; ++i) {
    const PairedTxn& txn = txns[cycle.vertices[i]];
    a.op_indices.push_back(txn.index());
    text.append("  ").append(names[i]).append(" = ");
    text.append(describe ? describe(cycle.vertices[i]) : describe_txn(txn)).append("\n");
    dot += "  t";
    append_int(dot, static_cast<int64_t>(i));
    dot.append(" [label=\"").append(names[i]).append("\\nop ");
    append_int(dot, txn.index());
    dot += "\"];\n";
  }
  text += "Then:\n";
  for (size_t i = 0; i < n; ++i) {
    size_t j = (i + 1) % n;
    std::string why =
        explain_edge(txns, cycle.vertices[i], names[i], cycle.vertices[j], names[j], cycle.labels[i], explain_data);
    FL_ASSERT(!why.empty());  // Invariant: every graph edge has a reason
    text.append("  - ").append(i + 1 == n ? "However, " : "").append(why);
    text.append(i + 1 == n ? ": a contradiction!\n" : ".\n");
    dot += "  t";
    append_int(dot, static_cast<int64_t>(i));
    dot += " -> t";
    append_int(dot, static_cast<int64_t>(j));
    dot.append(" [label=\"").append(dot_escape(std::string(rel_name(cycle.labels[i])))).append("\"];\n");
  }
  a.explanation = text;
  a.dot = dot + "}\n";
  return a;
}

// Components at least this big check closed walks on a second thread.
constexpr size_t kParallelComponentMin = 4096;

void find_cycles(const std::vector<PairedTxn>& txns, TxnGraph graph, uint64_t steps_max,
                 const DataEdgeExplainer& explain_data, std::vector<Anomaly>& found, Verdict& verdict,
                 const TxnDescriber& describe) {
  if (graph.edge_count() == 0) {
    verdict.notes.push_back("empty-transaction-graph: no two transactions are related, so no cycle can be judged");
  }
  // The searches read only the components: the graph is let go before
  // they allocate their state arrays (at 10^7 transactions it is ~500 MB).
  std::vector<Component> components;
  for (std::vector<uint32_t>& scc : nontrivial_sccs(graph)) components.push_back(make_component(graph, std::move(scc)));
  std::unordered_map<std::string, size_t> examples;  // type -> anomalies of it in `found`, up to kExamplesPerType
  for (const Anomaly& a : found) {
    size_t& n = examples[a.type];
    n = std::min(n + 1, kExamplesPerType);
  }
  graph = TxnGraph(0);
  for (Component& component : components) {
    const size_t scc_txns = component.txn_count;  // [graph.7]: its barriers come last
    // In a big component the closed-walk checks run beside the classified
    // search (both only read the component); a small one is not worth a thread.
    std::vector<std::string> exists;
    std::optional<history::ElsewhereThread> exists_thread;
    if (component.global.size() >= kParallelComponentMin) {
      exists_thread.emplace([&] { exists = cycle_exists_types(component); });
    }
    CycleSearch search = search_cycles(component, steps_max);
    if (exists_thread) {
      exists_thread->join();
    } else {
      exists = cycle_exists_types(component);
    }
    if (search.truncated) {
      verdict.notes.push_back("cycle-search-truncated: a component of " + std::to_string(scc_txns) +
                              " transactions ran out of its budget of " + std::to_string(steps_max) +
                              " steps while searching for " + search.truncated_during +
                              "; classes after it were not searched there");
    }
    for (const Cycle& cycle : search.cycles) {
      // A verdict keeps the first examples of a type and only counts the
      // rest: those are not explained (in a history with 10^4 small
      // components, explaining them all was a quarter of the search).
      size_t& explained = examples[cycle.type];
      if (explained < kExamplesPerType) {
        explained += 1;
        found.push_back(explain_cycle(txns, cycle, explain_data, describe));
      } else {
        found.push_back(Anomaly{cycle.type, {}, "", ""});
      }
    }
    for (const std::string& type : exists) {
      Anomaly a{type, {}, "", ""};
      for (size_t i = 0; i < scc_txns && i < kCycleExistsOpsShownMax; ++i)
        a.op_indices.push_back(txns[component.global[i]].index());
      a.explanation =
          "These " + std::to_string(scc_txns) + " transactions" +
          (scc_txns > kCycleExistsOpsShownMax ? " (the first " + std::to_string(kCycleExistsOpsShownMax) + " listed)"
                                                : std::string()) +
          " hold a cycle of the dependencies " + friendly_model_name(cycle_exists_model(type)) +
          " forbids (a closed walk, not necessarily a simple cycle of one named class).";
      found.push_back(std::move(a));
    }
    component = Component{};  // searched: its memory goes before the next one's
  }
}

std::string who(const PairedTxn& txn) {
  return "op " + std::to_string(txn.index()) + " (process " + std::to_string(txn.process) + ")";
}

void report_lost_updates(const std::vector<PairedTxn>& txns, std::vector<LostUpdateGroup> groups,
                         std::string_view wrote, std::vector<Anomaly>& found) {
  std::erase_if(groups, [](const LostUpdateGroup& g) { return g.txns.size() < 2; });
  std::sort(groups.begin(), groups.end(),
            [](const LostUpdateGroup& a, const LostUpdateGroup& b) {
              return std::tie(a.txns.front(), a.key, a.state) < std::tie(b.txns.front(), b.key, b.state);
            });
  for (const LostUpdateGroup& group : groups) {
    Anomaly a{"lost-update", {}, "", ""};
    std::string names;
    for (uint32_t t : group.txns) {
      a.op_indices.push_back(txns[t].index());
      if (!names.empty()) names += ", ";
      names += who(txns[t]);
    }
    a.explanation = names + " all read key " + std::to_string(group.key) + " = " + group.state + " and then " +
                    std::string(wrote) + " it: each overwrote an update it never saw.";
    found.push_back(std::move(a));
  }
}

void finish_verdict(std::vector<Anomaly> found, const std::set<std::string>& prohibited, Verdict& verdict) {
  drop_redundant_cycle_exists(found);
  std::set<std::string> types;
  std::set<std::string> unreported;
  for (Anomaly& anomaly : found) {
    types.insert(anomaly.type);
    if (prohibited.count(anomaly.type)) {
      verdict.add(std::move(anomaly));
    } else {
      unreported.insert(anomaly.type);
    }
  }
  verdict.violated_models = violated_models(types);
  std::set<std::string> ruled_out;
  for (const auto& [model, reasons] : verdict.violated_models) ruled_out.insert(model);
  verdict.possible_models = strongest_possible_models(ruled_out);
  if (!unreported.empty()) {
    std::string note = "found but allowed by the requested models:";
    for (const std::string& t : unreported) note += " " + t;
    verdict.notes.push_back(note);
  }
  bool empty_graph = std::any_of(verdict.notes.begin(), verdict.notes.end(),
                                 [](const std::string& n) { return n.rfind("empty-transaction-graph", 0) == 0; });
  if (empty_graph && verdict.validity == Validity::kValid) verdict.validity = Validity::kUnknown;
}

}  // namespace fl::checkers::internal
