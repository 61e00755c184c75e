// checkers/rw_register.h: Elle's rw-register isolation checker.
//
// Transactions are sequences of [:w k v] (set register k to v) and [:r k v]
// (read v from k; nil is the initial state) micro-ops. Unlike list-append, a
// read shows one version, not the history before it, so the version order
// of each key is only partly known: it is inferred from the rules below,
// and the dependency graph holds only the edges those orders justify.
// docs/anomalies.md defines every anomaly type reported here and lists where
// we differ from Elle.
//
// Terms (Elle's ext-reads and ext-writes): a transaction's *external read*
// of k is its first micro-op on k when that is a read; its *external write*
// of k is its last write of k. Only :ok transactions' reads are known (an
// :info or :fail completion carries no trustworthy read); :ok and :info
// transactions' external writes may have taken effect.
//
// [rw.1] Transactions are paired as list-append's ([la.1], isolation.h
//        [iso.1]): client operations only; an invocation without completion
//        is :info.
// [rw.2] Preconditions: only [:w k integer] and [:r k integer-or-nil]
//        micro-ops, and no value written twice to one key (by any
//        transaction, any outcome). When one fails the verdict is unknown,
//        with a note naming the op, key and value, and nothing else is
//        judged.
// [rw.3] Version orders. Always: the initial nil precedes every value
//        written externally by an :ok or :info transaction or read
//        externally by an :ok one (Elle's initial-state). Opt-in, in this
//        order (Elle's names): `wfr_keys` (writes follow reads: an :ok
//        transaction's external read of k precedes its external write of
//        k), `sequential_keys` (each key is sequentially consistent: along
//        process order, the last value a transaction had for k precedes the
//        first value of the next transactions to touch k) and
//        `linearizable_keys` (the same along realtime order). Elle's
//        :transaction-order (an order supplied from outside) is not
//        offered. Each inference is merged only when the merged orders stay
//        acyclic; otherwise it is dropped and every cycle it would close is
//        reported as `cyclic-versions` (key, values, and the inferences
//        involved).
// [rw.4] Non-cyclic anomalies, over :ok transactions' reads: G1a (a value
//        written by a :fail transaction), G1b (a value another transaction
//        overwrote within itself), internal (a read that contradicts the
//        transaction's own earlier read or write of the key), lost-update
//        (two transactions read the same version of a key, nil included,
//        and both wrote it) and garbage-read (ours: a value nobody wrote).
//        An :info writer is never G1a.
// [rw.5] The graph: wr from the external writer of a version to its
//        external readers; for each edge v1 -> v2 of the inferred version
//        orders (not their transitive closure), ww from the external writer
//        of v1 and rw from the external readers of v1 to the external
//        writer of v2. :ok and :info transactions take part (Elle: :ok
//        only); :fail ones do not. Plus realtime or process edges exactly
//        as list-append ([la.4], [iso.2], [iso.3]). An edge with several
//        relations counts as wr, then ww, then rw ([graph.2] kWrFirst:
//        Elle's rw-register explainer order).
// [rw.6] Cycles, cycle-exists anomalies, explanations (every edge in a
//        sentence, saying which inference ordered the versions), DOT,
//        reporting and an empty graph as list-append ([la.5], [la.6],
//        [iso.4]).
// Crash epochs are not this function's concern: it judges the history it is
// given as one epoch. checkers/check.h [check.4] splits a history at its
// crashes and treats a read of a value written before the epoch as a read
// of the epoch's initial state.
// Threads: check_rw_register is a pure function of its arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checkers/limits.h"
#include "checkers/verdict.h"
#include "history/history.h"

namespace fl::checkers {

struct RwRegisterOptions {
  // Models the history is expected to satisfy (friendly or canonical names,
  // consistency_models.h). They decide which anomalies count and whether
  // realtime or process edges are built.
  std::vector<std::string> consistency_models{"strict-serializable"};
  // [rw.3] Elle's :wfr-keys?, :sequential-keys?, :linearizable-keys?; all
  // off by default, as in Elle. Each assumes something of the database.
  bool wfr_keys = false;
  bool sequential_keys = false;
  bool linearizable_keys = false;
  // [graph.4]; per strongly connected component.
  uint64_t cycle_search_steps_max = kCycleSearchStepsMax;
  // For sequential_keys and linearizable_keys together (limits.h).
  uint64_t version_inference_steps_max = kVersionInferenceStepsMax;
};

Verdict check_rw_register(const history::History& history, const RwRegisterOptions& options = {});

}  // namespace fl::checkers
