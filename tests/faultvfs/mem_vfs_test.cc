// Tests for faultvfs/mem_vfs.h ([mem.1]..[mem.3]) and the Vfs contract
// ([vfs.4]..[vfs.7]) on the in-memory backend, plus check_path() and the
// DiskImage round trips.
#include "faultvfs/mem_vfs.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "faultvfs/disk_image.h"

namespace fl::faultvfs {
namespace {

std::unique_ptr<File> must_open(Vfs& vfs, std::string_view path, OpenMode mode) {
  Result<std::unique_ptr<File>> file = vfs.open(path, mode);
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

std::string read_file_text(Vfs& vfs, std::string_view path) {
  Result<Bytes> data = read_all(vfs, path);
  EXPECT_TRUE(data.ok()) << path << ": " << data.status().to_string();
  return data.ok() ? std::string(as_chars(*data)) : std::string("<error>");
}

TEST(MemVfs, OpenModes) {
  MemVfs vfs;
  Result<std::unique_ptr<File>> missing = vfs.open("a", OpenMode::kMustExist);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_FALSE(*vfs.exists("a"));

  auto created = must_open(vfs, "a", OpenMode::kCreateNew);
  ASSERT_NE(created, nullptr);
  EXPECT_TRUE(*vfs.exists("a"));
  Result<std::unique_ptr<File>> again = vfs.open("a", OpenMode::kCreateNew);
  EXPECT_EQ(again.status().code(), Code::kIoError);
  EXPECT_EQ(again.status().err(), EEXIST);

  ASSERT_EQ(*created->write(0, as_bytes("hello")), 5u);
  auto reopened = must_open(vfs, "a", OpenMode::kCreate);  // kCreate keeps the content
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(*reopened->size(), 5u);
  auto existing = must_open(vfs, "a", OpenMode::kMustExist);
  ASSERT_NE(existing, nullptr);
  EXPECT_EQ(read_text(*existing, 0, 10), "hello");
}

TEST(MemVfs, OpenFailures) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.mkdir("d").ok());
  for (OpenMode mode : {OpenMode::kMustExist, OpenMode::kCreate, OpenMode::kCreateNew}) {
    Result<std::unique_ptr<File>> dir = vfs.open("d", mode);
    EXPECT_EQ(dir.status().err(), EISDIR);
    EXPECT_EQ(vfs.open("nodir/x", mode).status().code(), Code::kNotFound);
  }
  ASSERT_TRUE(write_all(vfs, "f", as_bytes("x")).ok());
  Result<std::unique_ptr<File>> under_file = vfs.open("f/x", OpenMode::kCreate);
  EXPECT_EQ(under_file.status().code(), Code::kIoError);
  EXPECT_EQ(under_file.status().err(), ENOTDIR);
}

// [vfs.4] [vfs.5]
TEST(MemVfs, ReadWriteAndGaps) {
  MemVfs vfs;
  auto file = must_open(vfs, "a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(*file->write(4, as_bytes("xy")), 2u);
  EXPECT_EQ(*file->size(), 6u);
  EXPECT_EQ(read_text(*file, 0, 100), std::string("\0\0\0\0xy", 6));  // the gap reads as zeros
  EXPECT_EQ(read_text(*file, 6, 10), "");                              // at EOF
  EXPECT_EQ(read_text(*file, 1000, 10), "");                           // past EOF

  // A short read leaves the rest of the buffer untouched.
  std::vector<uint8_t> buffer(8, 0xEE);
  Result<size_t> got = file->read(5, buffer);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 1u);
  EXPECT_EQ(buffer[0], 'y');
  EXPECT_EQ(buffer[1], 0xEE);
  EXPECT_EQ(buffer[7], 0xEE);

  ASSERT_TRUE(file->truncate(2).ok());
  EXPECT_EQ(*file->size(), 2u);
  ASSERT_TRUE(file->truncate(5).ok());
  EXPECT_EQ(read_text(*file, 0, 10), std::string(5, '\0'));
}

TEST(MemVfs, CallsAfterCloseReturnEbadf) {
  MemVfs vfs;
  auto file = must_open(vfs, "a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->close().ok());
  uint8_t byte = 0;
  EXPECT_EQ(file->read(0, {&byte, 1}).status().err(), EBADF);
  EXPECT_EQ(file->write(0, as_bytes("x")).status().err(), EBADF);
  EXPECT_EQ(file->truncate(0).err(), EBADF);
  EXPECT_EQ(file->sync().err(), EBADF);
  EXPECT_EQ(file->datasync().err(), EBADF);
  EXPECT_EQ(file->size().status().err(), EBADF);
  EXPECT_EQ(file->close().err(), EBADF);
  EXPECT_EQ(*vfs.exists("a"), true);  // closing never removes
}

// [vfs.6] [mem.2]: a handle follows its inode, not its name.
TEST(MemVfs, HandleSurvivesRenameAndRemove) {
  MemVfs vfs;
  auto file = must_open(vfs, "a", OpenMode::kCreate);
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->write(0, as_bytes("one")).ok());
  ASSERT_TRUE(vfs.rename("a", "b").ok());
  ASSERT_TRUE(file->write(3, as_bytes("two")).ok());
  EXPECT_EQ(read_file_text(vfs, "b"), "onetwo");
  EXPECT_FALSE(*vfs.exists("a"));

  // A new "a" is a new inode; the old handle does not see it.
  ASSERT_TRUE(write_all(vfs, "a", as_bytes("fresh")).ok());
  EXPECT_EQ(read_text(*file, 0, 20), "onetwo");

  ASSERT_TRUE(vfs.remove("b").ok());
  ASSERT_TRUE(file->write(0, as_bytes("ONE")).ok());
  EXPECT_EQ(read_text(*file, 0, 20), "ONEtwo");
  EXPECT_EQ(read_file_text(vfs, "a"), "fresh");
  EXPECT_TRUE(file->close().ok());
}

TEST(MemVfs, RenameReplacesTargetButKeepsItsOpenHandle) {
  MemVfs vfs;
  ASSERT_TRUE(write_all(vfs, "old", as_bytes("old")).ok());
  ASSERT_TRUE(write_all(vfs, "new", as_bytes("new")).ok());
  auto old_handle = must_open(vfs, "old", OpenMode::kMustExist);
  ASSERT_NE(old_handle, nullptr);
  ASSERT_TRUE(vfs.rename("new", "old").ok());
  EXPECT_EQ(read_file_text(vfs, "old"), "new");
  EXPECT_EQ(read_text(*old_handle, 0, 10), "old");
  EXPECT_EQ(*vfs.list(""), (std::vector<std::string>{"old"}));
}

TEST(MemVfs, RenameFailures) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.mkdir("d").ok());
  ASSERT_TRUE(write_all(vfs, "f", as_bytes("x")).ok());
  EXPECT_EQ(vfs.rename("missing", "g").code(), Code::kNotFound);
  EXPECT_EQ(vfs.rename("d", "e").code(), Code::kNotSupported);
  EXPECT_EQ(vfs.rename("f", "d").err(), EISDIR);
  EXPECT_EQ(vfs.rename("f", "nodir/f").code(), Code::kNotFound);
  EXPECT_EQ(vfs.rename("f", "f/g").err(), ENOTDIR);
  EXPECT_TRUE(vfs.rename("f", "f").ok());
  EXPECT_EQ(read_file_text(vfs, "f"), "x");
  ASSERT_TRUE(vfs.rename("f", "d/f").ok());  // across directories
  EXPECT_EQ(*vfs.list("d"), (std::vector<std::string>{"f"}));
}

TEST(MemVfs, RemoveNonEmptyDirectoryFails) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.mkdir("d").ok());
  ASSERT_TRUE(vfs.mkdir("d/e").ok());
  Status busy = vfs.remove("d");
  EXPECT_EQ(busy.code(), Code::kIoError);
  EXPECT_EQ(busy.err(), ENOTEMPTY);
  ASSERT_TRUE(vfs.remove("d/e").ok());
  ASSERT_TRUE(write_all(vfs, "d/f", as_bytes("x")).ok());
  EXPECT_EQ(vfs.remove("d").err(), ENOTEMPTY);
  ASSERT_TRUE(vfs.remove("d/f").ok());
  EXPECT_TRUE(vfs.remove("d").ok());
  EXPECT_FALSE(*vfs.exists("d"));
  EXPECT_EQ(vfs.remove("d").code(), Code::kNotFound);
}

// A sibling whose name extends the directory's ("d0" next to "d") is not a child.
TEST(MemVfs, RemoveIgnoresSiblingsWithTheSamePrefix) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.mkdir("d").ok());
  ASSERT_TRUE(write_all(vfs, "d0", as_bytes("x")).ok());
  EXPECT_TRUE(vfs.remove("d").ok());
}

// [mem.3]
TEST(MemVfs, ListIsSortedAndOneLevel) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.mkdir("d").ok());
  for (const char* name : {"zeta", "alpha", "Mid", "d/inner"}) {
    ASSERT_TRUE(write_all(vfs, name, as_bytes("x")).ok());
  }
  ASSERT_TRUE(vfs.mkdir("beta").ok());
  EXPECT_EQ(*vfs.list(""), (std::vector<std::string>{"Mid", "alpha", "beta", "d", "zeta"}));
  EXPECT_EQ(*vfs.list("d"), (std::vector<std::string>{"inner"}));
  EXPECT_TRUE(vfs.list("beta")->empty());
  EXPECT_EQ(vfs.list("zeta").status().err(), ENOTDIR);
  EXPECT_EQ(vfs.list("nope").status().code(), Code::kNotFound);
}

TEST(MemVfs, MkdirFailures) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.mkdir("d").ok());
  EXPECT_EQ(vfs.mkdir("d").err(), EEXIST);
  ASSERT_TRUE(write_all(vfs, "f", as_bytes("x")).ok());
  EXPECT_EQ(vfs.mkdir("f").err(), EEXIST);
  EXPECT_EQ(vfs.mkdir("f/e").err(), ENOTDIR);
  EXPECT_EQ(vfs.mkdir("a/b").code(), Code::kNotFound);
  EXPECT_EQ(vfs.mkdir("").code(), Code::kInvalidArgument);
}

TEST(MemVfs, SyncDirNeedsADirectory) {
  MemVfs vfs;
  EXPECT_TRUE(vfs.sync_dir("").ok());
  EXPECT_EQ(vfs.sync_dir("d").code(), Code::kNotFound);
  ASSERT_TRUE(vfs.mkdir("d").ok());
  EXPECT_TRUE(vfs.sync_dir("d").ok());
}

TEST(MemVfs, LockIsExclusiveUntilUnlock) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.lock("LOCK").ok());
  EXPECT_EQ(vfs.lock("LOCK").code(), Code::kBusy);
  EXPECT_TRUE(vfs.lock("OTHER").ok());
  ASSERT_TRUE(vfs.unlock("LOCK").ok());
  EXPECT_EQ(vfs.unlock("LOCK").code(), Code::kInvalidArgument);
  EXPECT_TRUE(vfs.lock("LOCK").ok());
}

// [vfs.7]
TEST(MemVfs, CheckPathRejectsMalformedPaths) {
  for (const char* bad : {"", "/a", "a//b", "a/./b", "a/../b", ".", "..", "a/", "a/.."}) {
    EXPECT_EQ(check_path(bad).code(), Code::kInvalidArgument) << '"' << bad << '"';
  }
  EXPECT_EQ(check_path(std::string_view("a\0b", 3)).code(), Code::kInvalidArgument);
  for (const char* good : {"a", "a/b", "a/b/c", "a.b", "..a", "a..", ".hidden"}) {
    EXPECT_TRUE(check_path(good).ok()) << good;
  }
  EXPECT_TRUE(check_path("", /*allow_root=*/true).ok());
  EXPECT_EQ(check_path("/", /*allow_root=*/true).code(), Code::kInvalidArgument);
}

TEST(MemVfs, EveryCallRejectsMalformedPaths) {
  MemVfs vfs;
  for (const char* bad : {"/a", "a//b", "a/./b", "a/../b"}) {
    EXPECT_EQ(vfs.open(bad, OpenMode::kCreate).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.remove(bad).code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.rename(bad, "x").code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.rename("x", bad).code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.sync_dir(bad).code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.list(bad).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.exists(bad).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.mkdir(bad).code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(vfs.lock(bad).code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(vfs.open("", OpenMode::kCreate).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(vfs.remove("").code(), Code::kInvalidArgument);
}

TEST(MemVfs, PathHelpers) {
  EXPECT_EQ(parent_dir("a/b/c"), "a/b");
  EXPECT_EQ(parent_dir("c"), "");
  EXPECT_EQ(base_name("a/b/c"), "c");
  EXPECT_EQ(base_name("c"), "c");
  EXPECT_EQ(join_path("", "x"), "x");
  EXPECT_EQ(join_path("a/b", "x"), "a/b/x");
}

DiskImage sample_image() {
  DiskImage image;
  image.dirs = {"d", "d/e"};
  image.files["top"] = Bytes{1, 2, 3};
  image.files["d/mid"] = Bytes{};
  image.files["d/e/deep"] = Bytes(5000, 0x5A);
  return image;
}

TEST(MemVfs, ImageRoundTrip) {
  const DiskImage image = sample_image();
  MemVfs vfs(image);
  EXPECT_EQ(vfs.image(), image);
  EXPECT_EQ(vfs.used_bytes(), 5003u);
  EXPECT_EQ(*vfs.list("d"), (std::vector<std::string>{"e", "mid"}));
  EXPECT_EQ(read_all(vfs, "d/e/deep")->size(), 5000u);

  // The image is a copy: changing the MemVfs does not change it.
  ASSERT_TRUE(write_all(vfs, "top", as_bytes("changed")).ok());
  EXPECT_NE(vfs.image(), image);
  EXPECT_NE(vfs.image().hash(), image.hash());
  EXPECT_EQ(MemVfs(image).image().hash(), image.hash());
}

TEST(MemVfs, CaptureAndRestoreRoundTrip) {
  const DiskImage image = sample_image();
  MemVfs source(image);
  Result<DiskImage> captured = capture_image(source);
  ASSERT_TRUE(captured.ok()) << captured.status().to_string();
  EXPECT_EQ(*captured, image);

  MemVfs target;
  ASSERT_TRUE(restore_image(target, *captured).ok());
  EXPECT_EQ(target.image(), image);
  Result<DiskImage> recaptured = capture_image(target);
  ASSERT_TRUE(recaptured.ok());
  EXPECT_EQ(recaptured->hash(), image.hash());
}

// [image.1]: one byte, or one empty directory, makes a different image.
TEST(MemVfs, ImageEqualityAndHashSeeEveryByte) {
  DiskImage a = sample_image();
  DiskImage b = a;
  EXPECT_EQ(a.hash(), b.hash());
  b.files["d/e/deep"][4999] ^= 1;
  EXPECT_NE(a, b);
  EXPECT_NE(a.hash(), b.hash());
  DiskImage c = a;
  c.dirs.insert("empty");
  EXPECT_NE(a, c);
  EXPECT_NE(a.hash(), c.hash());
}

}  // namespace
}  // namespace fl::faultvfs
