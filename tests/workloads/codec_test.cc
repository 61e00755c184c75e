// Stored-value encodings (workloads/internal/codec.h, workload_format.h,
// docs/formats/workloads.md): exact bytes, canonical-only decoding
// ([codec.1], [codec.2]) and the list size bound behind [wl.2].
#include <gtest/gtest.h>

#include <string>

#include "engine/limits.h"
#include "workloads/internal/codec.h"
#include "workloads/limits.h"
#include "workloads/workload.h"

namespace fl::workloads::internal {
namespace {

TEST(Codec, ListBytesMatchTheSpec) {
  EXPECT_EQ(encode_list({1}), "1");
  EXPECT_EQ(encode_list({1, 2, 3}), "1,2,3");
  EXPECT_EQ(encode_list({10, 2, 300}), "10,2,300");
  EXPECT_EQ(encode_list({0, INT64_MAX}), "0,9223372036854775807");
}

TEST(Codec, IntBytesMatchTheSpec) {
  EXPECT_EQ(encode_int(0), "0");
  EXPECT_EQ(encode_int(100), "100");
  EXPECT_EQ(encode_int(-7), "-7");
  EXPECT_EQ(encode_int(INT64_MIN), "-9223372036854775808");
}

TEST(Codec, ListRoundTrips) {
  for (const std::vector<int64_t>& list : std::vector<std::vector<int64_t>>{
           {1}, {1, 2, 3}, {3, 1, 2}, {5, 5}, {0}, {INT64_MAX, 1}}) {
    Result<std::vector<int64_t>> decoded = decode_list("list/1", encode_list(list));
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, list);
  }
}

TEST(Codec, IntRoundTrips) {
  for (int64_t value : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{42}, INT64_MAX, INT64_MIN}) {
    Result<int64_t> decoded = decode_int("register/1", encode_int(value));
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, value);
  }
}

TEST(Codec, MalformedListIsCorruptionNamingKeyAndBytes) {
  for (const char* bytes : {"", ",", "1,", ",1", "1,,2", "01", "1,02", "-1", "1 ,2", " 1", "1;2", "a",
                            "9223372036854775808", "1,2\n", "[1 2]"}) {
    Result<std::vector<int64_t>> decoded = decode_list("list/7", bytes);
    ASSERT_FALSE(decoded.ok()) << '"' << bytes << '"';
    EXPECT_TRUE(decoded.status().is(Code::kCorruption));
    EXPECT_NE(decoded.status().to_string().find("list/7"), std::string::npos) << decoded.status().to_string();
  }
  Result<std::vector<int64_t>> decoded = decode_list("list/7", "1,x2");
  EXPECT_EQ(decoded.status().to_string(),
            "corruption: list/7: expected a list of integers like \"1,2,3\", found \"1,x2\" (4 bytes; bad byte "
            "at offset 2)");
}

TEST(Codec, MalformedIntIsCorruption) {
  for (const char* bytes : {"", "-", "-0", "00", "01", "+1", "1.0", "1e3", " 1", "1 ", "0x10",
                            "9223372036854775808", "-9223372036854775809", "99999999999999999999"}) {
    Result<int64_t> decoded = decode_int("account/2", bytes);
    ASSERT_FALSE(decoded.ok()) << '"' << bytes << '"';
    EXPECT_TRUE(decoded.status().is(Code::kCorruption));
    EXPECT_NE(decoded.status().to_string().find("account/2"), std::string::npos);
  }
}

TEST(Codec, GarbageIsQuotedEscapedAndCut) {
  const std::string garbage = std::string("\x00\xff\"\\", 4) + std::string(100, 'z');
  Result<int64_t> decoded = decode_int("register/0", garbage);
  ASSERT_FALSE(decoded.ok());
  const std::string message = decoded.status().to_string();
  EXPECT_NE(message.find("\"\\x00\\xff\\\"\\\\zzz"), std::string::npos) << message;
  EXPECT_NE(message.find("\"... (104 bytes"), std::string::npos) << message;
  EXPECT_EQ(quote_bytes("ok"), "\"ok\"");
  EXPECT_EQ(quote_bytes(std::string(kCorruptBytesShownMax + 1, 'a')),
            "\"" + std::string(kCorruptBytesShownMax, 'a') + "\"...");
}

TEST(Codec, ListBytesMaxIsTheLongestList) {
  for (uint64_t n : {uint64_t{1}, uint64_t{9}, uint64_t{10}, uint64_t{11}, uint64_t{99}, uint64_t{100},
                     uint64_t{123}}) {
    std::vector<int64_t> list;
    for (uint64_t v = 1; v <= n; ++v) list.push_back(static_cast<int64_t>(v));
    EXPECT_EQ(list_bytes_max(n), encode_list(list).size()) << n;
  }
  EXPECT_EQ(list_bytes_max(0), 0u);
}

TEST(Codec, ListAppendsPerKeyMaxIsTheExactBound) {
  const uint32_t n = list_appends_per_key_max();
  EXPECT_LE(list_bytes_max(n), engine::kValueBytesMax);
  EXPECT_GT(list_bytes_max(n + 1), engine::kValueBytesMax);
  EXPECT_EQ(n, 216u);  // 9 + 90*2 + 117*3 digits + 215 commas = 755 bytes
}

}  // namespace
}  // namespace fl::workloads::internal
