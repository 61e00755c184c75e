// The consistency-model lattice against what Elle reports ([cm.1]..[cm.5]).
// Expected sets were taken from elle-check's "not"/"also-not" output for
// histories exhibiting exactly these anomalies (see elle_diff_test.cc for the
// live comparison).
#include "checkers/consistency_models.h"

#include <gtest/gtest.h>

namespace fl::checkers {
namespace {

TEST(ConsistencyModels, CanonicalAndFriendlyNames) {
  EXPECT_EQ(canonical_model_name("serializable"), "PL-3");
  EXPECT_EQ(canonical_model_name("strict-serializable"), "PL-SS");
  EXPECT_EQ(friendly_model_name("PL-3"), "serializable");
  EXPECT_EQ(friendly_model_name("PL-SI"), "snapshot-isolation");
  EXPECT_TRUE(is_known_model("read-committed"));
  EXPECT_TRUE(is_known_model("PL-2"));
  EXPECT_FALSE(is_known_model("serialisable"));
}

TEST(ConsistencyModels, ImpliedAnomaliesIncludeTheirInput) {
  std::set<std::string> implied = all_implied_anomalies({"G0"});
  for (const char* a : {"G0", "G1c", "G1", "G0-realtime", "G1c-realtime", "G1-realtime"}) {
    EXPECT_TRUE(implied.count(a)) << a;
  }
  EXPECT_FALSE(implied.count("G2-item"));
  EXPECT_TRUE(all_implied_anomalies({"lost-update"}).count("G2-item"));
  EXPECT_TRUE(all_implied_anomalies({"incompatible-order"}).count("G1a"));
}

TEST(ConsistencyModels, ProhibitedBySerializableButNotRealtime) {  // [cm.1]
  std::set<std::string> p = anomalies_prohibited_by({"serializable"});
  for (const char* a : {"G0", "G1a", "G1b", "G1c", "G-single-item", "G2-item", "internal", "lost-update"}) {
    EXPECT_TRUE(p.count(a)) << a;
  }
  EXPECT_FALSE(p.count("G0-realtime"));
  EXPECT_FALSE(p.count("G-single-item-realtime"));
  EXPECT_TRUE(anomalies_prohibited_by({"strict-serializable"}).count("G-single-item-realtime"));
  std::set<std::string> rc = anomalies_prohibited_by({"read-committed"});
  EXPECT_TRUE(rc.count("G1a"));
  EXPECT_FALSE(rc.count("G2-item"));
  EXPECT_FALSE(rc.count("G-single-item"));
}

TEST(ConsistencyModels, G2ItemBoundaryMatchesElle) {  // [cm.3]
  Boundary b = boundary({"G2-item"});
  EXPECT_EQ(b.not_models, (std::set<std::string>{"repeatable-read"}));
  EXPECT_TRUE(b.also_not.count("serializable"));
  EXPECT_TRUE(b.also_not.count("strict-serializable"));
  EXPECT_FALSE(b.also_not.count("snapshot-isolation"));
}

TEST(ConsistencyModels, GSingleBoundaryMatchesElle) {
  Boundary b = boundary({"G-single-item"});
  EXPECT_EQ(b.not_models, (std::set<std::string>{"consistent-view", "repeatable-read"}));
  EXPECT_TRUE(b.also_not.count("snapshot-isolation"));
}

TEST(ConsistencyModels, G1aBoundaryMatchesElle) {
  Boundary b = boundary({"G1a"});
  EXPECT_EQ(b.not_models, (std::set<std::string>{"read-committed"}));
}

TEST(ConsistencyModels, G0BoundaryMatchesElle) {
  Boundary b = boundary({"G0"});
  EXPECT_EQ(b.not_models, (std::set<std::string>{"read-uncommitted"}));
}

TEST(ConsistencyModels, RealtimeOnlyRulesOutStrictModels) {
  Boundary b = boundary({"G-single-item-realtime"});
  EXPECT_EQ(b.not_models, (std::set<std::string>{"strong-snapshot-isolation"}));
  EXPECT_TRUE(b.also_not.count("strict-serializable"));
  EXPECT_FALSE(b.also_not.count("serializable"));
  std::vector<std::string> possible = strongest_possible_models(impossible_models({"G-single-item-realtime"}));
  EXPECT_NE(std::find(possible.begin(), possible.end(), "strong-session-serializable"), possible.end());
}

TEST(ConsistencyModels, ViolatedModelsNameTheirReasons) {  // [cm.2]
  auto v = violated_models({"G1a", "G2-item"});
  ASSERT_TRUE(v.count("read-committed"));
  EXPECT_EQ(v.at("read-committed"), (std::vector<std::string>{"G1a"}));
  ASSERT_TRUE(v.count("serializable"));
  EXPECT_EQ(v.at("serializable"), (std::vector<std::string>{"G1a", "G2-item"}));
  EXPECT_FALSE(v.count("read-uncommitted"));
}

TEST(ConsistencyModels, GarbageReadRulesOutReadUncommitted) {  // [cm.4]
  auto v = violated_models({"garbage-read"});
  EXPECT_TRUE(v.count("read-uncommitted"));
  EXPECT_TRUE(v.count("strict-serializable"));
  EXPECT_TRUE(v.count("causal-cerone"));
}

TEST(ConsistencyModels, NoAnomaliesLeaveStrictSerializablePossible) {
  std::vector<std::string> possible = strongest_possible_models({});
  EXPECT_NE(std::find(possible.begin(), possible.end(), "strict-serializable"), possible.end());
  EXPECT_EQ(std::find(possible.begin(), possible.end(), "serializable"), possible.end());
}

TEST(ConsistencyModels, SearchOrderFollowsElle) {  // [cm.5]
  // Elle's depths: G-single-item has no predecessor, so it is searched as
  // early as G0, before G1c.
  EXPECT_LT(anomaly_depth_compare("G0", "G1c"), 0);
  EXPECT_LT(anomaly_depth_compare("G-single-item", "G1c"), 0);
  EXPECT_LT(anomaly_depth_compare("G-single-item", "G-nonadjacent-item"), 0);
  EXPECT_LT(anomaly_depth_compare("G-nonadjacent-item", "G2-item"), 0);
  EXPECT_LT(anomaly_depth_compare("G2-item", "G0-realtime"), 0);
}

}  // namespace
}  // namespace fl::checkers
