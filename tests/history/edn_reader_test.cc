// The EDN reader on hand-written, Jepsen-style input ([edn-r.*]).
#include <gtest/gtest.h>

#include <sstream>

#include "history/edn_reader.h"
#include "history/edn_writer.h"

namespace fl::history {
namespace {

constexpr std::string_view kArchitectureExample =
    "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 3 1] [:r 4 nil]]}\n"
    "{:index 1, :time 120, :type :ok, :process 0, :f :txn, :value [[:append 3 1] [:r 4 [1 2]]]}\n"
    "{:index 2, :time 130, :type :info, :process :nemesis, :f :crash, :value {:kind :power}}\n";

History read_ok(std::string_view text) {
  Result<History> h = read_edn(text);
  EXPECT_TRUE(h.ok()) << h.status().to_string();
  return h.ok() ? *h : History{};
}

TEST(EdnReader, ReadsAndRewritesTheArchitectureExample) {
  History h = read_ok(kArchitectureExample);
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[1].time, 120);
  EXPECT_EQ(h.ops[1].type, OpType::kOk);
  ASSERT_NE(h.ops[1].txn(), nullptr);
  EXPECT_EQ((*h.ops[1].txn())[1].value, MicroValue(std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(h.ops[2].process.is_nemesis());
  EXPECT_EQ(h.ops[2].txn(), nullptr);
  EXPECT_EQ(to_edn(h), kArchitectureExample);
}

TEST(EdnReader, ReadsANemesisOpWithoutIndexOrTime) {  // [op.1]
  History h = read_ok("{:index 0, :type :invoke, :f :txn, :process 0, :value []}\n"
                      "{:type :info, :f :crash, :process :nemesis, :value {:kind :power}}\n");
  ASSERT_EQ(h.ops.size(), 2u);
  const Op& op = h.ops[1];
  EXPECT_EQ(op.index, 1);  // its position
  EXPECT_EQ(op.time, 0);
  EXPECT_EQ(op.type, OpType::kInfo);
  EXPECT_TRUE(op.process.is_nemesis());
  EXPECT_EQ(op.f, "crash");
  const Value value = op.generic_value();
  const Value* kind = value.find("kind");
  ASSERT_NE(kind, nullptr);
  EXPECT_TRUE(kind->is_keyword("power"));
  EXPECT_EQ(edn_line(op), "{:index 1, :time 0, :type :info, :process :nemesis, :f :crash, :value {:kind :power}}\n");
}

TEST(EdnReader, ReadsSetsEscapedStringsNestedMapsAndExtras) {
  History h = read_ok(
      R"({:type :ok, :process 1, :f :read, :value #{1 2 3}, :error "he said \"hi\"\n\ttab \u00e9 \ud83d\ude00", )"
      R"(:node {:name "n1", :tags [:a :b], :deep {:x (1 2), "k" nil}}})");
  ASSERT_EQ(h.ops.size(), 1u);
  const Op& op = h.ops[0];
  EXPECT_EQ(op.generic_value(), Value::set({Value::integer(1), Value::integer(2), Value::integer(3)}));
  ASSERT_EQ(op.extras.size(), 2u);
  EXPECT_EQ(op.extras[0].key, "error");
  EXPECT_EQ(op.extras[0].value.text(), "he said \"hi\"\n\ttab \xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(op.extras[1].key, "node");
  const Value* deep = op.extras[1].value.find("deep");
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ(deep->entries()[0].value, Value::list({Value::integer(1), Value::integer(2)}));
  EXPECT_EQ(deep->entries()[1].key, Value::string("k"));
}

TEST(EdnReader, ReadsAnElleListAppendHistory) {
  History h = read_ok(R"(
{:type :invoke, :f :txn, :value [[:append :x 1]], :process 0, :time 10, :index 0}
{:type :invoke, :f :txn, :value [[:append 1 1] [:r 2 nil]], :process 1, :time 11, :index 1}
{:type :ok, :f :txn, :value [[:append 1 1] [:r 2 [4 5]]], :process 1, :time 20, :index 2}
{:type :fail, :f :txn, :value [[:append :x 1]], :process 0, :time 21, :index 3, :error :conflict}
{:type :invoke, :f :txn, :value [[:r 1 nil] [:w 3 9]], :process 2, :time 30, :index 4}
{:type :info, :f :txn, :value [[:r 1 nil] [:w 3 9]], :process 2, :time 31, :index 5, :error [:timeout]}
)");
  ASSERT_EQ(h.ops.size(), 6u);
  EXPECT_EQ(h.ops[0].txn(), nullptr);  // key :x is not an integer: generic
  ASSERT_NE(h.ops[2].txn(), nullptr);
  EXPECT_EQ((*h.ops[2].txn())[1], (MicroOp{MicroKind::kRead, 2, std::vector<int64_t>{4, 5}}));
  EXPECT_EQ(h.ops[3].type, OpType::kFail);
  EXPECT_TRUE(h.ops[3].extra("error")->is_keyword("conflict"));
  EXPECT_EQ((*h.ops[4].txn())[1], (MicroOp{MicroKind::kWrite, 3, int64_t{9}}));
  EXPECT_EQ(h.ops[5].type, OpType::kInfo);
  // Canonical key order on the way out.
  EXPECT_EQ(edn_line(h.ops[3]),
            "{:index 3, :time 21, :type :fail, :process 0, :f :txn, :value [[:append :x 1]], :error :conflict}\n");
}

TEST(EdnReader, AcceptsRecordTagsMultiLineFormsCommentsAndDiscards) {  // [edn-r.4]
  History h = read_ok(R"(; a Jepsen history
#jepsen.history.Op{:index 5, :time 10, :type :ok, :process 0, :f :txn, :value [[:r 1 [1]]]}
{:index 6,
 :time 11, ; the completion
 :type :invoke,,, :process 3
 :f :txn
 :value [[:append 1 #_ 99 2]]
 #_ :ignored #_ [1 2] }
#_{:index 99 :type :ok}
#knossos.op.Op {:index 7 :type :info :process 3 :f :txn :value nil})");
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[0].index, 5);
  EXPECT_EQ(h.ops[1].index, 6);
  EXPECT_EQ((*h.ops[1].txn())[0], (MicroOp{MicroKind::kAppend, 1, int64_t{2}}));
  EXPECT_TRUE(h.ops[1].extras.empty());
  EXPECT_EQ(h.ops[2].type, OpType::kInfo);
}

TEST(EdnReader, StreamsAHistoryWrittenAsOneVector) {
  History h = read_ok("[{:type :invoke, :process 0, :f :read}\n {:type :ok, :process 0, :f :read, :value 3}]\n");
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[1].index, 1);
  EXPECT_EQ(h.ops[1].generic_value(), Value::integer(3));
  EXPECT_TRUE(read_ok("()").ops.empty());
}

TEST(EdnReader, ReadsTheMetadataComment) {  // [edn-r.3]
  History h = read_ok(";; generated\n; faultline-meta {:durability :acked, :isolation :serializable}\n"
                      "{:type :invoke, :process 0}\n; faultline-meta {:durability :none}\n");
  EXPECT_TRUE(h.meta.get("durability")->is_keyword("acked"));  // the later comment is only a comment
  EXPECT_TRUE(h.meta.get("isolation")->is_keyword("serializable"));
  EXPECT_TRUE(read_ok("; faultline-metadata {:a 1}\n").meta.empty());
}

TEST(EdnReader, ReadsNumbers) {
  History h =
      read_ok("{:type :ok, :value [+5 -0 42N -9223372036854775808 9223372036854775807 1.5 -0.0 1e3 2.5E-3 1.]}");
  EXPECT_EQ(to_edn(h.ops[0].generic_value()),
            "[5 0 42 -9223372036854775808 9223372036854775807 1.5 -0.0 1000.0 0.0025 1.0]");
}

TEST(EdnReader, KeepsProcessAbsentWhenMissing) {
  History h = read_ok("{:type :invoke}");
  EXPECT_FALSE(h.ops[0].process.present());
  EXPECT_TRUE(h.ops[0].f.empty());
  EXPECT_EQ(edn_line(h.ops[0]), "{:index 0, :time 0, :type :invoke, :value nil}\n");
}

TEST(EdnReader, CallbackErrorsStopTheReader) {
  std::istringstream in{std::string(kArchitectureExample)};
  int seen = 0;
  Status s = read_edn(in, nullptr, [&](Op&&) {
    seen++;
    return seen == 2 ? Status::conflict("test", "stop") : Status::success();
  });
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_EQ(seen, 2);
}

TEST(EdnReader, MissingFileIsNotFound) {
  EXPECT_EQ(read_edn_file("/nonexistent/faultline/history.edn").status().code(), Code::kNotFound);
}

TEST(EdnReader, ParseEdnValueTakesExactlyOneForm) {
  EXPECT_EQ(*parse_edn_value("  ; c\n #_ 1 [1 2] ; done"), Value::vector({Value::integer(1), Value::integer(2)}));
  EXPECT_EQ(parse_edn_value("1 2").status().message(), "line 1, column 3: unexpected '2' after the form");
  EXPECT_EQ(parse_edn_value("").status().message(), "line 1, column 1: expected a form, found end of input");
}

}  // namespace
}  // namespace fl::history
