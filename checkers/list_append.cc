// list-append: indexing the history and the non-cyclic anomalies. The graph
// and cycle explanations are in list_append_cycles.cc.
#include "checkers/list_append.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>
#include <utility>

#include "base/assert.h"
#include "history/thread.h"
#include "checkers/consistency_models.h"
#include "checkers/internal/list_append_index.h"
#include "checkers/internal/txn_graph.h"

namespace fl::checkers {
namespace {

using history::CompactMop;
using history::MicroKind;
using history::MopValue;
using history::OpType;
using internal::kNoId;
using internal::LaIndex;
using internal::LaTxn;

std::string op_name(const LaTxn& txn) { return "op " + std::to_string(txn.index()); }

uint32_t key_id(LaIndex& ix, int64_t key) {
  bool fresh = false;
  const uint32_t id = ix.key_ids.emplace(key, static_cast<uint32_t>(ix.keys.size()), &fresh);
  if (fresh) {
    ix.keys.emplace_back();
    ix.keys.back().key = key;
  }
  return id;
}

// The element (key, value), created (with no writer) if new.
uint32_t element_or_garbage(LaIndex& ix, int64_t key, int64_t value) {
  bool inserted = false;
  uint32_t e = ix.element_ids.emplace(key, value, static_cast<uint32_t>(ix.elements.size()), &inserted, ix.elements);
  if (inserted) ix.elements.push_back({key, value, key_id(ix, key), kNoId, -1, false});
  return e;
}

bool bad_micro_op(const CompactMop& mop) {
  return mop.kind == MicroKind::kWrite || (mop.kind == MicroKind::kRead && mop.tag == MopValue::kInt) ||
         (mop.kind == MicroKind::kAppend && mop.tag != MopValue::kInt);
}

constexpr uint32_t kPrefetchAhead = 8;

// [la.2] Elle's preconditions: micro-op kinds and unique appends. Creates an
// element per append of an invocation, written by its transaction, numbered
// in the order of the history. The judgement is the first problem in that
// order: a transaction with a micro-op of the wrong kind, or an append of a
// value appended before.
bool check_preconditions(LaIndex& ix, Verdict& verdict) {
  // Invocations hold about half the micro-ops (their completions repeat
  // them): room for an element each, of which only the pages used are
  // touched.
  ix.elements.reserve(ix.history->all_mops().size() / 2 + 16);
  ix.mop_element.assign(ix.history->all_mops().size(), kNoId);
  const CompactMop* bad_mop = nullptr;  // of the first transaction with a micro-op of the wrong kind
  uint32_t bad = 0;
  for (uint32_t t = 0; t < ix.txns.size() && bad_mop == nullptr; ++t) {
    const LaTxn& txn = ix.txns[t];
    for (std::span<const CompactMop> mops : {ix.invoke_mops(txn), ix.mops(txn)}) {
      for (const CompactMop& mop : mops) {
        if (bad_micro_op(mop) && bad_mop == nullptr) {
          bad = t;
          bad_mop = &mop;
        }
      }
    }
    if (bad_mop != nullptr) break;
    for (const CompactMop& mop : ix.invoke_mops(txn)) {
      if (mop.kind != MicroKind::kAppend) continue;
      ix.mop_element[ix.mop_number(mop)] = static_cast<uint32_t>(ix.elements.size());
      ix.elements.push_back({mop.key, mop.data, key_id(ix, mop.key), t, -1, false});
    }
  }
  // Then the map, in element order. Its probes miss the cache nearly every
  // time (a slot per element, at random), so the slots of the elements
  // ahead are loaded while this one is placed.
  ix.element_ids.reserve(ix.elements.size() + 16, ix.elements);
  const uint32_t n = static_cast<uint32_t>(ix.elements.size());
  for (uint32_t e = 0; e < n; ++e) {
    if (e + kPrefetchAhead < n) {
      ix.element_ids.prefetch(ix.elements[e + kPrefetchAhead].key, ix.elements[e + kPrefetchAhead].value);
    }
    bool inserted = false;
    const internal::LaElement& element = ix.elements[e];
    const uint32_t first = ix.element_ids.emplace(element.key, element.value, e, &inserted, ix.elements);
    if (!inserted) {
      verdict.unknown("duplicate-appends: value " + std::to_string(element.value) + " appended to key " +
                      std::to_string(element.key) + " multiple times (invocations op " +
                      std::to_string(ix.txns[ix.elements[first].writer].invoke_index) + " and op " +
                      std::to_string(ix.txns[element.writer].invoke_index) + ")");
      return false;
    }
  }
  if (bad_mop != nullptr) {
    verdict.unknown("unexpected-txn-micro-op-types: " + op_name(ix.txns[bad]) + " holds [:" +
                    std::string(history::micro_kind_name(bad_mop->kind)) + " " + std::to_string(bad_mop->key) +
                    " ...]; a list-append history has only [:append k v] and [:r k list]");
    return false;
  }
  return true;
}

// Appends of completions the invocation did not announce get a writer too,
// and an append followed by another to the same key is intermediate. Each
// key's longest read (of those for_each_possible_read visits) is found on
// the same pass over the completions.
void index_appends(LaIndex& ix) {
  struct Last {
    int64_t key;
    uint32_t element;
    uint32_t count;
  };
  std::vector<Last> last_append;  // per key, within one txn
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    last_append.clear();
    const std::span<const CompactMop> invoked = ix.invoke_mops(ix.txns[t]);
    const std::span<const CompactMop> mops = ix.mops(ix.txns[t]);
    for (size_t i = 0; i < mops.size(); ++i) {
      const CompactMop& mop = mops[i];
      const uint32_t k = key_id(ix, mop.key);
      if (mop.kind == MicroKind::kRead) {
        // A nil read has no elements, so the :info transactions' nil reads
        // for_each_possible_read skips are skipped here too.
        internal::LaKey& key = ix.keys[k];
        const bool longer = key.longest == nullptr || mop.list_size > key.longest_size;
        if (ix.txns[t].in_graph() && mop.list_size > 0 && longer) {
          key.longest = &mop;
          key.longest_size = mop.list_size;
          key.longest_reader = t;
        }
        continue;
      }
      if (mop.kind != MicroKind::kAppend) continue;
      uint32_t& cached = ix.mop_element[ix.mop_number(mop)];
      // A completion repeats its invocation's appends: reuse their elements.
      if (cached == kNoId && i < invoked.size() && invoked[i].kind == MicroKind::kAppend &&
          invoked[i].key == mop.key && invoked[i].data == mop.data) {
        cached = ix.element_of(invoked[i]);
      }
      if (cached == kNoId) cached = element_or_garbage(ix, mop.key, mop.data);
      const uint32_t e = cached;
      if (ix.elements[e].writer == kNoId) ix.elements[e].writer = t;
      auto it = std::find_if(last_append.begin(), last_append.end(), [&](const Last& l) { return l.key == mop.key; });
      if (it == last_append.end()) {
        last_append.push_back({mop.key, e, 1});
      } else {
        ix.elements[it->element].intermediate = true;
        it->element = e;
        if (ix.elements[e].writer == t) ix.elements[e].seq = it->count;
        it->count += 1;
      }
    }
  }
}

// Reads that count for version orders and the graph: those of :ok and
// :info transactions, except an :info transaction's nil reads (which only
// mean "not known").
template <class F>
void for_each_possible_read(const LaIndex& ix, uint32_t begin, uint32_t end, F&& f) {
  for (uint32_t t = begin; t < end; ++t) {
    const LaTxn& txn = ix.txns[t];
    if (!txn.in_graph()) continue;
    for (const CompactMop& mop : ix.mops(txn)) {
      if (mop.kind != MicroKind::kRead) continue;
      if (txn.type != OpType::kOk && mop.tag == MopValue::kNil) continue;
      f(t, mop);
    }
  }
}

template <class F>
void for_each_possible_read(const LaIndex& ix, F&& f) {
  for_each_possible_read(ix, 0, static_cast<uint32_t>(ix.txns.size()), f);
}

bool is_prefix(std::span<const int64_t> a, std::span<const int64_t> b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Each key's longest read (index_appends found it) gives its version
// order; positions of its first garbage and first repeated element are kept
// for the reads that are its prefixes. Keys are walked on two threads (odd
// and even keys, from `parallel_txns_min` transactions): a key's elements
// are its own, so the walks write apart. A walk that meets an element no
// one appended (garbage) is undone, and redone afterwards in key order
// with the element added, so garbage gets the ids a walk in order gives.
void index_longest_reads(LaIndex& ix, size_t parallel_txns_min) {
  std::vector<uint32_t> seen(ix.elements.size(), 0);  // element -> 1 + the key whose walk holds it
  // Walks key k; `add` says whether elements not in the map are added
  // (garbage) or end the walk, undone (false returned).
  auto walk = [&ix, &seen](uint32_t k, bool add) {
    internal::LaKey& key = ix.keys[k];
    if (key.longest == nullptr) return true;
    const uint32_t serial = k + 1;
    std::span<const int64_t> longest = ix.list(*key.longest);
    // Sized once: growing 66,000 keys' two vectors element by element was
    // a third of this pass at 10^6 transactions (0.27 -> 0.19 s).
    key.ids.reserve(longest.size());
    key.order.reserve(longest.size());
    for (uint32_t pos = 0; pos < longest.size() && pos < kPrefetchAhead; ++pos) {
      ix.element_ids.prefetch(key.key, longest[pos]);
    }
    for (uint32_t pos = 0; pos < longest.size(); ++pos) {
      if (pos + kPrefetchAhead < longest.size()) ix.element_ids.prefetch(key.key, longest[pos + kPrefetchAhead]);
      uint32_t e = ix.element_id(key.key, longest[pos]);
      if (e == kNoId) {
        if (!add) {
          for (uint32_t held : key.order) seen[held] = 0;
          key.ids.clear();
          key.order.clear();
          key.first_garbage = key.first_duplicate = internal::LaKey::kNoPosition;
          return false;
        }
        e = element_or_garbage(ix, key.key, longest[pos]);
        if (seen.size() <= e) seen.resize(std::max<size_t>(ix.elements.size(), seen.size() * 2), 0);
      }
      key.ids.push_back(e);
      if (ix.elements[e].writer == kNoId && key.first_garbage == internal::LaKey::kNoPosition) key.first_garbage = pos;
      if (seen[e] == serial) {  // Elle keeps distinct elements
        if (key.first_duplicate == internal::LaKey::kNoPosition) key.first_duplicate = pos;
        continue;
      }
      seen[e] = serial;
      ix.elements[e].position = static_cast<int32_t>(key.order.size());
      key.order.push_back(e);
    }
    return true;
  };
  const auto keys = static_cast<uint32_t>(ix.keys.size());
  std::array<std::vector<uint32_t>, 2> garbage_keys;
  auto walk_every_other = [&](uint32_t first) {
    for (uint32_t k = first; k < keys; k += 2) {
      if (!walk(k, false)) garbage_keys[first].push_back(k);
    }
  };
  if (ix.txns.size() >= parallel_txns_min) {
    history::ElsewhereThread odd([&] { walk_every_other(1); });
    walk_every_other(0);
  } else {
    walk_every_other(0);
    walk_every_other(1);
  }
  std::vector<uint32_t> redo;
  std::merge(garbage_keys[0].begin(), garbage_keys[0].end(), garbage_keys[1].begin(), garbage_keys[1].end(),
             std::back_inserter(redo));
  for (uint32_t k : redo) walk(k, true);
}

// incompatible-order, ours too (docs/anomalies.md): a key's longest read
// lists two appends of one transaction in the reverse of the order that
// transaction made them. No other read need disagree, so Elle misses it.
// Every read that shows the reversal is the longest read or one that is not
// its prefix (already incompatible-order), so only longest reads are looked
// at.
void own_appends_reversed(const LaIndex& ix, const std::vector<bool>& reported, std::vector<Anomaly>& found) {
  std::vector<uint32_t> last_seq(ix.txns.size(), 0);
  std::vector<uint32_t> stamp(ix.txns.size(), 0);
  for (uint32_t k = 0; k < ix.keys.size(); ++k) {
    const internal::LaKey& key = ix.keys[k];
    if (key.longest == nullptr || reported[k]) continue;
    for (uint32_t e : key.order) {
      const internal::LaElement& element = ix.elements[e];
      if (element.writer == kNoId) continue;
      if (stamp[element.writer] == k + 1 && last_seq[element.writer] > element.seq) {
        const LaTxn& reader = ix.txns[key.longest_reader];
        const LaTxn& writer = ix.txns[element.writer];
        found.push_back({"incompatible-order", {reader.index(), writer.index()},
                         op_name(reader) + " read key " + std::to_string(key.key) + " = " +
                             internal::render_list(ix.list(*key.longest)) + ", in which " +
                             std::to_string(element.value) + " comes after a value " + op_name(writer) +
                             " appended later in the same transaction: no order of appends explains it.",
                         ""});
        break;
      }
      stamp[element.writer] = k + 1;
      last_seq[element.writer] = std::max(last_seq[element.writer], element.seq);
    }
  }
}

// A read's finding, with the read's place in for_each_possible_read's
// order (transaction, then micro-op), so findings made apart join in it.
struct ReadFinding {
  uint64_t at;
  Anomaly anomaly;
};

uint64_t place_of(const LaIndex& ix, uint32_t t, const CompactMop& mop) {
  return uint64_t{t} << 32 | (ix.mop_number(mop) - ix.txns[t].mop_begin);
}

void report_read(const LaIndex& ix, uint32_t t, const CompactMop& mop, std::optional<int64_t> garbage,
                 std::optional<int64_t> duplicate, std::vector<ReadFinding>& out) {
  const LaTxn& txn = ix.txns[t];
  const std::span<const int64_t> list = ix.list(mop);
  if (garbage) {
    out.push_back({place_of(ix, t, mop),
                   {"garbage-read", {txn.index()},
                    op_name(txn) + " (process " + std::to_string(txn.process) + ") read key " +
                        std::to_string(mop.key) + " = " + internal::render_list(list) + ", which holds " +
                        std::to_string(*garbage) + ", a value no operation appended.",
                    ""}});
  }
  if (duplicate) {
    out.push_back({place_of(ix, t, mop),
                   {"duplicate-elements", {txn.index()},
                    op_name(txn) + " read key " + std::to_string(mop.key) + " = " + internal::render_list(list) +
                        ", in which " + std::to_string(*duplicate) +
                        " appears more than once; each value is appended once.",
                    ""}});
  }
}

// The anomalies of reads: garbage-read, duplicate-elements,
// incompatible-order. A prefix of the longest read (nearly every read) is
// judged by the longest read's positions, on two threads over halves of
// the transactions (from `parallel_txns_min` of them); any other read
// afterwards, in order, element by element (it may add garbage elements,
// whose ids follow that order).
void index_reads(LaIndex& ix, size_t parallel_txns_min, std::vector<Anomaly>& found) {
  index_longest_reads(ix, parallel_txns_min);
  ix.prefix_read.assign(ix.history->all_mops().size(), 0);
  struct Half {
    std::vector<ReadFinding> findings;
    std::vector<std::pair<uint32_t, const CompactMop*>> others;  // reads that are not prefixes
  };
  auto prefix_pass = [&ix](uint32_t begin, uint32_t end, Half& half) {
    for_each_possible_read(ix, begin, end, [&](uint32_t t, const CompactMop& mop) {
      if (mop.list_size == 0) return;
      const std::span<const int64_t> list = ix.list(mop);
      const internal::LaKey& key = ix.keys[ix.key_ids.at(mop.key)];
      const std::span<const int64_t> longest = ix.list(*key.longest);
      if (!is_prefix(list, longest)) {
        half.others.push_back({t, &mop});
        return;
      }
      ix.prefix_read[ix.mop_number(mop)] = 1;
      ix.mop_element[ix.mop_number(mop)] = key.ids[list.size() - 1];
      std::optional<int64_t> garbage;
      std::optional<int64_t> duplicate;
      if (key.first_garbage < list.size()) garbage = longest[key.first_garbage];
      if (key.first_duplicate < list.size()) duplicate = longest[key.first_duplicate];
      if (garbage || duplicate) report_read(ix, t, mop, garbage, duplicate, half.findings);
    });
  };
  const auto txns = static_cast<uint32_t>(ix.txns.size());
  std::array<Half, 2> halves;
  if (txns >= parallel_txns_min) {
    history::ElsewhereThread second([&] { prefix_pass(txns / 2, txns, halves[1]); });
    prefix_pass(0, txns / 2, halves[0]);
  } else {
    prefix_pass(0, txns, halves[0]);
  }
  std::vector<ReadFinding> findings;
  std::vector<uint32_t> stamp;  // element -> serial of the last read that held it
  uint32_t serial = 0;
  std::vector<bool> incompatible_reported(ix.keys.size(), false);
  for (Half& half : halves) {
    for (ReadFinding& f : half.findings) findings.push_back(std::move(f));
    for (const auto& [t, read] : half.others) {
      const CompactMop& mop = *read;
      const std::span<const int64_t> list = ix.list(mop);
      std::optional<int64_t> garbage;
      std::optional<int64_t> duplicate;
      serial += 1;
      for (int64_t value : list) {
        uint32_t e = element_or_garbage(ix, mop.key, value);
        if (stamp.size() < ix.elements.size()) stamp.resize(ix.elements.size(), 0);
        if (ix.elements[e].writer == kNoId && !garbage) garbage = value;
        if (stamp[e] == serial && !duplicate) duplicate = value;
        stamp[e] = serial;
        ix.mop_element[ix.mop_number(mop)] = e;  // the last one stays
      }
      report_read(ix, t, mop, garbage, duplicate, findings);
      const uint32_t k = ix.key_ids.at(mop.key);
      if (incompatible_reported[k]) continue;
      incompatible_reported[k] = true;
      const LaTxn& txn = ix.txns[t];
      findings.push_back({place_of(ix, t, mop),
                          {"incompatible-order", {txn.index()},
                           op_name(txn) + " read key " + std::to_string(mop.key) + " = " +
                               internal::render_list(list) + ", which is not a prefix of " +
                               internal::render_list(ix.list(*ix.keys[k].longest)) +
                               ", the longest read of that key: no single order of appends explains both.",
                           ""}});
    }
  }
  // Each read's findings were made together, in order: a stable sort by
  // place keeps them so.
  std::stable_sort(findings.begin(), findings.end(),
                   [](const ReadFinding& a, const ReadFinding& b) { return a.at < b.at; });
  for (ReadFinding& f : findings) found.push_back(std::move(f.anomaly));
  own_appends_reversed(ix, incompatible_reported, found);
}

// Readers per slot, by counting sort: reads come in transaction order, so
// each slot's readers come out sorted; a transaction reading one version
// twice is kept once. They are placed straight into the index's array and
// the gaps its repeats leave closed in place (a sorted copy moved into it
// was a third more fresh pages, and a pass).
void index_readers(LaIndex& ix) {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (slot, reader)
  // At most one per completion micro-op, about half of them: room that is
  // never regrown, of which only the pages used are touched.
  pairs.reserve(ix.history->all_mops().size() / 2 + 16);
  for_each_possible_read(ix, [&](uint32_t t, const CompactMop& mop) {
    uint32_t slot = mop.list_size == 0 ? ix.init_slot(ix.key_ids.at(mop.key)) : ix.element_of(mop);
    FL_ASSERT(slot != kNoId);
    pairs.push_back({slot, t});
  });
  const size_t slots = ix.elements.size() + ix.keys.size();
  std::vector<uint32_t>& offsets = ix.reader_offsets;
  offsets.assign(slots + 1, 0);
  for (const auto& [slot, reader] : pairs) offsets[slot + 1] += 1;
  for (size_t s = 0; s < slots; ++s) offsets[s + 1] += offsets[s];
  std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
  std::vector<uint32_t>& readers = ix.readers;
  readers.assign(pairs.size(), 0);
  for (const auto& [slot, reader] : pairs) {
    uint32_t& at = fill[slot];
    if (at > offsets[slot] && readers[at - 1] == reader) continue;  // the same transaction again
    readers[at++] = reader;
  }
  uint32_t out = 0;
  for (size_t s = 0; s < slots; ++s) {
    const uint32_t begin = offsets[s];
    offsets[s] = out;
    for (uint32_t i = begin; i < fill[s]; ++i) readers[out++] = readers[i];
  }
  offsets[slots] = out;
  readers.resize(out);
}

}  // namespace

namespace internal {

uint32_t LaIndex::previous_slot(uint32_t element) const {
  const LaElement& e = elements[element];
  const LaKey& key = keys[e.key_id];
  if (e.position > 0) return key.order[static_cast<size_t>(e.position) - 1];
  if (e.position == 0 || key.order.empty()) return init_slot(e.key_id);
  return key.order.back();
}

bool LaIndex::slot_read_by(uint32_t slot, uint32_t txn) const {
  auto begin = readers.begin() + reader_offsets[slot];
  auto end = readers.begin() + reader_offsets[slot + 1];
  return std::binary_search(begin, end, txn);
}

}  // namespace internal

// Implemented in list_append_detectors.cc.
namespace internal {
void find_non_cyclic(const LaIndex& ix, std::vector<Anomaly>& found);
}

namespace {

void find_cycles(const LaIndex& ix, const internal::RealtimeEdges* realtime, bool process,
                 const ListAppendOptions& options, internal::Handoff& help, std::vector<Anomaly>& found,
                 Verdict& verdict) {
  internal::TxnGraph graph = internal::build_graph(ix, realtime, process, help);
  auto explain = [&ix](uint32_t a, const std::string& an, uint32_t b, const std::string& bn, uint8_t label) {
    return internal::explain_data_edge(ix, a, an, b, bn, label);
  };
  auto describe = [&ix](uint32_t t) { return internal::describe_txn(*ix.history, ix.txns[t]); };
  internal::find_cycles(ix.txns, std::move(graph), options.cycle_search_steps_max, explain, found, verdict, describe);
}

}  // namespace

Verdict check_list_append(const history::History& history, const ListAppendOptions& options) {
  Result<history::CompactHistory> compact = history::CompactHistory::from_history(history);
  if (!compact.ok()) {
    Verdict verdict;
    verdict.unknown("history: " + std::string(compact.status().message()));
    return verdict;
  }
  return check_list_append(*compact, options);
}

Verdict check_list_append(const history::CompactHistory& history, const ListAppendOptions& options) {
  Verdict verdict;
  for (const std::string& model : options.consistency_models) {
    if (!is_known_model(model)) {
      verdict.unknown("unknown consistency model \"" + model + "\"");
      return verdict;
    }
  }
  LaIndex ix;
  ix.history = &history;
  if (!internal::pair_transactions(history, ix.txns, verdict)) return verdict;  // [la.1]
  // What follows from the models and the transactions' times alone (the
  // model tables, built once per process, and the realtime order: 0.5 ms of
  // 10 at 10^4 transactions) is worked out on the second core, idle while
  // the index is built on this one.
  std::set<std::string> prohibited;
  internal::OrderEdges orders;
  std::optional<internal::RealtimeEdges> realtime;
  history::ElsewhereThread orders_thread([&] {
    prohibited = anomalies_prohibited_by(options.consistency_models);
    orders = internal::order_edges_for(prohibited);
    if (orders.realtime) realtime.emplace(ix.txns);
  });
  if (!check_preconditions(ix, verdict)) return verdict;
  std::vector<Anomaly> found;
  index_appends(ix);
  index_reads(ix, options.parallel_reads_txns_min, found);
  // The non-cyclic detectors only read the index, and not its readers: they
  // run on the second core while the readers are indexed and the graph is
  // built and searched, and then help link the graph if it is still being
  // linked. Their findings join in a fixed order.
  std::vector<Anomaly> non_cyclic;
  internal::Handoff graph_help;
  history::ElsewhereThread detectors([&] {
    internal::find_non_cyclic(ix, non_cyclic);
    graph_help.help();
  });
  internal::Handoff::Closer closer(graph_help);  // before the join, on every way out
  index_readers(ix);
  orders_thread.join();
  std::vector<Anomaly> cycles;
  find_cycles(ix, realtime ? &*realtime : nullptr, orders.process, options, graph_help, cycles, verdict);
  detectors.join();
  for (Anomaly& a : non_cyclic) found.push_back(std::move(a));
  for (Anomaly& a : cycles) found.push_back(std::move(a));
  internal::finish_verdict(std::move(found), prohibited, verdict);  // [la.6]
  return verdict;
}

}  // namespace fl::checkers
