// rw-register's non-cyclic anomalies [rw.4], over the reads of :ok
// transactions: G1a, G1b, garbage-read, internal and lost-update. Each
// detector's comment defines its anomaly first.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "checkers/internal/rw_register_index.h"

namespace fl::checkers::internal {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::OpType;

std::string render_value(const history::MicroValue& value) {
  const int64_t* v = std::get_if<int64_t>(&value);
  return v == nullptr ? "nil" : std::to_string(*v);
}

// G1a (aborted read): a committed transaction read a value that only a
// transaction known to have failed wrote. G1b (intermediate read): it read
// a value another transaction wrote and then overwrote within itself, so
// the value was never that writer's final one. garbage-read (ours): it read
// a value no transaction wrote. One case per read micro-op.
void read_cases(const RwIndex& ix, uint32_t t, const MicroOp& mop, std::vector<Anomaly>& found) {
  const int64_t* value = std::get_if<int64_t>(&mop.value);
  if (value == nullptr) return;  // nil: the initial state
  auto it = ix.version_ids.find({mop.key, *value});
  FL_ASSERT(it != ix.version_ids.end());  // Invariant: every read value was indexed
  const RwVersion& version = ix.versions[it->second];
  const PairedTxn& reader = ix.txns[t];
  std::string read = who(reader) + " read key " + std::to_string(mop.key) + " = " + std::to_string(*value);
  if (version.writer == kNoId) {
    found.push_back({"garbage-read", {reader.index()}, read + ", a value no operation wrote.", ""});
    return;
  }
  const PairedTxn& writer = ix.txns[version.writer];
  if (writer.type == OpType::kFail) {
    found.push_back({"G1a",
                     {reader.index(), writer.index()},
                     read + ", written by " + who(writer) + ", which failed: it read an aborted write.",
                     ""});
  }
  if (version.intermediate && version.writer != t) {
    found.push_back({"G1b",
                     {reader.index(), writer.index()},
                     read + ", an intermediate write of " + who(writer) +
                         ", which wrote the same key again later in its transaction.",
                     ""});
  }
}

// internal: a transaction read a key in a state that contradicts its own
// earlier read or write of that key (Cerone et al.'s INT axiom). One case
// per transaction, at the first such read.
void internal_case(const RwIndex& ix, uint32_t t, std::vector<Anomaly>& found) {
  std::vector<std::pair<int64_t, const history::MicroValue*>> state;  // key -> what the txn expects
  for (const MicroOp& mop : *ix.txns[t].mops) {
    auto it = std::find_if(state.begin(), state.end(), [&](const auto& s) { return s.first == mop.key; });
    if (mop.kind == MicroKind::kRead && it != state.end() && *it->second != mop.value) {
      found.push_back({"internal",
                       {ix.txns[t].index()},
                       who(ix.txns[t]) + " read key " + std::to_string(mop.key) + " = " + render_value(mop.value) +
                           ", but its own earlier reads and writes say " + std::to_string(mop.key) + " = " +
                           render_value(*it->second) + ".",
                       ""});
      return;
    }
    if (it == state.end()) {
      state.push_back({mop.key, &mop.value});
    } else {
      it->second = &mop.value;
    }
  }
}

// lost-update: two committed transactions read the same version of a key
// (nil included) and both wrote the key, so one overwrote an update it
// never saw. As Elle's lost-update-cases: a transaction counts for a key
// when it writes the key after reading it, the first read giving the
// version; a write before any read of the key is ignored.
using LostKey = std::pair<int64_t, std::optional<int64_t>>;  // (key, version read)

void lost_update_register(const RwIndex& ix, uint32_t t, std::map<LostKey, std::vector<uint32_t>>& groups) {
  struct Seen {
    int64_t key;
    std::optional<int64_t> first_read;
    bool written;
  };
  std::vector<Seen> seen;
  for (const MicroOp& mop : *ix.txns[t].mops) {
    auto it = std::find_if(seen.begin(), seen.end(), [&](const Seen& s) { return s.key == mop.key; });
    if (mop.kind == MicroKind::kRead) {
      if (it != seen.end()) continue;
      const int64_t* v = std::get_if<int64_t>(&mop.value);
      seen.push_back({mop.key, v == nullptr ? std::nullopt : std::optional<int64_t>(*v), false});
      continue;
    }
    if (it == seen.end() || it->written) continue;
    it->written = true;
    groups[{mop.key, it->first_read}].push_back(t);
  }
}

}  // namespace

void find_rw_non_cyclic(const RwIndex& ix, std::vector<Anomaly>& found) {
  std::map<LostKey, std::vector<uint32_t>> groups;
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    if (ix.txns[t].type != OpType::kOk) continue;
    for (const MicroOp& mop : *ix.txns[t].mops) {
      if (mop.kind == MicroKind::kRead) read_cases(ix, t, mop, found);
    }
    internal_case(ix, t, found);
    lost_update_register(ix, t, groups);
  }
  std::vector<LostUpdateGroup> lost;
  for (auto& [k, txns] : groups) {
    lost.push_back({k.first, k.second ? std::to_string(*k.second) : std::string("nil"), std::move(txns)});
  }
  report_lost_updates(ix.txns, std::move(lost), "wrote", found);
}

}  // namespace fl::checkers::internal
