// Streaming: both readers take a long history through the callback without
// holding it ([edn-r.1], [jsonl-r.1]), and the EDN lexer's two-byte
// lookahead works across the reader's chunk boundaries.
#include <gtest/gtest.h>

#include <sstream>
#include <streambuf>

#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "history/jsonl_reader.h"
#include "history/jsonl_writer.h"
#include "history/limits.h"

namespace fl::history {
namespace {

// Enough to cross many reader chunks; a 200k-op run takes well under a
// second in Release but tens of seconds in the Debug and ASan CI builds.
constexpr int64_t kStreamedOpCount = 20000;

// Operation i of a synthetic list-append history; every 1000th is a crash.
Op synthetic_op(int64_t i) {
  Op op;
  op.index = i;
  op.time = i * 1000;
  op.type = i % 2 == 0 ? OpType::kInvoke : OpType::kOk;
  if (i % 1000 == 999) {
    op.type = OpType::kInfo;
    op.process = Process::nemesis();
    op.f = "crash";
    op.value = Value::map({MapEntry{Value::keyword("kind"), Value::keyword("power")}});
    return op;
  }
  op.process = Process::integer(i % 10);
  op.f = "txn";
  std::vector<int64_t> read;
  for (int64_t k = 0; k < i % 4; k++) read.push_back(i - k);
  op.value = Txn{{MicroKind::kAppend, i % 7, i}, {MicroKind::kRead, i % 5, std::move(read)}};
  return op;
}

// Produces the history one line at a time, on demand: the text is never
// held in memory either.
class SyntheticHistoryBuf : public std::streambuf {
 public:
  SyntheticHistoryBuf(int64_t op_count, bool jsonl) : op_count_(op_count), jsonl_(jsonl) {}

 protected:
  int_type underflow() override {
    if (gptr() != nullptr && gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (next_ == op_count_) return traits_type::eof();
    Op op = synthetic_op(next_++);
    line_ = jsonl_ ? jsonl_line(op) : edn_line(op);
    setg(line_.data(), line_.data(), line_.data() + line_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  int64_t op_count_;
  bool jsonl_;
  int64_t next_ = 0;
  std::string line_;
};

void expect_streams_every_op(bool jsonl) {
  SyntheticHistoryBuf buf(kStreamedOpCount, jsonl);
  std::istream in(&buf);
  int64_t count = 0;
  int64_t crashes = 0;
  int64_t mismatches = 0;
  auto on_op = [&](Op&& op) {
    if (op.process.is_nemesis()) crashes++;
    if (!(op == synthetic_op(count))) mismatches++;
    count++;
    return Status::success();
  };
  Status s = jsonl ? read_jsonl(in, nullptr, on_op) : read_edn(in, nullptr, on_op);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(count, kStreamedOpCount);
  EXPECT_EQ(crashes, kStreamedOpCount / 1000);
  EXPECT_EQ(mismatches, 0);
}

TEST(Streaming, EdnReaderTakesTwoHundredThousandOpsThroughTheCallback) { expect_streams_every_op(false); }

TEST(Streaming, JsonlReaderTakesTwoHundredThousandOpsThroughTheCallback) { expect_streams_every_op(true); }

TEST(Streaming, LookaheadWorksAcrossChunkBoundaries) {
  // "#_" and a "\ud83d\ude00" surrogate pair are where the lexer peeks two
  // bytes ahead; slide them across the first kReadChunkBytes boundary.
  const std::string op = "{:type :ok, :value \"\\ud83d\\ude00\"} #_ 1\n";
  for (size_t shift = 0; shift < op.size() + 2; shift++) {
    std::string text = std::string(kReadChunkBytes - shift, ' ') + op + op;
    std::istringstream in(text);
    int64_t count = 0;
    Status s = read_edn(in, nullptr, [&](Op&& o) {
      EXPECT_EQ(o.generic_value(), Value::string("\xf0\x9f\x98\x80")) << shift;
      count++;
      return Status::success();
    });
    ASSERT_TRUE(s.ok()) << "shift " << shift << ": " << s.to_string();
    EXPECT_EQ(count, 2) << shift;
  }
}

TEST(Streaming, PositionsStayRightAcrossChunkBoundaries) {
  std::string text;
  int64_t line = 0;
  while (text.size() < 3 * kReadChunkBytes) {
    text += edn_line(synthetic_op(line));
    line++;
  }
  text += "{:type :ok, :value [1 2}\n";
  std::istringstream in(text);
  Status s = read_edn(in, nullptr, [](Op&&) { return Status::success(); });
  EXPECT_EQ(s.message(), "line " + std::to_string(line + 1) +
                             ", column 24: expected ']' to close '[' opened at line " + std::to_string(line + 1) +
                             ", column 20, found '}'");
}

}  // namespace
}  // namespace fl::history
