// Values: keyword names, UTF-8, ordering, duplicates and depth ([value.*]).
#include <gtest/gtest.h>

#include <cmath>

#include "history/value.h"

namespace fl::history {
namespace {

TEST(Value, DefaultIsNil) {
  EXPECT_TRUE(Value().is_nil());
  EXPECT_EQ(Value(), Value::nil());
}

TEST(KeywordName, AcceptsEdnSymbolNames) {
  for (const char* name : {"txn", "r", "append", "nemesis", "foo/bar", "jepsen.history/op", "x?", "*e*", "<=>",
                           "-", "+", "-x", ".", "a:b", "a#b", "a.b.c/d.e"}) {
    EXPECT_TRUE(is_keyword_name(name)) << name;
  }
}

TEST(KeywordName, RejectsWhatEdnDoes) {
  for (const char* name : {"", "1x", "-1", "+2", ".5", ":a", "a::b", "a:", "/", "a/", "/a", "a/b/c", "#a",
                           "a b", "a\"b", "é", "a'b", "a,b", "a\\b"}) {
    EXPECT_FALSE(is_keyword_name(name)) << name;
  }
}

TEST(Utf8, FollowsRfc3629) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8(std::string("nul\0inside", 10)));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\x80"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
}

TEST(Value, EqualityIsOrderSensitiveAndKindSensitive) {  // [value.1]
  Value a = Value::set({Value::integer(1), Value::integer(2)});
  Value b = Value::set({Value::integer(2), Value::integer(1)});
  EXPECT_NE(a, b);
  EXPECT_NE(Value::vector({}), Value::list({}));
  EXPECT_NE(Value::string("txn"), Value::keyword("txn"));
  EXPECT_NE(Value::integer(1), Value::real(1.0));
}

TEST(Value, DoublesCompareByBits) {  // [value.3]
  EXPECT_NE(Value::real(0.0), Value::real(-0.0));
  EXPECT_EQ(Value::real(0.1), Value::real(0.1));
}

TEST(Value, CompareIsATotalOrder) {  // [value.4]
  std::vector<Value> values = {Value::nil(), Value::boolean(false), Value::integer(-1), Value::integer(3),
                               Value::real(2.5), Value::string("s"), Value::keyword("k"),
                               Value::vector({Value::integer(1)}), Value::list({}), Value::set({}),
                               Value::map({MapEntry{Value::keyword("a"), Value::nil()}})};
  for (size_t i = 0; i < values.size(); i++) {
    EXPECT_EQ(compare(values[i], values[i]), 0);
    for (size_t j = 0; j < values.size(); j++) {
      if (i != j) {
        EXPECT_NE(compare(values[i], values[j]), 0);
        EXPECT_EQ(compare(values[i], values[j]), -compare(values[j], values[i]));
      }
    }
  }
}

TEST(Value, FindDuplicateReturnsTheLaterIndex) {
  std::vector<Value> few = {Value::integer(1), Value::integer(2), Value::integer(1)};
  EXPECT_EQ(find_duplicate(few), std::optional<size_t>(2));
  std::vector<Value> many;
  for (int i = 0; i < 50; i++) many.push_back(Value::integer(i));
  EXPECT_EQ(find_duplicate(many), std::nullopt);
  many.push_back(Value::integer(7));
  many.push_back(Value::integer(3));
  EXPECT_EQ(find_duplicate(many), std::optional<size_t>(50));
}

TEST(Value, FindLooksUpKeywordKeys) {
  Value map = Value::map({MapEntry{Value::keyword("kind"), Value::keyword("power")},
                          MapEntry{Value::string("kind"), Value::integer(1)}});
  ASSERT_NE(map.find("kind"), nullptr);
  EXPECT_TRUE(map.find("kind")->is_keyword("power"));
  EXPECT_EQ(map.find("other"), nullptr);
  EXPECT_EQ(Value::integer(1).find("kind"), nullptr);
}

TEST(Value, DepthCountsCollectionLevels) {
  EXPECT_EQ(value_depth(Value::integer(1)), 0);
  EXPECT_EQ(value_depth(Value::vector({})), 1);
  EXPECT_EQ(value_depth(Value::vector({Value::set({Value::list({Value::nil()})})})), 3);
  EXPECT_EQ(value_depth(Value::map({MapEntry{Value::vector({}), Value::nil()}})), 2);
}

TEST(ValueDeathTest, FactoriesAssertTheirInvariants) {  // [value.2]
  EXPECT_DEATH(Value::keyword("not a keyword"), "FL_ASSERT");
  EXPECT_DEATH(Value::string("\xff"), "FL_ASSERT");
  EXPECT_DEATH(Value::set({Value::nil(), Value::nil()}), "FL_ASSERT");
  EXPECT_DEATH(Value::real(std::nan("")), "FL_ASSERT");
}

}  // namespace
}  // namespace fl::history
