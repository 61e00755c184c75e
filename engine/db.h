// engine/db.h: refdb, the reference transactional key-value engine
// (ARCHITECTURE.md "engine: refdb"). Files in `dir` on any Vfs:
//   refdb.db            the page file (page 0 = DbHeader, db_header.h)
//   refdb.wal0/1        the WAL; generation g lives in refdb.wal<g % 2>
//
// Transactions
// [db.1]  begin() takes a snapshot: the newest commit (commit_seq S). get()
//         sees the transaction's own writes, else the database as of S, and
//         nothing committed later (MVCC over the WAL index).
// [db.2]  put()/erase() only buffer; commit() validates, then applies the
//         buffered writes to the newest state and appends them as one WAL
//         transaction. Validation: a key the transaction writes that any
//         commit after S also wrote is kConflict (first committer wins,
//         both isolation levels); under kSerializable a key it read that a
//         commit after S wrote is kConflict too (read-set validation).
// [db.3]  The outcome of commit() is one of: kCommitted (ok); kNotCommitted
//         (definitely no effect: conflict, poisoned engine, a full WAL
//         index, or an append that failed before writing a byte); kUnknown
//         (any failure once a byte of the commit was written, including a
//         failed sync: the commit may or may not survive a crash). An
//         acknowledged (ok) commit with durability kFull or kGroup survives
//         every crash.
// [db.4]  rollback() (or destroying an open Txn) discards the buffered
//         writes; nothing was written for them.
// Durability
// [db.5]  kFull syncs the WAL before commit() returns; kGroup syncs once for
//         every commit appended since the last sync (commits from other
//         threads waiting on the same sync share it); kOff never syncs on
//         commit: a commit is durable after the next checkpoint or close().
// [db.6]  After any failed write or sync the engine is poisoned: commits and
//         checkpoints return kPoisoned (naming the first failure) until the
//         database is reopened; reads go on. A failed sync is never
//         retried ([walw.4]).
// Checkpoint
// [db.7]  checkpoint() copies the newest WAL image of each page, as of the
//         oldest snapshot still in use (M), into the page file
//         (checkpoint.copy), syncs it, records DbHeader{last_commit_seq=M}
//         (checkpoint.sync), and when M is the newest commit and no commit
//         arrived meanwhile, starts a new WAL generation in the other WAL
//         file (checkpoint.reset). It is safe against a crash at every step
//         and runs in steps (Checkpoint::step) so that transactions may
//         commit between them. A commit past Options::auto_checkpoint_frames
//         WAL frames runs one.
// Recovery
// [db.8]  open() of a missing database creates it atomically (a temp file
//         renamed into place). Otherwise it reads the header, scans the WAL
//         of the header's generation and salt, keeps every commit up to the
//         last valid commit frame, and truncates the rest. A torn or stale
//         frame is never used. A file that is not a refdb database, or is
//         damaged beyond recovery, is kCorruption naming the file.
// [db.9]  check_integrity() is fsck over the newest state: every page read
//         verifies, the B+tree is ordered, and every page is reachable,
//         free or the header (no leak, no double allocation).
//
// Thread safety: a Db and its Txns may be used from many threads; one mutex
// serialises every operation (a Txn itself is used by one thread at a time).
// A Db must outlive its Txns and Checkpoints.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/planted_bugs.h"
#include "faultvfs/vfs.h"

namespace fl::engine {

enum class Isolation : uint8_t { kSnapshot, kSerializable };
enum class Durability : uint8_t { kFull, kGroup, kOff };
std::string_view isolation_name(Isolation isolation);
std::string_view durability_name(Durability durability);
Result<Isolation> parse_isolation(std::string_view name);
Result<Durability> parse_durability(std::string_view name);

struct Options {
  Isolation isolation = Isolation::kSerializable;
  Durability durability = Durability::kFull;
  // A commit that leaves at least this many frames in the WAL runs a
  // checkpoint; 0 = only explicit checkpoints.
  uint64_t auto_checkpoint_frames = 2048;
  // Seeds the WAL salts, so runs are reproducible.
  uint64_t salt_seed = 0x5eed;
  PlantedBugs bugs;
};

enum class CommitOutcome : uint8_t { kOpen, kCommitted, kNotCommitted, kUnknown };
std::string_view commit_outcome_name(CommitOutcome outcome);

class Db;

class Txn {
 public:
  ~Txn();  // rolls back when still open
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  // [db.1]: the value, or nullopt when absent.
  Result<std::optional<std::string>> get(std::string_view key);
  // [db.2]: buffered. Keys of 1..kKeyBytesMax bytes, values up to kValueBytesMax.
  Status put(std::string_view key, std::string_view value);
  Status erase(std::string_view key);
  // [db.2], [db.3]
  Status commit();
  // [db.4]
  void rollback();

  CommitOutcome outcome() const { return outcome_; }
  uint64_t snapshot_commit_seq() const { return snapshot_; }
  uint64_t commit_seq() const { return commit_seq_; }  // 0 unless committed with writes

  struct State;  // opaque

 private:
  friend class Db;
  Txn(Db& db, uint64_t snapshot);
  void finish(CommitOutcome outcome);

  Db* db_;
  uint64_t snapshot_;
  uint64_t commit_seq_ = 0;
  CommitOutcome outcome_ = CommitOutcome::kOpen;
  std::unique_ptr<State> state_;
};

struct CheckpointResult {
  uint64_t pages_copied = 0;
  uint64_t backfilled_commit_seq = 0;  // M
  bool wal_reset = false;              // a new WAL generation was started
};

class Checkpoint {
 public:
  ~Checkpoint();
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;
  // One step; true when the checkpoint is complete.
  Result<bool> step();
  const CheckpointResult& result() const;

  struct State;  // opaque

 private:
  friend class Db;
  explicit Checkpoint(Db& db);
  Db* db_;
  std::unique_ptr<State> state_;
};

struct DbStats {
  uint64_t last_commit_seq = 0;
  uint64_t wal_generation = 0;
  uint64_t wal_frames = 0;
  uint64_t page_count = 0;
  uint64_t checkpoints = 0;
  uint64_t active_snapshots = 0;
  std::string recovery;  // what open() found in the WAL, for reports
};

class Db {
 public:
  // [db.8]
  static Result<std::unique_ptr<Db>> open(faultvfs::Vfs& vfs, std::string_view dir, const Options& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  std::unique_ptr<Txn> begin();
  // [db.7]: all steps at once.
  Result<CheckpointResult> checkpoint();
  std::unique_ptr<Checkpoint> begin_checkpoint();
  // [db.9]
  Status check_integrity();
  // Syncs the WAL (unless poisoned) and closes the files; further calls on
  // the Db or its Txns are programmer errors. The destructor closes too.
  Status close();
  // Drops the files without syncing or writing anything, as a killed
  // process would: for harnesses that simulate a crash. Afterwards as close().
  void abandon();

  const Options& options() const;
  DbStats stats() const;
  // The first failure that poisoned the engine ([db.6]); ok when healthy.
  Status poisoned() const;

  struct Impl;  // opaque (engine/internal/db_impl.h)

 private:
  friend class Txn;
  friend class Checkpoint;
  explicit Db(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// File names inside the database directory.
inline constexpr std::string_view kPageFileName = "refdb.db";
inline constexpr std::string_view kPageFileTempName = "refdb.db.tmp";
std::string wal_file_name(uint64_t generation);

}  // namespace fl::engine
