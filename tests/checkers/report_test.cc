// The JSON and text forms of a verdict (checkers/report.h).
#include "checkers/report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fl::checkers {
namespace {

Verdict sample() {
  Verdict verdict;
  verdict.add({"lost-write", {3, 9}, "op 3 appended 1 to key 1 ...", ""});
  verdict.add({"lost-write", {4, 9}, "op 4 appended 2 to key 1 ...", ""});
  verdict.add({"G1c", {5, 6}, "T5 -> T6 -> T5", "digraph { a -> b }"});
  verdict.violated_models["read-committed"] = {"G1c"};
  verdict.notes.push_back("a note");
  return verdict;
}

TEST(Report, JsonHasTheDocumentedShapeAndOrder) {  // [report.1]
  const nlohmann::ordered_json json = nlohmann::ordered_json::parse(verdict_json(sample(), {{"workload", "list-append"}}));
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"valid", "validity", "anomaly_types", "anomaly_counts", "anomalies",
                                            "violated_models", "possible_models", "notes", "context"}));
  EXPECT_EQ(json["valid"], false);
  EXPECT_EQ(json["validity"], "invalid");
  EXPECT_EQ(json["anomaly_types"], (nlohmann::ordered_json{"G1c", "lost-write"}));
  EXPECT_EQ(json["anomaly_counts"]["lost-write"], 2);
  EXPECT_EQ(json["anomalies"]["lost-write"].size(), 2u);
  EXPECT_EQ(json["anomalies"]["lost-write"][0]["ops"], (nlohmann::ordered_json{3, 9}));
  EXPECT_FALSE(json["anomalies"]["lost-write"][0].contains("dot"));
  EXPECT_EQ(json["anomalies"]["G1c"][0]["dot"], "digraph { a -> b }");
  EXPECT_EQ(json["violated_models"]["read-committed"], (nlohmann::ordered_json{"G1c"}));
  EXPECT_EQ(json["notes"], (nlohmann::ordered_json{"a note"}));
  EXPECT_EQ(json["context"]["workload"], "list-append");
}

TEST(Report, JsonValidIsTrueOrUnknown) {  // [report.1]
  Verdict valid;
  const nlohmann::json a = nlohmann::json::parse(verdict_json(valid));
  EXPECT_EQ(a["valid"], true);
  EXPECT_FALSE(a.contains("context"));
  Verdict unknown;
  unknown.unknown("nothing to judge");
  const nlohmann::json b = nlohmann::json::parse(verdict_json(unknown));
  EXPECT_EQ(b["valid"], "unknown");
  EXPECT_EQ(b["validity"], "unknown");
}

TEST(Report, TextStartsWithTheVerdictAndExplainsEveryExample) {  // [report.2]
  const std::string text = verdict_text(sample(), {{"history", "h.edn"}});
  EXPECT_EQ(text.rfind("INVALID\n", 0), 0u) << text;
  EXPECT_NE(text.find("  history: h.edn\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lost-write: 2 anomalies"), std::string::npos) << text;
  EXPECT_NE(text.find("violates read-committed (G1c)"), std::string::npos) << text;
  EXPECT_NE(text.find("ops 4 9: op 4 appended 2"), std::string::npos) << text;
  EXPECT_NE(text.find("a note"), std::string::npos) << text;
  EXPECT_EQ(verdict_text(Verdict{}).rfind("VALID\n", 0), 0u);
}

TEST(Report, SameVerdictSameText) {  // [report.3]
  EXPECT_EQ(verdict_json(sample()), verdict_json(sample()));
  EXPECT_EQ(verdict_text(sample()), verdict_text(sample()));
}

}  // namespace
}  // namespace fl::checkers
