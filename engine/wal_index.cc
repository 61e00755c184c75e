// engine/wal_index.cc: the per-page version lists of committed WAL frames.
#include "engine/wal_index.h"

#include <algorithm>
#include <string>

#include "engine/limits.h"
#include "engine/wal_format.h"

namespace fl::engine {

Result<WalIndex> WalIndex::from_scan(WalScan& scan) {
  const bool images = !scan.pages.empty();
  FL_ASSERT(!images || scan.pages.size() == scan.frames.size());
  FL_ASSIGN_OR_RETURN(WalIndex index, from_scan(static_cast<const WalScan&>(scan)));
  if (!images) return index;
  // Each indexed entry is one scanned frame; frames are in file order, so
  // the frame of an entry is found by its offset in O(log n) (a page logged
  // thousands of times must not make recovery quadratic).
  for (auto& [page_number, versions] : index.pages_) {
    for (WalIndexEntry& entry : versions) {
      const auto frame = std::lower_bound(
          scan.frames.begin(), scan.frames.end(), entry.offset_bytes,
          [](const WalFrameInfo& f, uint64_t offset) { return f.offset_bytes < offset; });
      FL_ASSERT(frame != scan.frames.end() && frame->offset_bytes == entry.offset_bytes);
      const size_t i = static_cast<size_t>(frame - scan.frames.begin());
      entry.image = std::make_shared<const faultvfs::Bytes>(std::move(scan.pages[i]));
    }
  }
  scan.pages.clear();
  return index;
}

Result<WalIndex> WalIndex::from_scan(const WalScan& scan) {
  FL_ASSERT(scan.frames.size() <= kWalFrameCountMax);  // [walr.2]: the scan is bounded
  WalIndex index;
  std::vector<const WalFrameInfo*> pending;
  for (const WalFrameInfo& frame : scan.frames) {
    pending.push_back(&frame);
    if (!frame.header.is_commit()) continue;
    const uint64_t commit_seq = frame.header.commit_seq;
    if (commit_seq <= index.last_commit_seq()) {  // [widx.5]
      return Status::corruption("wal index: frame at offset " + std::to_string(frame.offset_bytes),
                                "commit_seq " + std::to_string(commit_seq) + " does not follow " +
                                    std::to_string(index.last_commit_seq()));
    }
    for (const WalFrameInfo* member : pending) {
      index.add_frame(member->header.page_number,
                      WalIndexEntry{commit_seq, member->header.lsn, member->offset_bytes, nullptr});
    }
    index.commits_.push_back(Commit{
        commit_seq, WalCommitMeta{frame.header.db_page_count, frame.header.root_page, frame.header.freelist_head},
        frame.header.lsn});
    pending.clear();
  }
  if (!pending.empty()) {  // [widx.5]
    return Status::corruption("wal index: frame at offset " + std::to_string(pending.front()->offset_bytes),
                              "scan ends inside a transaction (" + std::to_string(pending.size()) + " frames)");
  }
  FL_ASSERT(index.frame_count_ == scan.frames.size());
  return index;
}

bool WalIndex::has_room_for(uint64_t frame_count) const {
  return frame_count <= kWalFrameCountMax && frame_count_ <= kWalFrameCountMax - frame_count;
}

Status WalIndex::add_commit(std::span<const uint32_t> page_numbers, const WalAppended& appended,
                            const WalCommitMeta& meta, std::span<const std::shared_ptr<const faultvfs::Bytes>> images) {
  FL_ASSERT(images.empty() || images.size() == page_numbers.size());
  FL_ASSERT(!page_numbers.empty());  // [walw.7]: the writer rejects an empty transaction
  FL_ASSERT(appended.commit_seq > last_commit_seq());
  FL_ASSERT(appended.last_lsn - appended.first_lsn + 1 == page_numbers.size());
  FL_ASSERT(appended.end_offset_bytes - appended.first_offset_bytes == page_numbers.size() * kWalFrameBytes);
  if (!has_room_for(page_numbers.size())) {  // [widx.4]
    return Status::busy("wal index", "holds " + std::to_string(frame_count_) + " frames; adding " +
                                          std::to_string(page_numbers.size()) + " passes kWalFrameCountMax");
  }
  for (size_t i = 0; i < page_numbers.size(); ++i) {
    add_frame(page_numbers[i], WalIndexEntry{appended.commit_seq, appended.first_lsn + i,
                                             appended.first_offset_bytes + i * kWalFrameBytes,
                                             images.empty() ? nullptr : images[i]});
  }
  commits_.push_back(Commit{appended.commit_seq, meta, appended.last_lsn});
  return Status::success();
}

void WalIndex::add_frame(uint32_t page_number, const WalIndexEntry& entry) {
  FL_ASSERT(page_number != 0);
  std::vector<WalIndexEntry>& versions = pages_[page_number];
  FL_ASSERT(versions.empty() || versions.back().commit_seq <= entry.commit_seq);
  FL_ASSERT(versions.empty() || versions.back().lsn < entry.lsn);
  if (!versions.empty() && versions.back().commit_seq == entry.commit_seq) {
    versions.back() = entry;  // [widx.2]: a page logged twice in one transaction
  } else {
    versions.push_back(entry);
  }
  frame_count_ += 1;
}

namespace {

// The newest version <= snapshot in `versions` (sorted by commit_seq), or null.
const WalIndexEntry* visible_version(const std::vector<WalIndexEntry>& versions, uint64_t snapshot_commit_seq) {
  // The first version newer than the snapshot; the one before it is visible.
  const auto newer = std::upper_bound(versions.begin(), versions.end(), snapshot_commit_seq,
                                      [](uint64_t seq, const WalIndexEntry& e) { return seq < e.commit_seq; });
  if (newer == versions.begin()) return nullptr;
  FL_ASSERT(std::prev(newer)->commit_seq <= snapshot_commit_seq);
  return &*std::prev(newer);
}

}  // namespace

const WalIndexEntry* WalIndex::find_entry(uint32_t page_number, uint64_t snapshot_commit_seq) const {
  const auto found = pages_.find(page_number);
  if (found == pages_.end()) return nullptr;
  return visible_version(found->second, snapshot_commit_seq);
}

std::vector<std::pair<uint32_t, WalIndexEntry>> WalIndex::newest_frames(uint64_t snapshot_commit_seq) const {
  std::vector<std::pair<uint32_t, WalIndexEntry>> out;
  for (const auto& [page_number, versions] : pages_) {
    if (const WalIndexEntry* entry = visible_version(versions, snapshot_commit_seq)) {
      out.emplace_back(page_number, *entry);
    }
  }
  return out;
}

std::optional<WalFrameInfo> WalIndex::find_frame(uint32_t page_number, uint64_t snapshot_commit_seq) const {
  const WalIndexEntry* found = find_entry(page_number, snapshot_commit_seq);
  if (found == nullptr) return std::nullopt;
  const WalIndexEntry& entry = *found;
  WalFrameInfo info;
  info.header.page_number = page_number;
  info.header.lsn = entry.lsn;
  info.header.commit_seq = entry.commit_seq;
  info.offset_bytes = entry.offset_bytes;
  return info;
}

const WalIndex::Commit* WalIndex::find_commit(uint64_t snapshot_commit_seq) const {
  const auto newer = std::upper_bound(commits_.begin(), commits_.end(), snapshot_commit_seq,
                                      [](uint64_t seq, const Commit& c) { return seq < c.commit_seq; });
  if (newer == commits_.begin()) return nullptr;
  return &*std::prev(newer);
}

std::optional<WalCommitMeta> WalIndex::commit_meta(uint64_t snapshot_commit_seq) const {
  const Commit* commit = find_commit(snapshot_commit_seq);
  if (commit == nullptr) return std::nullopt;
  return commit->meta;
}

uint64_t WalIndex::commit_last_lsn(uint64_t snapshot_commit_seq) const {
  const Commit* commit = find_commit(snapshot_commit_seq);
  return commit == nullptr ? 0 : commit->last_lsn;
}

}  // namespace fl::engine
