// The EDN writer: exact bytes for the ARCHITECTURE.md example and for every
// Value kind ([edn-w.1] to [edn-w.3]).
#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include "history/edn_writer.h"

namespace fl::history {
namespace {

Op txn_op(int64_t index, int64_t time, OpType type, Txn txn) {
  Op op;
  op.index = index;
  op.time = time;
  op.type = type;
  op.process = Process::integer(0);
  op.f = "txn";
  op.value = std::move(txn);
  return op;
}

TEST(EdnWriter, WritesTheArchitectureExampleExactly) {
  Op invoke = txn_op(0, 0, OpType::kInvoke, {{MicroKind::kAppend, 3, int64_t{1}}, {MicroKind::kRead, 4, {}}});
  Op ok = txn_op(1, 120, OpType::kOk,
                 {{MicroKind::kAppend, 3, int64_t{1}}, {MicroKind::kRead, 4, std::vector<int64_t>{1, 2}}});
  Op crash;
  crash.index = 2;
  crash.time = 130;
  crash.type = OpType::kInfo;
  crash.process = Process::nemesis();
  crash.f = "crash";
  crash.value = Value::map({MapEntry{Value::keyword("kind"), Value::keyword("power")}});
  EXPECT_EQ(edn_line(invoke),
            "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 3 1] [:r 4 nil]]}\n");
  EXPECT_EQ(edn_line(ok),
            "{:index 1, :time 120, :type :ok, :process 0, :f :txn, :value [[:append 3 1] [:r 4 [1 2]]]}\n");
  EXPECT_EQ(edn_line(crash),
            "{:index 2, :time 130, :type :info, :process :nemesis, :f :crash, :value {:kind :power}}\n");
}

TEST(EdnWriter, OmitsAbsentProcessAndFAndAppendsExtrasInOrder) {  // [op.1], [op.2]
  Op op;
  op.index = 7;
  op.type = OpType::kFail;
  op.extras.push_back(Extra{"error", Value::vector({Value::keyword("timeout"), Value::string("after 5s")})});
  op.extras.push_back(Extra{"node", Value::string("n1")});
  EXPECT_EQ(edn_line(op),
            "{:index 7, :time 0, :type :fail, :value nil, :error [:timeout \"after 5s\"], :node \"n1\"}\n");
}

TEST(EdnWriter, WritesEveryValueKind) {
  EXPECT_EQ(to_edn(Value::nil()), "nil");
  EXPECT_EQ(to_edn(Value::boolean(true)), "true");
  EXPECT_EQ(to_edn(Value::integer(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(to_edn(Value::keyword("jepsen.history/op")), ":jepsen.history/op");
  EXPECT_EQ(to_edn(Value::list({Value::integer(1), Value::nil()})), "(1 nil)");
  EXPECT_EQ(to_edn(Value::set({Value::integer(2), Value::integer(1)})), "#{2 1}");
  EXPECT_EQ(to_edn(Value::map({})), "{}");
  EXPECT_EQ(to_edn(Value::map({MapEntry{Value::integer(1), Value::vector({})},
                               MapEntry{Value::string("k"), Value::set({})}})),
            "{1 [], \"k\" #{}}");
}

TEST(EdnWriter, EscapesStringsOntoOneLine) {  // [edn-w.3]
  EXPECT_EQ(to_edn(Value::string("a\"b\\c\nd\te\rf\bg\fh")), R"("a\"b\\c\nd\te\rf\bg\fh")");
  EXPECT_EQ(to_edn(Value::string(std::string("\0\x01\x1f", 3))), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(to_edn(Value::string("del\x7f")), "\"del\x7f\"");  // not a control byte below 0x20: as is
  EXPECT_EQ(to_edn(Value::string("caf\xc3\xa9 \xf0\x9f\x98\x80")), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
}

TEST(EdnWriter, WritesDoublesInShortestFormThatReadsAsADouble) {  // [edn-w.1]
  EXPECT_EQ(to_edn(Value::real(1.5)), "1.5");
  EXPECT_EQ(to_edn(Value::real(1.0)), "1.0");
  EXPECT_EQ(to_edn(Value::real(-0.0)), "-0.0");
  EXPECT_EQ(to_edn(Value::real(1e100)), "1e+100");
  EXPECT_EQ(to_edn(Value::real(0.1)), "0.1");
  EXPECT_EQ(to_edn(Value::real(5e-324)), "5e-324");
  EXPECT_EQ(to_edn(Value::real(123456789012345680.0)), "123456789012345680.0");
}

TEST(EdnWriter, MetadataIsALeadingCommentLine) {  // [history.2]
  History h;
  h.meta.set("durability", Value::keyword("acked"));
  h.meta.set("isolation", Value::keyword("serializable"));
  h.meta.set("workload", Value::string("list-append v2"));
  h.ops.push_back(txn_op(0, 0, OpType::kInvoke, {}));
  EXPECT_EQ(to_edn(h),
            "; faultline-meta {:durability :acked, :isolation :serializable, :workload \"list-append v2\"}\n"
            "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value []}\n");
  std::ostringstream out;
  ASSERT_TRUE(write_edn(out, h).ok());
  EXPECT_EQ(out.str(), to_edn(h));
}

TEST(EdnWriter, ReportsAFailingStream) {
  History h;
  h.ops.push_back(txn_op(0, 0, OpType::kInvoke, {}));
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  Status s = write_edn(out, h, "out.edn");
  EXPECT_EQ(s.code(), Code::kIoError);
}

TEST(EdnWriterDeathTest, RefusesValuesTheReaderWouldReject) {
  Value deep = Value::nil();
  for (int i = 0; i < 64; i++) deep = Value::vector({deep});
  Op op;
  op.value = deep;  // level 2 .. 65 under the op map
  EXPECT_DEATH((void)edn_line(op), "FL_ASSERT");
  Op field_extra;
  field_extra.extras.push_back(Extra{"type", Value::nil()});
  EXPECT_DEATH((void)edn_line(field_extra), "FL_ASSERT");
}

}  // namespace
}  // namespace fl::history
