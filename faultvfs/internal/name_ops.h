// faultvfs/internal/name_ops.h: pending namespace operations and which of
// them a crash or a directory sync persists.
//
// [names.1] Each operation is atomic: it persists whole or not at all. A
//           rename across directories is one operation in both directories.
// [names.2] Per-directory order (default): the persisted operations of every
//           directory are a prefix of that directory's operations. Global
//           order: they are a prefix of all operations.
// [names.4] mkdir(d) and rmdir(d) are operations of d's parent and of d
//           itself, so by [names.2] an entry of d persists only with d.
// [names.3] sync_dir(d) persists every pending operation of d and, so that
//           [names.1] and [names.2] hold, the earlier operations of the other
//           directory of any rename it persists (transitively).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/prng.h"
#include "faultvfs/fault_plan.h"

namespace fl::faultvfs::internal {

struct NameOp {
  enum class Kind : uint8_t { kCreate, kRemove, kRename, kMkdir, kRmdir };
  Kind kind = Kind::kCreate;
  std::string path;   // the name created/removed, or the rename's source
  std::string to;     // the rename's target
  uint64_t inode = 0; // the file concerned (0 for directories)
};

struct Namespace {
  std::map<std::string, uint64_t> files;  // path -> inode
  std::set<std::string> dirs;
  friend bool operator==(const Namespace&, const Namespace&) = default;
};

// The one or two directories an operation changes.
std::vector<std::string> op_dirs(const NameOp& op);
void apply(Namespace& names, const NameOp& op);

// Which pending operations persist: a flag per operation.
using Persisted = std::vector<bool>;

// [names.3]: the operations that sync_dir(dir) persists.
Persisted persisted_by_sync_dir(const std::vector<NameOp>& ops, const std::string& dir, MetaOrder order);

// The crash outcomes of the namespace: distinct Persisted sets.
class NameCrashModel {
 public:
  NameCrashModel(const std::vector<NameOp>& ops, MetaOrder order);
  // Number of choice vectors (before removing duplicates), saturating.
  uint64_t choice_count() const;
  // Every distinct outcome, when choice_count() <= limit.
  std::vector<Persisted> enumerate() const;
  Persisted sample(Prng& prng) const;

 private:
  Persisted normalize(std::vector<uint32_t> prefix) const;
  const std::vector<NameOp>& ops_;
  MetaOrder order_;
  std::vector<std::vector<uint32_t>> by_dir_;      // op indices of each directory, ascending
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> op_pos_;  // per op: (dir index, position)
};

}  // namespace fl::faultvfs::internal
