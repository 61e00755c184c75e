// Tests for base/status.h: [status.1]..[status.4] and the FL_TRY /
// FL_ASSIGN_OR_RETURN macros.
#include "base/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <string>
#include <vector>

namespace fl {
namespace {

TEST(Status, DefaultAndSuccessAreOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), Code::kOk);
  EXPECT_EQ(status.err(), 0);
  EXPECT_FALSE(status.injected());
  EXPECT_EQ(status.to_string(), "ok");
  EXPECT_EQ(status.message(), "");
  EXPECT_TRUE(Status::success().ok());
  EXPECT_TRUE(Status::success().is(Code::kOk));
}

// [status.1]: a success is one null pointer, no allocation.
TEST(Status, SuccessIsOnePointer) {
  static_assert(sizeof(Status) == sizeof(void*));
}

TEST(Status, FactoriesSetTheirCode) {
  EXPECT_EQ(Status::not_found("a", "b").code(), Code::kNotFound);
  EXPECT_EQ(Status::corruption("a", "b").code(), Code::kCorruption);
  EXPECT_EQ(Status::io_error("a", EIO).code(), Code::kIoError);
  EXPECT_EQ(Status::invalid_argument("a", "b").code(), Code::kInvalidArgument);
  EXPECT_EQ(Status::not_supported("a", "b").code(), Code::kNotSupported);
  EXPECT_EQ(Status::conflict("a", "b").code(), Code::kConflict);
  EXPECT_EQ(Status::poisoned("a", "b").code(), Code::kPoisoned);
  EXPECT_EQ(Status::busy("a", "b").code(), Code::kBusy);
  for (const Status& status :
       {Status::not_found("a"), Status::corruption("a", "b"), Status::io_error("a", EIO),
        Status::busy("a", "b")}) {
    EXPECT_FALSE(status.ok()) << status.to_string();
  }
}

// [status.2]: the codes, and their names, are distinct; corruption, I/O error
// and not-found are never the same thing.
TEST(Status, CodesAndNamesAreDistinct) {
  const std::vector<Code> codes = {Code::kOk,         Code::kNotFound,        Code::kCorruption,
                                   Code::kIoError,    Code::kNoSpace,         Code::kInvalidArgument,
                                   Code::kNotSupported, Code::kConflict,      Code::kPoisoned,
                                   Code::kBusy};
  std::set<Code> code_set(codes.begin(), codes.end());
  std::set<std::string_view> names;
  for (Code code : codes) names.insert(code_name(code));
  EXPECT_EQ(code_set.size(), codes.size());
  EXPECT_EQ(names.size(), codes.size());
  EXPECT_EQ(names.count("unknown"), 0u);
  EXPECT_NE(Status::corruption("f", "crc").code(), Status::io_error("f", EIO).code());
  EXPECT_NE(Status::corruption("f", "crc").code(), Status::not_found("f").code());
  EXPECT_NE(Status::io_error("f", EIO).code(), Status::not_found("f").code());
}

TEST(Status, IoErrorKeepsErrnoAndNoSpaceIsItsOwnCode) {
  Status eio = Status::io_error("db/wal", EIO);
  EXPECT_EQ(eio.err(), EIO);
  EXPECT_EQ(eio.to_string(), "io-error: db/wal: EIO");
  Status full = Status::io_error("db/wal", ENOSPC);
  EXPECT_EQ(full.code(), Code::kNoSpace);
  EXPECT_EQ(full.err(), ENOSPC);
  EXPECT_EQ(full.message(), "ENOSPC");
  // An errno without a name still says which one it was.
  EXPECT_NE(Status::io_error("x", EPIPE).to_string().find(std::to_string(EPIPE)), std::string::npos);
}

// [status.3]
TEST(Status, InjectedFlagIsKeptAndShown) {
  Status real = Status::io_error("db/wal", EIO);
  Status injected = Status::io_error("db/wal", EIO, /*injected=*/true);
  EXPECT_FALSE(real.injected());
  EXPECT_TRUE(injected.injected());
  EXPECT_EQ(real.code(), injected.code());
  EXPECT_EQ(injected.to_string(), "io-error: db/wal: EIO (injected)");
  EXPECT_FALSE(Status::not_found("x").injected());
}

TEST(Status, CopyAndMoveKeepTheError) {
  Status original = Status::corruption("page 7", "bad crc");
  Status copy = original;
  EXPECT_EQ(copy.code(), Code::kCorruption);
  EXPECT_EQ(copy.to_string(), "corruption: page 7: bad crc");
  EXPECT_EQ(original.to_string(), copy.to_string());
  Status assigned;
  assigned = copy;
  EXPECT_EQ(assigned.code(), Code::kCorruption);
  Status moved = std::move(copy);
  EXPECT_EQ(moved.code(), Code::kCorruption);
  assigned = Status::success();
  EXPECT_TRUE(assigned.ok());
}

TEST(Result, HoldsAValue) {
  Result<int> result(42);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.status().ok());
  EXPECT_EQ(result.value(), 42);
  EXPECT_EQ(*result, 42);
  *result = 7;
  EXPECT_EQ(result.value(), 7);
  Result<std::string> text(std::string("abc"));
  EXPECT_EQ(text->size(), 3u);
  EXPECT_TRUE(text.take_status().ok());
}

// [status.4]
TEST(Result, HoldsAnError) {
  Result<int> result(Status::not_found("k"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kNotFound);
  Status taken = result.take_status();
  EXPECT_EQ(taken.code(), Code::kNotFound);
}

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  Result<int> result(Status::io_error("x", EIO));
  EXPECT_DEATH((void)result.value(), "FL_ASSERT failed");
}

TEST(ResultDeathTest, ResultFromSuccessAborts) {
  EXPECT_DEATH({ Result<int> result{Status::success()}; (void)result; }, "FL_ASSERT failed");
}

Status step(bool fail, int& reached) {
  ++reached;
  return fail ? Status::io_error("step", EIO) : Status::success();
}

Status two_steps(bool fail_first, int& reached) {
  FL_TRY(step(fail_first, reached));
  FL_TRY(step(false, reached));
  return Status::success();
}

TEST(Status, TryReturnsTheFirstError) {
  int reached = 0;
  EXPECT_TRUE(two_steps(false, reached).ok());
  EXPECT_EQ(reached, 2);
  reached = 0;
  Status status = two_steps(true, reached);
  EXPECT_EQ(status.code(), Code::kIoError);
  EXPECT_EQ(status.err(), EIO);
  EXPECT_EQ(reached, 1);
}

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return Status::invalid_argument("digit", std::string(1, c));
  return c - '0';
}

Result<int> add_digits(char a, char b) {
  FL_ASSIGN_OR_RETURN(int first, parse_digit(a));
  FL_ASSIGN_OR_RETURN(int second, parse_digit(b));  // two on adjacent lines must not clash
  return first + second;
}

TEST(Result, AssignOrReturnPropagates) {
  Result<int> sum = add_digits('3', '4');
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 7);
  Result<int> bad = add_digits('3', 'x');
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "x");
}

}  // namespace
}  // namespace fl
