// engine/wal_index.h: which committed WAL frame holds each page as of each
// commit, for MVCC snapshot reads (txn_page_store.h). Built from the recovery
// scan (wal_reader.h) and extended by every commit appended after it.
//
// [widx.1] from_scan() indexes exactly the committed frames a scan returned
//          ([walr.1]); a frame's commit_seq is the one of the commit frame
//          that ends its transaction (non-commit frames carry 0 on disk).
// [widx.2] find_frame(P, S) returns the frame of page P written by the
//          newest commit with commit_seq <= S, or nothing when no indexed
//          commit <= S wrote P (the reader then falls back to the page
//          file). It costs one map lookup and one binary search: O(log n).
//          When one transaction logged P twice, its later frame wins.
// [widx.3] commit_meta(S) is the catalog (db_page_count, root_page,
//          freelist_head) of the newest indexed commit <= S, or nothing.
// [widx.4] add_commit() appends one transaction as WalWriter::append
//          reported it. Its commit_seq must be above every indexed one
//          (FL_ASSERT: the writer hands them out in order). An index never
//          holds more than kWalFrameCountMax frames, as many as one scan
//          can recover: past it add_commit() returns kBusy without changing
//          the index (the WAL needs a checkpoint); has_room_for() lets a
//          committer check before it appends.
// [widx.6] add_commit() may also keep each page's sealed image (as logged,
//          LSN stamped): find_entry() then hands it to readers, which need
//          not read the WAL file. Images from the writer's own commits are
//          trusted as the page cache of a real engine is; frames indexed
//          from a scan have none and are read (and verified) from disk.
// [widx.7] newest_frames(M) lists, per page, the frame find_frame(P, M)
//          returns, in page order: what a checkpoint copies. clear() forgets
//          everything (a new WAL generation).
// [widx.5] from_scan() rejects, as kCorruption, a scan whose commit_seqs do
//          not increase or that ends inside a transaction; a scan from
//          scan_wal() never does ([walr.1], [walr.2]).
//
// Thread safety: none; the transaction layer serialises commits and reads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/status.h"
#include "engine/wal_reader.h"
#include "engine/wal_writer.h"

namespace fl::engine {

// One committed frame of one page.
struct WalIndexEntry {
  uint64_t commit_seq = 0;
  uint64_t lsn = 0;
  uint64_t offset_bytes = 0;  // where the frame starts in the WAL file
  std::shared_ptr<const faultvfs::Bytes> image;  // [widx.6]; may be null
  friend bool operator==(const WalIndexEntry&, const WalIndexEntry&) = default;
};

class WalIndex {
 public:
  WalIndex() = default;

  // [widx.1], [widx.5]
  // With keep_pages scans, the scanned (verified) images become the
  // entries' cached images ([widx.6]) and `scan.pages` is emptied.
  static Result<WalIndex> from_scan(WalScan& scan);
  static Result<WalIndex> from_scan(const WalScan& scan);

  // [widx.4]: `page_numbers` in the order append() logged them.
  // `images`, when not empty, is parallel to page_numbers ([widx.6]).
  Status add_commit(std::span<const uint32_t> page_numbers, const WalAppended& appended, const WalCommitMeta& meta,
                    std::span<const std::shared_ptr<const faultvfs::Bytes>> images = {});
  bool has_room_for(uint64_t frame_count) const;

  // [widx.2]: the frame as read_wal_page() wants it (page_number, lsn and
  // commit_seq filled in; the on-disk commit fields are not).
  std::optional<WalFrameInfo> find_frame(uint32_t page_number, uint64_t snapshot_commit_seq) const;
  // [widx.2], [widx.6]: the same lookup, as the index entry (null when none).
  const WalIndexEntry* find_entry(uint32_t page_number, uint64_t snapshot_commit_seq) const;
  // [widx.7]
  std::vector<std::pair<uint32_t, WalIndexEntry>> newest_frames(uint64_t snapshot_commit_seq) const;
  void clear() { *this = WalIndex(); }
  // The LSN of the commit frame of the newest indexed commit <= S, 0 if none.
  uint64_t commit_last_lsn(uint64_t snapshot_commit_seq) const;
  // [widx.3]
  std::optional<WalCommitMeta> commit_meta(uint64_t snapshot_commit_seq) const;

  // The newest indexed commit_seq, 0 when empty.
  uint64_t last_commit_seq() const { return commits_.empty() ? 0 : commits_.back().commit_seq; }
  uint64_t commit_count() const { return commits_.size(); }
  uint64_t frame_count() const { return frame_count_; }
  // Distinct pages with at least one indexed frame.
  uint64_t page_count() const { return pages_.size(); }

 private:
  struct Commit {
    uint64_t commit_seq = 0;
    WalCommitMeta meta;
    uint64_t last_lsn = 0;
  };
  const Commit* find_commit(uint64_t snapshot_commit_seq) const;
  // Records frame `entry` of `page_number`; entries stay sorted by commit_seq.
  void add_frame(uint32_t page_number, const WalIndexEntry& entry);

  std::map<uint32_t, std::vector<WalIndexEntry>> pages_;
  std::vector<Commit> commits_;  // increasing commit_seq
  uint64_t frame_count_ = 0;
};

}  // namespace fl::engine
