#include "workloads/refdb_client.h"

#include <cstdint>
#include <map>
#include <mutex>

#include "base/assert.h"

namespace fl::workloads {

class RefdbSession;

// Everything a RefdbSession shares with its engine; sessions hold it by
// shared_ptr, so either may be destroyed first.
struct RefdbEngine::Shared {
  std::mutex mu;  // guards all of the below; taken before refdb's own lock
  std::unique_ptr<engine::Db> db;
  std::unique_ptr<engine::Checkpoint> checkpoint;  // in progress, or null
  std::map<uint64_t, RefdbSession*> sessions;       // by creation order
  uint64_t next_session_id = 0;
};

namespace {

Status not_open() { return Status::invalid_argument("refdb", "no open database (killed or closed)"); }

CommitStatus commit_status(engine::CommitOutcome outcome) {
  switch (outcome) {
    case engine::CommitOutcome::kCommitted: return CommitStatus::kOk;
    case engine::CommitOutcome::kNotCommitted: return CommitStatus::kFail;
    case engine::CommitOutcome::kUnknown: return CommitStatus::kInfo;
    case engine::CommitOutcome::kOpen: break;
  }
  FL_ASSERT(false && "commit() returned with the transaction still open");
  return CommitStatus::kInfo;
}

constexpr std::string_view kDroppedWhat = "the transaction was ended by kill() or close()";

}  // namespace

class RefdbSession final : public Session {
 public:
  explicit RefdbSession(std::shared_ptr<RefdbEngine::Shared> shared) : shared_(std::move(shared)) {
    std::lock_guard lock(shared_->mu);
    id_ = shared_->next_session_id++;
    shared_->sessions.emplace(id_, this);
  }

  ~RefdbSession() override {
    std::lock_guard lock(shared_->mu);
    txn_.reset();  // Invariant: the Db is alive while txn_ is set ([refdb-client.4])
    shared_->sessions.erase(id_);
  }

  Status begin() override {
    std::lock_guard lock(shared_->mu);
    FL_ASSERT(state_ != State::kOpen);  // REQUIRES [client.1]: one transaction at a time
    if (!shared_->db) return not_open();
    txn_ = shared_->db->begin();
    state_ = State::kOpen;
    return Status::success();
  }

  Result<std::optional<std::string>> read(std::string_view key) override {
    FL_TRY(check_open());
    return txn_->get(key);  // [client.3]: an error leaves the transaction open
  }

  Status write(std::string_view key, std::string_view value) override {
    FL_TRY(check_open());
    return txn_->put(key, value);
  }

  Status erase(std::string_view key) override {
    FL_TRY(check_open());
    return txn_->erase(key);  // refdb: erasing an absent key is a write that changes nothing
  }

  CommitResult commit() override {
    FL_ASSERT(state_ != State::kIdle);  // REQUIRES: begin()
    if (state_ == State::kDropped) {
      state_ = State::kIdle;
      return CommitResult{CommitStatus::kFail, Status::poisoned("refdb session", kDroppedWhat).to_string()};
    }
    Status committed = txn_->commit();
    const CommitStatus status = commit_status(txn_->outcome());  // [refdb-client.1]
    FL_ASSERT((status == CommitStatus::kOk) == committed.ok());
    txn_.reset();
    state_ = State::kIdle;
    return CommitResult{status, committed.ok() ? std::string() : committed.to_string()};
  }

  void rollback() override {
    if (state_ == State::kOpen) txn_->rollback();
    txn_.reset();
    state_ = State::kIdle;
  }

  // Called by the engine with Shared::mu held, before the Db goes away.
  void drop_transaction() {
    if (state_ != State::kOpen) return;
    txn_->rollback();  // in memory only: refdb wrote nothing for it ([db.4])
    txn_.reset();
    state_ = State::kDropped;
  }

 private:
  enum class State : uint8_t { kIdle, kOpen, kDropped };

  Status check_open() const {
    FL_ASSERT(state_ != State::kIdle);  // REQUIRES: begin()
    if (state_ == State::kDropped) return Status::poisoned("refdb session", kDroppedWhat);
    FL_ASSERT(txn_ != nullptr);
    return Status::success();
  }

  std::shared_ptr<RefdbEngine::Shared> shared_;
  uint64_t id_ = 0;
  State state_ = State::kIdle;
  std::unique_ptr<engine::Txn> txn_;  // set exactly when state_ == kOpen
};

RefdbEngine::RefdbEngine(engine::Options options)
    : options_(std::move(options)), shared_(std::make_shared<Shared>()) {}

RefdbEngine::~RefdbEngine() {
  if (is_open()) (void)close();
}

Status RefdbEngine::open(faultvfs::Vfs& vfs, std::string_view dir) {
  std::lock_guard lock(shared_->mu);
  FL_ASSERT(shared_->db == nullptr);  // REQUIRES: not open
  FL_ASSIGN_OR_RETURN(shared_->db, engine::Db::open(vfs, dir, options_));
  return Status::success();
}

Status RefdbEngine::check_integrity() {
  std::lock_guard lock(shared_->mu);
  if (!shared_->db) return not_open();
  return shared_->db->check_integrity();
}

std::unique_ptr<Session> RefdbEngine::session() { return std::make_unique<RefdbSession>(shared_); }

Result<bool> RefdbEngine::maintenance_step() {
  std::lock_guard lock(shared_->mu);
  if (!shared_->db) return not_open();
  if (!shared_->checkpoint) shared_->checkpoint = shared_->db->begin_checkpoint();
  Result<bool> done = shared_->checkpoint->step();
  if (!done.ok() || *done) shared_->checkpoint.reset();  // [refdb-client.2]
  return done;
}

void RefdbEngine::drop_db(bool close_first, Status* closed) {
  std::lock_guard lock(shared_->mu);
  FL_ASSERT(shared_->db != nullptr);  // REQUIRES: open
  for (auto& entry : shared_->sessions) entry.second->drop_transaction();
  shared_->checkpoint.reset();  // Invariant: no Txn or Checkpoint outlives the Db
  if (close_first) {
    *closed = shared_->db->close();
  } else {
    shared_->db->abandon();  // kill(): no sync, no write ([refdb-client.3])
  }
  shared_->db.reset();
}

void RefdbEngine::kill() { drop_db(false, nullptr); }

Status RefdbEngine::close() {
  Status closed;
  drop_db(true, &closed);
  return closed;
}

EngineClaims RefdbEngine::claims() const {
  EngineClaims claims;
  claims.engine = "refdb";
  claims.isolation = std::string(engine::isolation_name(options_.isolation));
  claims.durability = options_.durability == engine::Durability::kOff ? "none" : "acked";
  return claims;
}

bool RefdbEngine::is_open() const {
  std::lock_guard lock(shared_->mu);
  return shared_->db != nullptr;
}

bool RefdbEngine::needs_restart() const {
  std::lock_guard lock(shared_->mu);
  return shared_->db && !shared_->db->poisoned().ok();
}

engine::Db* RefdbEngine::db() {
  std::lock_guard lock(shared_->mu);
  return shared_->db.get();
}

}  // namespace fl::workloads
