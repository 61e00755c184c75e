// faultvfs/posix_vfs.h: a Vfs over real files, rooted at one directory.
//
// PosixVfs is the backend for running an engine on a real file system: every
// call is one or a few system calls (pread/pwrite, ftruncate, fsync,
// fdatasync, rename(2), directory fsync), with no cache of its own. It is the
// reference for what MemVfs and FaultVfs must look like from the outside:
// tests/faultvfs/posix_vfs_prop_test.cc checks that random operation
// sequences give the same results on both.
//
// [posix.1] Every path is relative to the root directory given to the
//           constructor and is checked with check_path() first; "" names the
//           root. Nothing outside the root is touched.
// [posix.2] Results match MemVfs call for call: a missing name, or a name
//           under a regular file, is kNotFound; every other failure is
//           Status::io_error(path, errno), with ENOSPC as kNoSpace. Where
//           POSIX leaves a choice, PosixVfs returns what MemVfs returns:
//           open() of a directory is EISDIR in every mode (O_EXCL alone would
//           say EEXIST), creating under a regular file is ENOTDIR, removing a
//           non-empty directory is ENOTEMPTY (rmdir(2) may say EEXIST), and
//           rename() of a directory is kNotSupported.
// [posix.3] write() loops on EINTR and returns the count of a short pwrite(2)
//           ([vfs.4]); read() loops until the buffer is full or end of file
//           ([vfs.5]). Writing past the end zero-fills the gap; an empty
//           write changes nothing, as pwrite(2) of zero bytes ([vfs.4]).
// [posix.4] sync() is fsync(2), datasync() is fdatasync(2), sync_dir() is
//           fsync(2) of the directory opened O_RDONLY|O_DIRECTORY. A failed
//           sync is reported as the kernel reported it and never retried:
//           after EIO the kernel may have dropped the dirty pages.
// [posix.5] lock(path) creates the file at `path` if missing, keeps it open
//           and holds flock(LOCK_EX|LOCK_NB) on it, so a second lock() of the
//           path through this PosixVfs, another PosixVfs or another process
//           returns kBusy. unlock() releases it and keeps the file (removing
//           it would let another locker lock an unlinked inode). Locks are
//           released when the PosixVfs is destroyed.
// [posix.6] Every descriptor is opened O_CLOEXEC. A File closes its
//           descriptor on close() or destruction; after close() every call
//           returns EBADF without touching the (possibly reused) descriptor.
//
// Threads: a PosixVfs may be shared between threads (its only shared state,
// the lock table, is behind a mutex). A File is used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "faultvfs/vfs.h"

namespace fl::faultvfs {

class PosixVfs final : public Vfs {
 public:
  // REQUIRES: root_dir is not empty. It should name an existing directory;
  // when it does not, every call fails with the error of the missing root.
  explicit PosixVfs(std::string root_dir);
  ~PosixVfs() override;
  PosixVfs(const PosixVfs&) = delete;
  PosixVfs& operator=(const PosixVfs&) = delete;

  Result<std::unique_ptr<File>> open(std::string_view path, OpenMode mode) override;
  Status remove(std::string_view path) override;
  Status rename(std::string_view from, std::string_view to) override;
  Status sync_dir(std::string_view dir) override;
  Result<std::vector<std::string>> list(std::string_view dir) override;
  Result<bool> exists(std::string_view path) override;
  Status mkdir(std::string_view dir) override;
  Status lock(std::string_view path) override;
  Status unlock(std::string_view path) override;

  const std::string& root_dir() const { return root_dir_; }

 private:
  // The path handed to the kernel: root_dir_ joined with `path` ("" = root).
  std::string full_path(std::string_view path) const;
  // The status for a failed create (open with O_CREAT, mkdir, the target of
  // rename) that failed with `err`: ENOTDIR only when the parent is a regular
  // file, as MemVfs decides it ([posix.2]).
  Status create_error(std::string_view path, int err) const;

  std::string root_dir_;
  std::mutex mu_;
  std::map<std::string, int, std::less<>> lock_fds_;  // path -> descriptor holding flock
};

}  // namespace fl::faultvfs
