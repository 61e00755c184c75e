// JSONL: exact bytes, the generic-value encoding ([jsonl-w.*]), Jepsen-style
// input, and malformed lines ([jsonl-r.*]).
#include <gtest/gtest.h>

#include <sstream>

#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "history/jsonl_reader.h"
#include "history/jsonl_writer.h"
#include "history/limits.h"

namespace fl::history {
namespace {

Value edn(std::string_view text) {
  Result<Value> v = parse_edn_value(text);
  EXPECT_TRUE(v.ok()) << v.status().to_string();
  return v.ok() ? *v : Value();
}

std::string error_of(std::string_view text) {
  Result<History> h = read_jsonl(text, "h.jsonl");
  if (h.ok()) return "<no error>";
  EXPECT_EQ(h.status().code(), Code::kInvalidArgument) << h.status().to_string();
  return std::string(h.status().message());
}

TEST(JsonlWriter, WritesTheArchitectureExampleAsJsonLines) {
  Result<History> h = read_edn(
      "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 3 1] [:r 4 nil]]}\n"
      "{:index 1, :time 120, :type :ok, :process 0, :f :txn, :value [[:append 3 1] [:r 4 [1 2]]]}\n"
      "{:index 2, :time 130, :type :info, :process :nemesis, :f :crash, :value {:kind :power}}\n");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(to_jsonl(*h),
            R"({"index":0,"time":0,"type":"invoke","process":0,"f":"txn","value":[["append",3,1],["r",4,null]]})" "\n"
            R"({"index":1,"time":120,"type":"ok","process":0,"f":"txn","value":[["append",3,1],["r",4,[1,2]]]})" "\n"
            R"({"index":2,"time":130,"type":"info","process":"nemesis","f":"crash","value":{"kind":"power"}})" "\n");
}

TEST(JsonlWriter, EncodesWhatJsonLacksWithTaggedObjects) {  // [jsonl-w.2]
  EXPECT_EQ(to_json(edn("#{1 :a}")), R"({"#set":[1,"a"]})");
  EXPECT_EQ(to_json(edn("(1 nil)")), R"({"#list":[1,null]})");
  EXPECT_EQ(to_json(edn("{:a 1, \"b\" 2}")), R"({"#map":[["a",1],[{"#str":"b"},2]]})");
  EXPECT_EQ(to_json(edn("{:a {}, :b []}")), R"({"a":{},"b":[]})");
  EXPECT_EQ(to_json(edn("\"txn\"")), R"({"#str":"txn"})");       // reads as a keyword name
  EXPECT_EQ(to_json(edn("\"two words\"")), R"("two words")");    // cannot be a keyword
  EXPECT_EQ(to_json(edn("\"#set\"")), R"("#set")");
  EXPECT_EQ(to_json(edn("\"\"")), R"("")");
  EXPECT_EQ(to_json(edn("[1.0 -0.0 1e100 true]")), R"([1.0,-0.0,1e+100,true])");
  EXPECT_EQ(to_json(edn("\"tab\\tnul\\u0000\"")), R"("tab\tnul\u0000")");
}

TEST(JsonlWriter, MetadataIsTheFirstLine) {  // [jsonl-w.3]
  History h;
  h.meta.set("durability", Value::keyword("none"));
  h.meta.set("isolation", Value::keyword("serializable"));
  Op op;
  op.type = OpType::kOk;
  h.ops.push_back(op);
  EXPECT_EQ(to_jsonl(h), "{\"meta\":{\"durability\":\"none\",\"isolation\":\"serializable\"}}\n"
                         "{\"index\":0,\"time\":0,\"type\":\"ok\",\"value\":null}\n");
  std::ostringstream out;
  ASSERT_TRUE(write_jsonl(out, h).ok());
  EXPECT_EQ(out.str(), to_jsonl(h));
  Result<History> back = read_jsonl(out.str());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
}

TEST(JsonlReader, ReadsJepsenStyleJsonLikeItsEdn) {  // [jsonl-r.4]
  Result<History> h = read_jsonl(
      "\n"
      R"({"type":"invoke","f":"txn","value":[["append",1,2],["r",3,null]],"process":0,"time":5})" "\r\n"
      "   \n"
      R"({"type":"info","process":"nemesis","f":"crash","value":{"kind":"power"},"error":"connection refused"})");
  ASSERT_TRUE(h.ok()) << h.status().to_string();
  ASSERT_EQ(h->ops.size(), 2u);
  EXPECT_EQ(h->ops[0].index, 0);
  ASSERT_NE(h->ops[0].txn(), nullptr);
  EXPECT_EQ((*h->ops[0].txn())[0], (MicroOp{MicroKind::kAppend, 1, int64_t{2}}));
  EXPECT_EQ(h->ops[1].index, 1);
  EXPECT_TRUE(h->ops[1].process.is_nemesis());
  EXPECT_EQ(h->ops[1].generic_value(), edn("{:kind :power}"));
  EXPECT_EQ(*h->ops[1].extra("error"), Value::string("connection refused"));
  EXPECT_EQ(to_edn(*h),
            "{:index 0, :time 5, :type :invoke, :process 0, :f :txn, :value [[:append 1 2] [:r 3 nil]]}\n"
            "{:index 1, :time 0, :type :info, :process :nemesis, :f :crash, :value {:kind :power}, "
            ":error \"connection refused\"}\n");
}

TEST(JsonlReader, StreamsThroughTheCallback) {
  std::istringstream in{"{\"meta\":{\"workload\":\"bank\"}}\n{\"type\":\"invoke\",\"f\":\"transfer\",\"process\":2}\n"};
  Metadata meta;
  std::vector<Op> ops;
  ASSERT_TRUE(read_jsonl(in, &meta, [&](Op&& op) {
    ops.push_back(std::move(op));
    return Status::success();
  }).ok());
  EXPECT_TRUE(meta.get("workload")->is_keyword("bank"));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].f, "transfer");
  EXPECT_EQ(ops[0].process.id(), std::optional<int64_t>(2));
}

TEST(JsonlErrors, MalformedJsonNamesLineAndColumn) {  // [jsonl-r.2]
  EXPECT_EQ(error_of("{\"type\":\"ok\"}\n{\"type\":\"ok\",\"value\":[1,2}\n"),
            "line 2, column 26: syntax error while parsing array - unexpected '}'; expected ']'");
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"value\":\"abc}\n"),
            "line 1, column 27: syntax error while parsing value - invalid string: missing closing quote; "
            "last read: '\"abc}'");
  EXPECT_EQ(error_of("{\"type\":\"ok\"} x\n"),
            "line 1, column 15: syntax error while parsing value - invalid literal; last read: '\"ok\"} x'; "
            "expected end of input");
  // The raw byte is escaped, so messages stay printable ASCII.
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"value\":\"\xff\"}\n"),
            "line 1, column 23: syntax error while parsing value - invalid string: ill-formed UTF-8 byte; "
            "last read: '\"\\xff'");
}

TEST(JsonlErrors, InvalidOperationsNameTheLine) {
  EXPECT_EQ(error_of("{\"type\":\"ok\"}\n\n{\"index\":1,\"process\":0}\n"), "line 3: operation has no :type");
  EXPECT_EQ(error_of("{\"type\":\"done\"}"), "line 1: unknown :type :done (expected :invoke, :ok, :fail or :info)");
  EXPECT_EQ(error_of("[1]"), "line 1: expected an operation map, found vector");
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"my key\":1}"), "line 1: operation key \"my key\" is not a keyword");
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"process\":\"two words\"}"),
            "line 1: :process must be an integer or a keyword such as :nemesis, found string \"two words\"");
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"index\":1.5}"), "line 1: :index must be an integer, found double 1.5");
}

TEST(JsonlErrors, MetadataOnlyOnTheFirstLine) {  // [jsonl-r.3]
  EXPECT_EQ(error_of("{\"type\":\"ok\"}\n{\"meta\":{\"a\":1}}\n"), "line 2: operation has no :type");
  EXPECT_EQ(error_of("{\"meta\":[1]}\n"), "line 1: metadata must be a map, found vector");
  EXPECT_EQ(error_of("{\"meta\":{\"a b\":1}}\n"), "line 1: metadata key \"a b\" is not a keyword");
}

TEST(JsonlErrors, BadTaggedValues) {
  auto value_error = [](std::string_view json) {
    return error_of("{\"type\":\"ok\",\"value\":" + std::string(json) + "}");
  };
  EXPECT_EQ(value_error(R"({"#bag":[]})"), "line 1: unknown tag \"#bag\" (expected #set, #list, #map or #str)");
  EXPECT_EQ(value_error(R"({"#set":[],"a":1})"),
            "line 1: an object with a \"#\" key (a tagged value) must have exactly one key");
  EXPECT_EQ(value_error(R"({"a":1,"#set":[]})"),
            "line 1: an object with a \"#\" key (a tagged value) must have exactly one key");
  EXPECT_EQ(value_error(R"({"#str":1})"), "line 1: \"#str\" needs a JSON string");
  EXPECT_EQ(value_error(R"({"#set":{}})"), "line 1: \"#set\" needs a JSON array");
  EXPECT_EQ(value_error(R"({"#map":[[1]]})"), "line 1: \"#map\" needs an array of [key, value] pairs");
  EXPECT_EQ(value_error(R"({"#set":[1,1]})"), "line 1: duplicate element 1 in #set");
  EXPECT_EQ(value_error(R"({"#map":[[1,2],[1,3]]})"), "line 1: duplicate key 1 in #map");
  EXPECT_EQ(value_error(R"({"a":1,"a":2})"), "line 1: duplicate key :a");
}

TEST(JsonlErrors, NumbersOutsideTheModel) {
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"value\":9223372036854775808}"), "line 1: integer does not fit in 64 bits");
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"value\":123456789012345678901234}"),
            "line 1: integer 123456789012345678901234 does not fit in 64 bits");
  EXPECT_EQ(error_of("{\"type\":\"ok\",\"value\":1e400}"), "line 1, column 26: number overflow parsing '1e400'");
  Result<History> min = read_jsonl("{\"type\":\"ok\",\"value\":-9223372036854775808}");
  ASSERT_TRUE(min.ok());
  EXPECT_EQ(min->ops[0].generic_value(), Value::integer(INT64_MIN));
}

TEST(JsonlErrors, NestingAndLineLengthAreBounded) {
  std::string deep = "{\"type\":\"ok\",\"value\":";
  for (int i = 1; i < kNestingDepthMax; i++) deep += "{\"#list\":[";
  std::string ok = deep;
  for (int i = 1; i < kNestingDepthMax; i++) ok += "]}";
  EXPECT_EQ(error_of(ok + "}"), "<no error>");
  deep += "[]";
  for (int i = 1; i < kNestingDepthMax; i++) deep += "]}";
  EXPECT_EQ(error_of(deep + "}"), "line 1: nesting deeper than 64 levels");
  EXPECT_EQ(error_of(std::string(1000000, '[')), "line 1: nesting deeper than 193 JSON levels");
  EXPECT_EQ(error_of(std::string(kFormBytesMax + 1, ' ') + "\n"),
            "line 1: longer than " + std::to_string(kFormBytesMax) + " bytes");
}

TEST(JsonlReader, MissingFileIsNotFound) {
  EXPECT_EQ(read_jsonl_file("/nonexistent/faultline/history.jsonl").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace fl::history
