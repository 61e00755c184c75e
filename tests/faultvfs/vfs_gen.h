// tests/faultvfs/vfs_gen.h: model-based comparison of two Vfs implementations.
//
// Method: RapidCheck generates a sequence of VfsOp over a small name space
// (the root, two directories "d0" and "d1", four file names, and a few paths
// that go through a regular file), so that most operations collide with
// earlier ones: writes land on files other handles have open, renames
// replace open files, removes hit non-empty directories. compare_vfs() runs
// the sequence on a model (usually MemVfs) and on a subject side by side and
// fails, with the index and the op, as soon as one observable result
// differs. At the end it compares the whole trees with capture_image().
//
// [gen.1] An observable result is: ok or not, the Code, the errno of an
//         io_error, and the value (bytes read, bytes written, size, listing,
//         exists). Messages are not compared.
// [gen.2] Handles live in kSlotCount slots, one table per Vfs. open() into a
//         slot replaces (destroys) what was there; close() leaves the closed
//         handle in its slot, so later calls on it exercise EBADF. A file op
//         on an empty slot is skipped on both sides (it is empty on both,
//         since open results were compared).
// [gen.3] Only kLockPaths are locked. compare_vfs() creates them as empty
//         files on both sides before the first op, because a real lock needs
//         a file to lock ([posix.5]) while MemVfs's lock does not create one;
//         no other op names them.
// [gen.4] Write contents are a function of (fill, offset, index), so a byte
//         that lands in the wrong place, or a gap that is not zero-filled,
//         shows up in a later read.
//
// Nothing here depends on FaultVfs; a FaultVfs-over-MemVfs test can reuse
// gen_vfs_ops() and compare_vfs() as they are.
#pragma once

#include <rapidcheck.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "faultvfs/disk_image.h"
#include "faultvfs/vfs.h"

namespace fl::faultvfs::gen {

constexpr int kSlotCount = 3;
constexpr uint64_t kWriteOffsetBytesMax = 3000;
constexpr uint64_t kWriteSizeBytesMax = 1500;
constexpr uint64_t kReadSizeBytesMax = 2000;
constexpr uint64_t kTruncateSizeBytesMax = 4000;
inline const std::array<std::string, 2> kLockPaths = {"LOCK0", "LOCK1"};

enum class VfsOpKind : uint8_t {
  kMkdir,
  kOpen,
  kWrite,
  kRead,
  kTruncate,
  kSync,
  kDatasync,
  kSize,
  kClose,
  kRemove,
  kRename,
  kSyncDir,
  kList,
  kExists,
  kLock,
  kUnlock,
};

inline const char* op_kind_name(VfsOpKind kind) {
  switch (kind) {
    case VfsOpKind::kMkdir: return "mkdir";
    case VfsOpKind::kOpen: return "open";
    case VfsOpKind::kWrite: return "write";
    case VfsOpKind::kRead: return "read";
    case VfsOpKind::kTruncate: return "truncate";
    case VfsOpKind::kSync: return "sync";
    case VfsOpKind::kDatasync: return "datasync";
    case VfsOpKind::kSize: return "size";
    case VfsOpKind::kClose: return "close";
    case VfsOpKind::kRemove: return "remove";
    case VfsOpKind::kRename: return "rename";
    case VfsOpKind::kSyncDir: return "sync_dir";
    case VfsOpKind::kList: return "list";
    case VfsOpKind::kExists: return "exists";
    case VfsOpKind::kLock: return "lock";
    case VfsOpKind::kUnlock: return "unlock";
  }
  return "?";
}

inline const char* open_mode_name(OpenMode mode) {
  switch (mode) {
    case OpenMode::kMustExist: return "must-exist";
    case OpenMode::kCreate: return "create";
    case OpenMode::kCreateNew: return "create-new";
  }
  return "?";
}

// One operation. Which fields matter depends on `kind`:
//   path: mkdir, open, remove, rename (source), sync_dir, list, exists, lock, unlock
//   target: rename;  mode: open;  slot: open and every file op
//   offset_bytes: write, read;  size_bytes: write, read, truncate;  fill: write
struct VfsOp {
  VfsOpKind kind = VfsOpKind::kExists;
  std::string path;
  std::string target;
  OpenMode mode = OpenMode::kMustExist;
  int slot = 0;
  uint64_t offset_bytes = 0;
  uint64_t size_bytes = 0;
  uint8_t fill = 0;
};

inline bool is_file_op(VfsOpKind kind) {
  switch (kind) {
    case VfsOpKind::kWrite:
    case VfsOpKind::kRead:
    case VfsOpKind::kTruncate:
    case VfsOpKind::kSync:
    case VfsOpKind::kDatasync:
    case VfsOpKind::kSize:
    case VfsOpKind::kClose:
      return true;
    default:
      return false;
  }
}

// "write #1 @2048 +17 fill=5", "rename "a" -> "d0/b"", "open #0 "d1/c" create".
inline std::ostream& operator<<(std::ostream& os, const VfsOp& op) {
  os << op_kind_name(op.kind);
  if (op.kind == VfsOpKind::kOpen || is_file_op(op.kind)) os << " #" << op.slot;
  if (!is_file_op(op.kind)) os << " \"" << op.path << '"';
  switch (op.kind) {
    case VfsOpKind::kOpen: os << ' ' << open_mode_name(op.mode); break;
    case VfsOpKind::kRename: os << " -> \"" << op.target << '"'; break;
    case VfsOpKind::kWrite:
      os << " @" << op.offset_bytes << " +" << op.size_bytes << " fill=" << int{op.fill};
      break;
    case VfsOpKind::kRead: os << " @" << op.offset_bytes << " +" << op.size_bytes; break;
    case VfsOpKind::kTruncate: os << " to " << op.size_bytes; break;
    default: break;
  }
  return os;
}

// RapidCheck prints counterexamples with showValue (found by ADL).
inline void showValue(const VfsOp& op, std::ostream& os) { os << op; }

// [gen.4]
inline Bytes write_payload(const VfsOp& op) {
  Bytes data(op.size_bytes);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<uint8_t>(op.fill + 31 * (op.offset_bytes + i) + 1);
  }
  return data;
}

// Generators -------------------------------------------------------------

// A file name, mostly in the root or one of the two directories, sometimes a
// directory's own name (open of a directory) or a path through a file
// ("a/b": "a" is a file name).
inline rc::Gen<std::string> gen_file_path() {
  return rc::gen::weightedOneOf<std::string>({
      {10, rc::gen::apply([](const std::string& dir,
                             const std::string& name) { return join_path(dir, name); },
                          rc::gen::weightedElement<std::string>({{2, ""}, {1, "d0"}, {1, "d1"}}),
                          rc::gen::element<std::string>("a", "b", "c", "e"))},
      {1, rc::gen::element<std::string>("d0", "d1")},
      {1, rc::gen::element<std::string>("a/b", "d0/a/b")},
  });
}

// A directory, mostly one of the two (or the root where allowed), sometimes a
// file path (mkdir where a file is expected, list of a file).
inline rc::Gen<std::string> gen_dir_path(bool allow_root) {
  std::vector<std::string> dirs = {"d0", "d1"};
  if (allow_root) dirs.push_back("");
  return rc::gen::weightedOneOf<std::string>({
      {4, rc::gen::elementOf(dirs)},
      {1, gen_file_path()},
  });
}

inline rc::Gen<VfsOp> gen_path_op(VfsOpKind kind, rc::Gen<std::string> path) {
  return rc::gen::map(std::move(path), [kind](std::string p) {
    VfsOp op;
    op.kind = kind;
    op.path = std::move(p);
    return op;
  });
}

inline rc::Gen<VfsOp> gen_slot_op(VfsOpKind kind) {
  return rc::gen::map(rc::gen::inRange(0, kSlotCount), [kind](int slot) {
    VfsOp op;
    op.kind = kind;
    op.slot = slot;
    return op;
  });
}

inline rc::Gen<VfsOp> gen_open_op() {
  return rc::gen::apply(
      [](std::string path, OpenMode mode, int slot) {
        VfsOp op;
        op.kind = VfsOpKind::kOpen;
        op.path = std::move(path);
        op.mode = mode;
        op.slot = slot;
        return op;
      },
      gen_file_path(),
      rc::gen::weightedElement<OpenMode>(
          {{1, OpenMode::kMustExist}, {3, OpenMode::kCreate}, {1, OpenMode::kCreateNew}}),
      rc::gen::inRange(0, kSlotCount));
}

inline rc::Gen<VfsOp> gen_write_op() {
  return rc::gen::apply(
      [](int slot, uint64_t offset, uint64_t size, uint8_t fill) {
        VfsOp op;
        op.kind = VfsOpKind::kWrite;
        op.slot = slot;
        op.offset_bytes = offset;
        op.size_bytes = size;
        op.fill = fill;
        return op;
      },
      rc::gen::inRange(0, kSlotCount), rc::gen::inRange<uint64_t>(0, kWriteOffsetBytesMax + 1),
      rc::gen::inRange<uint64_t>(0, kWriteSizeBytesMax + 1), rc::gen::arbitrary<uint8_t>());
}

inline rc::Gen<VfsOp> gen_read_op() {
  return rc::gen::apply(
      [](int slot, uint64_t offset, uint64_t size) {
        VfsOp op;
        op.kind = VfsOpKind::kRead;
        op.slot = slot;
        op.offset_bytes = offset;
        op.size_bytes = size;
        return op;
      },
      rc::gen::inRange(0, kSlotCount),
      rc::gen::weightedOneOf<uint64_t>({
          {4, rc::gen::inRange<uint64_t>(0, kWriteOffsetBytesMax + 1)},  // mostly inside the file
          {1, rc::gen::inRange<uint64_t>(0, kWriteOffsetBytesMax + kWriteSizeBytesMax + 1)},
      }),
      rc::gen::inRange<uint64_t>(0, kReadSizeBytesMax + 1));
}

inline rc::Gen<VfsOp> gen_truncate_op() {
  return rc::gen::apply(
      [](int slot, uint64_t size) {
        VfsOp op;
        op.kind = VfsOpKind::kTruncate;
        op.slot = slot;
        op.size_bytes = size;
        return op;
      },
      rc::gen::inRange(0, kSlotCount), rc::gen::inRange<uint64_t>(0, kTruncateSizeBytesMax + 1));
}

inline rc::Gen<VfsOp> gen_rename_op() {
  return rc::gen::apply(
      [](std::string from, std::string to) {
        VfsOp op;
        op.kind = VfsOpKind::kRename;
        op.path = std::move(from);
        op.target = std::move(to);
        return op;
      },
      gen_file_path(), gen_file_path());
}

inline rc::Gen<VfsOp> gen_vfs_op() {
  auto lock_path = rc::gen::elementOf(kLockPaths);
  return rc::gen::weightedOneOf<VfsOp>({
      {3, gen_path_op(VfsOpKind::kMkdir, gen_dir_path(/*allow_root=*/false))},
      {12, gen_open_op()},
      {12, gen_write_op()},
      {10, gen_read_op()},
      {3, gen_truncate_op()},
      {2, gen_slot_op(VfsOpKind::kSync)},
      {2, gen_slot_op(VfsOpKind::kDatasync)},
      {3, gen_slot_op(VfsOpKind::kSize)},
      {3, gen_slot_op(VfsOpKind::kClose)},
      {3, gen_path_op(VfsOpKind::kRemove, rc::gen::weightedOneOf<std::string>({
                                              {3, gen_file_path()},
                                              {1, gen_dir_path(/*allow_root=*/false)},
                                          }))},
      {5, gen_rename_op()},
      {2, gen_path_op(VfsOpKind::kSyncDir, gen_dir_path(/*allow_root=*/true))},
      {3, gen_path_op(VfsOpKind::kList, gen_dir_path(/*allow_root=*/true))},
      {2, gen_path_op(VfsOpKind::kExists, gen_file_path())},
      {1, gen_path_op(VfsOpKind::kLock, lock_path)},
      {1, gen_path_op(VfsOpKind::kUnlock, lock_path)},
  });
}

// Most sequences start by creating d0 and d1 (each with probability 3/4), so
// that ops inside them do not all fail with not-found; the rest cover
// missing directories. Shrinking can drop either mkdir.
inline rc::Gen<std::vector<VfsOp>> gen_vfs_ops() {
  auto maybe = [] { return rc::gen::weightedElement<bool>({{3, true}, {1, false}}); };
  return rc::gen::apply(
      [](bool make_d0, bool make_d1, std::vector<VfsOp> body) {
        std::vector<VfsOp> ops;
        for (auto [make, dir] : {std::pair{make_d0, "d0"}, std::pair{make_d1, "d1"}}) {
          if (!make) continue;
          VfsOp mkdir;
          mkdir.kind = VfsOpKind::kMkdir;
          mkdir.path = dir;
          ops.push_back(std::move(mkdir));
        }
        ops.insert(ops.end(), body.begin(), body.end());
        return ops;
      },
      maybe(), maybe(), rc::gen::container<std::vector<VfsOp>>(gen_vfs_op()));
}

// Comparison -------------------------------------------------------------

// [gen.1] What one op showed, on one Vfs.
struct Observation {
  Code code = Code::kOk;
  int err = 0;
  bool skipped = false;  // a file op on an empty slot
  uint64_t number = 0;   // bytes written or read, size, exists
  Bytes data;            // bytes read
  std::vector<std::string> names;  // listing

  friend bool operator==(const Observation&, const Observation&) = default;
};

inline std::string describe(const Observation& seen) {
  std::ostringstream os;
  if (seen.skipped) return "skipped (empty slot)";
  os << code_name(seen.code);
  if (seen.err != 0) os << ' ' << Status::errno_name(seen.err);
  if (seen.code != Code::kOk) return os.str();
  os << " number=" << seen.number;
  if (!seen.data.empty()) {
    os << " data=" << seen.data.size() << "B crc32c=" << std::hex << crc32c(seen.data) << std::dec;
  }
  if (!seen.names.empty()) {
    os << " names=[";
    for (size_t i = 0; i < seen.names.size(); ++i) os << (i ? "," : "") << seen.names[i];
    os << ']';
  }
  return os.str();
}

inline Observation observe_status(const Status& status) {
  Observation seen;
  seen.code = status.code();
  seen.err = status.code() == Code::kIoError || status.code() == Code::kNoSpace ? status.err() : 0;
  return seen;
}

using Slots = std::array<std::unique_ptr<File>, kSlotCount>;

inline Observation apply_file_op(File& file, const VfsOp& op) {
  switch (op.kind) {
    case VfsOpKind::kWrite: {
      Result<size_t> wrote = file.write(op.offset_bytes, write_payload(op));
      Observation seen = observe_status(wrote.status());
      if (wrote.ok()) seen.number = *wrote;
      return seen;
    }
    case VfsOpKind::kRead: {
      Bytes buffer(op.size_bytes, 0xAB);  // [vfs.5]: bytes past the count stay untouched
      Result<size_t> got = file.read(op.offset_bytes, buffer);
      Observation seen = observe_status(got.status());
      if (got.ok()) {
        seen.number = *got;
        seen.data = std::move(buffer);
      }
      return seen;
    }
    case VfsOpKind::kTruncate: return observe_status(file.truncate(op.size_bytes));
    case VfsOpKind::kSync: return observe_status(file.sync());
    case VfsOpKind::kDatasync: return observe_status(file.datasync());
    case VfsOpKind::kSize: {
      Result<uint64_t> size = file.size();
      Observation seen = observe_status(size.status());
      if (size.ok()) seen.number = *size;
      return seen;
    }
    case VfsOpKind::kClose: return observe_status(file.close());
    default: break;
  }
  RC_FAIL("apply_file_op: not a file op");
}

// Applies `op` to `vfs`, whose handles are `slots`.
inline Observation apply_op(Vfs& vfs, Slots& slots, const VfsOp& op) {
  if (is_file_op(op.kind)) {
    File* file = slots.at(op.slot).get();
    if (file == nullptr) {
      Observation skipped;
      skipped.skipped = true;
      return skipped;
    }
    return apply_file_op(*file, op);
  }
  switch (op.kind) {
    case VfsOpKind::kOpen: {
      Result<std::unique_ptr<File>> opened = vfs.open(op.path, op.mode);
      Observation seen = observe_status(opened.status());
      if (opened.ok()) slots.at(op.slot) = std::move(*opened);  // [gen.2]
      return seen;
    }
    case VfsOpKind::kMkdir: return observe_status(vfs.mkdir(op.path));
    case VfsOpKind::kRemove: return observe_status(vfs.remove(op.path));
    case VfsOpKind::kRename: return observe_status(vfs.rename(op.path, op.target));
    case VfsOpKind::kSyncDir: return observe_status(vfs.sync_dir(op.path));
    case VfsOpKind::kList: {
      Result<std::vector<std::string>> names = vfs.list(op.path);
      Observation seen = observe_status(names.status());
      if (names.ok()) seen.names = std::move(*names);
      return seen;
    }
    case VfsOpKind::kExists: {
      Result<bool> found = vfs.exists(op.path);
      Observation seen = observe_status(found.status());
      if (found.ok()) seen.number = *found ? 1 : 0;
      return seen;
    }
    case VfsOpKind::kLock: return observe_status(vfs.lock(op.path));
    case VfsOpKind::kUnlock: return observe_status(vfs.unlock(op.path));
    default: break;
  }
  RC_FAIL("apply_op: unknown op kind");
}

// [gen.3] Creates the lock files, on one side.
inline void prepare_lock_files(Vfs& vfs, const char* side) {
  for (const std::string& path : kLockPaths) {
    Result<std::unique_ptr<File>> file = vfs.open(path, OpenMode::kCreate);
    if (!file.ok()) RC_FAIL(std::string(side) + ": open " + path + ": " + file.status().to_string());
    Status closed = (*file)->close();
    RC_ASSERT(closed.ok());
  }
}

// Runs `ops` on both and RC_ASSERTs that every observation matches, then that
// the trees captured through the Vfs interface match. Releases every lock it
// took before returning normally, so the Vfs objects can be reused.
inline void compare_vfs(Vfs& model, Vfs& subject, const std::vector<VfsOp>& ops) {
  prepare_lock_files(model, "model");
  prepare_lock_files(subject, "subject");
  Slots model_slots, subject_slots;
  for (size_t index = 0; index < ops.size(); ++index) {
    const VfsOp& op = ops[index];
    const Observation expected = apply_op(model, model_slots, op);
    const Observation actual = apply_op(subject, subject_slots, op);
    if (!(expected == actual)) {
      RC_FAIL("op " + std::to_string(index) + " (" + rc::toString(op) + "): model " +
              describe(expected) + ", subject " + describe(actual));
    }
  }
  model_slots = {};
  subject_slots = {};
  Result<DiskImage> model_image = capture_image(model);
  Result<DiskImage> subject_image = capture_image(subject);
  RC_ASSERT(model_image.ok());
  RC_ASSERT(subject_image.ok());
  if (!(*model_image == *subject_image)) {
    RC_FAIL("final trees differ:\nmodel:\n" + model_image->describe() + "subject:\n" +
            subject_image->describe());
  }
  for (const std::string& path : kLockPaths) {
    (void)model.unlock(path);  // may not be locked; both sides agreed on that above
    (void)subject.unlock(path);
  }
}

}  // namespace fl::faultvfs::gen
