// KeyIds (checkers/internal/key_ids.h): the same ids as a plain hash map for
// every kind of key (small, negative, huge, and keys the array grows to
// cover after the map held them).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkers/internal/key_ids.h"

namespace fl::checkers::internal {
namespace {

// Gives each key the next id on first sight, in both maps, and checks
// every key seen so far at the end. "" when they agree, else what differs.
std::string differences_from_a_hash_map(const std::vector<int64_t>& keys) {
  KeyIds ids;
  std::unordered_map<int64_t, uint32_t> expected;
  for (int64_t key : keys) {
    bool inserted = false;
    const uint32_t id = ids.emplace(key, static_cast<uint32_t>(expected.size()), &inserted);
    auto [it, fresh] = expected.try_emplace(key, static_cast<uint32_t>(expected.size()));
    if (inserted != fresh || id != it->second) return "emplace of key " + std::to_string(key);
  }
  if (ids.size() != expected.size()) return "size";
  for (const auto& [key, id] : expected) {
    if (ids.find(key) != id || ids.at(key) != id) return "find of key " + std::to_string(key);
  }
  for (int64_t absent : {int64_t{-7}, int64_t{1} << 40, int64_t{123456789}}) {
    if (!expected.count(absent) && ids.find(absent) != KeyIds::kAbsent) return "absent key " + std::to_string(absent);
  }
  return "";
}

TEST(KeyIds, SmallKeysNegativeKeysAndHugeKeys) {
  std::vector<int64_t> keys;
  for (int64_t k = 0; k < 3000; ++k) keys.push_back((k * 7919) % 3000);  // every small key, scrambled
  for (int64_t k : {int64_t{-1}, INT64_MIN, INT64_MAX, int64_t{1} << 26, (int64_t{1} << 26) - 1}) keys.push_back(k);
  keys.insert(keys.end(), keys.begin(), keys.begin() + 100);  // seen again
  EXPECT_EQ(differences_from_a_hash_map(keys), "");
}

// A key past the array's reach goes to the map; once enough keys make the
// array grow over it, it moves to the array and keeps its id.
TEST(KeyIds, AKeyTheArrayGrowsOverKeepsItsId) {
  std::vector<int64_t> keys = {100000, 50000};
  for (int64_t k = 0; k < 20000; ++k) keys.push_back(k);
  keys.push_back(100000);
  keys.push_back(50000);
  EXPECT_EQ(differences_from_a_hash_map(keys), "");
}

RC_GTEST_PROP(KeyIds, SameIdsAsAHashMap, ()) {
  const auto keys = *rc::gen::container<std::vector<int64_t>>(rc::gen::oneOf(
      rc::gen::inRange<int64_t>(0, 64), rc::gen::inRange<int64_t>(-100, 100000), rc::gen::arbitrary<int64_t>()));
  RC_ASSERT(differences_from_a_hash_map(keys) == "");
}

}  // namespace
}  // namespace fl::checkers::internal
