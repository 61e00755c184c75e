// engine/txn_page_store.h: the pages of one transaction: the database as of
// a snapshot (page file + committed WAL frames up to commit_seq S) with the
// transaction's own writes buffered on top, committed as one WAL
// transaction. The B+tree and the freelist run unchanged over it
// (page_store.h).
//
// [txn.1] read_page(P) returns, in this order: the transaction's own image
//         of P if it wrote P; else the newest WAL frame of P with
//         commit_seq <= S (WalIndex [widx.2]), read and checked by
//         read_wal_page(); else page P of the page file, checked by
//         verify_page(). Unlike [store.1] it verifies at the source, since
//         a WAL image must also match its frame's LSN. Any damage, a page
//         file too short to hold P, or P outside [1, meta().page_count) is
//         kCorruption naming P (or the frame); I/O errors pass through.
// [txn.2] write_page() only buffers the image in memory; no file is ever
//         written before commit(). Other stores (other snapshots) never see
//         it. More than kWalTxnPagesMax distinct dirty pages is
//         kInvalidArgument (one WAL append cannot log them).
// [txn.3] meta() starts as the catalog of the newest commit <= S in the
//         index, else the DbHeader's (the checkpointed state); set_meta()
//         is buffered like a page. allocate_page()/free_page() are
//         PageStore's freelist defaults and so go through [txn.1]/[txn.2].
// [txn.4] commit() appends the dirty pages in page-number order plus the
//         meta as one WAL transaction (the writer stamps each image with its
//         frame LSN and re-seals it, [walw.2]), then adds it to the index.
//         It does not sync ([walw.3]; durability is the caller's) and does
//         no conflict validation (the caller's, before commit()). A failed
//         append returns the writer's Status unchanged and leaves the index
//         alone; writer.last_append_wrote_nothing() says whether the
//         outcome is "definitely not committed" or unknown ([walw.5]). A
//         transaction with no dirty page and an unchanged meta is read-only:
//         commit() writes nothing and returns commit_seq 0. A meta change
//         without any dirty page is kInvalidArgument (a WAL commit carries
//         at least one page, [walw.7]).
// [txn.6] Reads use the index's cached image when it has one ([widx.6]);
//         commit() gives the index the images exactly as the writer logged
//         them (LSN stamped and sealed).
// [txn.7] Planted bugs (planted_bugs.h) given to the constructor change
//         this store: `no-checksum` skips read verification,
//         `nonatomic-freelist` writes freelist pages in place in the page
//         file instead of logging them, `index-before-commit` indexes a
//         commit before appending it and leaves it there when the append
//         fails.
// [txn.5] After commit() returned ok, write_page(), set_meta() and commit()
//         are programmer errors; reads still see the committed images.
//
// Ownership: refers to the page file, WAL file and index, which the caller
// owns and keeps alive; the index must not drop commits <= S meanwhile
// (a checkpoint waits for snapshots). One thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>

#include "base/status.h"
#include "engine/db_header.h"
#include "engine/page_store.h"
#include "engine/planted_bugs.h"
#include "engine/wal_index.h"
#include "engine/wal_writer.h"
#include "faultvfs/vfs.h"

namespace fl::engine {

class TxnPageStore final : public PageStore {
 public:
  // `db_header` is the page file's header (the checkpointed catalog);
  // `snapshot_commit_seq` is S.
  TxnPageStore(faultvfs::File& page_file, faultvfs::File& wal, WalIndex& index, const DbHeader& db_header,
               uint64_t snapshot_commit_seq, const PlantedBugs& bugs = {});

  Result<Bytes> read_page(uint32_t page_number) override;     // [txn.1]
  Status write_page(uint32_t page_number, std::span<const uint8_t> page) override;  // [txn.2]
  bool reads_verified() const override { return true; }       // [txn.1], [txn.6]
  StoreMeta meta() const override { return meta_; }           // [txn.3]
  void set_meta(const StoreMeta& meta) override;

  // [txn.4]
  Result<WalAppended> commit(WalWriter& writer);

  uint64_t snapshot_commit_seq() const { return snapshot_commit_seq_; }
  uint64_t dirty_page_count() const { return dirty_.size(); }
  bool committed() const { return committed_; }

 private:
  Result<Bytes> read_page_file(uint32_t page_number);

  faultvfs::File* page_file_;
  faultvfs::File* wal_;
  WalIndex* index_;
  uint64_t snapshot_commit_seq_;
  StoreMeta base_meta_;  // as of the snapshot
  StoreMeta meta_;
  std::map<uint32_t, Bytes> dirty_;  // page number -> image, in log order
  bool committed_ = false;
  PlantedBugs bugs_;
  std::set<uint32_t> in_place_;  // `nonatomic-freelist`: pages written outside the WAL
};

}  // namespace fl::engine
