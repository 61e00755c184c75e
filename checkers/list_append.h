// checkers/list_append.h: Elle's list-append isolation checker.
//
// Transactions are sequences of [:append k v] and [:r k [v ...]] micro-ops
// over lists. Because every appended value is unique per key, each read
// spells out the order of the appends before it, so the longest read of a
// key gives its version order and the dependency graph (ww, wr, rw) follows
// without search. docs/anomalies.md defines every anomaly type reported here
// and lists where we differ from Elle.
//
// [la.1] Only client operations (integer :process) are checked; nemesis
//        operations are ignored, as Elle's h/client-ops does. An invocation
//        is paired with the next completion of its process. An invocation
//        with no completion is treated as :info (it may have committed);
//        Elle leaves it out of the graph instead (docs/anomalies.md).
// [la.2] Preconditions (as Elle's): only :append and :r micro-ops; no value
//        appended twice to one key by the invocations. When one fails the
//        verdict is unknown, with a note naming the op, key and value, and
//        nothing else is judged.
// [la.3] Non-cyclic anomalies: G1a, G1b, dirty-update, internal,
//        future-read, duplicate-elements, incompatible-order, lost-update,
//        and garbage-read (ours: a read of a value no invocation appended).
// [la.4] The graph has ww, wr and rw edges between :ok and :info
//        transactions, plus realtime edges when a requested model proscribes
//        a -realtime anomaly, else process edges when one proscribes a
//        -process anomaly (Elle's choice). Realtime: T1 -> T2 when T1
//        completed :ok before T2 was invoked; an :info transaction takes
//        edges in, never out. :fail transactions are not in the graph.
// [la.5] Every nontrivial strongly connected component yields at least one
//        explained cycle (search_cycles, [graph.3]/[graph.4]). Each edge of a
//        cycle is explained in a sentence, and each cycle has a Graphviz DOT.
// [la.6] Anomalies the requested models do not proscribe are not reported
//        (Elle's result-map); they are listed in a note. violated_models and
//        possible_models reflect every anomaly found. A history whose graph
//        has no edge at all is unknown (Elle's empty-transaction-graph),
//        unless a reported anomaly makes it invalid.
// Threads: check_list_append is a pure function of its arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "checkers/limits.h"
#include "checkers/verdict.h"
#include "history/compact.h"
#include "history/history.h"

namespace fl::checkers {

struct ListAppendOptions {
  // Models the history is expected to satisfy (friendly or canonical names,
  // consistency_models.h). They decide which anomalies count and whether
  // realtime or process edges are built.
  std::vector<std::string> consistency_models{"strict-serializable"};
  // [graph.4]; per strongly connected component.
  uint64_t cycle_search_steps_max = kCycleSearchStepsMax;
  // Histories of at least this many transactions have their reads judged,
  // and their keys' longest reads walked, on two threads (below it a
  // thread costs more than it saves; at 10^4 transactions two save 4% of
  // the check). The verdict is the same either way; tests set 0 to split
  // every history.
  size_t parallel_reads_txns_min = size_t{1} << 13;
};

Verdict check_list_append(const history::History& history, const ListAppendOptions& options = {});
// The same, on a history in flat arrays (what `faultline check` loads).
Verdict check_list_append(const history::CompactHistory& history, const ListAppendOptions& options = {});

}  // namespace fl::checkers
