// faultvfs/vfs.h: files as an engine sees them, through the volatile page cache.
//
// Every engine in faultline does its I/O through a Vfs, so that the same
// engine can run on memory (MemVfs), on real files (PosixVfs), or under fault
// injection (FaultVfs). The contract below is what a POSIX file system
// promises; FaultVfs implements the weakest reading of it (docs/fault-model.md).
//
// [vfs.1] If f.sync() or f.datasync() returns ok, every write and size change
//         made to f's file before the call survives crash(power).
// [vfs.2] A created, renamed or removed name survives crash(power) only after a
//         successful sync_dir() of its parent directory (of either parent, for
//         a rename across directories; the rename is then durable whole).
// [vfs.3] read() sees every completed write and truncate (read-your-writes),
//         from any handle on the same file.
// [vfs.4] write() returns how many bytes it wrote: all of them, or fewer (a
//         short write: exactly that prefix was written). A failed write with
//         an error wrote nothing. An empty write changes nothing (pwrite(2)).
// [vfs.8] lock() takes an advisory lock on a path whose parent exists; a
//         backend may create an empty file there (PosixVfs does, MemVfs does
//         not). unlock() of a path not locked is kInvalidArgument.
// [vfs.5] read() returns fewer bytes than asked only at end of file; the rest
//         of the buffer is left untouched.
// [vfs.6] A File stays usable after its name is renamed or removed (POSIX
//         open-file semantics) until close().
// [vfs.7] No call aborts the process on bad input: an empty path, a path with
//         "." or ".." components, a missing parent or a name that exists are
//         kInvalidArgument / kNotFound / kIoError(EEXIST) results.
//
// Paths are relative, '/'-separated, without "." or ".." components; "" is
// the root directory, which always exists.
//
// Threads: a Vfs may be shared between threads; a File is used by one thread
// at a time (REQUIRES), though different Files on one file may be used from
// different threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fl::faultvfs {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}
inline std::string_view as_chars(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// How open() treats the name. kCreate creates the file when it is missing;
// kCreateNew fails with EEXIST when it exists; kMustExist fails with NotFound.
enum class OpenMode : uint8_t { kMustExist, kCreate, kCreateNew };

class File {
 public:
  virtual ~File() = default;

  // Reads up to out.size() bytes at offset; returns the count read ([vfs.5]).
  virtual Result<size_t> read(uint64_t offset, std::span<uint8_t> out) = 0;
  // Writes data at offset, extending the file (with zeros in any gap) when
  // offset + size passes the end. Returns the count written ([vfs.4]).
  virtual Result<size_t> write(uint64_t offset, ByteView data) = 0;
  virtual Status truncate(uint64_t size_bytes) = 0;
  // fsync(2): persists the file's data and size ([vfs.1]); not its name ([vfs.2]).
  virtual Status sync() = 0;
  // fdatasync(2): as sync(); the size is persisted too, since it is needed to
  // read the data back (Linux and SQLite's assumption).
  virtual Status datasync() = 0;
  virtual Result<uint64_t> size() = 0;
  // Releases the handle. Closing never syncs. Calling anything after close()
  // returns EBADF.
  virtual Status close() = 0;
};

class Vfs {
 public:
  virtual ~Vfs() = default;

  virtual Result<std::unique_ptr<File>> open(std::string_view path, OpenMode mode) = 0;
  // Removes a file, or an empty directory.
  virtual Status remove(std::string_view path) = 0;
  // Renames a file; an existing file at `to` is replaced atomically.
  virtual Status rename(std::string_view from, std::string_view to) = 0;
  // fsync(2) of a directory: persists the names created, renamed and removed
  // in it ([vfs.2]).
  virtual Status sync_dir(std::string_view dir) = 0;
  // The names (not paths) in a directory, sorted.
  virtual Result<std::vector<std::string>> list(std::string_view dir) = 0;
  virtual Result<bool> exists(std::string_view path) = 0;
  virtual Status mkdir(std::string_view dir) = 0;
  // An advisory exclusive lock, held until unlock() or the end of the Vfs
  // object's process. Locking a path the caller already holds returns Busy.
  virtual Status lock(std::string_view path) = 0;
  virtual Status unlock(std::string_view path) = 0;
};

// Path helpers shared by the backends.
// Checks that `path` is relative, has no empty, "." or ".." component.
// The root "" is valid only where allow_root.
Status check_path(std::string_view path, bool allow_root = false);
// "a/b/c" -> "a/b"; "c" -> "".
std::string_view parent_dir(std::string_view path);
// "a/b/c" -> "c".
std::string_view base_name(std::string_view path);
// Joins a directory and a name: ("", "x") -> "x"; ("a", "x") -> "a/x".
std::string join_path(std::string_view dir, std::string_view name);

// Reads a whole file / writes a whole file (create or replace), for tools and tests.
Result<Bytes> read_all(Vfs& vfs, std::string_view path);
Status write_all(Vfs& vfs, std::string_view path, ByteView data, bool sync = true);

}  // namespace fl::faultvfs
