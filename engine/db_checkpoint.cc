// engine/db_checkpoint.cc: checkpoint (db.h [db.7]).
//
// Steps, each under the Db mutex, so transactions commit between them:
//   start  pick M = min(newest commit, oldest open snapshot) and the newest
//          frame <= M of every page in the WAL index; sync the WAL if a
//          commit <= M is not durable yet (durability off or group);
//   copy   write those images into the page file, kCopyBatchPages per step
//          (checkpoint.copy). Safe for readers: a reader's snapshot is >= M,
//          so it finds every page copied here in the WAL index first;
//   sync   grow the page file to M's page count and sync it (checkpoint.sync);
//   header write DbHeader{last_commit_seq = M} to the next header slot and
//          sync (checkpoint.sync). If M is still the newest commit and no
//          snapshot is older, the header names the next WAL generation and
//          the same step starts it in the other WAL file (checkpoint.reset)
//          and empties the WAL index.
// Crash safety: until the header is durable, recovery uses the old header
// and the old WAL, which holds every copied page; after it, recovery expects
// the new generation, so a WAL file still holding an older generation is
// ignored and restarted (the page file has everything).
#include <algorithm>
#include <utility>
#include <vector>

#include "engine/internal/db_impl.h"
#include "engine/internal/durable_sync.h"
#include "engine/internal/write_fully.h"
#include "engine/page.h"
#include "engine/wal_reader.h"
#include "faultvfs/phase.h"

namespace fl::engine {

using faultvfs::Phase;
using faultvfs::PhaseScope;

namespace {

// Pages written per copy step: small enough that commits interleave.
constexpr size_t kCopyBatchPages = 64;

enum class Step : uint8_t { kStart, kCopy, kSync, kHeader, kDone };

}  // namespace

struct Checkpoint::State {
  Step step = Step::kStart;
  uint64_t target = 0;   // the newest commit when the checkpoint started
  uint64_t backfill = 0;  // M
  bool holds_snapshot = false;
  std::vector<std::pair<uint32_t, WalIndexEntry>> frames;
  size_t next_frame = 0;
  StoreMeta meta;  // the database as of M
  CheckpointResult result;
};

namespace {

Status start_step(Db::Impl& db, Checkpoint::State& cp) {
  FL_TRY(db.check_writable_locked());
  cp.target = db.newest_commit_seq_locked();
  cp.backfill = std::min(cp.target, db.oldest_snapshot_locked());
  if (FL_PLANTED_BUG(db.bugs(), "zombie-snapshot")) {
    cp.backfill = cp.target;  // copies over pages that open snapshots still read from the page file
  }
  cp.frames = db.index.newest_frames(cp.backfill);
  // The copy overwrites pages that the durable state may still read from the
  // page file, so the frames replacing them must be durable first: otherwise a
  // power loss can leave a torn page and lose the WAL frames that would have
  // covered it (durability `off`, or `group` commits awaiting their sync).
  if (!cp.frames.empty() && db.durable_commit_seq < cp.backfill) FL_TRY(db.sync_wal_locked());
  const auto meta = db.index.commit_meta(cp.backfill);
  cp.meta = meta ? StoreMeta{meta->db_page_count, meta->freelist_head, meta->root_page}
                 : StoreMeta{db.header.page_count, db.header.freelist_head, db.header.root_page};
  // Hold M as a snapshot: no later checkpoint step may be undercut by it.
  db.snapshots.insert(cp.backfill);
  cp.holds_snapshot = true;
  cp.result.backfilled_commit_seq = cp.backfill;
  return Status::success();
}

Result<faultvfs::Bytes> frame_image(Db::Impl& db, uint32_t page_number, const WalIndexEntry& entry) {
  if (entry.image) return *entry.image;
  WalFrameInfo frame;
  frame.header.page_number = page_number;
  frame.header.lsn = entry.lsn;
  frame.header.commit_seq = entry.commit_seq;
  frame.offset_bytes = entry.offset_bytes;
  return read_wal_page(db.current_wal(), frame, !FL_PLANTED_BUG(db.bugs(), "no-checksum"));
}

Status copy_step(Db::Impl& db, Checkpoint::State& cp) {
  FL_TRY(db.check_writable_locked());
  PhaseScope phase(Phase::kCheckpointCopy);
  const size_t end = std::min(cp.frames.size(), cp.next_frame + kCopyBatchPages);
  for (; cp.next_frame < end; ++cp.next_frame) {
    const auto& [page_number, entry] = cp.frames[cp.next_frame];
    FL_ASSIGN_OR_RETURN(faultvfs::Bytes image, frame_image(db, page_number, entry));
    Status wrote = internal::write_fully(*db.page_file, uint64_t{page_number} * kPageSizeBytes, image);
    if (!wrote.ok()) return db.poison_with(std::move(wrote));
    ++cp.result.pages_copied;
  }
  return Status::success();
}

Status sync_step(Db::Impl& db, Checkpoint::State& cp) {
  FL_TRY(db.check_writable_locked());
  PhaseScope phase(Phase::kCheckpointSync);
  const uint64_t needed = uint64_t{cp.meta.page_count} * kPageSizeBytes;
  FL_ASSIGN_OR_RETURN(uint64_t size, db.page_file->size());
  if (size < needed) {
    if (Status grown = db.page_file->truncate(needed); !grown.ok()) return db.poison_with(std::move(grown));
  }
  Status synced = internal::sync_file(*db.page_file, db.bugs(), internal::SyncKind::kFull);
  if (!synced.ok()) return db.poison_with(std::move(synced));
  return Status::success();
}

// Starts WAL generation `generation` in its file (checkpoint.reset).
Status reset_wal(Db::Impl& db, uint64_t generation) {
  PhaseScope phase(Phase::kCheckpointReset);
  auto& slot = db.wal[generation % 2];
  const std::string name = db.path(wal_file_name(generation));
  if (!slot) {
    FL_ASSIGN_OR_RETURN(bool existed, db.vfs->exists(name));
    FL_ASSIGN_OR_RETURN(slot, db.vfs->open(name, faultvfs::OpenMode::kCreate));
    if (!existed && !FL_PLANTED_BUG(db.bugs(), "unsynced-dir")) {
      FL_TRY(db.vfs->sync_dir(db.dir));  // the new file's name must outlive a power loss
    }
  }
  const WalHeader header{generation, db.writer->next_lsn(), db.writer->next_commit_seq(), db.header.wal_salt};
  FL_ASSIGN_OR_RETURN(WalWriter writer, WalWriter::start(*slot, header, db.bugs()));
  db.writer.emplace(std::move(writer));
  db.durable_commit_seq = db.writer->next_commit_seq() - 1;
  db.sync_owed = false;
  db.index.clear();
  return Status::success();
}

Status header_step(Db::Impl& db, Checkpoint::State& cp) {
  FL_TRY(db.check_writable_locked());
  const uint64_t newest = db.newest_commit_seq_locked();
  // Everything committed is in the page file and nobody reads an older state.
  bool reset = cp.backfill == newest && db.oldest_snapshot_locked() >= newest;
  if (FL_PLANTED_BUG(db.bugs(), "checkpoint-race")) {
    reset = cp.backfill == cp.target;  // decided on the state at start; commits since are dropped
  }
  if (FL_PLANTED_BUG(db.bugs(), "zombie-snapshot")) {
    reset = cp.backfill == newest;  // open snapshots older than M lose the WAL frames they read
  }
  DbHeader next = db.header;
  next.checkpoint_seq += 1;
  next.page_count = cp.meta.page_count;
  next.freelist_head = cp.meta.freelist_head;
  next.root_page = cp.meta.root_page;
  next.last_commit_seq = cp.backfill;
  next.checkpoint_lsn = std::max(db.header.checkpoint_lsn, db.index.commit_last_lsn(cp.backfill));
  if (reset) {
    next.wal_generation += 1;
    next.wal_salt = wal_salt_for(db.options.salt_seed, next.wal_generation);
  }
  {
    PhaseScope phase(Phase::kCheckpointSync);
    if (Status wrote = write_db_header(*db.page_file, next); !wrote.ok()) return db.poison_with(std::move(wrote));
    Status synced = internal::sync_file(*db.page_file, db.bugs(), internal::SyncKind::kFull);
    if (!synced.ok()) return db.poison_with(std::move(synced));
  }
  db.header = next;
  cp.result.wal_reset = reset;
  if (reset) {
    if (Status started = reset_wal(db, next.wal_generation); !started.ok()) return db.poison_with(std::move(started));
  }
  db.checkpoints += 1;
  return Status::success();
}

void release(Db::Impl& db, Checkpoint::State& cp) {
  if (cp.holds_snapshot) {
    db.snapshots.erase(db.snapshots.find(cp.backfill));
    cp.holds_snapshot = false;
  }
}

// One step of `cp` with db.mu held; true when done.
Result<bool> step_locked(Db::Impl& db, Checkpoint::State& cp) {
  FL_ASSERT(cp.step != Step::kDone);
  PhaseScope phase(Phase::kCheckpoint);
  Status status;
  switch (cp.step) {
    case Step::kStart:
      status = start_step(db, cp);
      // An empty WAL: the page file already holds everything.
      cp.step = db.index.commit_count() == 0 ? Step::kDone : Step::kCopy;
      break;
    case Step::kCopy:
      status = copy_step(db, cp);
      if (cp.next_frame == cp.frames.size()) cp.step = Step::kSync;
      break;
    case Step::kSync:
      status = sync_step(db, cp);
      cp.step = Step::kHeader;
      break;
    case Step::kHeader:
      // The header step needs M released first: it asks whether any other
      // snapshot is older than the newest commit.
      release(db, cp);
      status = header_step(db, cp);
      cp.step = Step::kDone;
      break;
    case Step::kDone:
      break;
  }
  if (!status.ok()) {
    release(db, cp);
    cp.step = Step::kDone;
    return status;
  }
  if (cp.step == Step::kDone) release(db, cp);
  return cp.step == Step::kDone;
}

}  // namespace

Checkpoint::Checkpoint(Db& db) : db_(&db), state_(std::make_unique<State>()) {}

Checkpoint::~Checkpoint() {
  Db::Impl& db = *db_->impl_;
  std::lock_guard lock(db.mu);
  if (state_->step != Step::kDone) {
    release(db, *state_);
    db.checkpoint_running = false;
  }
}

Result<bool> Checkpoint::step() {
  Db::Impl& db = *db_->impl_;
  std::lock_guard lock(db.mu);
  if (state_->step == Step::kDone) return true;
  Result<bool> done = step_locked(db, *state_);
  if (state_->step == Step::kDone) db.checkpoint_running = false;
  return done;
}

const CheckpointResult& Checkpoint::result() const { return state_->result; }

std::unique_ptr<Checkpoint> Db::begin_checkpoint() {
  std::lock_guard lock(impl_->mu);
  FL_ASSERT(!impl_->closed);
  std::unique_ptr<Checkpoint> cp(new Checkpoint(*this));
  if (impl_->checkpoint_running) {
    cp->state_->step = Step::kDone;  // another checkpoint owns the files; this one does nothing
    return cp;
  }
  impl_->checkpoint_running = true;
  return cp;
}

Result<CheckpointResult> Db::checkpoint() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->checkpoint_running) return Status::busy("checkpoint", "another checkpoint is running");
  }
  std::unique_ptr<Checkpoint> cp = begin_checkpoint();
  for (;;) {
    FL_ASSIGN_OR_RETURN(bool done, cp->step());
    if (done) return cp->result();
  }
}

Result<CheckpointResult> Db::Impl::checkpoint_locked() {
  FL_ASSERT(!checkpoint_running);
  checkpoint_running = true;
  Checkpoint::State cp;
  Result<bool> done = false;
  while (done.ok() && !*done) done = step_locked(*this, cp);
  checkpoint_running = false;
  if (!done.ok()) return done.take_status();
  return cp.result;
}

}  // namespace fl::engine
