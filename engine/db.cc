// engine/db.cc: opening (creation and recovery), closing and the shared
// helpers of refdb (db.h). Transactions: db_txn.cc; checkpoint:
// db_checkpoint.cc; fsck: db_check.cc.
#include "engine/db.h"

#include <utility>

#include "engine/internal/db_impl.h"
#include "engine/internal/durable_sync.h"
#include "engine/internal/write_fully.h"
#include "engine/wal_reader.h"
#include "faultvfs/phase.h"

namespace fl::engine {

using faultvfs::OpenMode;
using faultvfs::Phase;
using faultvfs::PhaseScope;

std::string_view isolation_name(Isolation isolation) {
  return isolation == Isolation::kSnapshot ? "snapshot" : "serializable";
}

std::string_view durability_name(Durability durability) {
  switch (durability) {
    case Durability::kFull: return "full";
    case Durability::kGroup: return "group";
    case Durability::kOff: return "off";
  }
  return "unknown";
}

Result<Isolation> parse_isolation(std::string_view name) {
  if (name == "snapshot") return Isolation::kSnapshot;
  if (name == "serializable") return Isolation::kSerializable;
  return Status::invalid_argument("isolation", "unknown level '" + std::string(name) + "'; valid: snapshot, serializable");
}

Result<Durability> parse_durability(std::string_view name) {
  for (Durability d : {Durability::kFull, Durability::kGroup, Durability::kOff}) {
    if (durability_name(d) == name) return d;
  }
  return Status::invalid_argument("durability", "unknown mode '" + std::string(name) + "'; valid: full, group, off");
}

std::string_view commit_outcome_name(CommitOutcome outcome) {
  switch (outcome) {
    case CommitOutcome::kOpen: return "open";
    case CommitOutcome::kCommitted: return "committed";
    case CommitOutcome::kNotCommitted: return "not-committed";
    case CommitOutcome::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string wal_file_name(uint64_t generation) { return "refdb.wal" + std::to_string(generation % 2); }

uint32_t wal_salt_for(uint64_t salt_seed, uint64_t generation) {
  // splitmix64 finaliser: distinct, well-mixed salts per generation.
  uint64_t z = salt_seed + generation * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<uint32_t>(z) | 1u;  // never 0
}

// ---------------------------------------------------------------- Impl

Status Db::Impl::poison_with(Status failure) {
  FL_ASSERT(!failure.ok());
  if (poison.ok()) poison = failure;
  return failure;
}

Status Db::Impl::check_writable_locked() const {
  FL_ASSERT(!closed);
  if (!poison.ok()) return Status::poisoned("refdb", "refusing writes until reopened after: " + poison.to_string());
  return Status::success();
}

Status Db::Impl::sync_wal_locked() {
  FL_TRY(check_writable_locked());
  const uint64_t appended = writer->next_commit_seq() - 1;
  Status synced = writer->sync();
  if (!synced.ok()) return poison_with(std::move(synced));
  durable_commit_seq = appended;
  sync_owed = false;
  return Status::success();
}

void Db::Impl::prune_key_versions_locked() {
  if (key_version.size() < key_prune_threshold) return;
  const uint64_t oldest = oldest_open_write_version_locked();
  std::erase_if(key_version, [&](const auto& entry) { return entry.second <= oldest; });
  key_prune_threshold = std::max<size_t>(1024, key_version.size() * 2);
}

// ---------------------------------------------------------------- open

namespace {

// Creates the database atomically ([db.8]): page 0 goes to a temp file,
// which is synced and renamed into place; then the WAL of generation 1; then
// one directory sync makes both names durable.
Status create_database(Db::Impl& db) {
  PhaseScope phase(Phase::kSetup);
  DbHeader header;
  header.wal_generation = 1;
  header.wal_salt = wal_salt_for(db.options.salt_seed, 1);
  const std::string temp = db.path(kPageFileTempName);
  {
    FL_ASSIGN_OR_RETURN(auto file, db.vfs->open(temp, OpenMode::kCreate));
    FL_TRY(file->truncate(0));
    const auto page0 = new_db_header_page(header);
    FL_TRY(internal::write_fully(*file, 0, page0));
    FL_TRY(internal::sync_file(*file, db.bugs(), internal::SyncKind::kFull));
    FL_TRY(file->close());
  }
  FL_TRY(db.vfs->rename(temp, db.path(kPageFileName)));
  {
    FL_ASSIGN_OR_RETURN(auto wal, db.vfs->open(db.path(wal_file_name(1)), OpenMode::kCreate));
    FL_TRY(wal->truncate(0));
    FL_TRY(WalWriter::start(*wal, WalHeader{1, 1, 1, header.wal_salt}, db.bugs()).status());
    FL_TRY(wal->close());
  }
  return db.vfs->sync_dir(db.dir);
}

// Opens (creating when missing) the WAL file of `generation`; its name is
// made durable before any commit can depend on it. Even when the file
// exists: that only says the kernel knows the name, and an earlier open (or
// a checkpoint's reset) that created it may have failed before its directory
// sync, leaving a name a power loss removes with every commit in the file.
Result<std::unique_ptr<faultvfs::File>> open_wal_file(Db::Impl& db, uint64_t generation) {
  const std::string name = db.path(wal_file_name(generation));
  FL_ASSIGN_OR_RETURN(auto file, db.vfs->open(name, OpenMode::kCreate));
  if (!FL_PLANTED_BUG(db.bugs(), "unsynced-dir")) {
    FL_TRY(internal::sync_file(*file, db.bugs(), internal::SyncKind::kFull));
    FL_TRY(db.vfs->sync_dir(db.dir));
  }
  return file;
}

// Rewrites bytes [0, end) of `file` with what reading them returns, then
// syncs. After a failed fsync Linux keeps the unwritten pages readable but
// marks them clean: a later fsync does not write them and the kernel may
// drop them at any time. What recovery reads may therefore exist only in
// the cache. Recovery calls this BEFORE it reads the header or scans the
// WAL: whatever the rewrite read is then durable, and every later read
// returns exactly it. (Rewriting after the scan is not enough: the kernel
// may drop a page between the scan and the rewrite, so the rewrite would
// persist older bytes than the ones the scan accepted.)
Status make_durable(Db::Impl& db, faultvfs::File& file, uint64_t end, internal::SyncKind kind) {
  constexpr uint64_t kChunkBytes = uint64_t{1} << 20;
  faultvfs::Bytes chunk;
  for (uint64_t offset = 0; offset < end; offset += kChunkBytes) {
    chunk.resize(std::min(kChunkBytes, end - offset));
    FL_ASSIGN_OR_RETURN(size_t got, file.read(offset, chunk));
    if (got != chunk.size()) return Status::corruption("recovery", "file shrank while being read");
    FL_TRY(internal::write_fully(file, offset, chunk));
  }
  return internal::sync_file(file, db.bugs(), kind);
}

// [db.8]: header, WAL scan of the header's generation, writer, index.
Status recover(Db::Impl& db) {
  PhaseScope phase(Phase::kRecovery);
  FL_ASSIGN_OR_RETURN(db.page_file, db.vfs->open(db.path(kPageFileName), OpenMode::kMustExist));
  {
    FL_ASSIGN_OR_RETURN(uint64_t page_file_bytes, db.page_file->size());
    FL_TRY(make_durable(db, *db.page_file, std::min<uint64_t>(page_file_bytes, kPageSizeBytes), internal::SyncKind::kFull));
  }
  Result<DbHeader> header = read_db_header(*db.page_file);
  if (!header.ok()) {
    const Status& s = header.status();
    if (!s.is(Code::kCorruption)) return s;
    return Status::corruption(db.path(kPageFileName), "not a usable refdb page file: " + s.to_string());
  }
  db.header = *header;
  const uint64_t generation = db.header.wal_generation;
  FL_ASSIGN_OR_RETURN(db.wal[generation % 2], open_wal_file(db, generation));
  faultvfs::File& wal = *db.wal[generation % 2];

  WalScanOptions scan_options;
  if (!FL_PLANTED_BUG(db.bugs(), "recovery-ignores-checkpoint")) {
    // Only the generation the last checkpoint named may be replayed; the
    // other WAL file holds an older, already checkpointed generation.
    scan_options.expected_generation = generation;
    scan_options.expected_salt = db.header.wal_salt;
  }
  scan_options.verify_checksums = !FL_PLANTED_BUG(db.bugs(), "no-checksum");
  scan_options.keep_pages = true;  // the index caches the verified images: no re-read of the WAL
  {
    FL_ASSIGN_OR_RETURN(uint64_t wal_bytes, wal.size());
    FL_TRY(make_durable(db, wal, wal_bytes, internal::SyncKind::kData));
  }
  FL_ASSIGN_OR_RETURN(WalScan scan, scan_wal(wal, scan_options));
  db.recovery = scan.describe();
  const bool usable = scan.header && scan.stop != WalStop::kHeaderMismatch;
  if (usable) {
    Result<WalIndex> index = WalIndex::from_scan(scan);
    if (!index.ok()) return Status::corruption(db.path(wal_file_name(generation)), index.status().to_string());
    db.index = std::move(*index);
    FL_ASSIGN_OR_RETURN(WalWriter writer, WalWriter::resume(wal, scan, db.bugs()));
    db.writer.emplace(std::move(writer));
  } else {
    // No WAL of this generation was ever synced: everything is in the page
    // file. Start the generation afresh.
    const WalHeader fresh{generation, db.header.checkpoint_lsn + 1, db.header.last_commit_seq + 1, db.header.wal_salt};
    FL_ASSIGN_OR_RETURN(WalWriter writer, WalWriter::start(wal, fresh, db.bugs()));
    db.writer.emplace(std::move(writer));
  }
  db.durable_commit_seq = db.writer->next_commit_seq() - 1;
  return Status::success();
}

}  // namespace

Db::Db(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Db::~Db() {
  if (impl_ && !impl_->closed) (void)close();
}

Result<std::unique_ptr<Db>> Db::open(faultvfs::Vfs& vfs, std::string_view dir, const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->vfs = &vfs;
  impl->dir = std::string(dir);
  impl->options = options;
  FL_ASSIGN_OR_RETURN(bool exists, vfs.exists(impl->path(kPageFileName)));
  if (!exists) FL_TRY(create_database(*impl));
  FL_TRY(recover(*impl));
  return std::unique_ptr<Db>(new Db(std::move(impl)));
}

Status Db::close() {
  std::lock_guard lock(impl_->mu);
  Impl& db = *impl_;
  FL_ASSERT(!db.closed);
  Status result = db.poison.ok() ? db.sync_wal_locked() : Status::success();
  db.writer.reset();
  db.closed = true;
  for (auto& file : db.wal) {
    if (file) {
      Status closed = file->close();
      if (result.ok() && !closed.ok()) result = std::move(closed);
      file.reset();
    }
  }
  if (db.page_file) {
    Status closed = db.page_file->close();
    if (result.ok() && !closed.ok()) result = std::move(closed);
    db.page_file.reset();
  }
  return result;
}

void Db::abandon() {
  std::lock_guard lock(impl_->mu);
  Impl& db = *impl_;
  FL_ASSERT(!db.closed);
  db.writer.reset();
  db.closed = true;
  for (auto& file : db.wal) {
    if (file) (void)file->close();  // a close() is no sync; errors are moot for a dead process
    file.reset();
  }
  if (db.page_file) (void)db.page_file->close();
  db.page_file.reset();
}

const Options& Db::options() const { return impl_->options; }

Status Db::poisoned() const {
  std::lock_guard lock(impl_->mu);
  return impl_->poison;
}

DbStats Db::stats() const {
  std::lock_guard lock(impl_->mu);
  const Impl& db = *impl_;
  DbStats stats;
  stats.last_commit_seq = db.newest_commit_seq_locked();
  stats.wal_generation = db.header.wal_generation;
  stats.wal_frames = db.index.frame_count();
  auto meta = db.index.commit_meta(stats.last_commit_seq);
  stats.page_count = meta ? meta->db_page_count : db.header.page_count;
  stats.checkpoints = db.checkpoints;
  stats.active_snapshots = db.snapshots.size();
  stats.recovery = db.recovery;
  return stats;
}

}  // namespace fl::engine
