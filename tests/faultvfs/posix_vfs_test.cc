// Tests for faultvfs/posix_vfs.h ([posix.1]..[posix.6]) on real files in a
// fresh directory under /tmp. posix_vfs_prop_test.cc compares PosixVfs with
// MemVfs on random operation sequences; these tests pin the edge cases by
// name and check what only real files can show (the bytes on disk, the lock
// against another holder, descriptors not leaking).
#include "faultvfs/posix_vfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "faultvfs/disk_image.h"
#include "faultvfs/mem_vfs.h"
#include "tests/faultvfs/temp_dir.h"

namespace fl::faultvfs {
namespace {

class PosixVfsTest : public ::testing::Test {
 protected:
  std::string host_path(std::string_view path) const { return dir_.path() + "/" + std::string(path); }
  std::string host_read(std::string_view path) const {
    std::ifstream in(host_path(path), std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  std::unique_ptr<File> must_open(std::string_view path, OpenMode mode) {
    Result<std::unique_ptr<File>> file = vfs_.open(path, mode);
    EXPECT_TRUE(file.ok()) << path << ": " << file.status().to_string();
    return file.ok() ? std::move(*file) : nullptr;
  }
  std::string read_text(File& file, uint64_t offset, size_t size) {
    std::string out(size, '\0');
    Result<size_t> got = file.read(offset, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
    EXPECT_TRUE(got.ok()) << got.status().to_string();
    out.resize(got.ok() ? *got : 0);
    return out;
  }

  TempDir dir_;
  PosixVfs vfs_{dir_.path()};
};

// Counts this process's open descriptors, to catch leaks ([posix.6]).
int open_fd_count() {
  int count = 0;
  DIR* fds = ::opendir("/proc/self/fd");
  if (fds == nullptr) return -1;
  while (::readdir(fds) != nullptr) ++count;
  ::closedir(fds);
  return count;
}

// [posix.1]
TEST_F(PosixVfsTest, PathsAreUnderTheRoot) {
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  ASSERT_TRUE(write_all(vfs_, "d/f", as_bytes("hello")).ok());
  EXPECT_EQ(host_read("d/f"), "hello");
  EXPECT_TRUE(*vfs_.exists(""));
  EXPECT_EQ(*vfs_.list(""), (std::vector<std::string>{"d"}));
  EXPECT_EQ(vfs_.open("/etc/passwd", OpenMode::kMustExist).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(vfs_.open("../x", OpenMode::kCreate).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(vfs_.list("d/..").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(vfs_.mkdir("a//b").code(), Code::kInvalidArgument);
  EXPECT_EQ(vfs_.remove("").code(), Code::kInvalidArgument);
}

TEST_F(PosixVfsTest, RootWithTrailingSlashIsTheSameRoot) {
  PosixVfs slashed(dir_.path() + "//");
  EXPECT_EQ(slashed.root_dir(), dir_.path());
  ASSERT_TRUE(write_all(slashed, "f", as_bytes("x")).ok());
  EXPECT_EQ(host_read("f"), "x");
}

TEST_F(PosixVfsTest, MissingRootIsNotFound) {
  PosixVfs missing(dir_.path() + "/nope");
  EXPECT_FALSE(*missing.exists(""));
  EXPECT_EQ(missing.list("").status().code(), Code::kNotFound);
  EXPECT_EQ(missing.open("f", OpenMode::kCreate).status().code(), Code::kNotFound);
}

TEST_F(PosixVfsTest, OpenModes) {
  EXPECT_EQ(vfs_.open("a", OpenMode::kMustExist).status().code(), Code::kNotFound);
  auto created = must_open("a", OpenMode::kCreateNew);
  ASSERT_NE(created, nullptr);
  Result<std::unique_ptr<File>> again = vfs_.open("a", OpenMode::kCreateNew);
  EXPECT_EQ(again.status().code(), Code::kIoError);
  EXPECT_EQ(again.status().err(), EEXIST);
  ASSERT_EQ(*created->write(0, as_bytes("hello")), 5u);
  auto reopened = must_open("a", OpenMode::kCreate);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(*reopened->size(), 5u);  // kCreate does not truncate
  EXPECT_EQ(read_text(*reopened, 0, 10), "hello");
}

// [posix.2]: a directory is EISDIR in every mode, including kCreateNew
// where open(2) itself says EEXIST.
TEST_F(PosixVfsTest, OpenOfADirectoryIsEisdirInEveryMode) {
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  for (OpenMode mode : {OpenMode::kMustExist, OpenMode::kCreate, OpenMode::kCreateNew}) {
    Result<std::unique_ptr<File>> file = vfs_.open("d", mode);
    EXPECT_EQ(file.status().code(), Code::kIoError);
    EXPECT_EQ(file.status().err(), EISDIR);
  }
}

// [posix.2]: under a regular file is ENOTDIR when creating, not-found when looking up.
TEST_F(PosixVfsTest, PathsThroughAFile) {
  ASSERT_TRUE(write_all(vfs_, "f", as_bytes("x")).ok());
  EXPECT_EQ(vfs_.open("f/x", OpenMode::kCreate).status().err(), ENOTDIR);
  EXPECT_EQ(vfs_.open("f/x", OpenMode::kCreateNew).status().err(), ENOTDIR);
  EXPECT_EQ(vfs_.open("f/x", OpenMode::kMustExist).status().code(), Code::kNotFound);
  EXPECT_EQ(vfs_.mkdir("f/x").err(), ENOTDIR);
  EXPECT_EQ(vfs_.mkdir("f/x/y").code(), Code::kNotFound);  // the parent f/x does not exist
  EXPECT_EQ(vfs_.open("f/x/y", OpenMode::kCreate).status().code(), Code::kNotFound);
  EXPECT_EQ(vfs_.remove("f/x").code(), Code::kNotFound);
  EXPECT_EQ(vfs_.rename("f/x", "g").code(), Code::kNotFound);
  EXPECT_EQ(vfs_.rename("f", "f/x").err(), ENOTDIR);
  EXPECT_FALSE(*vfs_.exists("f/x"));
  EXPECT_EQ(vfs_.list("f").status().err(), ENOTDIR);
  EXPECT_EQ(vfs_.list("f/x").status().code(), Code::kNotFound);
  EXPECT_EQ(vfs_.sync_dir("f").code(), Code::kNotFound);
}

TEST_F(PosixVfsTest, MissingParentIsNotFound) {
  EXPECT_EQ(vfs_.open("nodir/x", OpenMode::kCreate).status().code(), Code::kNotFound);
  EXPECT_EQ(vfs_.mkdir("nodir/x").code(), Code::kNotFound);
  ASSERT_TRUE(write_all(vfs_, "f", as_bytes("x")).ok());
  EXPECT_EQ(vfs_.rename("f", "nodir/f").code(), Code::kNotFound);
  EXPECT_TRUE(*vfs_.exists("f"));
}

// [posix.3] [vfs.4] [vfs.5]
TEST_F(PosixVfsTest, WritePastEndZeroFillsAndReadPastEndIsEmpty) {
  auto file = must_open("a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(*file->write(4, as_bytes("xy")), 2u);
  EXPECT_EQ(*file->size(), 6u);
  EXPECT_EQ(host_read("a"), std::string("\0\0\0\0xy", 6));
  EXPECT_EQ(read_text(*file, 6, 10), "");
  EXPECT_EQ(read_text(*file, 1'000'000, 10), "");
  EXPECT_EQ(read_text(*file, UINT64_MAX, 10), "");

  std::vector<uint8_t> buffer(8, 0xEE);
  Result<size_t> got = file->read(5, buffer);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 1u);
  EXPECT_EQ(buffer[0], 'y');
  EXPECT_EQ(buffer[1], 0xEE);  // untouched past the count
  EXPECT_EQ(buffer[7], 0xEE);
}

// [vfs.4], [posix.3]: an empty write changes nothing, even past the end.
TEST_F(PosixVfsTest, EmptyWriteChangesNothing) {
  auto file = must_open("a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(*file->write(0, as_bytes("abc")), 3u);
  EXPECT_EQ(*file->write(1, {}), 0u);
  EXPECT_EQ(*file->write(10, {}), 0u);
  EXPECT_EQ(*file->size(), 3u);
  EXPECT_EQ(host_read("a"), "abc");
}

TEST_F(PosixVfsTest, LargeWriteAndReadRoundTrip) {
  Bytes data(3 * 1024 * 1024 + 17);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + (i >> 12));
  auto file = must_open("big", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  size_t done = 0;
  while (done < data.size()) {
    Result<size_t> wrote = file->write(done, ByteView(data).subspan(done));
    ASSERT_TRUE(wrote.ok());
    ASSERT_GT(*wrote, 0u);
    done += *wrote;
  }
  Bytes back(data.size() + 100, 0);
  Result<size_t> got = file->read(0, back);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, data.size());  // [vfs.5]: short only at the end
  back.resize(*got);
  EXPECT_EQ(back, data);
}

TEST_F(PosixVfsTest, TruncateShrinksAndGrows) {
  auto file = must_open("a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->write(0, as_bytes("abcdef")).ok());
  ASSERT_TRUE(file->truncate(2).ok());
  EXPECT_EQ(*file->size(), 2u);
  ASSERT_TRUE(file->truncate(4).ok());
  EXPECT_EQ(host_read("a"), std::string("ab\0\0", 4));
}

// [posix.4]: on a healthy file system the syncs succeed and keep the data.
TEST_F(PosixVfsTest, SyncsSucceed) {
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  auto file = must_open("d/a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->write(0, as_bytes("data")).ok());
  EXPECT_TRUE(file->sync().ok());
  EXPECT_TRUE(file->datasync().ok());
  EXPECT_TRUE(vfs_.sync_dir("d").ok());
  EXPECT_TRUE(vfs_.sync_dir("").ok());
  EXPECT_EQ(vfs_.sync_dir("missing").code(), Code::kNotFound);
  EXPECT_EQ(host_read("d/a"), "data");
}

// [posix.6]
TEST_F(PosixVfsTest, CallsAfterCloseReturnEbadf) {
  auto file = must_open("a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->close().ok());
  // Another open may reuse the descriptor number; the closed File must not touch it.
  auto other = must_open("b", OpenMode::kCreate);
  ASSERT_NE(other, nullptr);
  uint8_t byte = 0;
  EXPECT_EQ(file->read(0, {&byte, 1}).status().err(), EBADF);
  EXPECT_EQ(file->write(0, as_bytes("x")).status().err(), EBADF);
  EXPECT_EQ(file->truncate(0).err(), EBADF);
  EXPECT_EQ(file->sync().err(), EBADF);
  EXPECT_EQ(file->datasync().err(), EBADF);
  EXPECT_EQ(file->size().status().err(), EBADF);
  EXPECT_EQ(file->close().err(), EBADF);
  EXPECT_EQ(*other->size(), 0u);
  EXPECT_EQ(host_read("b"), "");
}

TEST_F(PosixVfsTest, DescriptorsDoNotLeak) {
  const int before = open_fd_count();
  ASSERT_GT(before, 0);
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  for (int i = 0; i < 50; ++i) {
    auto closed = must_open("d/a", OpenMode::kCreate);
    ASSERT_NE(closed, nullptr);
    ASSERT_TRUE(closed->close().ok());
    auto dropped = must_open("d/b", OpenMode::kCreate);  // destroyed without close()
    ASSERT_NE(dropped, nullptr);
    ASSERT_TRUE(vfs_.list("d").ok());
    ASSERT_TRUE(vfs_.sync_dir("d").ok());
    ASSERT_TRUE(vfs_.lock("LOCK").ok());
    ASSERT_TRUE(vfs_.unlock("LOCK").ok());
  }
  EXPECT_EQ(open_fd_count(), before);
}

TEST_F(PosixVfsTest, DescriptorsAreCloseOnExec) {
  auto file = must_open("a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(vfs_.lock("LOCK").ok());
  // The newest descriptors are the two just opened: find them by target.
  int checked = 0;
  DIR* fds = ::opendir("/proc/self/fd");
  ASSERT_NE(fds, nullptr);
  while (const dirent* entry = ::readdir(fds)) {
    char target[4096] = {};
    std::string link = std::string("/proc/self/fd/") + entry->d_name;
    ssize_t length = ::readlink(link.c_str(), target, sizeof target - 1);
    if (length <= 0) continue;
    std::string_view name(target, static_cast<size_t>(length));
    if (name != host_path("a") && name != host_path("LOCK")) continue;
    int flags = ::fcntl(std::stoi(entry->d_name), F_GETFD);
    EXPECT_NE(flags & FD_CLOEXEC, 0) << name;
    ++checked;
  }
  ::closedir(fds);
  EXPECT_EQ(checked, 2);
  ASSERT_TRUE(vfs_.unlock("LOCK").ok());
}

// [vfs.6]: a handle follows its inode, as POSIX open files do.
TEST_F(PosixVfsTest, HandleSurvivesRenameAndRemove) {
  auto file = must_open("a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->write(0, as_bytes("one")).ok());
  ASSERT_TRUE(vfs_.rename("a", "b").ok());
  ASSERT_TRUE(file->write(3, as_bytes("two")).ok());
  EXPECT_EQ(host_read("b"), "onetwo");
  ASSERT_TRUE(vfs_.remove("b").ok());
  EXPECT_FALSE(*vfs_.exists("b"));
  ASSERT_TRUE(file->write(0, as_bytes("ONE")).ok());
  EXPECT_EQ(read_text(*file, 0, 10), "ONEtwo");
  EXPECT_TRUE(file->close().ok());
}

TEST_F(PosixVfsTest, RenameReplacesAndCrossesDirectories) {
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  ASSERT_TRUE(write_all(vfs_, "old", as_bytes("old")).ok());
  ASSERT_TRUE(write_all(vfs_, "new", as_bytes("new")).ok());
  ASSERT_TRUE(vfs_.rename("new", "old").ok());
  EXPECT_EQ(host_read("old"), "new");
  ASSERT_TRUE(vfs_.rename("old", "d/moved").ok());
  EXPECT_EQ(*vfs_.list(""), (std::vector<std::string>{"d"}));
  EXPECT_EQ(*vfs_.list("d"), (std::vector<std::string>{"moved"}));
  EXPECT_TRUE(vfs_.rename("d/moved", "d/moved").ok());
  EXPECT_EQ(host_read("d/moved"), "new");
}

// [posix.2]
TEST_F(PosixVfsTest, RenameFailures) {
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  ASSERT_TRUE(write_all(vfs_, "f", as_bytes("x")).ok());
  EXPECT_EQ(vfs_.rename("missing", "g").code(), Code::kNotFound);
  EXPECT_EQ(vfs_.rename("d", "e").code(), Code::kNotSupported);
  EXPECT_TRUE(*vfs_.exists("d"));
  Status onto_dir = vfs_.rename("f", "d");
  EXPECT_EQ(onto_dir.code(), Code::kIoError);
  EXPECT_EQ(onto_dir.err(), EISDIR);
  EXPECT_EQ(host_read("f"), "x");
}

TEST_F(PosixVfsTest, RemoveFilesAndDirectories) {
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  ASSERT_TRUE(write_all(vfs_, "d/f", as_bytes("x")).ok());
  Status not_empty = vfs_.remove("d");
  EXPECT_EQ(not_empty.code(), Code::kIoError);
  EXPECT_EQ(not_empty.err(), ENOTEMPTY);
  ASSERT_TRUE(vfs_.remove("d/f").ok());
  ASSERT_TRUE(vfs_.remove("d").ok());
  EXPECT_FALSE(*vfs_.exists("d"));
  EXPECT_EQ(vfs_.remove("d").code(), Code::kNotFound);
  struct stat st;
  EXPECT_NE(::stat(host_path("d").c_str(), &st), 0);
}

TEST_F(PosixVfsTest, ListIsSortedWithoutDots) {
  ASSERT_TRUE(vfs_.mkdir("sub").ok());
  for (const char* name : {"zeta", "alpha", "Mid", "sub/inner"}) {
    ASSERT_TRUE(write_all(vfs_, name, as_bytes("x"), /*sync=*/false).ok());
  }
  EXPECT_EQ(*vfs_.list(""), (std::vector<std::string>{"Mid", "alpha", "sub", "zeta"}));
  EXPECT_EQ(*vfs_.list("sub"), (std::vector<std::string>{"inner"}));
  ASSERT_TRUE(vfs_.mkdir("empty").ok());
  EXPECT_TRUE(vfs_.list("empty")->empty());
  Result<std::vector<std::string>> of_file = vfs_.list("zeta");
  EXPECT_EQ(of_file.status().code(), Code::kIoError);
  EXPECT_EQ(of_file.status().err(), ENOTDIR);
  EXPECT_EQ(vfs_.list("nope").status().code(), Code::kNotFound);
}

TEST_F(PosixVfsTest, MkdirFailures) {
  ASSERT_TRUE(vfs_.mkdir("d").ok());
  EXPECT_EQ(vfs_.mkdir("d").err(), EEXIST);
  ASSERT_TRUE(write_all(vfs_, "f", as_bytes("x")).ok());
  EXPECT_EQ(vfs_.mkdir("f").err(), EEXIST);
  struct stat st;
  ASSERT_EQ(::stat(host_path("d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

// [posix.5]
TEST_F(PosixVfsTest, LockIsExclusiveWithinOneVfs) {
  ASSERT_TRUE(vfs_.lock("LOCK").ok());
  EXPECT_TRUE(*vfs_.exists("LOCK"));  // the lock file
  EXPECT_EQ(vfs_.lock("LOCK").code(), Code::kBusy);
  EXPECT_TRUE(vfs_.lock("OTHER").ok());
  ASSERT_TRUE(vfs_.unlock("LOCK").ok());
  EXPECT_EQ(vfs_.unlock("LOCK").code(), Code::kInvalidArgument);
  EXPECT_TRUE(*vfs_.exists("LOCK"));  // unlock keeps the file
  EXPECT_TRUE(vfs_.lock("LOCK").ok());
  EXPECT_TRUE(vfs_.unlock("LOCK").ok());
  EXPECT_TRUE(vfs_.unlock("OTHER").ok());
}

TEST_F(PosixVfsTest, LockExcludesAnotherPosixVfs) {
  PosixVfs other(dir_.path());
  ASSERT_TRUE(vfs_.lock("LOCK").ok());
  EXPECT_EQ(other.lock("LOCK").code(), Code::kBusy);
  ASSERT_TRUE(vfs_.unlock("LOCK").ok());
  EXPECT_TRUE(other.lock("LOCK").ok());
  EXPECT_EQ(vfs_.lock("LOCK").code(), Code::kBusy);
}

TEST_F(PosixVfsTest, LockExcludesAnotherDescriptionAndIsReleasedByDestruction) {
  {
    PosixVfs holder(dir_.path());
    ASSERT_TRUE(holder.lock("LOCK").ok());
    int fd = ::open(host_path("LOCK").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0);  // what another process would see
    EXPECT_EQ(errno, EWOULDBLOCK);
    ::close(fd);
  }
  EXPECT_TRUE(vfs_.lock("LOCK").ok());  // released when holder was destroyed
}

TEST_F(PosixVfsTest, LockInMissingDirectoryIsNotFound) {
  EXPECT_EQ(vfs_.lock("nodir/LOCK").code(), Code::kNotFound);
  EXPECT_EQ(vfs_.unlock("nodir/LOCK").code(), Code::kInvalidArgument);
}

// capture_image / restore_image work through PosixVfs the same as through MemVfs.
TEST_F(PosixVfsTest, ImageRoundTripMatchesMemVfs) {
  DiskImage image;
  image.dirs = {"d", "d/e"};
  image.files["top"] = Bytes{1, 2, 3};
  image.files["d/mid"] = Bytes{};
  image.files["d/e/deep"] = Bytes(70'000, 0x5A);
  ASSERT_TRUE(restore_image(vfs_, image).ok());
  Result<DiskImage> captured = capture_image(vfs_);
  ASSERT_TRUE(captured.ok()) << captured.status().to_string();
  EXPECT_EQ(*captured, image);
  EXPECT_EQ(captured->hash(), MemVfs(image).image().hash());
}

}  // namespace
}  // namespace fl::faultvfs
