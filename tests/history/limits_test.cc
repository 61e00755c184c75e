// Limits are on the model and the same in both formats ([size.1]): an
// operation exactly at a limit round-trips through EDN and JSONL, one past it
// is refused by both readers and asserted by both writers.
#include <gtest/gtest.h>

#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "history/internal/op_size.h"
#include "history/jsonl_reader.h"
#include "history/jsonl_writer.h"
#include "history/limits.h"

namespace fl::history {
namespace {

// {:index 0, :time 0, :type :ok, :value v}: the map, 4 keys and 3 scalars
// besides v; text "index" "time" "type" "ok" "value".
constexpr size_t kBareOpValues = 8;
constexpr size_t kBareOpTextBytes = 5 + 4 + 4 + 2 + 5;

Op bare_op(Value value) {
  Op op;
  op.type = OpType::kOk;
  op.value = std::move(value);
  return op;
}

// `count` empty lists in a vector: tagged objects in JSON ({"#list":[]}), so
// JSON holds twice the values the model does.
Value lists(size_t count) {
  std::vector<Value> items(count, Value::list({}));
  return Value::vector(std::move(items));
}

void expect_round_trips(const Op& op) {
  History h;
  h.ops.push_back(op);
  Result<History> from_edn = read_edn(to_edn(h));
  ASSERT_TRUE(from_edn.ok()) << from_edn.status().to_string();
  EXPECT_EQ(*from_edn, h);
  Result<History> from_jsonl = read_jsonl(to_jsonl(h));
  ASSERT_TRUE(from_jsonl.ok()) << from_jsonl.status().to_string();
  EXPECT_EQ(*from_jsonl, h);
}

TEST(Limits, SizeCountsTheCanonicalForm) {
  Op op = bare_op(Value::nil());
  EXPECT_EQ(internal::op_size(op).values, kBareOpValues + 1);
  EXPECT_EQ(internal::op_size(op).text_bytes, kBareOpTextBytes);
  EXPECT_EQ(internal::op_size(op).depth, 1);
  op.value = Txn{{MicroKind::kRead, 1, std::vector<int64_t>{1, 2}}};  // [[:r 1 [1 2]]]
  EXPECT_EQ(internal::op_size(op).values, kBareOpValues + 7);
  EXPECT_EQ(internal::op_size(op).text_bytes, kBareOpTextBytes + 1);
  EXPECT_EQ(internal::op_size(op).depth, 4);
}

TEST(Limits, ValuesAtTheLimitRoundTripInBothFormats) {
  Op op = bare_op(lists(kOpValuesMax - kBareOpValues - 1));
  ASSERT_EQ(internal::op_size(op).values, kOpValuesMax);
  expect_round_trips(op);
}

TEST(Limits, OneValuePastTheLimitIsRefusedEverywhere) {
  Op op = bare_op(lists(kOpValuesMax - kBareOpValues));
  std::string edn = "{:index 0, :time 0, :type :ok, :value [" + std::string((kOpValuesMax - kBareOpValues) * 3, ' ');
  for (size_t i = 0; i < kOpValuesMax - kBareOpValues; i++) edn.replace(39 + 3 * i, 2, "()");
  edn += "]}\n";
  Result<History> from_edn = read_edn(edn);
  ASSERT_FALSE(from_edn.ok());
  EXPECT_NE(from_edn.status().message().find("more than 1048576 values in one form"), std::string::npos)
      << from_edn.status().message();
  std::string json = R"({"index":0,"time":0,"type":"ok","value":[)";
  for (size_t i = 0; i < kOpValuesMax - kBareOpValues; i++) json += i == 0 ? "{\"#list\":[]}" : ",{\"#list\":[]}";
  json += "]}\n";
  Result<History> from_jsonl = read_jsonl(json);
  ASSERT_FALSE(from_jsonl.ok());
  EXPECT_EQ(from_jsonl.status().message(), "line 1: operation has more than 1048576 values");
  EXPECT_DEATH((void)edn_line(op), "FL_ASSERT");
  EXPECT_DEATH((void)jsonl_line(op), "FL_ASSERT");
}

TEST(Limits, TextAtTheLimitRoundTripsEvenFullyEscaped) {
  // Every byte escapes to six (\u0001): the largest text either writer emits.
  Op op = bare_op(Value::string(std::string(kOpTextBytesMax - kBareOpTextBytes, '\x01')));
  ASSERT_EQ(internal::op_size(op).text_bytes, kOpTextBytesMax);
  expect_round_trips(op);
}

TEST(Limits, OneTextBytePastTheLimitIsRefusedEverywhere) {
  Op op = bare_op(Value::string(std::string(kOpTextBytesMax - kBareOpTextBytes + 1, 'x')));
  std::string payload(kOpTextBytesMax - kBareOpTextBytes + 1, 'x');
  Result<History> from_edn = read_edn("{:index 0, :time 0, :type :ok, :value \"" + payload + "\"}");
  ASSERT_FALSE(from_edn.ok());
  EXPECT_EQ(from_edn.status().message(), "line 1, column 39: more than 4194304 bytes of text in one form");
  Result<History> from_jsonl = read_jsonl(R"({"index":0,"time":0,"type":"ok","value":")" + payload + "\"}");
  ASSERT_FALSE(from_jsonl.ok());
  EXPECT_EQ(from_jsonl.status().message(), "line 1: operation has more than 4194304 bytes of text");
  EXPECT_DEATH((void)edn_line(op), "FL_ASSERT");
  EXPECT_DEATH((void)jsonl_line(op), "FL_ASSERT");
}

TEST(Limits, MetadataAtTheLimitRoundTripsInBothFormats) {
  // {:k "..."}: the map, a key and a string; the JSON line adds "meta".
  History h;
  h.meta.set("k", Value::string(std::string(kOpTextBytesMax - 1, 'm')));
  ASSERT_EQ(internal::metadata_size(h.meta).text_bytes, kOpTextBytesMax);
  Result<History> from_edn = read_edn(to_edn(h));
  ASSERT_TRUE(from_edn.ok()) << from_edn.status().to_string();
  EXPECT_EQ(*from_edn, h);
  Result<History> from_jsonl = read_jsonl(to_jsonl(h));
  ASSERT_TRUE(from_jsonl.ok()) << from_jsonl.status().to_string();
  EXPECT_EQ(*from_jsonl, h);
}

}  // namespace
}  // namespace fl::history
