// engine/wal_writer.h: appends transactions to a WAL file. Format:
// docs/formats/wal.md; the matching scan is wal_reader.h.
//
// [walw.1] start() writes a new WAL header at offset 0 (a new generation) and
//          syncs it before returning, so no frame of the generation can be
//          durable without its header. It does not truncate: frames of the
//          previous generation may remain after it, and the scan rejects them
//          by generation and salt ([walr.2]).
// [walw.2] append() writes one frame per page, in order, each chained to the
//          one before; the last frame is the commit frame carrying
//          db_page_count, root_page, freelist_head and the next commit_seq.
//          It stamps each page image with its frame's LSN and re-seals it.
//          Writes run inside PhaseScope(Phase::kWalAppend); nothing is synced.
// [walw.3] sync() datasyncs the WAL inside PhaseScope(Phase::kWalSync). A
//          transaction is durable only after a sync that returned ok after
//          its append; then every scan of any crash state returns it.
// [walw.4] After any failed write, truncate or sync the writer is poisoned:
//          append() and sync() return kPoisoned naming the first failure and
//          nothing is retried (a retry after a failed fsync is the
//          `fsync-retry` bug). Recover by scanning and resume(), or start().
//          Every sync goes through internal::sync_file() with the planted
//          bugs given to set_bugs() (none by default).
// [walw.5] last_append_wrote_nothing() is true when the failed append wrote
//          no byte (its first write failed with an error): the transaction
//          definitely did not commit. Otherwise its outcome is unknown.
// [walw.6] resume() continues a scanned log after its last commit: it
//          truncates anything past scan.valid_end_offset_bytes (a torn or
//          uncommitted tail that could otherwise chain to a new frame) and
//          syncs, then appends with the scan's chain, LSN and commit_seq.
// [walw.7] append() rejects, as kInvalidArgument and without writing, an
//          empty transaction, more than kWalTxnPagesMax pages, page number 0,
//          db_page_count of 0 or above kPageCountMax, or a page, root_page or
//          freelist_head at or past db_page_count. A page image that does not
//          verify (verify_page) is a programmer error (FL_ASSERT).
//
// Ownership: the writer refers to a File the caller owns and keeps open for
// the writer's lifetime. One thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/planted_bugs.h"
#include "engine/wal_frame.h"
#include "engine/wal_reader.h"
#include "faultvfs/vfs.h"

namespace fl::engine {

struct WalPage {
  uint32_t page_number = 0;
  std::span<const uint8_t> image;  // a sealed page of kPageSizeBytes
};

// The commit marker: the database as of this commit.
struct WalCommitMeta {
  uint32_t db_page_count = 1;
  uint32_t root_page = 0;
  uint32_t freelist_head = 0;
};

struct WalAppended {
  uint64_t commit_seq = 0;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;             // the commit frame's LSN
  uint64_t first_offset_bytes = 0;
  uint64_t end_offset_bytes = 0;     // just past the commit frame
};

class WalWriter {
 public:
  // [walw.1]
  static Result<WalWriter> start(faultvfs::File& file, const WalHeader& header, const PlantedBugs& bugs = {});
  // [walw.6]; scan must come from scan_wal(file) and have a header that
  // matched (stop is not kNoHeader, kBadHeader or kHeaderMismatch).
  static Result<WalWriter> resume(faultvfs::File& file, const WalScan& scan, const PlantedBugs& bugs = {});

  // [walw.2], [walw.7]
  // When `sealed_images` is given, it receives each page as logged (LSN
  // stamped, re-sealed), in order, so a caller can cache it.
  Result<WalAppended> append(std::span<const WalPage> pages, const WalCommitMeta& meta,
                             std::vector<faultvfs::Bytes>* sealed_images = nullptr);
  // [walw.3]
  Status sync();

  const WalHeader& header() const { return header_; }
  uint64_t next_lsn() const { return next_lsn_; }
  uint64_t next_commit_seq() const { return next_commit_seq_; }
  uint64_t end_offset_bytes() const { return end_offset_bytes_; }
  bool poisoned() const { return !poison_.ok(); }
  bool last_append_wrote_nothing() const { return last_append_wrote_nothing_; }
  void set_bugs(const PlantedBugs& bugs) { bugs_ = bugs; }

 private:
  WalWriter(faultvfs::File& file, const WalHeader& header);
  Status check_append(std::span<const WalPage> pages, const WalCommitMeta& meta) const;
  // Writes `bytes` at `offset`, continuing after short writes ([vfs.4]).
  // `wrote_any` becomes true once any byte reached the file.
  Status write_fully(uint64_t offset, std::span<const uint8_t> bytes, bool& wrote_any);
  Status poison(Status failure);

  faultvfs::File* file_;
  WalHeader header_;
  uint32_t chain_ = 0;
  uint64_t next_lsn_ = 0;
  uint64_t next_commit_seq_ = 0;
  uint64_t end_offset_bytes_ = 0;
  Status poison_;
  bool last_append_wrote_nothing_ = false;
  PlantedBugs bugs_;
};

}  // namespace fl::engine
