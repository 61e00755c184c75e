// engine/internal/db_impl.h: the state behind Db, Txn and Checkpoint
// (db.h). Every member is guarded by `mu`; the helpers named *_locked expect
// it held.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "engine/db.h"
#include "engine/db_header.h"
#include "engine/txn_page_store.h"
#include "engine/wal_index.h"
#include "engine/wal_writer.h"
#include "faultvfs/vfs.h"

namespace fl::engine {

struct Db::Impl {
  faultvfs::Vfs* vfs = nullptr;
  std::string dir;
  Options options;

  mutable std::mutex mu;
  std::unique_ptr<faultvfs::File> page_file;
  // Both WAL files stay open for the Db's lifetime so that stores of open
  // transactions never point at a closed file; generation g uses wal[g % 2].
  std::array<std::unique_ptr<faultvfs::File>, 2> wal;
  std::optional<WalWriter> writer;
  WalIndex index;
  DbHeader header;  // the page file's, as last written or read

  Status poison;                     // [db.6]: the first failure
  uint64_t durable_commit_seq = 0;   // every commit <= this is synced
  bool sync_owed = false;            // `ack-before-sync`: an acknowledged commit awaits its sync
  std::multiset<uint64_t> snapshots;  // of open transactions and running checkpoints
  // Validation ([db.2]) counts commits that wrote keys: write_version is
  // the number of such commits, key_version the write_version of the newest
  // one that wrote each key. A commit counts even when its writes changed
  // no page (erasing an absent key), so conflicts are a matter of keys
  // alone. Entries no open transaction can conflict with are pruned.
  uint64_t write_version = 0;
  std::multiset<uint64_t> open_write_versions;  // begin write_version of open transactions
  std::unordered_map<std::string, uint64_t> key_version;
  size_t key_prune_threshold = 1024;
  bool checkpoint_running = false;
  uint64_t checkpoints = 0;
  std::string recovery;
  bool closed = false;

  // Planted-bug state (never used with every bug off).
  std::map<std::string, std::optional<std::string>> rolled_back_writes;  // `rollback-visible`
  uint32_t leaked_page_count = 0;                                       // `leak-on-rollback`

  const PlantedBugs& bugs() const { return options.bugs; }
  std::string path(std::string_view name) const { return faultvfs::join_path(dir, name); }
  faultvfs::File& current_wal() { return *wal[header.wal_generation % 2]; }

  // The newest commit readers may see: the newest in the WAL index, else the
  // one the page file holds.
  uint64_t newest_commit_seq_locked() const {
    return index.commit_count() > 0 ? index.last_commit_seq() : header.last_commit_seq;
  }
  uint64_t oldest_open_write_version_locked() const {
    return open_write_versions.empty() ? write_version : *open_write_versions.begin();
  }
  uint64_t oldest_snapshot_locked() const {
    return snapshots.empty() ? newest_commit_seq_locked() : *snapshots.begin();
  }
  TxnPageStore store_at_locked(uint64_t snapshot) {
    return TxnPageStore(*page_file, current_wal(), index, header, snapshot, options.bugs);
  }
  // Records the first failure ([db.6]) and returns it.
  Status poison_with(Status failure);
  Status check_writable_locked() const;
  // Syncs the WAL for every commit appended so far.
  Status sync_wal_locked();
  // Runs a whole checkpoint with `mu` held (auto-checkpoint after a commit).
  Result<CheckpointResult> checkpoint_locked();
  void prune_key_versions_locked();
};

uint32_t wal_salt_for(uint64_t salt_seed, uint64_t generation);

}  // namespace fl::engine
