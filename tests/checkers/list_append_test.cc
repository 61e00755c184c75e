// list-append: one small history per anomaly type that must yield exactly
// that anomaly and the models it rules out, and a valid counterpart
// ([la.1]..[la.6], [graph.3]). Expected types are what Elle (elle-check)
// reports for the same EDN, except garbage-read (ours).
#include "checkers/list_append.h"

#include <gtest/gtest.h>

#include "tests/checkers/la_gen.h"

namespace fl::checkers {
namespace {

using testing::check;
using testing::edn;
using testing::T;
using testing::types;
using Set = std::set<std::string>;

bool violates(const Verdict& v, const std::string& model) { return v.violated_models.count(model) > 0; }

TEST(ListAppend, SerialHistoryIsValid) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1] [:r 1 [1]]]"},
                         {1, "ok", "[[:r 1 [1]] [:append 1 2]]"},
                         {0, "ok", "[[:r 1 [1 2]] [:append 2 3]]"},
                         {1, "ok", "[[:r 2 [3]] [:r 1 [1 2]]]"}}));
  EXPECT_EQ(v.validity, Validity::kValid) << v.notes.size();
  EXPECT_TRUE(v.anomalies.empty());
  EXPECT_TRUE(v.violated_models.empty());
  EXPECT_NE(std::find(v.possible_models.begin(), v.possible_models.end(), "strict-serializable"),
            v.possible_models.end());
}

TEST(ListAppend, LoneTransactionIsUnknownAsInElle) {  // [la.6]
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}}));
  EXPECT_EQ(v.validity, Validity::kUnknown);
  EXPECT_TRUE(v.anomalies.empty());
}

TEST(ListAppend, DuplicateAppendsAreUnknown) {  // [la.2]
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:append 1 1]]"}, {0, "ok", "[[:r 1 [1 1]]]"}}));
  EXPECT_EQ(v.validity, Validity::kUnknown);
  ASSERT_FALSE(v.notes.empty());
  EXPECT_NE(v.notes[0].find("duplicate-appends"), std::string::npos) << v.notes[0];
}

// [la.1] Clients with ids of every size pair up (small ones are kept in an
// array, others in a map); a completion with no invocation is unknown.
TEST(ListAppend, ClientsOfAnyIdPairUp) {
  for (int p : {0, 7, 70000, -3}) {
    const int q = p == 7 ? 8 : 7;
    Verdict v = check(edn({{p, "ok", "[[:append 1 1]]"}, {q, "ok", "[[:r 1 [1]] [:append 1 2]]"}, {p, "ok", "[[:r 1 [1 2]]]"}},
                          "i0 i1 c0 c1 i2 c2"));
    EXPECT_EQ(v.validity, Validity::kValid) << p;
    const std::string unpaired = "{:index 0, :type :ok, :process " + std::to_string(p) + ", :f :txn, :value [[:r 1 []]]}\n";
    Verdict u = check(unpaired);
    EXPECT_EQ(u.validity, Validity::kUnknown) << p;
    ASSERT_FALSE(u.notes.empty());
    EXPECT_EQ(u.notes[0], "unpaired-completion: op 0 (process " + std::to_string(p) + ") completes no invocation");
  }
}

TEST(ListAppend, RegisterWritesAreUnknown) {  // [la.2]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1]]"}}));
  EXPECT_EQ(v.validity, Validity::kUnknown);
}

TEST(ListAppend, G1aAbortedRead) {
  Verdict v = check(edn({{0, "fail", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 [1]]]"}, {1, "ok", "[[:append 2 1]]"}}));
  EXPECT_EQ(types(v), (Set{"G1a"}));
  EXPECT_TRUE(violates(v, "read-committed"));
  EXPECT_FALSE(violates(v, "read-uncommitted"));
  EXPECT_EQ(v.validity, Validity::kInvalid);
}

TEST(ListAppend, InfoWriterIsNeverG1a) {
  Verdict v = check(edn({{0, "info", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 [1]]]"}}));
  EXPECT_EQ(types(v), Set{});
  EXPECT_EQ(v.validity, Validity::kValid);
}

TEST(ListAppend, G1bIntermediateRead) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1] [:append 1 2]]"}, {1, "ok", "[[:r 1 [1]]]"}}, "i0 i1 c1 c0"));
  // The reader missed the writer's later append: list-append always shows an
  // intermediate read as a G-single cycle too (Elle reports both).
  EXPECT_EQ(types(v), (Set{"G1b", "G-single-item"}));
  EXPECT_TRUE(violates(v, "read-committed"));
}

TEST(ListAppend, G0WriteCycle) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1] [:append 2 2]]"},
                         {1, "ok", "[[:append 1 2] [:append 2 1]]"},
                         {2, "ok", "[[:r 1 [1 2]] [:r 2 [1 2]]]"}},
                        "i0 i1 c0 c1 i2 c2"));
  EXPECT_EQ(types(v), (Set{"G0"}));
  EXPECT_TRUE(violates(v, "read-uncommitted"));
  const Anomaly& a = v.anomalies.at("G0").front();
  EXPECT_NE(a.explanation.find("(ww)"), std::string::npos) << a.explanation;
  EXPECT_NE(a.dot.find("digraph"), std::string::npos);
}

TEST(ListAppend, G1cCircularInformationFlow) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1] [:r 2 [1]]]"},
                         {1, "ok", "[[:append 2 1] [:r 1 [1]]]"}},
                        "i0 i1 c0 c1"));
  EXPECT_EQ(types(v), (Set{"G1c"}));
  EXPECT_TRUE(violates(v, "read-committed"));
  EXPECT_FALSE(violates(v, "read-uncommitted"));
  const std::string& text = v.anomalies.at("G1c").front().explanation;
  EXPECT_NE(text.find("(wr)"), std::string::npos) << text;
  EXPECT_NE(text.find("a contradiction"), std::string::npos) << text;
}

TEST(ListAppend, GSingleReadSkew) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1] [:append 2 1]]"},
                         {1, "ok", "[[:r 1 []] [:r 2 [1]]]"},
                         {0, "ok", "[[:r 1 [1]] [:r 2 [1]]]"}},
                        "i0 i1 c0 c1 i2 c2"));
  EXPECT_EQ(types(v), (Set{"G-single-item"}));
  EXPECT_TRUE(violates(v, "snapshot-isolation"));
  EXPECT_TRUE(violates(v, "repeatable-read"));
  EXPECT_FALSE(violates(v, "read-committed"));
}

TEST(ListAppend, G2ItemWriteSkew) {
  Verdict v = check(edn({{0, "ok", "[[:r 1 []] [:append 2 1]]"},
                         {1, "ok", "[[:r 2 []] [:append 1 1]]"},
                         {0, "ok", "[[:r 1 [1]] [:r 2 [1]]]"}},
                        "i0 i1 c0 c1 i2 c2"));
  EXPECT_EQ(types(v), (Set{"G2-item"}));
  EXPECT_TRUE(violates(v, "serializable"));
  EXPECT_FALSE(violates(v, "snapshot-isolation"));
  const std::string& text = v.anomalies.at("G2-item").front().explanation;
  EXPECT_NE(text.find("(rw)"), std::string::npos) << text;
}

TEST(ListAppend, G2ItemIsAllowedUnderSnapshotIsolation) {  // [la.6]
  Verdict v = check(edn({{0, "ok", "[[:r 1 []] [:append 2 1]]"},
                         {1, "ok", "[[:r 2 []] [:append 1 1]]"},
                         {0, "ok", "[[:r 1 [1]] [:r 2 [1]]]"}},
                        "i0 i1 c0 c1 i2 c2"),
                    {"snapshot-isolation"});
  EXPECT_EQ(v.validity, Validity::kValid);
  EXPECT_TRUE(v.anomalies.empty());
  EXPECT_TRUE(violates(v, "serializable"));  // still reported as a fact
}

TEST(ListAppend, GSingleRealtimeStaleRead) {
  // T1 appends and completes; T2 starts afterwards yet reads the old state.
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 []]]"}, {2, "ok", "[[:r 1 [1]]]"}}));
  EXPECT_EQ(types(v), (Set{"G-single-item-realtime"}));
  EXPECT_TRUE(violates(v, "strict-serializable"));
  EXPECT_FALSE(violates(v, "serializable"));
  const std::string& text = v.anomalies.at("G-single-item-realtime").front().explanation;
  EXPECT_NE(text.find("(realtime)"), std::string::npos) << text;
}

TEST(ListAppend, StaleReadIsFineForSerializable) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 []]]"}, {2, "ok", "[[:r 1 [1]]]"}}),
                    {"serializable"});
  EXPECT_EQ(v.validity, Validity::kValid);
}

TEST(ListAppend, InfoTransactionTakesRealtimeEdgesInNeverOut) {  // [la.4]
  // T0 (info) may have committed at any time after its invocation: a read
  // that misses it is no realtime violation.
  Verdict v = check(edn({{0, "info", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 []]]"}, {2, "ok", "[[:r 1 [1]]]"}}));
  EXPECT_EQ(v.validity, Validity::kValid) << (v.anomalies.empty() ? "" : v.anomalies.begin()->first);
}

TEST(ListAppend, InternalInconsistency) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 [1]] [:append 1 2] [:r 1 [1]]]"}}));
  EXPECT_TRUE(types(v).count("internal"));
  EXPECT_TRUE(violates(v, "serializable"));
}

TEST(ListAppend, FutureRead) {
  Verdict v = check(edn({{0, "ok", "[[:r 1 [1]] [:append 1 1]]"}, {1, "ok", "[[:r 1 [1]]]"}}));
  EXPECT_TRUE(types(v).count("future-read"));
}

TEST(ListAppend, DuplicateElements) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 [1 1]]]"}}));
  EXPECT_TRUE(types(v).count("duplicate-elements"));
  EXPECT_TRUE(violates(v, "read-uncommitted"));
}

TEST(ListAppend, IncompatibleOrder) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"},
                         {1, "ok", "[[:append 1 2]]"},
                         {2, "ok", "[[:r 1 [1 2]]]"},
                         {3, "ok", "[[:r 1 [2 1]]]"}}));
  EXPECT_TRUE(types(v).count("incompatible-order"));
  EXPECT_TRUE(violates(v, "read-committed"));
}

TEST(ListAppend, LostUpdate) {
  Verdict v = check(edn({{0, "ok", "[[:r 1 []] [:append 1 1]]"},
                         {1, "ok", "[[:r 1 []] [:append 1 2]]"},
                         {2, "ok", "[[:r 1 [1 2]]]"}},
                        "i0 i1 c0 c1 i2 c2"));
  EXPECT_TRUE(types(v).count("lost-update"));
  EXPECT_TRUE(violates(v, "repeatable-read"));
  EXPECT_TRUE(violates(v, "cursor-stability"));
}

// lost-update groups the readers of one state: the same prefix of the key's
// longest read, the same empty list, the same list that is no prefix of it;
// nil is not the empty list, and a longer prefix is another state.
TEST(ListAppend, LostUpdatesGroupTheReadersOfOneStateOnly) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"},
                         {1, "ok", "[[:r 1 [1]] [:append 1 2]]"},
                         {2, "ok", "[[:r 1 [1]] [:append 1 3]]"},
                         {3, "ok", "[[:r 1 [1 2]] [:append 1 4]]"},
                         {4, "ok", "[[:r 1 [1 2 3 4]]]"},
                         {5, "ok", "[[:r 2 nil] [:append 2 1]]"},
                         {6, "ok", "[[:r 2 []] [:append 2 2]]"},
                         {7, "ok", "[[:r 2 []] [:append 2 3]]"},
                         {14, "ok", "[[:r 2 nil] [:append 2 4]]"},
                         {8, "ok", "[[:r 2 [1 2 3 4]]]"},
                         {9, "ok", "[[:append 3 6] [:append 3 7]]"},
                         {10, "ok", "[[:r 3 [7]] [:append 3 8]]"},
                         {11, "ok", "[[:r 3 [7]] [:append 3 9]]"},
                         {12, "ok", "[[:r 3 [6]] [:append 3 10]]"},
                         {13, "ok", "[[:r 3 [6 7 8 9 10]]]"}}));
  ASSERT_TRUE(v.anomalies.count("lost-update"));
  std::vector<std::string> states;
  for (const Anomaly& a : v.anomalies.at("lost-update")) {
    EXPECT_EQ(a.op_indices.size(), 2u) << a.explanation;
    const size_t at = a.explanation.find(" all read ");
    ASSERT_NE(at, std::string::npos) << a.explanation;
    states.push_back(a.explanation.substr(at + 10, a.explanation.find(" and then") - at - 10));
  }
  EXPECT_EQ(states, (std::vector<std::string>{"key 1 = [1]", "key 2 = nil", "key 2 = []", "key 3 = [7]"}));
}

// Every reader of a version links to every append that replaced it: 300
// readers of the initial state and 300 appends no one read make 90,000
// links among 600 transactions, more than the one-pass build holds
// ([graph.9]); the graph is built again in two passes, and the verdict
// stands.
TEST(ListAppend, GraphsWithMoreLinksThanTheOnePassHoldsAreBuiltInTwo) {
  std::vector<T> txns;
  for (int i = 0; i < 300; ++i) txns.push_back({i, "ok", "[[:r 1 []]]"});
  for (int i = 0; i < 300; ++i) txns.push_back({i, "ok", "[[:append 1 " + std::to_string(i + 1) + "]]"});
  Verdict v = check(edn(txns));
  EXPECT_EQ(v.validity, Validity::kValid);
  EXPECT_TRUE(v.anomalies.empty());
}

TEST(ListAppend, DirtyUpdate) {
  Verdict v = check(edn({{0, "fail", "[[:append 1 1]]"}, {1, "ok", "[[:append 1 2]]"}, {2, "ok", "[[:r 1 [1 2]]]"}}));
  EXPECT_TRUE(types(v).count("dirty-update"));
  EXPECT_TRUE(types(v).count("G1a"));
}

TEST(ListAppend, GarbageRead) {
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 [1 99]]]"}}));
  EXPECT_TRUE(types(v).count("garbage-read"));
  EXPECT_TRUE(violates(v, "read-uncommitted"));
}

TEST(ListAppend, UncompletedInvocationMayHaveCommitted) {  // [la.1]
  Verdict v = check(edn({{0, "", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 [1]]]"}, {1, "ok", "[[:append 2 1]]"}}));
  EXPECT_EQ(types(v), Set{});
}

TEST(ListAppend, NemesisOperationsAreIgnored) {  // [la.1]
  std::string text = edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:r 1 [1]]]"}});
  text += "{:index 9, :time 90, :type :info, :process :nemesis, :f :crash, :value {:kind :power}}\n";
  Verdict v = check(text);
  EXPECT_EQ(v.validity, Validity::kValid);
}

}  // namespace
}  // namespace fl::checkers

namespace fl::checkers {
namespace {

// No false positives: a correct store (each transaction atomic at its
// completion, failed ones without effect, :info ones either way) is strict
// serializable, whatever the interleaving.
TEST(ListAppend, CorrectStoreHistoriesAreValid) {
  testing::GenOptions o;
  o.txn_count = 30;
  o.stale_read = Ratio{0, 1};
  o.dirty_fail = Ratio{0, 1};
  o.fail = Ratio{1, 10};
  o.info = Ratio{1, 10};
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::string text = testing::random_history(seed, o);
    Verdict v = check(text);
    EXPECT_NE(v.validity, Validity::kInvalid) << "seed " << seed << ": "
                                              << (v.anomalies.empty() ? "" : v.anomalies.begin()->second[0].explanation)
                                              << "\n" << text;
    if (v.validity == Validity::kInvalid) break;
  }
}

// Planting a stale read into a correct history is always caught.
TEST(ListAppend, PlantedStaleReadsAreCaught) {
  testing::GenOptions o;
  o.txn_count = 30;
  o.stale_read = Ratio{1, 1};
  o.fail = Ratio{0, 1};
  o.info = Ratio{0, 1};
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    std::string text = testing::random_history(seed, o);
    Verdict v = check(text);
    EXPECT_EQ(v.validity, Validity::kInvalid) << "seed " << seed << "\n" << text;
  }
}

}  // namespace
}  // namespace fl::checkers

namespace fl::checkers {
namespace {

TEST(ListAppend, SessionModelsUseProcessEdges) {  // [la.4]
  Verdict v = check(edn({{0, "ok", "[[:append 1 1]]"}, {0, "ok", "[[:r 1 []]]"}, {1, "ok", "[[:r 1 [1]]]"}}),
                    {"strong-session-serializable"});
  EXPECT_EQ(types(v), (Set{"G-single-item-process"}));
  EXPECT_TRUE(violates(v, "strong-session-serializable"));
  EXPECT_FALSE(violates(v, "serializable"));
}

TEST(ListAppend, ExhaustedBudgetStillGivesACycleAndSaysSo) {  // [graph.4]
  Result<history::History> h = history::read_edn(edn({{0, "ok", "[[:r 1 []] [:append 2 1]]"},
                                                      {1, "ok", "[[:r 2 []] [:append 1 1]]"},
                                                      {0, "ok", "[[:r 1 [1]] [:r 2 [1]]]"}},
                                                     "i0 i1 c0 c1 i2 c2"));
  ASSERT_TRUE(h.ok());
  ListAppendOptions options;
  options.cycle_search_steps_max = 1;
  Verdict v = check_list_append(*h, options);
  EXPECT_EQ(v.validity, Validity::kInvalid);
  EXPECT_FALSE(v.anomalies.empty());
  bool noted = false;
  for (const std::string& n : v.notes) noted = noted || n.rfind("cycle-search-truncated", 0) == 0;
  EXPECT_TRUE(noted);
}

// A verdict keeps the first examples of a type; the cycles past them are
// counted, and the ones kept are explained, in history order.
TEST(ListAppend, CyclesPastTheExamplesAreCountedAndTheFirstExplained) {
  std::vector<T> txns;
  std::string order;
  constexpr int kGroups = static_cast<int>(kExamplesPerType) + 4;
  for (int g = 0; g < kGroups; ++g) {  // a G0 on keys of its own
    const std::string k1 = std::to_string(2 * g + 1);
    const std::string k2 = std::to_string(2 * g + 2);
    txns.push_back({0, "ok", "[[:append " + k1 + " 1] [:append " + k2 + " 2]]"});
    txns.push_back({1, "ok", "[[:append " + k1 + " 2] [:append " + k2 + " 1]]"});
    txns.push_back({2, "ok", "[[:r " + k1 + " [1 2]] [:r " + k2 + " [1 2]]]"});
    const std::string a = std::to_string(3 * g), b = std::to_string(3 * g + 1), c = std::to_string(3 * g + 2);
    order += "i" + a + " i" + b + " c" + a + " c" + b + " i" + c + " c" + c + " ";
  }
  Verdict v = check(edn(txns, order));
  EXPECT_EQ(types(v), (Set{"G0"}));
  EXPECT_EQ(v.anomaly_counts.at("G0"), static_cast<uint64_t>(kGroups));
  ASSERT_EQ(v.anomalies.at("G0").size(), kExamplesPerType);
  int64_t last = -1;
  for (const Anomaly& a : v.anomalies.at("G0")) {
    EXPECT_NE(a.explanation.find("Let:"), std::string::npos) << a.explanation;
    EXPECT_NE(a.dot.find("digraph"), std::string::npos);
    ASSERT_EQ(a.op_indices.size(), 2u);
    const int64_t first = std::min(a.op_indices[0], a.op_indices[1]);
    EXPECT_GT(first, last);  // one group each, in order
    EXPECT_LT(first, static_cast<int64_t>(6 * kExamplesPerType));  // the first groups
    last = first;
  }
}

TEST(Verdict, MergeInvalidBeatsUnknownBeatsValid) {  // [verdict.1], [verdict.3]
  Verdict a;
  a.unknown("duplicate-appends: ...");
  EXPECT_EQ(a.validity, Validity::kUnknown);
  Verdict b;
  EXPECT_EQ(b.validity, Validity::kValid);
  merge(b, a);
  EXPECT_EQ(b.validity, Validity::kUnknown);
  Verdict c;
  for (size_t i = 0; i < kExamplesPerType + 3; ++i) c.add({"G1a", {static_cast<int64_t>(i)}, "x", ""});
  EXPECT_EQ(c.anomaly_counts.at("G1a"), kExamplesPerType + 3);
  EXPECT_EQ(c.anomalies.at("G1a").size(), kExamplesPerType);
  merge(b, std::move(c));
  EXPECT_EQ(b.validity, Validity::kInvalid);
  EXPECT_EQ(b.anomaly_counts.at("G1a"), kExamplesPerType + 3);
  EXPECT_EQ(b.notes.size(), 1u);
  EXPECT_EQ(validity_name(Validity::kUnknown), "unknown");
}

}  // namespace
}  // namespace fl::checkers
