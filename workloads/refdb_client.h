// workloads/refdb_client.h: refdb (engine/db.h) behind the engine-neutral
// client interface of client.h.
//
// [refdb-client.1] commit() maps refdb's outcome ([db.3]) one to one:
//                  kCommitted -> kOk, kNotCommitted -> kFail (a conflict, a
//                  poisoned engine, an append that wrote no byte), kUnknown
//                  -> kInfo ([client.2]). error is the engine's Status text.
// [refdb-client.2] maintenance_step() runs one Checkpoint::step(), beginning
//                  a checkpoint (Db::begin_checkpoint) when none is in
//                  progress, and returns true when that step completed the
//                  checkpoint. A failed step abandons the checkpoint and
//                  returns its error; the next call begins a new one.
// [refdb-client.3] kill() ([client.4]) drops the Db with Db::abandon():
//                  no sync and no write, as a killed process. (Closing
//                  would sync, and an engine with the `unbounded-retry`
//                  bug would spin forever on a crashed Vfs.)
// [refdb-client.4] kill() and close() first end every session's open
//                  transaction (an in-memory rollback, no I/O) and abandon
//                  the checkpoint in progress, because a Db must outlive its
//                  Txns and Checkpoints. A session whose transaction was
//                  ended this way reports kPoisoned from read()/write() and
//                  kFail from commit() (nothing of it was written) until it
//                  rolls back or begins again. Sessions outlive kill() and close(): after
//                  open() again, begin() starts a transaction on the new Db.
// [refdb-client.5] claims(): engine "refdb"; isolation "serializable" or
//                  "snapshot" from Options; durability "acked" for full and
//                  group (an acknowledged commit survives every crash,
//                  [db.3]), "none" for off.
// [refdb-client.6] needs_restart() is true while the open Db is poisoned
//                  ([db.6]: after a failed write or sync it refuses commits
//                  and checkpoints until reopened).
//
// Threads: Sessions may be used from different threads (one thread per
// Session, refdb serialises them). open(), kill() and close() REQUIRE that
// no Session call is in progress (the simulator calls them between steps).
#pragma once

#include <memory>

#include "engine/db.h"
#include "workloads/client.h"

namespace fl::workloads {

class RefdbEngine final : public Engine {
 public:
  explicit RefdbEngine(engine::Options options);
  ~RefdbEngine() override;  // close()s an open Db, ignoring its Status
  RefdbEngine(const RefdbEngine&) = delete;
  RefdbEngine& operator=(const RefdbEngine&) = delete;

  // REQUIRES: not open.
  Status open(faultvfs::Vfs& vfs, std::string_view dir) override;
  Status check_integrity() override;
  std::unique_ptr<Session> session() override;
  Result<bool> maintenance_step() override;  // [refdb-client.2]
  void kill() override;                      // [refdb-client.3], [refdb-client.4]
  Status close() override;                   // [refdb-client.4]
  EngineClaims claims() const override;      // [refdb-client.5]
  // True after refdb was poisoned by a failed write or sync ([db.6]).
  bool needs_restart() const override;  // [refdb-client.6]

  bool is_open() const;
  // The open Db, for reports (stats, recovery) and tests; null when closed.
  engine::Db* db();

  struct Shared;  // opaque: the Db and the sessions' registry

 private:
  void drop_db(bool close_first, Status* closed);
  engine::Options options_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace fl::workloads
