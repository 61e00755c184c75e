// list-append's reads judged on two threads (ListAppendOptions::
// parallel_reads_txns_min) give the verdict judged on one, report for
// report: the same anomalies, examples in the same order. The histories are
// serial executions whose reads are then spoiled (values no one appended,
// values twice, elements out of order or missing), so every read anomaly,
// and the garbage elements they add, turns up on both halves.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "checkers/list_append.h"
#include "checkers/report.h"
#include "history/edn_reader.h"
#include "tests/checkers/la_gen.h"

namespace fl::checkers {
namespace {

std::string render(const std::vector<int64_t>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) out += (i ? " " : "") + std::to_string(list[i]);
  return out + "]";
}

// Keys of every kind: small, negative, far past the others.
constexpr int64_t kKeys[] = {0, -5, int64_t{1} << 40, 3};

// A serial run of `txn_count` transactions over `key_count` (at most 4)
// keys, each read then spoiled with odds 1 in `spoil_one_in`.
std::string spoiled_history(int txn_count, int key_count, int spoil_one_in) {
  std::vector<std::vector<int64_t>> lists(static_cast<size_t>(key_count));
  std::vector<testing::T> txns;
  int64_t next_value = 1;
  int64_t next_garbage = 1'000'000;
  for (int i = 0; i < txn_count; ++i) {
    const int mops = *rc::gen::inRange(1, 5);
    std::string value = "[";
    for (int m = 0; m < mops; ++m) {
      const auto k = static_cast<size_t>(*rc::gen::inRange(0, key_count));
      const std::string key = std::to_string(kKeys[k]);
      if (m) value += " ";
      if (*rc::gen::arbitrary<bool>()) {
        lists[k].push_back(next_value);
        value += "[:append " + key + " " + std::to_string(next_value++) + "]";
        continue;
      }
      std::vector<int64_t> read = lists[k];
      if (*rc::gen::inRange(0, spoil_one_in) == 0) {
        switch (*rc::gen::inRange(0, 4)) {
          case 0:
            read.push_back(next_garbage++);  // no one appended it
            break;
          case 1:
            if (!read.empty()) read.push_back(read.front());  // twice
            break;
          case 2:
            if (read.size() >= 2) std::swap(read[0], read[1]);  // out of order
            break;
          default:
            if (read.size() >= 3) read.erase(read.begin() + 1);  // one missing
            break;
        }
      }
      value += "[:r " + key + " " + (read.empty() ? std::string("nil") : render(read)) + "]";
    }
    // Some fail (their appends are seen anyway: G1a) or are indeterminate.
    const int outcome = *rc::gen::inRange(0, 10);
    // (An indeterminate client is not reused, as in Jepsen.)
    txns.push_back({outcome == 1 ? 1000 + i : i % 3, outcome == 0 ? "fail" : outcome == 1 ? "info" : "ok", value + "]"});
  }
  return testing::edn(txns);
}

RC_GTEST_PROP(ListAppendSplit, ReadsJudgedOnTwoThreadsGiveTheSameVerdict, ()) {
  const std::string text =
      spoiled_history(*rc::gen::inRange(1, 80), *rc::gen::inRange(1, 5), *rc::gen::inRange(1, 6));
  Result<history::History> h = history::read_edn(text, "split.edn");
  RC_ASSERT(h.ok());
  ListAppendOptions one;
  one.parallel_reads_txns_min = SIZE_MAX;
  ListAppendOptions two;
  two.parallel_reads_txns_min = 0;
  RC_ASSERT(verdict_json(check_list_append(*h, two)) == verdict_json(check_list_append(*h, one)));
}

// Several keys whose longest reads hold values no one appended: their
// walks are redone after the split ones, in key order.
TEST(ListAppendSplit, KeysWithGarbageInTheirLongestReads) {
  std::vector<testing::T> txns;
  for (int k = 0; k < 5; ++k) {
    const std::string key = std::to_string(k);
    txns.push_back({0, "ok", "[[:append " + key + " 1] [:append " + key + " 2]]"});
    txns.push_back({1, "ok", "[[:r " + key + " [1]] [:r " + key + " [1 2 " + std::to_string(90 + k) + "]]]"});
    txns.push_back({2, "ok", "[[:r " + key + " [1 2]]]"});
  }
  Result<history::History> h = history::read_edn(testing::edn(txns), "garbage.edn");
  ASSERT_TRUE(h.ok());
  ListAppendOptions one;
  one.parallel_reads_txns_min = SIZE_MAX;
  ListAppendOptions two;
  two.parallel_reads_txns_min = 0;
  const Verdict verdict = check_list_append(*h, two);
  EXPECT_EQ(verdict.anomaly_counts.at("garbage-read"), 5u);
  EXPECT_EQ(verdict_json(verdict), verdict_json(check_list_append(*h, one)));
}

// The spoiled histories do hold every read anomaly: the property above
// compares verdicts that have them.
TEST(ListAppendSplit, SpoiledHistoriesHoldEveryReadAnomaly) {
  std::set<std::string> seen;
  rc::check("collect types", [&] {
    Result<history::History> h = history::read_edn(spoiled_history(60, 2, 2), "split.edn");
    RC_ASSERT(h.ok());
    for (const auto& [type, count] : check_list_append(*h).anomaly_counts) seen.insert(type);
  });
  for (const char* type : {"garbage-read", "duplicate-elements", "incompatible-order"}) {
    EXPECT_TRUE(seen.count(type)) << type;
  }
}

}  // namespace
}  // namespace fl::checkers
