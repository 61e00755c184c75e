// FaultVfs: file handles (reads, writes, truncates, syncs through the page cache).
// The page cache's durable side is in fault_store.cc.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "faultvfs/fault_vfs.h"
#include "faultvfs/internal/fault_inode.h"

namespace fl::faultvfs {


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
  inode->cache.read(offset, out.first(static_cast<size_t>(count)));
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
  inode->cache.write(offset, data.first(static_cast<size_t>(count)));
  // The op keeps the pages as written; the next write to them copies first.
  DataOp op{DataOp::Kind::kWrite, disk_offset, offset, count, inode->pending_pages.size(), size_after};
  for (uint64_t page = offset / internal::kPageBytes; page <= (offset + count - 1) / internal::kPageBytes; ++page) {
    inode->pending_pages.push_back(inode->cache.page(static_cast<size_t>(page)));
  }
  inode->pending.push_back(op);
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
  inode->cache.resize(size_bytes);
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

}  // namespace fl::faultvfs
