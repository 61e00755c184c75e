// list-append checker properties: no false positives on serial executions,
// and every planted anomaly found exactly (checkers/list_append.h).
//
// Method. serial_history() (gen.h) runs random transactions one at a time
// against a correct list store, so every consistency model holds and the
// checker must find nothing under any of them. Planting takes such a
// history, or a concurrent one from a correct store (la_gen.h, stale reads
// and dirty failures off), and adds a handful of transactions on fresh keys
// and fresh processes that form one known anomaly. The planted transactions
// are all invoked before any of them completes (one invoke block, one
// completion block, each at a random place in the base), so no realtime
// edge joins two of them, and since the base is strictly serializable no
// cycle can pass through it: the checker must report exactly the planted
// types, with evidence naming only planted operations, and the models those
// types rule out.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "checkers/consistency_models.h"
#include "checkers/list_append.h"
#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "tests/checkers/gen.h"
#include "tests/checkers/la_gen.h"

namespace fl::checkers {
namespace {

using history::History;
using history::Op;
using testing::anomaly_types;
using testing::append;
using testing::read_list;
using testing::read_nil;
using Set = std::set<std::string>;

Verdict check_under(const History& h, std::vector<std::string> models) {
  return check_list_append(h, {.consistency_models = std::move(models)});
}

std::string describe(const Verdict& v) {
  std::string out = std::string(validity_name(v.validity)) + ":";
  for (const auto& [type, examples] : v.anomalies) out += " " + type + "\n" + examples.front().explanation;
  for (const std::string& note : v.notes) out += "\n  note: " + note;
  return out;
}

// ------------------------------------------------------------- no false positives

RC_GTEST_PROP(CheckerProp, SerialHistoriesAreValidUnderEveryModel, ()) {
  const History h = testing::serial_history();
  const std::vector<std::string> models = known_models();
  RC_ASSERT(models.size() >= 20u);
  bool related = false;
  for (const std::string& model : models) {
    const Verdict v = check_under(h, {model});
    const bool clean = v.validity != Validity::kInvalid && v.anomaly_counts.empty() && v.violated_models.empty() &&
                       testing::unknown_only_for_empty_graph(v);
    if (!clean) RC_FAIL(model + ": " + describe(v) + "\n" + history::to_edn(h));
    related = related || v.validity == Validity::kValid;
  }
  // Every model at once: the union of their edges (realtime) and anomalies.
  const Verdict all = check_under(h, models);
  RC_ASSERT(all.anomaly_counts.empty());
  RC_ASSERT(testing::unknown_only_for_empty_graph(all));
  RC_CLASSIFY(related, "some model judged a related pair");
}

// The models ARCHITECTURE.md names, read-uncommitted to strict-serializable,
// are among those checked above.
TEST(CheckerProp, EveryNamedModelIsKnown) {
  const std::vector<std::string> models = known_models();
  for (const char* model : {"read-uncommitted", "read-committed", "cursor-stability", "monotonic-atomic-view",
                            "repeatable-read", "snapshot-isolation", "serializable", "strict-serializable"}) {
    EXPECT_NE(std::find(models.begin(), models.end(), model), models.end()) << model;
  }
}

// ------------------------------------------------------------- planting

// One planted transaction: its outcome and its completion's :value (reads
// filled in; the invocation gets nil reads).
struct Planted {
  history::OpType type;
  history::Txn value;
};

struct Pattern {
  std::string name;
  std::vector<Planted> txns;
  Set expected;                         // exactly the types reported
  std::vector<std::string> violates;    // models that must be reported violated
  std::vector<std::string> allows;      // models that must not be
};

constexpr int64_t kA = 1000, kB = 1001, kC = 1002, kD = 1003;  // fresh keys: the bases use 0..4
constexpr history::OpType kOk = history::OpType::kOk;
constexpr history::OpType kFail = history::OpType::kFail;

history::MicroOp r(int64_t key, std::vector<int64_t> list) { return read_list(key, std::move(list)); }

// The patterns, each with what it must yield. Where the set has two types,
// the second is one list-append cannot avoid: an intermediate read is also
// a G-single cycle (the reader missed the writer's later append), a lost
// update is also one (each writer read the state the other overwrote), and
// a dirty update is built on a read of an aborted append (G1a).
std::vector<Pattern> patterns() {
  return {
      {"G1a", {{kFail, {append(kA, 1)}}, {kOk, {r(kA, {1})}}}, {"G1a"}, {"read-committed"}, {"read-uncommitted"}},
      {"G1b",
       {{kOk, {append(kA, 1), append(kA, 2)}}, {kOk, {r(kA, {1})}}},
       {"G1b", "G-single-item"},
       {"read-committed"},
       {"read-uncommitted"}},
      {"dirty-update",
       {{kFail, {append(kA, 1)}}, {kOk, {append(kA, 2)}}, {kOk, {r(kA, {1, 2})}}},
       {"dirty-update", "G1a"},
       {"read-committed"},
       {"read-uncommitted"}},
      {"G0",
       {{kOk, {append(kA, 1), append(kB, 2)}},
        {kOk, {append(kA, 2), append(kB, 1)}},
        {kOk, {r(kA, {1, 2}), r(kB, {1, 2})}}},
       {"G0"},
       {"read-uncommitted"},
       {}},
      {"G1c",
       {{kOk, {append(kA, 1), r(kB, {1})}}, {kOk, {append(kB, 1), r(kA, {1})}}},
       {"G1c"},
       {"read-committed"},
       {"read-uncommitted"}},
      {"G-single",  // read skew
       {{kOk, {append(kA, 1), append(kB, 1)}}, {kOk, {read_nil(kA), r(kB, {1})}}, {kOk, {r(kA, {1}), r(kB, {1})}}},
       {"G-single-item"},
       {"snapshot-isolation", "repeatable-read", "serializable"},
       {"read-committed"}},
      {"G-nonadjacent",  // rw, wr, rw, wr: two rw edges, never adjacent
       {{kOk, {read_nil(kA), r(kD, {1})}},
        {kOk, {append(kA, 1), append(kB, 1)}},
        {kOk, {r(kB, {1}), read_nil(kC)}},
        {kOk, {append(kC, 1), append(kD, 1)}}},
       {"G-nonadjacent-item"},
       {"snapshot-isolation", "serializable"},
       {"read-committed"}},
      {"G2-item",  // write skew
       {{kOk, {read_nil(kA), append(kB, 1)}}, {kOk, {read_nil(kB), append(kA, 1)}}, {kOk, {r(kA, {1}), r(kB, {1})}}},
       {"G2-item"},
       {"serializable", "repeatable-read"},
       {"snapshot-isolation", "read-committed"}},
      {"lost-update",
       {{kOk, {read_nil(kA), append(kA, 1)}}, {kOk, {read_nil(kA), append(kA, 2)}}, {kOk, {r(kA, {1, 2})}}},
       {"lost-update", "G-single-item"},
       {"cursor-stability", "repeatable-read", "snapshot-isolation"},
       {"read-committed"}},
      {"internal",
       {{kOk, {read_nil(kA), append(kA, 1), read_nil(kA)}}},
       {"internal"},
       {"serializable", "snapshot-isolation"},
       {"read-committed"}},
      {"future-read", {{kOk, {r(kA, {1}), append(kA, 1)}}}, {"future-read"}, {"read-committed"}, {"read-uncommitted"}},
      {"garbage-read", {{kOk, {append(kA, 1)}}, {kOk, {r(kA, {1, 7})}}}, {"garbage-read"}, {"read-uncommitted"}, {}},
      {"duplicate-elements",
       {{kOk, {append(kA, 1)}}, {kOk, {r(kA, {1, 1})}}},
       {"duplicate-elements"},
       {"read-uncommitted"},
       {}},
      {"incompatible-order",
       {{kOk, {append(kA, 1)}}, {kOk, {append(kA, 2)}}, {kOk, {r(kA, {1, 2})}}, {kOk, {r(kA, {2, 1})}}},
       {"incompatible-order"},
       {"read-committed"},
       {"read-uncommitted"}},
  };
}

// A valid base: serial, or concurrent from a correct store (la_gen.h).
History base_history() {
  if (*rc::gen::arbitrary<bool>()) return testing::serial_history();
  testing::GenOptions o;
  o.txn_count = *rc::gen::inRange(1, 21);
  o.key_count = *rc::gen::inRange(1, 5);
  o.process_count = *rc::gen::inRange(1, 5);
  o.stale_read = Ratio{0, 1};
  o.dirty_fail = Ratio{0, 1};
  Result<History> h = history::read_edn(testing::random_history(*rc::gen::arbitrary<uint64_t>(), o), "base.edn");
  RC_ASSERT(h.ok());
  return std::move(*h);
}

// Inserts `pattern`'s transactions into `base` (invocations in one block,
// completions in a later one, each block in a random order) and renumbers
// :index and :time. Returns the :index of every planted operation.
std::set<int64_t> plant(History& h, const Pattern& pattern) {
  const size_t n = h.ops.size();
  const size_t invoke_at = *rc::gen::inRange<size_t>(0, n + 1);
  const size_t complete_at = *rc::gen::inRange<size_t>(invoke_at, n + 1);
  std::vector<int64_t> ids;
  for (size_t i = 0; i < pattern.txns.size(); ++i) ids.push_back(static_cast<int64_t>(i));
  testing::CrashHistory block;  // fresh processes: the bases use fewer than 100
  for (int64_t i : testing::shuffled(ids)) block.invoke(2000 + i, pattern.txns[static_cast<size_t>(i)].value);
  const size_t invokes = block.history().ops.size();
  for (int64_t i : testing::shuffled(ids)) {
    const Planted& txn = pattern.txns[static_cast<size_t>(i)];
    block.complete(txn.type, 2000 + i, txn.value);
  }
  const std::vector<Op>& ops = block.history().ops;
  std::vector<std::pair<Op, bool>> out;  // (op, planted?)
  for (size_t pos = 0; pos <= n; ++pos) {
    if (pos == invoke_at) {
      for (size_t i = 0; i < invokes; ++i) out.push_back({ops[i], true});
    }
    if (pos == complete_at) {
      for (size_t i = invokes; i < ops.size(); ++i) out.push_back({ops[i], true});
    }
    if (pos < n) out.push_back({h.ops[pos], false});
  }
  std::set<int64_t> indices;
  h.ops.clear();
  for (auto& [op, planted] : out) {
    op.index = static_cast<int64_t>(h.ops.size());
    op.time = op.index * 1000;
    if (planted) indices.insert(op.index);
    h.ops.push_back(std::move(op));
  }
  return indices;
}

RC_GTEST_PROP(CheckerProp, PlantedAnomaliesAreFoundExactly, ()) {
  History h = base_history();
  RC_ASSERT(check_under(h, {"strict-serializable"}).anomaly_counts.empty());
  const std::vector<Pattern> all = patterns();
  // Uniform over the patterns whatever the size (inRange leans small early on).
  const Pattern& pattern = all[*rc::gen::resize(100, rc::gen::inRange<size_t>(0, all.size()))];
  const std::set<int64_t> planted = plant(h, pattern);
  RC_TAG(pattern.name);
  const Verdict v = check_under(h, {"strict-serializable"});
  if (v.validity != Validity::kInvalid || anomaly_types(v) != pattern.expected) {
    RC_FAIL(pattern.name + ": " + describe(v) + "\n" + history::to_edn(h));
  }
  for (const auto& [type, examples] : v.anomalies) {
    for (const Anomaly& a : examples) {
      RC_ASSERT(!a.op_indices.empty());
      for (int64_t index : a.op_indices) RC_ASSERT(planted.count(index) == 1u);
    }
  }
  // The violated models are exactly those the planted types rule out, so
  // nothing else was found, not even an anomaly strict-serializable allows.
  RC_ASSERT(v.violated_models == violated_models(pattern.expected));
  for (const std::string& model : pattern.violates) RC_ASSERT(v.violated_models.count(model) == 1u);
  for (const std::string& model : pattern.allows) RC_ASSERT(v.violated_models.count(model) == 0u);
  for (const std::string& model : v.possible_models) RC_ASSERT(v.violated_models.count(model) == 0u);
}

// Each pattern alone, as a plain test: the expectations above are Elle's
// answers for these shapes (tests/checkers/list_append_test.cc).
TEST(CheckerProp, EachPatternAloneYieldsItsTypes) {
  for (const Pattern& pattern : patterns()) {
    SCOPED_TRACE(pattern.name);
    testing::CrashHistory h;
    for (size_t i = 0; i < pattern.txns.size(); ++i) h.invoke(static_cast<int64_t>(i), pattern.txns[i].value);
    for (size_t i = 0; i < pattern.txns.size(); ++i) {
      h.complete(pattern.txns[i].type, static_cast<int64_t>(i), pattern.txns[i].value);
    }
    const Verdict v = check_under(h.history(), {"strict-serializable"});
    EXPECT_EQ(anomaly_types(v), pattern.expected) << describe(v);
    EXPECT_EQ(v.violated_models, violated_models(pattern.expected));
  }
}

}  // namespace
}  // namespace fl::checkers
