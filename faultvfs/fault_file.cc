// FaultVfs: file handles, the page cache, sync and writeback failure.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "faultvfs/fault_vfs.h"
#include "faultvfs/internal/fault_inode.h"

namespace fl::faultvfs {

namespace internal {

void ranges_erase(std::map<uint64_t, uint64_t>& ranges, uint64_t start, uint64_t end) {
  if (start >= end) return;
  auto it = ranges.upper_bound(start);
  if (it != ranges.begin()) --it;
  while (it != ranges.end() && it->first < end) {
    auto [s, e] = *it;
    if (e <= start) {
      ++it;
      continue;
    }
    it = ranges.erase(it);
    if (s < start) ranges.emplace(s, start);
    if (e > end) ranges.emplace(end, e);
  }
}

void ranges_insert(std::map<uint64_t, uint64_t>& ranges, uint64_t start, uint64_t end) {
  if (start >= end) return;
  ranges_erase(ranges, start, end);
  // Merge with touching neighbours, so an append-only file keeps one range.
  auto next = ranges.lower_bound(end);
  if (next != ranges.end() && next->first == end) {
    end = next->second;
    ranges.erase(next);
  }
  auto it = ranges.lower_bound(start);
  if (it != ranges.begin() && std::prev(it)->second == start) {
    std::prev(it)->second = end;
    return;
  }
  ranges.emplace_hint(it, start, end);
}

}  // namespace internal

using internal::DataOp;

class FaultFile final : public File {
 public:
  FaultFile(FaultVfs* vfs, uint64_t inode, uint64_t epoch, std::string path, uint64_t err_seq_seen)
      : vfs_(vfs), inode_(inode), epoch_(epoch), path_(std::move(path)), err_seq_seen_(err_seq_seen) {}
  ~FaultFile() override {
    if (!closed_) static_cast<void>(close());
  }

  Result<size_t> read(uint64_t offset, std::span<uint8_t> out) override;
  Result<size_t> write(uint64_t offset, ByteView data) override;
  Status truncate(uint64_t size_bytes) override;
  Status sync() override { return sync_common(OpKind::kSync); }
  Status datasync() override { return sync_common(OpKind::kDatasync); }
  Result<uint64_t> size() override;
  Status close() override;

 private:
  // The inode, or EBADF for a closed handle or one from before a crash.
  Result<FaultVfs::Inode*> inode_locked();
  Status sync_common(OpKind op);

  FaultVfs* vfs_;
  uint64_t inode_;
  uint64_t epoch_;
  std::string path_;
  uint64_t err_seq_seen_;
  bool closed_ = false;
};

Result<std::unique_ptr<File>> FaultVfs::open_handle_locked(Inode& inode, std::string_view path) {
  ++inode.handles;
  // errseq_sample(): an error nobody has seen yet is reported to this handle too.
  uint64_t seen = inode.wb_err_seen ? inode.wb_err_seq : 0;
  return std::unique_ptr<File>(new FaultFile(this, inode.id, epoch_, std::string(path), seen));
}

Result<FaultVfs::Inode*> FaultFile::inode_locked() {
  if (closed_) return Status::io_error(path_, EBADF);
  if (epoch_ != vfs_->epoch_) return Status::io_error(path_ + " (handle from before a crash)", EBADF, true);
  auto it = vfs_->inodes_.find(inode_);
  FL_ASSERT(it != vfs_->inodes_.end());  // Invariant: an open handle keeps its inode
  return it->second.get();
}

Result<size_t> FaultFile::read(uint64_t offset, std::span<uint8_t> out) {
  std::lock_guard lock(vfs_->mu_);
  FL_ASSIGN_OR_RETURN(FaultVfs::Inode * inode, inode_locked());
  const uint64_t size = inode->cache.size();
  const uint64_t count = offset >= size ? 0 : std::min<uint64_t>(out.size(), size - offset);
  FaultVfs::OpContext ctx{OpKind::kRead, path_, inode, offset, count};
  FL_ASSIGN_OR_RETURN(std::optional<FaultVfs::Firing> firing, vfs_->begin_op_locked(ctx));
  const uint64_t sector = vfs_->plan_.sector_size_bytes;
  if (firing && firing->action.kind == ActionKind::kFail) {
    // A latent sector error in the first sector this read fetches from the
    // disk: it fails every read that reaches it until it is rewritten.
    std::optional<uint64_t> first = vfs_->first_disk_byte_locked(*inode, offset, offset + count);
    FL_ASSERT(first.has_value());  // applicable_locked() checked it
    inode->bad_sectors.insert(*first / sector);
    vfs_->log_locked(ctx, "fail",
                     Status::errno_name(firing->action.err) + " (latent error in sector " +
                         std::to_string(*first / sector) + ")",
                     firing->rule);
    return Status::io_error(path_, firing->action.err, /*injected=*/true);
  }
  if (firing) FL_TRY(vfs_->fire_locked(*firing, ctx));
  if (count == 0) return size_t{0};
  for (auto bad = inode->bad_sectors.lower_bound(offset / sector);
       bad != inode->bad_sectors.end() && *bad * sector < offset + count; ++bad) {
    uint64_t from = std::max(offset, *bad * sector);
    uint64_t to = std::min(offset + count, (*bad + 1) * sector);
    if (vfs_->first_disk_byte_locked(*inode, from, to)) {
      vfs_->log_locked(ctx, "fail", "EIO (latent error in sector " + std::to_string(*bad) + ")", -1);
      return Status::io_error(path_, EIO, /*injected=*/true);
    }
  }
  std::memcpy(out.data(), inode->cache.data() + offset, count);
  return static_cast<size_t>(count);
}

Result<size_t> FaultFile::write(uint64_t offset, ByteView data) {
  std::lock_guard lock(vfs_->mu_);
  FL_ASSIGN_OR_RETURN(FaultVfs::Inode * inode, inode_locked());
  FaultVfs::OpContext ctx{OpKind::kWrite, path_, inode, offset, data.size()};
  FL_ASSIGN_OR_RETURN(std::optional<FaultVfs::Firing> firing, vfs_->begin_op_locked(ctx));
  if (firing) FL_TRY(vfs_->fire_locked(*firing, ctx));
  const uint64_t sector = vfs_->plan_.sector_size_bytes;
  uint64_t count = data.size();
  if (firing && firing->action.kind == ActionKind::kShortWrite) {
    count = 1 + vfs_->faults_prng_.uniform(count - 1);  // 1 .. size-1 bytes
    vfs_->log_locked(ctx, "short-write", "wrote " + std::to_string(count) + " of " + std::to_string(data.size()),
                     firing->rule);
  }
  if (count == 0) return size_t{0};  // [vfs.4]: changes nothing, needs no space
  const uint64_t size_before = inode->cache.size();
  const uint64_t size_after = std::max(size_before, offset + count);
  if (vfs_->plan_.capacity_bytes && size_after > size_before &&
      vfs_->used_bytes_locked() + (size_after - size_before) > *vfs_->plan_.capacity_bytes) {
    vfs_->log_locked(ctx, "fail", "ENOSPC (capacity)", -1);
    return Status::io_error(path_, ENOSPC, /*injected=*/true);
  }
  uint64_t disk_offset = offset;
  if (firing && firing->action.kind == ActionKind::kMisdirect) {
    // Another sector-aligned place inside the file, same offset within the sector.
    const uint64_t slots = (size_after - count - offset % sector) / sector + 1;
    uint64_t slot = vfs_->faults_prng_.uniform(slots - 1);
    if (slot >= offset / sector) ++slot;  // never the intended sector
    disk_offset = slot * sector + offset % sector;
    FL_ASSERT(disk_offset != offset && disk_offset + count <= size_after);
    vfs_->log_locked(ctx, "misdirect", "lands at offset " + std::to_string(disk_offset), firing->rule);
  }
  FL_TRY(vfs_->before_cache_change_locked(*inode, offset, offset + count));
  if (offset == size_before) {
    inode->cache.insert(inode->cache.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(count));
  } else {
    if (size_after > size_before) inode->cache.resize(size_after, 0);
    std::memcpy(inode->cache.data() + offset, data.data(), count);
  }
  inode->pending.push_back(DataOp{DataOp::Kind::kWrite, disk_offset, offset, count, internal::kInCache, size_after});
  inode->by_ref.emplace(offset, std::pair{offset + count, inode->pending.size() - 1});
  return static_cast<size_t>(count);
}

Status FaultFile::truncate(uint64_t size_bytes) {
  std::lock_guard lock(vfs_->mu_);
  FL_ASSIGN_OR_RETURN(FaultVfs::Inode * inode, inode_locked());
  FaultVfs::OpContext ctx{OpKind::kTruncate, path_, inode, size_bytes, 0};
  FL_ASSIGN_OR_RETURN(std::optional<FaultVfs::Firing> firing, vfs_->begin_op_locked(ctx));
  if (firing) FL_TRY(vfs_->fire_locked(*firing, ctx));
  const uint64_t size_before = inode->cache.size();
  if (vfs_->plan_.capacity_bytes && size_bytes > size_before &&
      vfs_->used_bytes_locked() + (size_bytes - size_before) > *vfs_->plan_.capacity_bytes) {
    vfs_->log_locked(ctx, "fail", "ENOSPC (capacity)", -1);
    return Status::io_error(path_, ENOSPC, /*injected=*/true);
  }
  if (size_bytes < size_before) FL_TRY(vfs_->before_cache_change_locked(*inode, size_bytes, size_before));
  inode->cache.resize(size_bytes, 0);
  internal::ranges_erase(inode->unwritten, size_bytes, UINT64_MAX);
  inode->pending.push_back(DataOp{DataOp::Kind::kTruncate, size_bytes, size_bytes, 0, 0, size_bytes});
  return Status::success();
}

Status FaultFile::sync_common(OpKind op) {
  std::lock_guard lock(vfs_->mu_);
  FL_ASSIGN_OR_RETURN(FaultVfs::Inode * inode, inode_locked());
  FaultVfs::OpContext ctx{op, path_, inode};
  FL_ASSIGN_OR_RETURN(std::optional<FaultVfs::Firing> firing, vfs_->begin_op_locked(ctx));
  if (firing && firing->action.kind == ActionKind::kFail) {
    // The writeback of this file's dirty pages failed ([fvfs.5]); nothing
    // else of this sync reaches the disk.
    vfs_->log_locked(ctx, "fail", Status::errno_name(firing->action.err), firing->rule);
    vfs_->writeback_failed_locked(*inode, firing->action.err, ctx);
  } else {
    if (firing) FL_TRY(vfs_->fire_locked(*firing, ctx));
    FL_TRY(vfs_->persist_data_locked(*inode));
  }
  // errseq_check_and_advance(): report an error this handle has not seen.
  if (inode->wb_err_seq != err_seq_seen_) {
    err_seq_seen_ = inode->wb_err_seq;
    inode->wb_err_seen = true;
    return Status::io_error(path_, inode->wb_err, /*injected=*/true);
  }
  return Status::success();
}

Result<uint64_t> FaultFile::size() {
  std::lock_guard lock(vfs_->mu_);
  FL_ASSIGN_OR_RETURN(FaultVfs::Inode * inode, inode_locked());
  FaultVfs::OpContext ctx{OpKind::kSize, path_, inode};
  FL_ASSIGN_OR_RETURN(std::optional<FaultVfs::Firing> firing, vfs_->begin_op_locked(ctx));
  if (firing) FL_TRY(vfs_->fire_locked(*firing, ctx));
  return static_cast<uint64_t>(inode->cache.size());
}

Status FaultFile::close() {
  std::lock_guard lock(vfs_->mu_);
  if (closed_) return Status::io_error(path_, EBADF);
  closed_ = true;
  if (epoch_ != vfs_->epoch_) return Status::success();  // the crash closed it already
  FaultVfs::Inode* inode = vfs_->inodes_.at(inode_).get();
  FL_ASSERT(inode->handles > 0);
  --inode->handles;
  FaultVfs::OpContext ctx{OpKind::kClose, path_, inode};
  Result<std::optional<FaultVfs::Firing>> firing = vfs_->begin_op_locked(ctx);
  if (firing.ok() && *firing) static_cast<void>(vfs_->fire_locked(**firing, ctx));
  vfs_->collect_garbage_locked();
  return firing.ok() ? Status::success() : firing.take_status();
}

// ---- durable content -----------------------------------------------------

std::optional<uint64_t> FaultVfs::first_disk_byte_locked(const Inode& inode, uint64_t offset, uint64_t end) const {
  // Bytes at or past a pending truncate, or past the durable size, are not the disk's.
  uint64_t limit = std::min(end, inode.durable_size);
  for (const auto& op : inode.pending) {
    if (op.kind == internal::DataOp::Kind::kTruncate) limit = std::min(limit, op.size_after);
  }
  if (offset >= limit) return std::nullopt;
  std::map<uint64_t, uint64_t> cached = inode.unwritten;  // clean pages that differ from the disk
  for (const auto& op : inode.pending) {
    if (op.kind == internal::DataOp::Kind::kWrite) {
      internal::ranges_insert(cached, op.cache_offset, op.cache_offset + op.length);
    }
  }
  uint64_t at = offset;
  auto it = cached.upper_bound(at);
  if (it != cached.begin()) --it;
  for (; it != cached.end() && it->first <= at; ++it) {
    if (it->second > at) at = it->second;  // [it->first, it->second) covers `at`
  }
  return at < limit ? std::optional<uint64_t>(at) : std::nullopt;
}

Status FaultVfs::durable_read_locked(Inode& inode, uint64_t offset, std::span<uint8_t> out) {
  FL_ASSERT(offset + out.size() <= inode.durable_size);
  if (out.empty()) return Status::success();
  const uint64_t end = offset + out.size();
  // What the backend physically holds, zeros past it, then the deferred ranges.
  const uint64_t physical_end = std::min(end, inode.backend_size);
  const uint64_t physical = physical_end > offset ? physical_end - offset : 0;
  std::fill(out.begin() + static_cast<ptrdiff_t>(physical), out.end(), 0);
  if (physical > 0 && !inode.backend) {
    std::memcpy(out.data(), inode.shadow.data() + offset, physical);
  } else if (physical > 0) {
    size_t done = 0;
    while (done < physical) {
      FL_ASSIGN_OR_RETURN(size_t got, inode.backend->read(offset + done, out.subspan(done, physical - done)));
      if (got == 0) {
        return Status::corruption(inode.durable_path.value_or("(unlinked)"), "backend file shorter than expected");
      }
      done += got;
    }
  }
  auto it = inode.deferred.upper_bound(offset);
  if (it != inode.deferred.begin()) --it;
  for (; it != inode.deferred.end() && it->first < end; ++it) {
    const uint64_t from = std::max(offset, it->first);
    const uint64_t to = std::min(end, it->second);
    if (from < to) std::memcpy(out.data() + (from - offset), inode.cache.data() + from, to - from);
  }
  return Status::success();
}

Status FaultVfs::backend_write_locked(Inode& inode, uint64_t offset, ByteView data) {
  if (data.empty()) return Status::success();
  if (inode.backend) {
    FL_ASSIGN_OR_RETURN(size_t wrote, inode.backend->write(offset, data));
    if (wrote != data.size()) return Status::io_error(inode.durable_path.value_or("(unlinked)"), EIO);
  } else {
    if (inode.shadow.size() < offset + data.size()) inode.shadow.resize(offset + data.size(), 0);
    std::memcpy(inode.shadow.data() + offset, data.data(), data.size());
  }
  inode.backend_size = std::max(inode.backend_size, offset + data.size());
  return Status::success();
}

Status FaultVfs::backend_truncate_locked(Inode& inode, uint64_t size_bytes) {
  if (inode.backend) {
    FL_TRY(inode.backend->truncate(size_bytes));
  } else {
    inode.shadow.resize(size_bytes, 0);
  }
  inode.backend_size = size_bytes;
  return Status::success();
}

Status FaultVfs::flush_locked(Inode& inode, uint64_t start, uint64_t end) {
  if (inode.deferred.empty() || start >= end) return Status::success();
  auto it = inode.deferred.upper_bound(start);
  if (it != inode.deferred.begin()) --it;
  for (; it != inode.deferred.end() && it->first < end; ++it) {
    const uint64_t from = std::max(start, it->first);
    const uint64_t to = std::min(end, it->second);
    if (from >= to) continue;
    FL_ASSERT(to <= inode.cache.size());  // Invariant: deferred bytes are in the cache
    FL_TRY(backend_write_locked(inode, from, ByteView(inode.cache.data() + from, to - from)));
  }
  internal::ranges_erase(inode.deferred, start, end);
  return Status::success();
}

Status FaultVfs::flush_all_locked(Inode& inode) {
  FL_TRY(flush_locked(inode, 0, UINT64_MAX));
  if (inode.backend_size != inode.durable_size) FL_TRY(backend_truncate_locked(inode, inode.durable_size));
  return Status::success();
}

Status FaultVfs::before_cache_change_locked(Inode& inode, uint64_t start, uint64_t end) {
  FL_TRY(flush_locked(inode, start, end));
  if (inode.by_ref.empty()) return Status::success();
  auto it = inode.by_ref.upper_bound(start);
  if (it != inode.by_ref.begin() && std::prev(it)->second.first > start) --it;
  while (it != inode.by_ref.end() && it->first < end) {
    const auto [ref_start, ref] = *it;
    const auto [ref_end, index] = ref;
    internal::DataOp& op = inode.pending[index];
    FL_ASSERT(op.arena_pos == internal::kInCache && op.cache_offset == ref_start);
    op.arena_pos = inode.arena.size();
    inode.arena.insert(inode.arena.end(), inode.cache.begin() + static_cast<ptrdiff_t>(ref_start),
                       inode.cache.begin() + static_cast<ptrdiff_t>(ref_end));
    it = inode.by_ref.erase(it);
  }
  return Status::success();
}

ByteView FaultVfs::op_bytes_locked(const Inode& inode, const internal::DataOp& op) const {
  FL_ASSERT(op.kind == internal::DataOp::Kind::kWrite);
  if (op.arena_pos == internal::kInCache) return ByteView(inode.cache.data() + op.cache_offset, op.length);
  return ByteView(inode.arena.data() + op.arena_pos, op.length);
}

Result<Bytes> FaultVfs::durable_content_locked(Inode& inode) {
  Bytes content(inode.durable_size);
  FL_TRY(durable_read_locked(inode, 0, content));
  return content;
}

Status FaultVfs::load_cache_locked(Inode& inode) {
  if (inode.cache_loaded) return Status::success();
  FL_ASSIGN_OR_RETURN(inode.cache, durable_content_locked(inode));
  inode.cache_loaded = true;
  return Status::success();
}

namespace {

// Marks [start, end) deferred except where the cache holds clean-but-unwritten
// bytes (Invariant: deferred and unwritten are disjoint).
using Ranges = std::map<uint64_t, uint64_t>;
void insert_deferred(Ranges& deferred, const Ranges& unwritten, uint64_t start, uint64_t end) {
  internal::ranges_insert(deferred, start, end);
  auto it = unwritten.upper_bound(start);
  if (it != unwritten.begin()) --it;
  for (; it != unwritten.end() && it->first < end; ++it) internal::ranges_erase(deferred, it->first, it->second);
}

}  // namespace

Status FaultVfs::persist_data_locked(Inode& inode) {
  if (inode.pending.empty()) return Status::success();
  // Invariant: the last pending op left the file at the size the cache has.
  FL_ASSERT(inode.pending.back().size_after == inode.cache.size());
  // After a successful sync the disk holds what the cache holds, except where
  // a write was misdirected. Rather than copy the bytes to the backend now,
  // mark them deferred (see Inode::deferred); misdirected bytes go at once.
  const uint64_t sector = plan_.sector_size_bytes;
  uint64_t size = inode.durable_size;
  for (const DataOp& op : inode.pending) {
    if (op.kind == DataOp::Kind::kTruncate) {
      if (op.size_after < size) {
        // (`unwritten` was clipped when the truncate was issued; a range
        // there now is newer than this op and stays.)
        internal::ranges_erase(inode.deferred, op.size_after, UINT64_MAX);
        if (inode.backend_size > op.size_after) FL_TRY(backend_truncate_locked(inode, op.size_after));
        inode.bad_sectors.erase(inode.bad_sectors.lower_bound((op.size_after + sector - 1) / sector),
                                inode.bad_sectors.end());  // freed blocks
      } else {
        insert_deferred(inode.deferred, inode.unwritten, size, op.size_after);  // the new bytes are zeros on the disk
      }
      size = op.size_after;
      continue;
    }
    if (op.size_after > size) insert_deferred(inode.deferred, inode.unwritten, size, op.size_after);
    size = std::max(size, op.size_after);
    // Rewriting a sector on the disk remaps a latent error away.
    if (!inode.bad_sectors.empty()) {
      for (uint64_t s = op.offset / sector; s * sector < op.offset + op.length; ++s) inode.bad_sectors.erase(s);
    }
    if (op.offset == op.cache_offset) {
      internal::ranges_insert(inode.deferred, op.offset, op.offset + op.length);
      if (!inode.unwritten.empty()) internal::ranges_erase(inode.unwritten, op.offset, op.offset + op.length);
      continue;
    }
    // Misdirected: the disk gets the bytes elsewhere; the cache keeps them
    // where they were meant to go, which the disk does not have.
    internal::ranges_erase(inode.deferred, op.offset, op.offset + op.length);
    FL_TRY(backend_write_locked(inode, op.offset, op_bytes_locked(inode, op)));
    internal::ranges_erase(inode.deferred, op.cache_offset, op.cache_offset + op.length);
    internal::ranges_insert(inode.unwritten, op.cache_offset, op.cache_offset + op.length);
    internal::ranges_insert(inode.unwritten, op.offset, op.offset + op.length);
  }
  FL_ASSERT(size == inode.cache.size());
  // Invariant: deferred bytes are cache bytes below the size, never unwritten ones.
  FL_ASSERT(inode.deferred.empty() || inode.deferred.rbegin()->second <= size);
  inode.durable_size = size;
  inode.pending.clear();
  inode.arena.clear();
  inode.by_ref.clear();
  return Status::success();
}

void FaultVfs::writeback_failed_locked(Inode& inode, int err, const OpContext& ctx) {
  if (plan_.fsync != FsyncSemantics::kRetry) {
    // The failed pages leave the dirty set; the size (metadata) stays pending.
    std::vector<DataOp> residual;
    uint64_t cut = inode.durable_size;  // bytes at or past this are not the disk's
    // The failed writes' ranges, replayed in issue order so a later truncate
    // clips them. Ranges already unwritten are older than every pending
    // truncate that could clip them (truncate() clipped them when issued), so
    // they are left alone.
    std::map<uint64_t, uint64_t> failed;
    for (const DataOp& op : inode.pending) {
      if (op.kind == DataOp::Kind::kTruncate) {
        residual.push_back(op);
        cut = std::min(cut, op.size_after);
        internal::ranges_erase(failed, op.size_after, UINT64_MAX);
        continue;
      }
      internal::ranges_insert(failed, op.cache_offset, op.cache_offset + op.length);
      if (residual.empty() ? op.size_after > inode.durable_size : op.size_after > residual.back().size_after) {
        residual.push_back(DataOp{DataOp::Kind::kTruncate, op.size_after, op.size_after, 0, 0, op.size_after});
      }
    }
    if (plan_.fsync == FsyncSemantics::kExt4) {
      for (auto [start, end] : failed) internal::ranges_insert(inode.unwritten, start, end);
    }
    if (plan_.fsync == FsyncSemantics::kRevert) {
      // The pages are dropped: a re-read finds the disk's bytes.
      Result<Bytes> durable = durable_content_locked(inode);
      if (durable.ok()) {
        for (const DataOp& op : inode.pending) {
          if (op.kind != DataOp::Kind::kWrite) continue;
          for (uint64_t off = op.cache_offset; off < op.cache_offset + op.length && off < inode.cache.size(); ++off) {
            inode.cache[off] = off < cut ? (*durable)[off] : 0;
          }
          internal::ranges_erase(inode.unwritten, op.cache_offset, op.cache_offset + op.length);
        }
      }
    }
    inode.pending = std::move(residual);
    inode.arena.clear();
    inode.by_ref.clear();
  }
  if (inode.handles == 0 && faults_prng_.chance(plan_.drop_unseen_error)) {
    log_locked(ctx, "error-dropped", "no handle open: the error was not recorded", -1);
    return;
  }
  ++inode.wb_err_seq;
  inode.wb_err = err;
  inode.wb_err_seen = false;
}

void FaultVfs::corrupt_locked(Inode& inode, uint32_t bits, const OpContext& ctx, int rule) {
  std::string detail;
  for (uint32_t i = 0; i < bits; ++i) {
    const uint64_t offset = faults_prng_.uniform(inode.durable_size);
    const uint8_t mask = static_cast<uint8_t>(1u << faults_prng_.uniform(8));
    uint8_t byte = 0;
    if (!flush_locked(inode, offset, offset + 1).ok()) continue;
    if (!durable_read_locked(inode, offset, {&byte, 1}).ok()) continue;
    byte ^= mask;
    if (!backend_write_locked(inode, offset, {&byte, 1}).ok()) continue;
    // A clean cached page is re-read from the disk and shows the flip.
    bool dirty = std::any_of(inode.pending.begin(), inode.pending.end(), [&](const DataOp& op) {
      return op.kind == DataOp::Kind::kWrite && op.cache_offset <= offset && offset < op.cache_offset + op.length;
    });
    auto range = inode.unwritten.upper_bound(offset);
    bool unwritten = range != inode.unwritten.begin() && std::prev(range)->second > offset;
    if (!dirty && !unwritten && offset < inode.cache.size()) inode.cache[offset] = byte;
    detail += (detail.empty() ? "" : ", ") + std::string("byte ") + std::to_string(offset) + " ^= " +
              std::to_string(mask);
  }
  log_locked(ctx, "corrupt", detail, rule);
}

}  // namespace fl::faultvfs
