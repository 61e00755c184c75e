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
#include "faultvfs/internal/paged_bytes.h"

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

  // The page cache: what reads return. Its size is the file's size.
  internal::PagedBytes cache;
  bool cache_loaded = false;
  // Pending writes and truncates since the last successful sync, in issue
  // order. A write's bytes are the cache pages it wrote, kept as they were
  // (pending_pages[op.arena_pos ...]; copy-on-write protects them).
  std::vector<internal::DataOp> pending;
  std::vector<internal::PageRef> pending_pages;
  // Durable pages not yet copied to the backend (null: the backend's bytes).
  // A sync shares the cache's pages here instead of copying them; they are
  // copied by flush_all_locked() (before a crash, on flush_backend() and when
  // FaultVfs goes away). Pages past the durable size are ignored.
  std::vector<internal::PageRef> durable_pages;
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

// Interval-set helpers for FaultVfs::Inode::unwritten.
void ranges_erase(std::map<uint64_t, uint64_t>& ranges, uint64_t start, uint64_t end);
void ranges_insert(std::map<uint64_t, uint64_t>& ranges, uint64_t start, uint64_t end);

}  // namespace internal
}  // namespace fl::faultvfs
