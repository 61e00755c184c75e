// Operations: the typed micro-op view ([op.3]) and semantic equality ([op.4]).
#include <gtest/gtest.h>

#include "history/edn_reader.h"
#include "history/op.h"

namespace fl::history {
namespace {

Value edn(std::string_view text) {
  Result<Value> v = parse_edn_value(text);
  EXPECT_TRUE(v.ok()) << v.status().to_string();
  return v.ok() ? *v : Value();
}

TEST(Txn, DecodesListAppendAndRegisterMicroOps) {
  std::optional<Txn> txn = txn_from_value(edn("[[:append 3 1] [:r 4 nil] [:r 5 [1 2]] [:w 6 7] [:r 6 7]]"));
  ASSERT_TRUE(txn.has_value());
  ASSERT_EQ(txn->size(), 5u);
  EXPECT_EQ((*txn)[0], (MicroOp{MicroKind::kAppend, 3, int64_t{1}}));
  EXPECT_EQ((*txn)[1], (MicroOp{MicroKind::kRead, 4, std::monostate{}}));
  EXPECT_EQ((*txn)[2], (MicroOp{MicroKind::kRead, 5, std::vector<int64_t>{1, 2}}));
  EXPECT_EQ((*txn)[3], (MicroOp{MicroKind::kWrite, 6, int64_t{7}}));
  EXPECT_EQ((*txn)[4], (MicroOp{MicroKind::kRead, 6, int64_t{7}}));
}

TEST(Txn, EmptyVectorIsAnEmptyTransaction) {
  std::optional<Txn> txn = txn_from_value(edn("[]"));
  ASSERT_TRUE(txn.has_value());
  EXPECT_TRUE(txn->empty());
}

TEST(Txn, OtherShapesStayGeneric) {
  for (const char* text : {"nil", "{:kind :power}", "([:append 1 2])", "[(:append 1 2)]", "[[:append 1]]",
                           "[[:append 1 2 3]]", "[[:cas 1 2]]", "[[\"append\" 1 2]]", "[[:append :x 2]]",
                           "[[:r 1 (1 2)]]", "[[:r 1 [1 :a]]]", "[[:r 1 #{1}]]", "[[:r 1 1.5]]",
                           "[[:append 1 2] 3]", "#{[:r 1 nil]}", "[1 2 3]"}) {
    EXPECT_FALSE(txn_from_value(edn(text)).has_value()) << text;
  }
}

TEST(Txn, EncodesBackToTheSameValue) {  // [op.3]
  Value v = edn("[[:append 3 1] [:r 4 nil] [:r 5 [1 2]] [:w 6 -7]]");
  std::optional<Txn> txn = txn_from_value(v);
  ASSERT_TRUE(txn.has_value());
  EXPECT_EQ(txn_to_value(*txn), v);
}

TEST(Op, SetValueChoosesTheTypedFormWhenItFits) {
  Op op;
  op.set_value(edn("[[:append 1 2]]"));
  ASSERT_NE(op.txn(), nullptr);
  EXPECT_EQ(op.txn()->size(), 1u);
  op.set_value(edn("{:kind :power}"));
  EXPECT_EQ(op.txn(), nullptr);
  EXPECT_EQ(op.generic_value(), edn("{:kind :power}"));
}

TEST(Op, EqualityComparesTypedAndGenericValuesSemantically) {  // [op.4]
  Op typed;
  typed.set_value(edn("[[:r 1 [1 2]]]"));
  Op generic;
  generic.value = edn("[[:r 1 [1 2]]]");
  EXPECT_EQ(typed, generic);
  generic.value = edn("[[:r 1 [1 3]]]");
  EXPECT_NE(typed, generic);
}

TEST(Op, ExtraLooksUpByKey) {
  Op op;
  op.extras.push_back(Extra{"error", Value::keyword("timeout")});
  ASSERT_NE(op.extra("error"), nullptr);
  EXPECT_TRUE(op.extra("error")->is_keyword("timeout"));
  EXPECT_EQ(op.extra("node"), nullptr);
}

TEST(Process, KindsAndNemesis) {
  EXPECT_FALSE(Process().present());
  EXPECT_EQ(Process::integer(3).id(), std::optional<int64_t>(3));
  EXPECT_TRUE(Process::nemesis().is_nemesis());
  EXPECT_FALSE(Process::keyword("other").is_nemesis());
  EXPECT_EQ(Process::keyword("other").id(), std::nullopt);
  EXPECT_NE(Process::integer(0), Process());
}

TEST(OpType, NamesRoundTrip) {
  for (OpType type : {OpType::kInvoke, OpType::kOk, OpType::kFail, OpType::kInfo}) {
    EXPECT_EQ(op_type_from_name(op_type_name(type)), type);
  }
  EXPECT_EQ(op_type_from_name("okay"), std::nullopt);
}

}  // namespace
}  // namespace fl::history
