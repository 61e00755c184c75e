// PosixVfs against the MemVfs model: any sequence of operations gives the
// same results on both ([posix.2]; tests/faultvfs/vfs_gen.h has the method).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "faultvfs/mem_vfs.h"
#include "faultvfs/posix_vfs.h"
#include "tests/faultvfs/temp_dir.h"
#include "tests/faultvfs/vfs_gen.h"

namespace fl::faultvfs {
namespace {

RC_GTEST_PROP(PosixVfs, BehavesLikeMemVfs, ()) {
  const std::vector<gen::VfsOp> ops = *gen::gen_vfs_ops();
  TempDir dir;
  MemVfs model;
  PosixVfs subject(dir.path());
  gen::compare_vfs(model, subject, ops);
}

// Runs compare_vfs once as a property and returns its failure description,
// or "" when it passed.
std::string compare_failure(Vfs& model, Vfs& subject, const std::vector<gen::VfsOp>& ops) {
  const rc::detail::TestResult result =
      rc::detail::checkTestable([&] { gen::compare_vfs(model, subject, ops); });
  if (!result.is<rc::detail::FailureResult>()) return "";
  return result.get<rc::detail::FailureResult>().description;
}

gen::VfsOp make_op(gen::VfsOpKind kind, std::string path) {
  gen::VfsOp op;
  op.kind = kind;
  op.path = std::move(path);
  return op;
}

// The harness itself must be able to fail, and name the op that differed.
TEST(PosixVfs, CompareVfsCatchesDifferentBytes) {
  TempDir dir;
  MemVfs model;
  PosixVfs subject(dir.path());
  ASSERT_TRUE(write_all(model, "a", as_bytes("model")).ok());
  ASSERT_TRUE(write_all(subject, "a", as_bytes("other")).ok());
  gen::VfsOp open = make_op(gen::VfsOpKind::kOpen, "a");
  gen::VfsOp read;
  read.kind = gen::VfsOpKind::kRead;
  read.size_bytes = 10;
  const std::string failure = compare_failure(model, subject, {open, read});
  EXPECT_NE(failure.find("op 1 (read #0 @0 +10)"), std::string::npos) << failure;
}

TEST(PosixVfs, CompareVfsCatchesDifferentListings) {
  TempDir dir;
  MemVfs model;
  PosixVfs subject(dir.path());
  ASSERT_TRUE(subject.mkdir("d0").ok());
  const std::string failure = compare_failure(
      model, subject, {make_op(gen::VfsOpKind::kExists, "a"), make_op(gen::VfsOpKind::kList, "")});
  EXPECT_NE(failure.find("op 1 (list \"\")"), std::string::npos) << failure;
}

TEST(PosixVfs, CompareVfsCatchesDifferentFinalTrees) {
  TempDir dir;
  MemVfs model;
  PosixVfs subject(dir.path());
  ASSERT_TRUE(write_all(subject, "d", as_bytes("only here")).ok());
  const std::string failure = compare_failure(model, subject, {});
  EXPECT_NE(failure.find("final trees differ"), std::string::npos) << failure;
}

TEST(PosixVfs, CompareVfsPassesOnEqualVfs) {
  TempDir dir;
  MemVfs model;
  PosixVfs subject(dir.path());
  gen::VfsOp open = make_op(gen::VfsOpKind::kOpen, "d0/a");
  open.mode = OpenMode::kCreate;
  gen::VfsOp write;
  write.kind = gen::VfsOpKind::kWrite;
  write.offset_bytes = 100;
  write.size_bytes = 10;
  EXPECT_EQ(compare_failure(model, subject,
                            {make_op(gen::VfsOpKind::kMkdir, "d0"), open, write,
                             make_op(gen::VfsOpKind::kList, "d0")}),
            "");
}

}  // namespace
}  // namespace fl::faultvfs
