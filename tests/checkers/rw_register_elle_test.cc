// Differential test against Elle's rw-register checker (jepsen-io/elle, the
// runnable build in ../shared/elle): the same EDN histories through
// `elle-check --workload rw-register` and through check_rw_register must
// give the same verdict, the same anomaly types and the same impossible
// models (compared by canonical name), for the default version-order
// inference and for each of Elle's opt-in ones (--opts {:wfr-keys? true}
// and so on). Skips, saying why, when java or elle-check is absent. The
// histories of one option set go to one elle-check call, to pay the JVM
// start once.
//
// Left out, as documented deviations (docs/anomalies.md): garbage reads
// (Elle ignores them, we report garbage-read) and reads of an :info
// transaction's write (Elle leaves :info transactions out of the graph);
// the random histories therefore never let an :info transaction take effect.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "checkers/consistency_models.h"
#include "tests/checkers/elle_runner.h"
#include "tests/checkers/rw_register_gen.h"

namespace fl::checkers {
namespace {

namespace fs = std::filesystem;
using Case = testing::ElleCase;
using testing::canonical_models;
using testing::elle_validity;
using testing::have_elle;
using testing::kElleCheck;
using rw_testing::edn;

constexpr uint64_t kRandomHistories = 150;
constexpr uint64_t kLargerHistories = 60;

struct Inference {
  bool wfr = false;
  bool sequential = false;
  bool linearizable = false;

  std::string elle_opts() const {
    std::string out = "{";
    if (wfr) out += ":wfr-keys? true ";
    if (sequential) out += ":sequential-keys? true ";
    if (linearizable) out += ":linearizable-keys? true ";
    return out + "}";
  }
  std::string name() const {
    std::string out = std::string(wfr ? "-wfr" : "") + (sequential ? "-sequential" : "") + (linearizable ? "-lin" : "");
    return out.empty() ? "-default" : out;
  }
};

bool is_cycle_type(const std::string& t) {
  constexpr std::string_view kExists = "-cycle-exists";
  bool exists = t.size() > kExists.size() && t.compare(t.size() - kExists.size(), kExists.size(), kExists) == 0;
  return exists || t.rfind("G0", 0) == 0 || t.rfind("G1c", 0) == 0 || t.rfind("G-", 0) == 0 || t.rfind("G2", 0) == 0;
}

std::set<std::string> non_cycle(const std::set<std::string>& types) {
  std::set<std::string> out;
  for (const std::string& t : types) {
    if (!is_cycle_type(t)) out.insert(t);
  }
  return out;
}

// Every cycle type only Elle reports is implied by a type we report, or is a
// "<model>-cycle-exists" whose model our anomalies rule out: we named the
// same cycles more sharply. Our search is complete within its step budget;
// Elle's BFS drops a cycle whose explanation disagrees with the class it
// looked for, and an edge with both ww and wr that it finds while looking
// for G0 is reported as G1c (docs/anomalies.md).
bool sharper_than_elle(const std::set<std::string>& ours, const std::set<std::string>& elle) {
  std::set<std::string> implied = all_implied_anomalies(ours);
  std::set<std::string> ruled_out;
  for (const std::string& m : impossible_models(ours)) ruled_out.insert(canonical_model_name(m));
  for (const std::string& t : elle) {
    if (ours.count(t) || implied.count(t)) continue;
    constexpr std::string_view kExists = "-cycle-exists";
    bool exists = t.size() > kExists.size() && t.compare(t.size() - kExists.size(), kExists.size(), kExists) == 0;
    if (exists && ruled_out.count(t.substr(0, t.size() - kExists.size()))) continue;
    return false;
  }
  return true;
}

struct Tally {
  int exact = 0;
  int sharper = 0;    // same verdict and non-cyclic anomalies; our cycle classes imply Elle's
  int elle_leak = 0;  // Elle kept edges of an inference it reported as cyclic (docs/anomalies.md)
  int disagree = 0;
};

Tally compare(const std::vector<Case>& cases, const std::string& dir_name, const std::string& model,
              const Inference& inference) {
  Tally tally;
  fs::path dir = fs::temp_directory_path() / (dir_name + inference.name() + "-" + model);
  std::vector<nlohmann::json> elle = testing::run_elle(
      cases, dir, "--workload rw-register --model " + model + " --opts '" + inference.elle_opts() + "'");
  EXPECT_EQ(elle.size(), cases.size()) << "elle-check printed " << elle.size() << " lines; see " << dir / "stderr.txt";
  if (elle.size() != cases.size()) {
    tally.disagree = static_cast<int>(cases.size());
    return tally;
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    const nlohmann::json& j = elle[i];
    if (j.is_discarded() || j.contains("error")) {
      ADD_FAILURE() << cases[i].name << ": elle-check failed: " << (j.is_discarded() ? "unparsable" : j.dump());
      ++tally.disagree;
      continue;
    }
    std::set<std::string> elle_types;
    for (const auto& t : j["anomaly-types"]) {
      if (t.get<std::string>() != "empty-transaction-graph") elle_types.insert(t.get<std::string>());
    }
    std::set<std::string> elle_models;
    for (const char* key : {"not", "also-not"}) {
      for (const auto& m : j[key]) elle_models.insert(m.get<std::string>());
    }
    RwRegisterOptions options;
    options.consistency_models = {model};
    options.wfr_keys = inference.wfr;
    options.sequential_keys = inference.sequential;
    options.linearizable_keys = inference.linearizable;
    Verdict v = rw_testing::check(cases[i].edn, options);
    std::set<std::string> ours = rw_testing::types(v);
    std::set<std::string> our_models;
    for (const auto& [m, reasons] : v.violated_models) our_models.insert(m);
    // Elle prints no boundary for a valid history (even when it found
    // anomalies the models allow); we still list what they rule out.
    bool models_match = elle_validity(j) == "valid" || canonical_models(elle_models) == canonical_models(our_models);
    bool same_verdict = elle_validity(j) == validity_name(v.validity);
    if (elle_types == ours && same_verdict && models_match) {
      ++tally.exact;
      continue;
    }
    bool same_non_cyclic = same_verdict && non_cycle(ours) == non_cycle(elle_types);
    std::string list;
    for (const auto& t : ours) list += t + " ";
    if (same_non_cyclic && sharper_than_elle(ours, elle_types)) {
      ++tally.sharper;
      std::cout << cases[i].name << " (" << model << ", " << inference.elle_opts() << "): sharper than Elle: Elle "
                << j["anomaly-types"].dump() << ", we [" << list << "]\n";
      continue;
    }
    if (same_non_cyclic && (inference.sequential || inference.linearizable) && elle_types.count("cyclic-versions")) {
      ++tally.elle_leak;
      std::cout << cases[i].name << " (" << model << ", " << inference.elle_opts()
                << "): Elle used part of a dropped inference: Elle " << j["anomaly-types"].dump() << ", we [" << list
                << "]\n";
      continue;
    }
    ++tally.disagree;
    ADD_FAILURE() << cases[i].name << " (" << model << ", " << inference.elle_opts() << "): Elle says " << j.dump()
                  << "\n  we say " << validity_name(v.validity) << " [" << list << "]\n"
                  << cases[i].edn;
  }
  std::cout << dir.filename().string() << ": " << tally.exact << " exact, " << tally.sharper << " sharper, "
            << tally.elle_leak << " Elle-leak, " << tally.disagree << " disagree, of " << cases.size() << "\n";
  return tally;
}

// No disagreement, and most histories agree exactly: the tolerated kinds of
// difference stay rare.
void expect_agreement(const std::vector<Case>& cases, const std::string& dir_name, const std::string& model,
                      const Inference& inference) {
  SCOPED_TRACE(model + " " + inference.elle_opts());
  Tally t = compare(cases, dir_name, model, inference);
  EXPECT_EQ(t.disagree, 0);
  EXPECT_GE(t.exact * 10, static_cast<int>(cases.size()) * 9) << t.exact << " exact of " << cases.size();
}

// The histories of rw_register_test.cc (each is run under every inference).
std::vector<Case> hand_written_cases() {
  return {
      {"serial", edn({{0, "ok", "[[:w 1 1] [:r 1 1]]"},
                      {1, "ok", "[[:r 1 1] [:w 1 2]]"},
                      {0, "ok", "[[:r 1 2] [:w 2 3]]"},
                      {1, "ok", "[[:r 2 3] [:r 1 2]]"}})},
      {"lone", edn({{0, "ok", "[[:w 1 1]]"}})},
      {"g1a", edn({{0, "fail", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 1]]"}, {1, "ok", "[[:w 2 1]]"}})},
      {"g1b", edn({{0, "ok", "[[:w 1 1] [:w 1 2]]"}, {1, "ok", "[[:r 1 1]]"}}, "i0 i1 c1 c0")},
      {"own_intermediate", edn({{0, "ok", "[[:w 1 1] [:r 1 1] [:w 1 2]]"}, {1, "ok", "[[:r 1 2]]"}})},
      {"g1c", edn({{0, "ok", "[[:w 1 1] [:r 2 1]]"}, {1, "ok", "[[:w 2 1] [:r 1 1]]"}}, "i0 i1 c0 c1")},
      {"g_single", edn({{0, "ok", "[[:w 1 1] [:w 2 1]]"}, {1, "ok", "[[:r 1 nil] [:r 2 1]]"}}, "i0 i1 c0 c1")},
      {"g_nonadjacent", edn({{0, "ok", "[[:r 1 nil] [:r 4 1]]"},
                             {1, "ok", "[[:w 1 1] [:w 2 1]]"},
                             {2, "ok", "[[:r 2 1] [:r 3 nil]]"},
                             {3, "ok", "[[:w 3 1] [:w 4 1]]"}},
                            "i0 i1 i2 i3 c0 c1 c2 c3")},
      {"g2_item", edn({{0, "ok", "[[:r 1 nil] [:w 2 1]]"}, {1, "ok", "[[:r 2 nil] [:w 1 1]]"}}, "i0 i1 c0 c1")},
      {"g0", edn({{0, "ok", "[[:w 1 1] [:w 2 1]]"},
                  {1, "ok", "[[:w 1 2] [:w 2 2]]"},
                  {2, "ok", "[[:r 1 1] [:r 2 2]]"},
                  {2, "ok", "[[:r 1 2] [:r 2 1]]"}},
                 "i0 i1 c0 c1 i2 c2 i3 c3")},
      {"ww_and_wr",
       edn({{0, "ok", "[[:r 2 4] [:w 1 1] [:w 2 2]]"}, {1, "ok", "[[:r 1 1] [:w 1 3] [:w 2 4]]"}}, "i0 i1 c0 c1")},
      {"stale", edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil]]"}, {2, "ok", "[[:r 1 1]]"}})},
      {"info_stale",
       edn({{0, "info", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil]]"}, {2, "ok", "[[:r 1 2]]"}, {3, "ok", "[[:w 1 2]]"}},
           "i0 c0 i1 c1 i3 c3 i2 c2")},
      {"internal", edn({{0, "ok", "[[:w 1 1] [:r 1 nil]]"}, {1, "ok", "[[:r 1 1]]"}})},
      {"non_repeatable", edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil] [:r 1 1]]"}}, "i0 i1 c0 c1")},
      {"lost_update", edn({{0, "ok", "[[:r 1 nil] [:w 1 1]]"}, {1, "ok", "[[:r 1 nil] [:w 1 2]]"}}, "i0 i1 c0 c1")},
      {"cyclic_wfr", edn({{0, "ok", "[[:r 1 2] [:w 1 1]]"}, {1, "ok", "[[:r 1 1] [:w 1 2]]"}}, "i0 i1 c0 c1")},
      {"cyclic_linearizable", edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil]]"}})},
      {"cyclic_sequential",
       edn({{0, "ok", "[[:w 1 1]]"}, {0, "ok", "[[:w 1 2]]"}, {1, "ok", "[[:r 1 2]]"}, {1, "ok", "[[:r 1 1]]"}},
           "i0 c0 i1 c1 i2 c2 i3 c3")},
      {"session", edn({{0, "ok", "[[:w 1 1]]"}, {0, "ok", "[[:r 1 nil]]"}, {1, "ok", "[[:r 1 1]]"}})},
  };
}

std::vector<Case> random_cases(const std::string& prefix, uint64_t count, const rw_testing::GenOptions& o) {
  std::vector<Case> cases;
  for (uint64_t seed = 1; seed <= count; ++seed) {
    cases.push_back({prefix + std::to_string(seed), rw_testing::random_history(seed, o)});
  }
  return cases;
}

rw_testing::GenOptions comparable(rw_testing::GenOptions o) {
  o.info_applies = Ratio{0, 1};  // see the file comment
  return o;
}

class RwRegisterElle : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!have_elle(&why)) GTEST_SKIP() << "Elle differential skipped: " << why;
  }
};

// Every hand-written history under every inference (strict-serializable),
// and under the default inference for the other models.
TEST_F(RwRegisterElle, HandWrittenHistoriesAgree) {
  std::vector<Case> cases = hand_written_cases();
  for (const Inference& inference :
       {Inference{}, Inference{true, false, false}, Inference{false, true, false}, Inference{false, false, true}}) {
    expect_agreement(cases, "fl-rw-elle-hand", "strict-serializable", inference);
  }
  for (const char* model : {"serializable", "snapshot-isolation", "read-committed", "strong-session-serializable"}) {
    expect_agreement(cases, "fl-rw-elle-hand", model, {});
  }
}

TEST_F(RwRegisterElle, RandomHistoriesAgree) {
  std::vector<Case> cases = random_cases("random-", kRandomHistories, comparable({}));
  expect_agreement(cases, "fl-rw-elle-random", "strict-serializable", {});
  expect_agreement(cases, "fl-rw-elle-random", "serializable", {true, false, false});
}

TEST_F(RwRegisterElle, LargerContendedHistoriesAgreeUnderEveryInference) {
  // Fewer keys, more transactions and more faults: larger components, more
  // stale reads for the inferences to order, more :info and failed writers.
  rw_testing::GenOptions o;
  o.txn_count = 40;
  o.key_count = 2;
  o.process_count = 5;
  o.stale_read = Ratio{1, 5};
  o.fail = Ratio{1, 10};
  o.info = Ratio{1, 10};
  std::vector<Case> cases = random_cases("larger-", kLargerHistories, comparable(o));
  expect_agreement(cases, "fl-rw-elle-larger", "strict-serializable", {});
  expect_agreement(cases, "fl-rw-elle-larger", "strict-serializable", {true, true, true});
  expect_agreement(cases, "fl-rw-elle-larger", "serializable", {false, true, false});
  expect_agreement(cases, "fl-rw-elle-larger", "snapshot-isolation", {true, false, false});
  expect_agreement(cases, "fl-rw-elle-larger", "strong-session-serializable", {false, false, true});
}

}  // namespace
}  // namespace fl::checkers
