// faultvfs/internal/fault_inode.h: FaultVfs's volatile state of one file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "faultvfs/fault_vfs.h"
#include "faultvfs/internal/file_crash.h"

namespace fl::faultvfs {

struct FaultVfs::Inode {
  uint64_t id = 0;
  // Durable content: the backend file (opened at its durable name; kept open
  // after that name is removed) or, for a file whose name never reached the
  // disk, the shadow.
  std::optional<std::string> durable_path;
  std::unique_ptr<File> backend;
  Bytes shadow;
  uint64_t durable_size = 0;

  // The page cache: what reads return. Invariant: cache.size() is the size.
  Bytes cache;
  bool cache_loaded = false;
  // Pending writes and truncates since the last successful sync, in issue
  // order. A write's bytes stay in the cache (arena_pos == kInCache) until
  // something is about to change them there; then they move to `arena`
  // (copy-on-overwrite, so an append costs one copy, not two).
  std::vector<internal::DataOp> pending;
  Bytes arena;
  // Pending writes whose bytes are still in the cache: start -> (end, op
  // index). Invariant: the ranges do not overlap.
  std::map<uint64_t, std::pair<uint64_t, size_t>> by_ref;
  // Deferred write-back: ranges where the disk's bytes are the cache's bytes
  // but have not been copied to the backend yet. A sync marks them instead
  // of copying; they are flushed before the cache changes there, before a
  // crash and when the FaultVfs goes away. Invariant: disjoint from
  // `unwritten`, below the durable size.
  std::map<uint64_t, uint64_t> deferred;
  uint64_t backend_size = 0;  // bytes the backend file (or shadow) physically holds
  // Byte ranges [start, end) where the cache is clean yet differs from the
  // disk: failed writeback under ext4 semantics, misdirected writes.
  std::map<uint64_t, uint64_t> unwritten;
  // Latent sector errors (sector indices), until rewritten.
  std::set<uint64_t> bad_sectors;

  // Linux errseq_t: a counter of writeback errors and whether anyone saw the latest.
  uint64_t wb_err_seq = 0;
  int wb_err = 0;
  bool wb_err_seen = true;
  uint32_t handles = 0;
};

namespace internal {

inline constexpr uint64_t kInCache = UINT64_MAX;  // DataOp::arena_pos of a write still in the cache

// Interval-set helpers for FaultVfs::Inode::unwritten.
void ranges_erase(std::map<uint64_t, uint64_t>& ranges, uint64_t start, uint64_t end);
void ranges_insert(std::map<uint64_t, uint64_t>& ranges, uint64_t start, uint64_t end);

}  // namespace internal
}  // namespace fl::faultvfs
