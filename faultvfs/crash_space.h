// faultvfs/crash_space.h: every durable image a power loss could leave.
//
// Captured from a FaultVfs at a crash point (FaultVfs::crash_space()), a
// CrashSpace is a self-contained value: the durable files and names plus the
// pending operations. It is how one crash point is checked exhaustively
// (every image an engine's recovery could face), or by sampling when there
// are too many.
//
// [space.1] for_each() with count().states <= limit visits every distinct
//           image exactly once (exhaustive), in a deterministic order.
// [space.2] Otherwise it visits `limit` images drawn with the given Prng
//           (possibly repeating one).
// [space.3] count() is exact when count().exact; otherwise it is an upper
//           bound (two outcomes of the namespace that can give the same image,
//           e.g. a file removed and recreated with equal bytes, are not told
//           apart without enumerating them).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "base/prng.h"
#include "faultvfs/disk_image.h"
#include "faultvfs/fault_plan.h"
#include "faultvfs/internal/file_crash.h"
#include "faultvfs/internal/name_ops.h"

namespace fl::faultvfs {

struct CrashCount {
  uint64_t states = 1;  // saturates at UINT64_MAX
  bool exact = true;
};

struct CrashVisit {
  CrashCount count;
  bool exhaustive = false;
  uint64_t visited = 0;
};

class CrashSpace {
 public:
  CrashCount count() const;
  CrashVisit for_each(uint64_t limit, Prng& prng, const std::function<bool(const DiskImage&)>& visit) const;
  std::vector<DiskImage> images(uint64_t limit, Prng& prng) const;
  // Could `image` be left by this crash? Exact; nullopt when the namespace
  // has more than kNameChoicesEnumeratedMax outcomes to try.
  std::optional<bool> possible(const DiskImage& image) const;

 private:
  friend class FaultVfs;
  struct FileState {
    Bytes durable;
    std::vector<internal::DataOp> ops;
    Bytes arena;
  };
  struct Outcome {
    internal::Namespace names;
    uint64_t states = 1;  // saturating product of its files' distinct counts
  };
  internal::FileCrashModel model(uint64_t inode) const;
  std::vector<Outcome> outcomes() const;  // distinct namespace outcomes (enumerated or empty if too many)
  bool visit_outcome(const std::vector<Outcome>& all, size_t index,
                     const std::function<bool(const DiskImage&)>& visit, uint64_t& visited) const;
  DiskImage image_of(const internal::Namespace& names, const std::map<uint64_t, internal::FileChoice>& choice) const;

  internal::Namespace durable_;
  std::vector<internal::NameOp> names_;
  std::map<uint64_t, FileState> files_;  // every inode the durable or pending namespace names
  MetaOrder order_ = MetaOrder::kPerDirectory;
  uint32_t sector_size_bytes_ = 512;
  bool size_before_data_ = false;
  uint64_t garbage_seed_ = 0;
};

// Name-space outcomes beyond this many choices are sampled, not enumerated.
inline constexpr uint64_t kNameChoicesEnumeratedMax = 1u << 16;

}  // namespace fl::faultvfs
