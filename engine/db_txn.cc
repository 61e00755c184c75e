// engine/db_txn.cc: transactions (db.h [db.1]-[db.6]).
//
// A transaction applies its writes eagerly to a private TxnPageStore at its
// snapshot, so its own reads see them through the same B+tree code. At
// commit, if nothing committed since the snapshot, those private pages are
// the commit (the common single-writer case); otherwise the buffered key
// writes are replayed on the newest state (validation has shown that no
// key they touch changed meanwhile).
#include <set>
#include <tuple>
#include <utility>

#include "engine/btree.h"
#include "engine/internal/db_impl.h"
#include "faultvfs/phase.h"

namespace fl::engine {

struct Txn::State {
  State(TxnPageStore store, uint64_t begin_write_version)
      : store(std::move(store)), begin_write_version(begin_write_version) {}
  TxnPageStore store;                                        // snapshot + own pages
  uint64_t begin_write_version;                              // Impl::write_version at begin
  std::map<std::string, std::optional<std::string>> writes;  // key -> value, nullopt = erased
  std::set<std::string> reads;                               // keys read from the snapshot
};

namespace {

Status check_key(std::string_view key) {
  if (key.empty() || key.size() > kKeyBytesMax) {
    return Status::invalid_argument("key", "length " + std::to_string(key.size()) + " outside [1, " +
                                               std::to_string(kKeyBytesMax) + "]");
  }
  return Status::success();
}

std::string to_string(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

std::unique_ptr<Txn> Db::begin() {
  std::lock_guard lock(impl_->mu);
  FL_ASSERT(!impl_->closed);
  const uint64_t snapshot = impl_->newest_commit_seq_locked();
  impl_->snapshots.insert(snapshot);
  std::unique_ptr<Txn> txn(new Txn(*this, snapshot));
  txn->state_ = std::make_unique<Txn::State>(impl_->store_at_locked(snapshot), impl_->write_version);
  impl_->open_write_versions.insert(impl_->write_version);
  return txn;
}

Txn::Txn(Db& db, uint64_t snapshot) : db_(&db), snapshot_(snapshot) {}

Txn::~Txn() {
  if (outcome_ == CommitOutcome::kOpen) rollback();
}

// Ends the transaction: its snapshot no longer holds back checkpoints.
void Txn::finish(CommitOutcome outcome) {
  FL_ASSERT(outcome_ == CommitOutcome::kOpen);
  outcome_ = outcome;
  auto& snapshots = db_->impl_->snapshots;
  snapshots.erase(snapshots.find(snapshot_));
  auto& versions = db_->impl_->open_write_versions;
  versions.erase(versions.find(state_->begin_write_version));
  state_.reset();
}

Result<std::optional<std::string>> Txn::get(std::string_view key) {
  FL_TRY(check_key(key));
  Db::Impl& db = *db_->impl_;
  std::lock_guard lock(db.mu);
  FL_ASSERT(outcome_ == CommitOutcome::kOpen);
  const std::string k(key);
  if (FL_PLANTED_BUG(db.bugs(), "rollback-visible") && !state_->writes.contains(k)) {
    // Reads the undo-less leftovers of the last rolled-back transaction.
    if (auto leftover = db.rolled_back_writes.find(k); leftover != db.rolled_back_writes.end()) return leftover->second;
  }
  if (!state_->writes.contains(k)) state_->reads.insert(k);
  BTree tree(state_->store);
  Result<std::optional<Bytes>> found = tree.get(as_bytes(key));
  if (!found.ok()) {
    if (FL_PLANTED_BUG(db.bugs(), "error-as-missing") && found.status().is(Code::kIoError)) {
      return std::optional<std::string>();  // the error is swallowed: "no such key"
    }
    return found.take_status();
  }
  if (!*found) return std::optional<std::string>();
  return std::optional<std::string>(to_string(**found));
}

Status Txn::put(std::string_view key, std::string_view value) {
  FL_TRY(check_key(key));
  if (value.size() > kValueBytesMax) {
    return Status::invalid_argument("value", "length " + std::to_string(value.size()) + " above " +
                                                 std::to_string(kValueBytesMax));
  }
  Db::Impl& db = *db_->impl_;
  std::lock_guard lock(db.mu);
  FL_ASSERT(outcome_ == CommitOutcome::kOpen);
  BTree tree(state_->store);
  FL_TRY(tree.put(as_bytes(key), as_bytes(value)));
  state_->writes[std::string(key)] = std::string(value);
  return Status::success();
}

Status Txn::erase(std::string_view key) {
  FL_TRY(check_key(key));
  Db::Impl& db = *db_->impl_;
  std::lock_guard lock(db.mu);
  FL_ASSERT(outcome_ == CommitOutcome::kOpen);
  BTree tree(state_->store);
  FL_TRY(tree.erase(as_bytes(key)).status());
  state_->writes[std::string(key)] = std::nullopt;
  return Status::success();
}

void Txn::rollback() {
  Db::Impl& db = *db_->impl_;
  std::lock_guard lock(db.mu);
  FL_ASSERT(outcome_ == CommitOutcome::kOpen);
  if (FL_PLANTED_BUG(db.bugs(), "rollback-visible")) {
    db.rolled_back_writes = state_->writes;  // undone only when the next commit lands
  }
  if (FL_PLANTED_BUG(db.bugs(), "leak-on-rollback")) {
    // The pages this transaction grew the file by are never given back:
    // later commits keep the file that long, and nothing references them.
    db.leaked_page_count = std::max(db.leaked_page_count, state_->store.meta().page_count);
  }
  finish(CommitOutcome::kNotCommitted);
}

namespace {

// [db.2]: first committer wins on written keys; serializable also checks
// the keys read.
Status validate(const Db::Impl& db, const Txn::State& txn) {
  const auto& [writes, reads] = std::tie(txn.writes, txn.reads);
  const uint64_t snapshot = txn.begin_write_version;
  auto changed_since = [&](const std::string& key) {
    auto found = db.key_version.find(key);
    return found != db.key_version.end() && found->second > snapshot;
  };
  for (const auto& [key, value] : writes) {
    if (changed_since(key)) {
      return Status::conflict("commit", "write-write conflict on key '" + key + "' (written by a commit after this transaction began)");
    }
  }
  if (db.options.isolation == Isolation::kSerializable && !FL_PLANTED_BUG(db.bugs(), "write-skew")) {
    for (const std::string& key : reads) {
      if (changed_since(key)) {
        return Status::conflict("commit", "read key '" + key + "' was overwritten by a commit after this transaction began");
      }
    }
  }
  return Status::success();
}

// Replays `writes` on `store` (the newest state).
Status replay(TxnPageStore& store, const std::map<std::string, std::optional<std::string>>& writes) {
  BTree tree(store);
  for (const auto& [key, value] : writes) {
    if (value) {
      FL_TRY(tree.put(as_bytes(key), as_bytes(*value)));
    } else {
      FL_TRY(tree.erase(as_bytes(key)).status());
    }
  }
  return Status::success();
}

}  // namespace

Status Txn::commit() {
  Db::Impl& db = *db_->impl_;
  std::unique_lock lock(db.mu);
  FL_ASSERT(outcome_ == CommitOutcome::kOpen);
  faultvfs::PhaseScope phase(faultvfs::Phase::kCommit);
  if (state_->writes.empty()) {  // read-only: serialised at its snapshot
    finish(CommitOutcome::kCommitted);
    return Status::success();
  }
  auto fail = [&](Status status, CommitOutcome outcome) {
    if (outcome == CommitOutcome::kNotCommitted && FL_PLANTED_BUG(db.bugs(), "leak-on-rollback")) {
      db.leaked_page_count = std::max(db.leaked_page_count, state_->store.meta().page_count);
    }
    finish(outcome);
    return status;
  };
  if (Status writable = db.check_writable_locked(); !writable.ok()) {
    return fail(std::move(writable), CommitOutcome::kNotCommitted);
  }
  if (Status valid = validate(db, *state_); !valid.ok()) {
    return fail(std::move(valid), CommitOutcome::kNotCommitted);
  }
  if (db.sync_owed) {  // `ack-before-sync`: the previous commit's sync, late
    if (Status synced = db.sync_wal_locked(); !synced.ok()) return fail(std::move(synced), CommitOutcome::kNotCommitted);
  }
  std::optional<TxnPageStore> fresh;
  TxnPageStore* store = &state_->store;
  const uint64_t newest = db.newest_commit_seq_locked();
  if (newest != snapshot_) {
    fresh.emplace(db.store_at_locked(newest));
    if (Status replayed = replay(*fresh, state_->writes); !replayed.ok()) {
      return fail(std::move(replayed), CommitOutcome::kNotCommitted);
    }
    store = &*fresh;
  }
  if (db.leaked_page_count > store->meta().page_count) {  // only ever set by `leak-on-rollback`
    StoreMeta meta = store->meta();
    meta.page_count = db.leaked_page_count;
    store->set_meta(meta);
  }
  Result<WalAppended> appended = store->commit(*db.writer);
  if (!appended.ok()) {
    const bool nothing_written = db.writer->last_append_wrote_nothing();
    Status failure = appended.take_status();
    if (!failure.is(Code::kBusy) && !failure.is(Code::kInvalidArgument)) (void)db.poison_with(failure);
    return fail(std::move(failure), nothing_written ? CommitOutcome::kNotCommitted : CommitOutcome::kUnknown);
  }
  db.rolled_back_writes.clear();
  db.write_version += 1;
  for (const auto& [key, value] : state_->writes) db.key_version[key] = db.write_version;
  if (appended->commit_seq == 0) {  // the writes changed no page (e.g. erasing absent keys)
    finish(CommitOutcome::kCommitted);
    return Status::success();
  }
  commit_seq_ = appended->commit_seq;
  // [db.5]
  switch (db.options.durability) {
    case Durability::kFull:
      if (FL_PLANTED_BUG(db.bugs(), "ack-before-sync")) {
        db.sync_owed = true;  // acknowledged now, synced when the next commit comes
        break;
      }
      if (Status synced = db.sync_wal_locked(); !synced.ok()) return fail(std::move(synced), CommitOutcome::kUnknown);
      break;
    case Durability::kGroup:
      // Let the commits of other threads join this sync.
      lock.unlock();
      lock.lock();
      if (db.durable_commit_seq < commit_seq_) {
        if (Status synced = db.sync_wal_locked(); !synced.ok()) return fail(std::move(synced), CommitOutcome::kUnknown);
      }
      break;
    case Durability::kOff:
      break;
  }
  finish(CommitOutcome::kCommitted);
  db.prune_key_versions_locked();
  if (db.options.auto_checkpoint_frames > 0 && db.index.frame_count() >= db.options.auto_checkpoint_frames &&
      !db.checkpoint_running && db.poison.ok()) {
    (void)db.checkpoint_locked();  // a failure poisons the engine; this commit is durable regardless
  }
  return Status::success();
}

}  // namespace fl::engine
