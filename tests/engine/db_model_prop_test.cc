// Model-based test of refdb (engine/db.h) with no faults: random sequences
// of transactions (puts, erases, gets, commits, rollbacks, checkpoints,
// reopens), with up to three transactions open at once, against a model made
// of std::maps. The model states the contract directly:
//   - a transaction reads its own writes, else the committed map as of its
//     begin ([db.1]);
//   - commit fails with kConflict exactly when a key it wrote (or, under
//     serializable, read) was written by a commit after its begin ([db.2]);
//     otherwise its writes become the newest committed state;
//     conflicts are about keys, not pages (erasing an absent key is a write);
//   - checkpoint and reopen change nothing observable; after reopen every
//     acknowledged commit is there (durability full, [db.3]);
//   - check_integrity() is clean after every commit batch and reopen.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "engine/db.h"
#include "faultvfs/mem_vfs.h"

namespace fl::engine {
namespace {

using KV = std::map<std::string, std::string>;

struct Begin {};
struct Put { uint8_t txn; uint16_t key; uint16_t value_size; };
struct Erase { uint8_t txn; uint16_t key; };
struct Get { uint8_t txn; uint16_t key; };
struct Commit { uint8_t txn; };
struct Rollback { uint8_t txn; };
struct DoCheckpoint {};
struct Reopen {};
using Op = std::variant<Begin, Put, Erase, Get, Commit, Rollback, DoCheckpoint, Reopen>;

void showValue(const Op& op, std::ostream& os) {
  std::visit([&](const auto& o) {
    using T = std::decay_t<decltype(o)>;
    if constexpr (std::is_same_v<T, Begin>) os << "begin";
    else if constexpr (std::is_same_v<T, Put>) os << "put(t" << int(o.txn) << ", k" << o.key << ", " << o.value_size << "B)";
    else if constexpr (std::is_same_v<T, Erase>) os << "erase(t" << int(o.txn) << ", k" << o.key << ")";
    else if constexpr (std::is_same_v<T, Get>) os << "get(t" << int(o.txn) << ", k" << o.key << ")";
    else if constexpr (std::is_same_v<T, Commit>) os << "commit(t" << int(o.txn) << ")";
    else if constexpr (std::is_same_v<T, Rollback>) os << "rollback(t" << int(o.txn) << ")";
    else if constexpr (std::is_same_v<T, DoCheckpoint>) os << "checkpoint";
    else os << "reopen";
  }, op);
}

constexpr uint8_t kSlots = 3;

rc::Gen<Op> gen_op(uint16_t keys) {
  auto txn = rc::gen::inRange<uint8_t>(0, kSlots);
  auto key = rc::gen::inRange<uint16_t>(0, keys);
  return rc::gen::weightedOneOf<Op>({
      {3, rc::gen::just<Op>(Begin{})},
      {8, rc::gen::map(rc::gen::tuple(txn, key, rc::gen::inRange<uint16_t>(0, 700)),
                       [](auto t) { return Op(Put{std::get<0>(t), std::get<1>(t), std::get<2>(t)}); })},
      {3, rc::gen::map(rc::gen::tuple(txn, key), [](auto t) { return Op(Erase{std::get<0>(t), std::get<1>(t)}); })},
      {5, rc::gen::map(rc::gen::tuple(txn, key), [](auto t) { return Op(Get{std::get<0>(t), std::get<1>(t)}); })},
      {4, rc::gen::map(txn, [](uint8_t t) { return Op(Commit{t}); })},
      {1, rc::gen::map(txn, [](uint8_t t) { return Op(Rollback{t}); })},
      {1, rc::gen::just<Op>(DoCheckpoint{})},
      {1, rc::gen::just<Op>(Reopen{})},
  });
}

std::string key_name(uint16_t key) { return "key-" + std::to_string(key); }

// A value unique to the op that wrote it, `size` bytes long (at least 1).
std::string value_for(uint64_t serial, uint16_t size) {
  std::string v = std::to_string(serial) + ":";
  v.resize(std::max<size_t>(size, v.size()), static_cast<char>('a' + serial % 26));
  return v;
}

struct ModelTxn {
  KV snapshot;
  uint64_t begin_commit = 0;  // commits counted at begin
  std::map<std::string, std::optional<std::string>> writes;
  std::set<std::string> reads;
};

struct Model {
  KV committed;
  uint64_t commits = 0;
  std::map<std::string, uint64_t> last_writer;  // key -> commit number
  std::optional<ModelTxn> txns[kSlots];

  std::optional<std::string> get(ModelTxn& t, const std::string& key) {
    if (auto w = t.writes.find(key); w != t.writes.end()) return w->second;
    t.reads.insert(key);
    auto found = t.snapshot.find(key);
    return found == t.snapshot.end() ? std::nullopt : std::optional<std::string>(found->second);
  }
  // true when the commit is accepted.
  bool commit(ModelTxn& t, Isolation isolation) {
    if (t.writes.empty()) return true;
    auto changed = [&](const std::string& key) {
      auto found = last_writer.find(key);
      return found != last_writer.end() && found->second > t.begin_commit;
    };
    for (const auto& [key, value] : t.writes) {
      if (changed(key)) return false;
    }
    if (isolation == Isolation::kSerializable) {
      for (const std::string& key : t.reads) {
        if (changed(key)) return false;
      }
    }
    ++commits;
    for (const auto& [key, value] : t.writes) {
      last_writer[key] = commits;
      if (value) {
        committed[key] = *value;
      } else {
        committed.erase(key);
      }
    }
    return true;
  }
};

KV read_all(Db& db, uint16_t keys) {
  KV out;
  auto txn = db.begin();
  for (uint16_t k = 0; k < keys; ++k) {
    auto value = txn->get(key_name(k));
    RC_ASSERT(value.ok());
    if (*value) out[key_name(k)] = **value;
  }
  RC_ASSERT(txn->commit().ok());
  return out;
}

void run(Isolation isolation) {
  const uint16_t keys = *rc::gen::inRange<uint16_t>(1, 120);
  const auto ops = *rc::gen::container<std::vector<Op>>(gen_op(keys));
  const uint64_t auto_checkpoint = *rc::gen::element<uint64_t>(0, 4, 16, 64);
  Options options;
  options.isolation = isolation;
  options.auto_checkpoint_frames = auto_checkpoint;
  faultvfs::MemVfs vfs;
  auto opened = Db::open(vfs, "", options);
  RC_ASSERT(opened.ok());
  std::unique_ptr<Db> db = std::move(*opened);
  std::unique_ptr<Txn> txns[kSlots];
  Model model;
  uint64_t serial = 0;

  for (const Op& op : ops) {
    ++serial;
    if (std::holds_alternative<Begin>(op)) {
      for (uint8_t slot = 0; slot < kSlots; ++slot) {
        if (txns[slot]) continue;
        txns[slot] = db->begin();
        model.txns[slot] = ModelTxn{model.committed, model.commits, {}, {}};
        break;
      }
    } else if (const auto* put = std::get_if<Put>(&op)) {
      if (!txns[put->txn]) continue;
      const std::string value = value_for(serial, put->value_size);
      RC_ASSERT(txns[put->txn]->put(key_name(put->key), value).ok());
      model.txns[put->txn]->writes[key_name(put->key)] = value;
    } else if (const auto* erase = std::get_if<Erase>(&op)) {
      if (!txns[erase->txn]) continue;
      RC_ASSERT(txns[erase->txn]->erase(key_name(erase->key)).ok());
      model.txns[erase->txn]->writes[key_name(erase->key)] = std::nullopt;
    } else if (const auto* get = std::get_if<Get>(&op)) {
      if (!txns[get->txn]) continue;
      auto value = txns[get->txn]->get(key_name(get->key));
      RC_ASSERT(value.ok());
      RC_ASSERT(*value == model.get(*model.txns[get->txn], key_name(get->key)));
    } else if (const auto* commit = std::get_if<Commit>(&op)) {
      if (!txns[commit->txn]) continue;
      const bool accepted = model.commit(*model.txns[commit->txn], isolation);
      Status status = txns[commit->txn]->commit();
      RC_LOG() << "commit slot " << int(commit->txn) << ": " << status.to_string() << "\n";
      if (accepted) {
        RC_ASSERT(status.ok());
      } else {
        RC_ASSERT(status.is(Code::kConflict));
        RC_ASSERT(txns[commit->txn]->outcome() == CommitOutcome::kNotCommitted);
      }
      txns[commit->txn].reset();
      model.txns[commit->txn].reset();
    } else if (const auto* rollback = std::get_if<Rollback>(&op)) {
      if (!txns[rollback->txn]) continue;
      txns[rollback->txn]->rollback();
      txns[rollback->txn].reset();
      model.txns[rollback->txn].reset();
    } else if (std::holds_alternative<DoCheckpoint>(op)) {
      auto result = db->checkpoint();
      RC_ASSERT(result.ok());
    } else if (std::holds_alternative<Reopen>(op)) {
      for (uint8_t slot = 0; slot < kSlots; ++slot) {  // open transactions die with the process
        txns[slot].reset();
        model.txns[slot].reset();
      }
      RC_ASSERT(db->close().ok());
      db.reset();
      auto reopened = Db::open(vfs, "", options);
      RC_ASSERT(reopened.ok());
      db = std::move(*reopened);
      RC_ASSERT(db->check_integrity().ok());
    }
  }
  for (auto& txn : txns) txn.reset();
  RC_ASSERT(read_all(*db, keys) == model.committed);
  Status fsck = db->check_integrity();
  RC_ASSERT(fsck.ok());
}

RC_GTEST_PROP(DbModel, SnapshotIsolationMatchesModel, ()) { run(Isolation::kSnapshot); }
RC_GTEST_PROP(DbModel, SerializableMatchesModel, ()) { run(Isolation::kSerializable); }

}  // namespace
}  // namespace fl::engine
