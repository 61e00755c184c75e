// FaultVfs: the durable side of the page cache: durable reads, sync
// (persisting pending operations), writeback failure and silent corruption.
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
using internal::kPageBytes;

std::optional<uint64_t> FaultVfs::first_disk_byte_locked(const Inode& inode, uint64_t offset, uint64_t end) const {
  // Bytes at or past a pending truncate, or past the durable size, are not the disk's.
  uint64_t limit = std::min(end, inode.durable_size);
  for (const auto& op : inode.pending) {
    if (op.kind == DataOp::Kind::kTruncate) limit = std::min(limit, op.size_after);
  }
  if (offset >= limit) return std::nullopt;
  std::map<uint64_t, uint64_t> cached = inode.unwritten;  // clean pages that differ from the disk
  for (const auto& op : inode.pending) {
    if (op.kind == DataOp::Kind::kWrite) internal::ranges_insert(cached, op.cache_offset, op.cache_offset + op.length);
  }
  uint64_t at = offset;
  auto it = cached.upper_bound(at);
  if (it != cached.begin()) --it;
  for (; it != cached.end() && it->first <= at; ++it) {
    if (it->second > at) at = it->second;  // [it->first, it->second) covers `at`
  }
  return at < limit ? std::optional<uint64_t>(at) : std::nullopt;
}

// ---- durable content -----------------------------------------------------

Status FaultVfs::durable_read_locked(Inode& inode, uint64_t offset, std::span<uint8_t> out) {
  FL_ASSERT(offset + out.size() <= inode.durable_size);
  if (out.empty()) return Status::success();
  const uint64_t end = offset + out.size();
  // What the backend physically holds, zeros past it, then the durable pages.
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
  const uint64_t first = offset / kPageBytes;
  for (uint64_t page = first; page * kPageBytes < end && page < inode.durable_pages.size(); ++page) {
    const internal::PageRef& ref = inode.durable_pages[page];
    if (!ref) continue;
    const uint64_t from = std::max(offset, page * kPageBytes);
    const uint64_t to = std::min(end, (page + 1) * kPageBytes);
    std::memcpy(out.data() + (from - offset), ref->bytes.data() + (from - page * kPageBytes), to - from);
  }
  return Status::success();
}

Result<Bytes> FaultVfs::durable_content_locked(Inode& inode) {
  Bytes content(inode.durable_size);
  FL_TRY(durable_read_locked(inode, 0, content));
  return content;
}

Status FaultVfs::load_cache_locked(Inode& inode) {
  if (inode.cache_loaded) return Status::success();
  FL_ASSIGN_OR_RETURN(Bytes content, durable_content_locked(inode));
  inode.cache.clear();
  inode.cache.write(0, content);
  inode.cache_loaded = true;
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

Status FaultVfs::flush_all_locked(Inode& inode) {
  for (uint64_t page = 0; page < inode.durable_pages.size(); ++page) {
    const internal::PageRef& ref = inode.durable_pages[page];
    const uint64_t start = page * kPageBytes;
    if (!ref || start >= inode.durable_size) continue;
    const uint64_t length = std::min(kPageBytes, inode.durable_size - start);
    FL_TRY(backend_write_locked(inode, start, ByteView(ref->bytes.data(), length)));
  }
  inode.durable_pages.clear();
  if (inode.backend_size != inode.durable_size) FL_TRY(backend_truncate_locked(inode, inode.durable_size));
  return Status::success();
}

Bytes FaultVfs::op_bytes_locked(const Inode& inode, const DataOp& op) const {
  FL_ASSERT(op.kind == DataOp::Kind::kWrite);
  Bytes out(op.length);
  size_t done = 0;
  for (size_t i = static_cast<size_t>(op.arena_pos); done < out.size(); ++i) {
    FL_ASSERT(i < inode.pending_pages.size());
    const uint64_t at = op.cache_offset + done;
    const uint64_t in_page = at % kPageBytes;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kPageBytes - in_page, out.size() - done));
    std::memcpy(out.data() + done, inode.pending_pages[i]->bytes.data() + in_page, n);
    done += n;
  }
  return out;
}

// ---- sync ------------------------------------------------------------------

void FaultVfs::share_durable_pages_locked(Inode& inode, uint64_t start, uint64_t end) {
  if (start >= end || inode.cache.page_count() == 0) return;
  const uint64_t last = std::min<uint64_t>((end - 1) / kPageBytes, inode.cache.page_count() - 1);
  if (inode.durable_pages.size() <= last) inode.durable_pages.resize(last + 1);
  for (uint64_t page = start / kPageBytes; page <= last; ++page) {
    inode.durable_pages[page] = inode.cache.page(static_cast<size_t>(page));
  }
}

Status FaultVfs::persist_data_locked(Inode& inode) {
  if (inode.pending.empty()) return Status::success();
  // Invariant: the last pending op left the file at the size the cache has.
  FL_ASSERT(inode.pending.back().size_after == inode.cache.size());
  const bool misdirected = std::any_of(inode.pending.begin(), inode.pending.end(),
                                       [](const DataOp& op) { return op.offset != op.cache_offset; });
  // With no misdirected write and no clean-but-unwritten byte, the disk ends
  // up holding exactly the cache's pages that the ops touched: share them.
  if (misdirected || !inode.unwritten.empty()) return persist_by_replay_locked(inode);
  const uint64_t sector = plan_.sector_size_bytes;
  uint64_t size = inode.durable_size;
  for (const DataOp& op : inode.pending) {
    if (op.kind == DataOp::Kind::kWrite) {
      if (op.size_after > size) share_durable_pages_locked(inode, size, op.size_after);  // the gap, if any
      share_durable_pages_locked(inode, op.cache_offset, op.cache_offset + op.length);
      if (!inode.bad_sectors.empty()) {  // rewriting a sector on the disk remaps a latent error away
        for (uint64_t s = op.offset / sector; s * sector < op.offset + op.length; ++s) inode.bad_sectors.erase(s);
      }
    } else if (op.size_after < size) {
      const uint64_t keep = (op.size_after + kPageBytes - 1) / kPageBytes;
      if (inode.durable_pages.size() > keep) inode.durable_pages.resize(keep);
      if (inode.backend_size > op.size_after) FL_TRY(backend_truncate_locked(inode, op.size_after));
      share_durable_pages_locked(inode, op.size_after, op.size_after + 1);  // the new last page
      inode.bad_sectors.erase(inode.bad_sectors.lower_bound((op.size_after + sector - 1) / sector),
                              inode.bad_sectors.end());  // freed blocks
    } else {
      share_durable_pages_locked(inode, size, op.size_after);
    }
    size = op.size_after;
  }
  FL_ASSERT(size == inode.cache.size());
  inode.durable_size = size;
  inode.pending.clear();
  inode.pending_pages.clear();
  return Status::success();
}

// The general case: replay every op on the durable bytes, in issue order,
// at the offsets where the disk receives them.
Status FaultVfs::persist_by_replay_locked(Inode& inode) {
  FL_ASSIGN_OR_RETURN(Bytes durable, durable_content_locked(inode));
  const uint64_t sector = plan_.sector_size_bytes;
  for (const DataOp& op : inode.pending) {
    if (op.kind == DataOp::Kind::kTruncate) {
      durable.resize(op.size_after, 0);
      // (`unwritten` was clipped when the truncate was issued; a range there
      // now is newer than this op and stays.)
      inode.bad_sectors.erase(inode.bad_sectors.lower_bound((op.size_after + sector - 1) / sector),
                              inode.bad_sectors.end());
      continue;
    }
    Bytes bytes = op_bytes_locked(inode, op);
    if (durable.size() < op.size_after) durable.resize(op.size_after, 0);
    FL_ASSERT(op.offset + op.length <= durable.size());
    std::copy(bytes.begin(), bytes.end(), durable.begin() + static_cast<ptrdiff_t>(op.offset));
    for (uint64_t s = op.offset / sector; s * sector < op.offset + op.length; ++s) inode.bad_sectors.erase(s);
    internal::ranges_erase(inode.unwritten, op.offset, op.offset + op.length);
    if (op.offset != op.cache_offset) {
      // Misdirected: the cache keeps the bytes where they were meant to go,
      // which the disk does not have, and the disk's target is not what the
      // cache holds there.
      internal::ranges_insert(inode.unwritten, op.cache_offset, op.cache_offset + op.length);
      internal::ranges_insert(inode.unwritten, op.offset, op.offset + op.length);
    }
  }
  FL_ASSERT(durable.size() == inode.cache.size());
  inode.durable_pages.clear();
  FL_TRY(backend_write_locked(inode, 0, durable));
  if (inode.backend_size != durable.size()) FL_TRY(backend_truncate_locked(inode, durable.size()));
  inode.durable_size = durable.size();
  inode.pending.clear();
  inode.pending_pages.clear();
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
            inode.cache.set(off, off < cut ? (*durable)[off] : 0);
          }
          internal::ranges_erase(inode.unwritten, op.cache_offset, op.cache_offset + op.length);
        }
      } else {
        // The backend could not be read: keep the pages but never let them
        // count as durable (as under ext4).
        for (auto [start, end] : failed) internal::ranges_insert(inode.unwritten, start, end);
      }
    }
    inode.pending = std::move(residual);
    inode.pending_pages.clear();
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
    if (!durable_read_locked(inode, offset, {&byte, 1}).ok()) continue;
    byte ^= mask;
    const uint64_t page = offset / kPageBytes;
    if (page < inode.durable_pages.size() && inode.durable_pages[page]) {
      auto copy = std::make_shared<internal::Page>(*inode.durable_pages[page]);  // it may be the cache's too
      copy->bytes[offset % kPageBytes] = byte;
      inode.durable_pages[page] = std::move(copy);
    } else if (!backend_write_locked(inode, offset, {&byte, 1}).ok()) {
      continue;
    }
    // A byte a read would fetch from the disk (clean, not dirty, not past a
    // pending truncate) shows the flip; the cache serves every other one.
    if (offset < inode.cache.size() && first_disk_byte_locked(inode, offset, offset + 1)) {
      inode.cache.set(offset, byte);
    }
    detail += (detail.empty() ? "" : ", ") + std::string("byte ") + std::to_string(offset) + " ^= " +
              std::to_string(mask);
  }
  log_locked(ctx, "corrupt", detail, rule);
}

}  // namespace fl::faultvfs
