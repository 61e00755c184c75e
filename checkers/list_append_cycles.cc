// list-append: the dependency graph [la.4] and its data edges explained in
// words [la.5] (isolation.cc explains order edges and renders cycles).
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "base/assert.h"
#include "history/thread.h"
#include "checkers/internal/handoff.h"
#include "checkers/internal/list_append_index.h"

namespace fl::checkers::internal {
namespace {

using history::CompactMop;
using history::MicroKind;
using history::MopValue;

// The data edges into transactions [begin, end).
void link_data_edges(const LaIndex& ix, uint32_t begin, uint32_t end, TxnGraph::Lane& g) {
  for (uint32_t t = begin; t < end; ++t) {
    const LaTxn& txn = ix.txns[t];
    if (!txn.in_graph()) continue;
    for (const CompactMop& mop : ix.mops(txn)) {
      if (mop.kind == MicroKind::kRead) {
        // wr: the writer of the last element this read saw.
        if (mop.list_size == 0) continue;
        uint32_t w = ix.elements[ix.element_of(mop)].writer;
        if (w != kNoId && w != t && ix.txns[w].in_graph()) g.link(w, t, kWr);
        continue;
      }
      uint32_t e = ix.element_of(mop);
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

}  // namespace

std::string explain_data_edge(const LaIndex& ix, uint32_t a, const std::string& an, uint32_t b,
                              const std::string& bn, uint8_t label) {
  const LaTxn& tb = ix.txns[b];
  for (const CompactMop& mop : ix.mops(tb)) {
    if (label == kWr && mop.kind == MicroKind::kRead) {
      std::span<const int64_t> list = ix.list(mop);
      if (list.empty()) continue;
      if (ix.elements[ix.element_id(mop.key, list.back())].writer != a) continue;
      return bn + " read key " + std::to_string(mop.key) + " = " + render_list(list) + ", whose last element " +
             std::to_string(list.back()) + " " + an + " appended, so " + bn + " read " + an + "'s write (wr)";
    }
    if (mop.kind != MicroKind::kAppend || label == kWr) continue;
    int64_t value = mop.data;
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

std::string render_read(const LaIndex& ix, const CompactMop& mop) {
  return mop.tag == MopValue::kNil ? std::string("nil") : render_list(ix.list(mop));
}

// Up to this many transactions the links are made once and held [graph.9];
// past it, made twice and placed [graph.6]. Linking twice costs more than
// holding the links only while they fit in the caches: at 10^4
// transactions (about 84,000 links) one pass saves 5% of the check, at
// 10^5 it costs 5%, and at 10^6 30% (the scatter of 10^7 held links).
constexpr size_t kOnePassTxnsMax = size_t{1} << 15;
// Links held per transaction, at most, before one pass gives way to two
// (the bench histories make about 9; a history where many transactions
// read one version that many appends replaced makes their product).
constexpr size_t kOnePassLinksPerTxn = 64;
// Transactions linked at a time by a lane of the one-pass build.
constexpr uint32_t kOnePassChunkTxns = 256;

TxnGraph build_graph(const LaIndex& ix, const RealtimeEdges* realtime_edges, bool process, Handoff& help) {
  FL_ASSERT(!(realtime_edges != nullptr && process));
  Handoff::Closer closer(help);  // on every way out
  const auto n = static_cast<uint32_t>(ix.txns.size());
  auto fresh = [&] {
    TxnGraph g(n);
    if (realtime_edges) realtime_edges->add_barriers(g);  // [graph.7]
    return g;
  };
  // Two lanes [graph.8]: the data edges into the second half of the
  // transactions are linked on a second thread (a pass over every micro-op
  // and a few cache misses for each, twice: 0.28 s at 10^6 transactions
  // on one thread).
  auto link_all = [&](TxnGraph& g) {
    history::ElsewhereThread second([&] { link_data_edges(ix, n / 2, n, g.lane(1)); });
    link_data_edges(ix, 0, n / 2, g.lane(0));
    if (realtime_edges) realtime_edges->link(g);  // lane 0
    if (process) link_process_edges(ix.txns, g);
  };
  if (n <= kOnePassTxnsMax) {
    // Links held may be split among the lanes in any way [graph.9]: the
    // transactions are taken a chunk at a time, by this thread and by the
    // helper once it is free (lane 1). Halves on a thread of their own
    // made this thread wait up to 2 ms at 10^4 transactions, a fifth of
    // the check: that thread shared the second core with the detectors.
    TxnGraph g = fresh();
    g.collect_pass(2, (size_t{n} + 1) * kOnePassLinksPerTxn);
    std::atomic<uint32_t> next_chunk{0};
    auto take_chunks = [&](TxnGraph::Lane& lane) {
      for (uint32_t begin; (begin = next_chunk.fetch_add(kOnePassChunkTxns)) < n;) {
        link_data_edges(ix, begin, std::min(n, begin + kOnePassChunkTxns), lane);
      }
    };
    // The realtime order is one more piece of work: the helper takes it
    // first, this thread last (when the helper has not come by then).
    std::atomic<bool> realtime_taken{realtime_edges == nullptr};
    auto take_realtime = [&](TxnGraph::Lane& lane) {
      if (!realtime_taken.exchange(true)) realtime_edges->link(g, lane);
    };
    // Declared after everything the task uses: if this thread throws, the
    // helper is done with them before they go.
    Handoff::Closer closer_after_task(help);
    help.offer([&] {
      take_realtime(g.lane(1));
      take_chunks(g.lane(1));
    });
    if (process) link_process_edges(ix.txns, g);  // lane 0
    take_chunks(g.lane(0));
    take_realtime(g.lane(0));
    help.close();
    if (!g.overflowed()) {
      g.finish();
      return g;
    }
  }
  TxnGraph g = fresh();
  g.count_pass(2);  // [graph.6]
  link_all(g);
  g.place_pass();
  link_all(g);
  g.finish();
  return g;
}

}  // namespace fl::checkers::internal
