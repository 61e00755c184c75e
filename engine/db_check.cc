// engine/db_check.cc: fsck over the newest committed state (db.h [db.9]).
#include "engine/btree.h"
#include "engine/internal/db_impl.h"

namespace fl::engine {

Status Db::check_integrity() {
  std::lock_guard lock(impl_->mu);
  Impl& db = *impl_;
  FL_ASSERT(!db.closed);
  TxnPageStore store = db.store_at_locked(db.newest_commit_seq_locked());
  // Every page of [1, page_count) is read through the store, which verifies
  // its checksum ([txn.1]); check_tree adds order and page accounting.
  return check_tree(store);
}

}  // namespace fl::engine
