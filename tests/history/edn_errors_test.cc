// Malformed EDN: every error is kInvalidArgument naming the line and column
// of the problem ([edn-r.2]); nothing crashes or asserts.
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <streambuf>

#include "history/edn_reader.h"
#include "history/limits.h"

namespace fl::history {
namespace {

// The message of reading `text`, which must fail with kInvalidArgument.
std::string error_of(std::string_view text) {
  Result<History> h = read_edn(text, "h.edn");
  if (h.ok()) return "<no error>";
  EXPECT_EQ(h.status().code(), Code::kInvalidArgument) << h.status().to_string();
  return std::string(h.status().message());
}

constexpr std::string_view kGoodLine = "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value []}\n";

std::string after_good_line(std::string_view text) { return std::string(kGoodLine) + std::string(text); }

TEST(EdnErrors, StatusNamesTheSource) {
  EXPECT_EQ(read_edn("{", "run-7/history.edn").status().to_string(),
            "invalid-argument: run-7/history.edn: line 1, column 2: expected '}' to close '{' opened at line 1, "
            "column 1, found end of input");
}

TEST(EdnErrors, UnterminatedStringNamesWhereItOpened) {
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :error \"abc\n  def")),
            "line 2, column 20: unterminated string (input ends at line 3, column 6)");
}

TEST(EdnErrors, UnbalancedBrackets) {
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :value [1 2}")),
            "line 2, column 24: expected ']' to close '[' opened at line 2, column 20, found '}'");
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :value #{(1 2]}}")),
            "line 2, column 26: expected ')' to close '(' opened at line 2, column 22, found ']'");
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :value [1\n2")),
            "line 3, column 2: expected ']' to close '[' opened at line 2, column 20, found end of input");
  EXPECT_EQ(error_of(after_good_line("]")), "line 2, column 1: unexpected ']' with no matching opening bracket");
  EXPECT_EQ(error_of("[{:type :ok}"), "line 1, column 1: the history's opening '[' is not closed at end of input");
  EXPECT_EQ(error_of("[{:type :ok}] {:type :ok}"),
            "line 1, column 15: unexpected form after the history's closing bracket");
}

TEST(EdnErrors, BadKeywords) {
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :f :1x}")), "line 2, column 16: invalid keyword :1x");
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :f ::txn}")),
            "line 2, column 16: auto-resolved keywords (::txn) are not supported");
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :f : }")), "line 2, column 16: expected a keyword name after ':'");
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :f :a/b/c}")), "line 2, column 16: invalid keyword :a/b/c");
  EXPECT_EQ(error_of(after_good_line("{:type :ok, :f :caf\xc3\xa9}")),
            "line 2, column 16: invalid keyword :caf\\xc3\\xa9");
}

TEST(EdnErrors, MissingOrUnknownTypeNamesTheOperation) {
  EXPECT_EQ(error_of(after_good_line("\n  {:index 1, :process 0, :f :txn}")),
            "line 3, column 3: operation has no :type");
  EXPECT_EQ(error_of(after_good_line("{:type :done}")),
            "line 2, column 1: unknown :type :done (expected :invoke, :ok, :fail or :info)");
  EXPECT_EQ(error_of(after_good_line("{:type \"ok\"}")),
            "line 2, column 1: unknown :type \"ok\" (expected :invoke, :ok, :fail or :info)");
}

TEST(EdnErrors, BadFieldTypesNameTheOperation) {
  EXPECT_EQ(error_of("{:type :ok, :index \"3\"}"), "line 1, column 1: :index must be an integer, found string \"3\"");
  EXPECT_EQ(error_of("{:type :ok, :time 1.5}"), "line 1, column 1: :time must be an integer, found double 1.5");
  EXPECT_EQ(error_of("{:type :ok, :process nil}"),
            "line 1, column 1: :process must be an integer or a keyword such as :nemesis, found nil nil");
  EXPECT_EQ(error_of("{:type :ok, :f \"txn\"}"), "line 1, column 1: :f must be a keyword, found string \"txn\"");
  EXPECT_EQ(error_of("{:type :ok, \"node\" 1}"), "line 1, column 1: operation key \"node\" is not a keyword");
  EXPECT_EQ(error_of("[1 2]"), "line 1, column 2: expected an operation map, found integer");
  EXPECT_EQ(error_of(":ok"), "line 1, column 1: expected an operation map, found keyword");
}

TEST(EdnErrors, GarbageBytes) {
  EXPECT_EQ(error_of(after_good_line("{:type :ok} \xff\xfe")), "line 2, column 13: unexpected byte 0xff");
  EXPECT_EQ(error_of(std::string("{:type :ok, :value \x01}")), "line 1, column 20: unexpected byte 0x01");
  EXPECT_EQ(error_of("{:type :ok, :value @x}"), "line 1, column 20: unexpected '@'");
  EXPECT_EQ(error_of(std::string("{:type :ok}\0", 12)), "line 1, column 12: unexpected byte 0x00");
}

TEST(EdnErrors, DeepNestingIsBounded) {
  std::string deep = "{:type :ok, :value ";
  for (int i = 0; i < kNestingDepthMax; i++) deep += '[';
  EXPECT_EQ(error_of(deep), "line 1, column 83: nesting deeper than 64 levels");  // 20 + 63: the 65th level
  std::string ok = "{:type :ok, :value ";
  for (int i = 1; i < kNestingDepthMax; i++) ok += '[';
  for (int i = 1; i < kNestingDepthMax; i++) ok += ']';
  EXPECT_EQ(error_of(ok + "}"), "<no error>");
  // A million openers: rejected at level 65, no stack overflow. The first
  // '[' or '(' is the history's wrapper, which is not a level of any op.
  EXPECT_EQ(error_of(std::string(1000000, '[')), "line 1, column 66: nesting deeper than 64 levels");
  EXPECT_EQ(error_of(std::string(1000000, '(')), "line 1, column 66: nesting deeper than 64 levels");
  EXPECT_EQ(error_of(std::string(1000000, '{')), "line 1, column 65: nesting deeper than 64 levels");
  EXPECT_EQ(error_of("{:type :ok, :value " + std::string(1000000, '#')),
            "line 1, column 20: symbolic values (##Inf, ##NaN) are not supported");
}

TEST(EdnErrors, DiscardChainsAreIterative) {
  std::string chain;
  for (int i = 0; i < 200000; i++) chain += "#_";
  EXPECT_EQ(error_of(chain), "line 1, column 399999: expected a form after #_, found end of input");
  EXPECT_EQ(error_of("[{:type :ok} #_]"), "line 1, column 14: expected a form after #_, found ']'");
}

TEST(EdnErrors, BadStrings) {
  EXPECT_EQ(error_of(R"({:type :ok, :value "a\qb"})"),
            R"(line 1, column 22: invalid escape \q in string (expected one of \" \\ \n \t \r \b \f \uXXXX))");
  EXPECT_EQ(error_of(R"({:type :ok, :value "\u12"})"), "line 1, column 21: \\u needs four hexadecimal digits");
  EXPECT_EQ(error_of(R"({:type :ok, :value "\ud800x"})"), "line 1, column 21: unpaired surrogate in \\u escape");
  EXPECT_EQ(error_of(R"({:type :ok, :value "\udc00"})"), "line 1, column 21: unpaired surrogate in \\u escape");
  EXPECT_EQ(error_of("{:type :ok, :value \"ok \xc3\x28\"}"),
            "line 1, column 24: invalid UTF-8 in string (byte 0xc3 then '(')");
  EXPECT_EQ(error_of("{:type :ok, :value \"\xed\xa0\x80\"}"),
            "line 1, column 21: invalid UTF-8 in string (byte 0xed then byte 0xa0)");
}

TEST(EdnErrors, DuplicatesAndOddMaps) {
  EXPECT_EQ(error_of("{:type :ok, :value #{1 2 1}}"), "line 1, column 26: duplicate set element");
  EXPECT_EQ(error_of("{:type :ok, :type :ok}"), "line 1, column 13: duplicate map key");
  EXPECT_EQ(error_of("{:type :ok, :value {:a}}"),
            "line 1, column 23: map has an odd number of forms (a key without a value)");
}

TEST(EdnErrors, UnsupportedForms) {
  auto value_error = [](std::string_view form) { return error_of("{:type :ok, :value " + std::string(form) + "}"); };
  EXPECT_EQ(value_error("foo"), "line 1, column 20: symbol foo is not supported (only nil, true and false)");
  EXPECT_EQ(value_error("\\a"), "line 1, column 20: character literals (\\c) are not supported");
  EXPECT_EQ(value_error("#inst \"2024\""),
            "line 1, column 20: tagged literal #inst is not supported (only record tags such as #jepsen.history.Op "
            "before a map)");
  EXPECT_EQ(value_error("#a.B [1]"), "line 1, column 25: expected '{' after record tag #a.B, found '['");
  EXPECT_EQ(value_error("##NaN"), "line 1, column 20: symbolic values (##Inf, ##NaN) are not supported");
  EXPECT_EQ(value_error("#\"re\""), "line 1, column 20: regular expressions (#\"...\") are not supported");
  EXPECT_EQ(value_error("1/2"), "line 1, column 20: ratio 1/2 is not supported");
  EXPECT_EQ(value_error("1.5M"), "line 1, column 20: big decimal 1.5M is not supported");
  EXPECT_EQ(value_error("007"), "line 1, column 20: invalid number 007 (leading zero)");
  EXPECT_EQ(value_error("0x1F"), "line 1, column 20: invalid number 0x1F");
  EXPECT_EQ(value_error("1.5N"), "line 1, column 20: invalid number 1.5N");
  EXPECT_EQ(value_error("1e"), "line 1, column 20: invalid number 1e");
  EXPECT_EQ(value_error("9223372036854775808"),
            "line 1, column 20: integer 9223372036854775808 does not fit in 64 bits (big integers are not supported)");
  EXPECT_EQ(value_error("1e400"), "line 1, column 20: number 1e400 is out of range for a double");
}

TEST(EdnErrors, BadMetadataLines) {
  EXPECT_EQ(error_of("; faultline-meta {:a 1\n"),
            "line 1, column 23: expected '}' to close '{' opened at line 1, column 18, found end of input");
  EXPECT_EQ(error_of("; faultline-meta [1]\n"), "line 1, column 18: expected a map after faultline-meta, found '['");
  EXPECT_EQ(error_of("; faultline-meta {\"a\" 1}\n"), "line 1, column 18: metadata key \"a\" is not a keyword");
  EXPECT_EQ(error_of("; faultline-meta {:a 1} x\n"), "line 1, column 25: unexpected 'x' after the metadata map");
  EXPECT_EQ(error_of("; faultline-meta {:a 1}\n;faultline-meta {:b 2}\n"),
            "line 2, column 1: a second faultline-meta line");
}

TEST(EdnErrors, TooManyValuesInOneForm) {
  std::string text = "{:type :ok, :value [";
  for (size_t i = 0; i < kOpValuesMax; i++) text += "0 ";
  text += "]}";
  std::string message = error_of(text);
  EXPECT_NE(message.find("more than 1048576 values in one form"), std::string::npos) << message;
}

// A streambuf whose device fails after `good` bytes.
class FailingBuf : public std::streambuf {
 public:
  explicit FailingBuf(std::string good) : good_(std::move(good)) {
    setg(good_.data(), good_.data(), good_.data() + good_.size());
  }

 protected:
  int_type underflow() override { throw std::runtime_error("EIO"); }

 private:
  std::string good_;
};

// std::istream turns the exception into badbit. (libstdc++ also drops the
// bytes of that read, so how many operations arrived first is not tested.)
TEST(EdnErrors, AFailingStreamIsAnIoErrorNotATruncatedFile) {
  FailingBuf buf(std::string(kGoodLine) + "{:type :ok, :value [1 2");
  std::istream in(&buf);
  Status s = read_edn(in, nullptr, [](Op&&) { return Status::success(); }, "dev.edn");
  EXPECT_EQ(s.to_string(), "io-error: dev.edn: EIO");
}

}  // namespace
}  // namespace fl::history
