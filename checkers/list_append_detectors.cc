// list-append's non-cyclic anomalies over :ok transactions (G1a, G1b,
// internal, future-read, lost-update) and over version orders
// (dirty-update). Each detector's comment defines its anomaly first.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "base/assert.h"
#include "checkers/internal/list_append_index.h"

namespace fl::checkers::internal {
namespace {

using history::CompactMop;
using history::MicroKind;
using history::MopValue;
using history::OpType;

std::string key_read(const LaIndex& ix, const CompactMop& mop) {
  return "key " + std::to_string(mop.key) + " = " + render_read(ix, mop);
}

// G1a (aborted read): a committed transaction read a value that only a
// transaction known to have failed appended. One case per element. A read
// that is a prefix of its key's longest read looks only at the failed
// appends in that prefix (`failed`: positions in the longest read, per key).
void g1a_cases(const LaIndex& ix, uint32_t t, const CompactMop& mop, const std::vector<std::vector<uint32_t>>& failed,
               std::vector<Anomaly>& found) {
  std::span<const int64_t> list = ix.list(mop);
  auto report = [&](int64_t value, uint32_t e) {
    const LaTxn& writer = ix.txns[ix.elements[e].writer];
    found.push_back({"G1a", {ix.txns[t].index(), writer.index()},
                     who(ix.txns[t]) + " read " + key_read(ix, mop) + ", which holds " + std::to_string(value) +
                         ", appended by " + who(writer) + ", which failed: it read an aborted write.",
                     ""});
  };
  if (ix.is_prefix_read(mop)) {
    const uint32_t k = ix.key_ids.at(mop.key);
    for (uint32_t pos : failed[k]) {
      if (pos >= list.size()) break;
      report(list[pos], ix.keys[k].ids[pos]);
    }
    return;
  }
  for (int64_t value : list) {
    uint32_t e = ix.element_id(mop.key, value);
    if (e == kNoId || ix.elements[e].writer == kNoId) continue;
    if (ix.txns[ix.elements[e].writer].type == OpType::kFail) report(value, e);
  }
}

// Per key, the positions in its longest read of elements a failed
// transaction appended.
std::vector<std::vector<uint32_t>> failed_positions(const LaIndex& ix) {
  std::vector<std::vector<uint32_t>> out(ix.keys.size());
  for (uint32_t k = 0; k < ix.keys.size(); ++k) {
    const LaKey& key = ix.keys[k];
    if (key.longest == nullptr) continue;
    for (uint32_t pos = 0; pos < key.ids.size(); ++pos) {
      uint32_t w = ix.elements[key.ids[pos]].writer;
      if (w != kNoId && ix.txns[w].type == OpType::kFail) out[k].push_back(pos);
    }
  }
  return out;
}

// G1b (intermediate read): a committed transaction read a state whose last
// element another transaction appended and then appended to again, so the
// state it saw was never that writer's final one.
void g1b_case(const LaIndex& ix, uint32_t t, const CompactMop& mop, std::vector<Anomaly>& found) {
  std::span<const int64_t> list = ix.list(mop);
  if (list.empty()) return;
  uint32_t e = ix.element_of(mop);
  if (e == kNoId || !ix.elements[e].intermediate || ix.elements[e].writer == t) return;
  const LaTxn& writer = ix.txns[ix.elements[e].writer];
  found.push_back({"G1b", {ix.txns[t].index(), writer.index()},
                   who(ix.txns[t]) + " read " + key_read(ix, mop) + ", ending in " + std::to_string(list.back()) +
                       ", an intermediate append of " + who(writer) +
                       ", which appended to the same key again later in its transaction.",
                   ""});
}

// Per-key state inside one transaction: what its own reads and appends say
// the key holds. `base` null means "some unknown prefix, then `suffix`".
struct KeyState {
  int64_t key = 0;
  bool known_base = false;
  std::span<const int64_t> base;
  std::vector<int64_t> suffix;
};

std::string render_expected(const KeyState& s) {
  std::string out = "[";
  bool first = true;
  if (!s.known_base) {
    out += "...";
    first = false;
  } else {
    for (int64_t v : s.base) {
      if (!first) out += ' ';
      out += std::to_string(v);
      first = false;
    }
  }
  for (int64_t v : s.suffix) {
    if (!first) out += ' ';
    out += std::to_string(v);
    first = false;
  }
  return out + "]";
}

bool consistent(const KeyState& s, std::span<const int64_t> read) {
  if (!s.known_base) {
    if (read.size() < s.suffix.size()) return false;
    return std::equal(s.suffix.begin(), s.suffix.end(), read.end() - static_cast<std::ptrdiff_t>(s.suffix.size()));
  }
  if (read.size() != s.base.size() + s.suffix.size()) return false;
  return std::equal(s.base.begin(), s.base.end(), read.begin()) &&
         std::equal(s.suffix.begin(), s.suffix.end(), read.begin() + static_cast<std::ptrdiff_t>(s.base.size()));
}

// internal: a transaction read a key inconsistently with its own earlier read
// of it and the appends it made since (Cerone et al.'s INT axiom). One case
// per transaction, at the first inconsistent read.
void internal_case(const LaIndex& ix, uint32_t t, std::vector<KeyState>& states, std::vector<Anomaly>& found) {
  size_t used = 0;
  for (const CompactMop& mop : ix.mops(ix.txns[t])) {
    auto it = std::find_if(states.begin(), states.begin() + static_cast<std::ptrdiff_t>(used),
                           [&](const KeyState& s) { return s.key == mop.key; });
    bool known = it != states.begin() + static_cast<std::ptrdiff_t>(used);
    if (mop.kind == MicroKind::kAppend) {
      if (!known) {
        if (used == states.size()) states.emplace_back();
        it = states.begin() + static_cast<std::ptrdiff_t>(used++);
        it->key = mop.key;
        it->known_base = false;
        it->suffix.clear();
      }
      it->suffix.push_back(mop.data);
      continue;
    }
    const std::span<const int64_t> read = ix.list(mop);
    if (known && !consistent(*it, read)) {
      found.push_back({"internal", {ix.txns[t].index()},
                       who(ix.txns[t]) + " read " + key_read(ix, mop) + ", but its own earlier reads and appends say " +
                           std::to_string(mop.key) + " = " + render_expected(*it) + ".",
                       ""});
      return;
    }
    if (!known) {
      if (used == states.size()) states.emplace_back();
      it = states.begin() + static_cast<std::ptrdiff_t>(used++);
      it->key = mop.key;
    }
    it->known_base = true;
    it->base = read;
    it->suffix.clear();
  }
}

// future-read: a transaction read a value that it appends only later in the
// same transaction. One case per transaction.
void future_read_case(const LaIndex& ix, uint32_t t, std::vector<Anomaly>& found) {
  const std::span<const CompactMop> mops = ix.mops(ix.txns[t]);
  for (size_t j = 0; j < mops.size(); ++j) {
    if (mops[j].kind != MicroKind::kAppend) continue;
    int64_t value = mops[j].data;
    for (size_t i = 0; i < j; ++i) {
      if (mops[i].kind != MicroKind::kRead || mops[i].key != mops[j].key || mops[i].tag != MopValue::kList) continue;
      std::span<const int64_t> list = ix.list(mops[i]);
      if (std::find(list.begin(), list.end(), value) == list.end()) continue;
      found.push_back({"future-read", {ix.txns[t].index()},
                       who(ix.txns[t]) + " read " + key_read(ix, mops[i]) + ", which holds " + std::to_string(value) +
                           ", a value the same transaction appends only afterwards.",
                       ""});
      return;
    }
  }
}

// lost-update: two committed transactions read the same state of a key and
// both appended to it, so one of them overwrote an update it never saw.
// Reads are grouped by the state they read. Nearly every read is nil, empty
// or a prefix of its key's longest read, and such a state is one of a few
// per key (nil, or the first n elements of the longest read): a slot per
// key and length numbers them, with no allocation per read (a hash map of
// lists allocated two or three times per transaction: 20,000 times at 10^4
// transactions). Any other read is grouped by its whole list.
class LostUpdates {
 public:
  explicit LostUpdates(const LaIndex& ix) : ix_(ix) {
    FL_ASSERT(ix.txns.size() < kGroup);  // a slot holds a reader or, flagged, a group
    offsets_.reserve(ix.keys.size() + 1);
    offsets_.push_back(0);
    for (const LaKey& key : ix.keys) offsets_.push_back(offsets_.back() + key.longest_size + 2);
    slots_.assign(offsets_.back(), kEmpty);
  }

  // Transaction t's reads that an append of the same key follows.
  void add(uint32_t t) {
    seen_.clear();
    for (const CompactMop& mop : ix_.mops(ix_.txns[t])) {
      auto it = std::find_if(seen_.begin(), seen_.end(), [&](const Seen& s) { return s.key == mop.key; });
      if (mop.kind == MicroKind::kRead) {
        if (it == seen_.end()) seen_.push_back({mop.key, &mop, false});
        continue;
      }
      // An append: counts once per key, and only after a read of the key.
      if (it == seen_.end() || it->written) continue;
      it->written = true;
      add_read(t, *it->first_read);
    }
  }

  // The states read by two or more transactions, with their readers in
  // order (a slot's group is made at its second reader).
  std::vector<LostUpdateGroup> groups() && {
    for (auto& [k, txns] : others_) {
      if (txns.size() < 2) continue;
      groups_.push_back({k.key, render_list(k.value), std::move(txns)});
    }
    return std::move(groups_);
  }

 private:
  static constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
  static constexpr uint32_t kGroup = uint32_t{1} << 31;  // a slot naming a group, not its one reader

  struct Seen {
    int64_t key;
    const CompactMop* first_read;
    bool written;
  };
  // A read that is not a prefix of its key's longest read, by its list.
  struct Other {
    int64_t key;
    std::span<const int64_t> value;
    friend bool operator==(const Other& a, const Other& b) {
      return a.key == b.key && std::equal(a.value.begin(), a.value.end(), b.value.begin(), b.value.end());
    }
  };
  struct OtherHash {
    size_t operator()(const Other& o) const {
      uint64_t h = static_cast<uint64_t>(o.key) * 0x9E3779B97F4A7C15ull ^ (o.value.size() + 0x51ED27ull);
      for (int64_t v : o.value) h = (h ^ static_cast<uint64_t>(v)) * 0x100000001B3ull;
      return static_cast<size_t>(h ^ (h >> 32));
    }
  };

  void add_read(uint32_t t, const CompactMop& read) {
    const bool nil = read.tag == MopValue::kNil;
    if (!nil && read.list_size > 0 && !ix_.is_prefix_read(read)) {
      others_[{read.key, ix_.list(read)}].push_back(t);
      return;
    }
    const uint32_t k = ix_.key_ids.at(read.key);
    const uint32_t length = nil ? ix_.keys[k].longest_size + 1 : read.list_size;
    uint32_t& slot = slots_[offsets_[k] + length];
    if (slot == kEmpty) {
      slot = t;  // its one reader so far
      return;
    }
    if ((slot & kGroup) == 0) {
      FL_ASSERT(groups_.size() < kGroup);
      groups_.push_back({read.key, nil ? std::string("nil") : render_list(ix_.list(read)), {slot}});
      slot = kGroup | static_cast<uint32_t>(groups_.size() - 1);
    }
    groups_[slot & ~kGroup].txns.push_back(t);
  }

  const LaIndex& ix_;
  std::vector<size_t> offsets_;  // per key id: its slots, one per length of its longest read's prefixes, then nil
  std::vector<uint32_t> slots_;
  std::vector<Seen> seen_;  // per transaction, reused
  std::vector<LostUpdateGroup> groups_;
  std::unordered_map<Other, std::vector<uint32_t>, OtherHash> others_;
};

// dirty-update: in a key's version order, a committed append directly
// follows (possibly through indeterminate ones) an append of a failed
// transaction: the committed write built on an aborted one.
void dirty_update_cases(const LaIndex& ix, std::vector<Anomaly>& found) {
  for (const LaKey& key : ix.keys) {
    OpType t1 = OpType::kOk;
    uint32_t t1_id = kNoId;
    for (uint32_t e : key.order) {
      uint32_t w = ix.elements[e].writer;
      if (w == kNoId) continue;  // garbage: reported as garbage-read
      OpType t2 = ix.txns[w].type;
      if (t1 == OpType::kFail && t2 == OpType::kOk) {
        found.push_back({"dirty-update", {ix.txns[t1_id].index(), ix.txns[w].index()},
                         "key " + std::to_string(key.key) + ": " + who(ix.txns[w]) + " committed its append of " +
                             std::to_string(ix.elements[e].value) + " after " + who(ix.txns[t1_id]) +
                             "'s append to the same key, and that transaction failed.",
                         ""});
      }
      // Elle's transitions: an :info append never replaces the last known
      // outcome, and a run of failed appends is blamed on its first.
      if (t2 == OpType::kInfo) continue;
      if (t2 == OpType::kFail && t1 == OpType::kFail) continue;
      t1 = t2;
      t1_id = w;
    }
  }
}

}  // namespace

void find_non_cyclic(const LaIndex& ix, std::vector<Anomaly>& found) {
  std::vector<KeyState> states;
  LostUpdates lost_updates(ix);
  const std::vector<std::vector<uint32_t>> failed = failed_positions(ix);
  for (uint32_t t = 0; t < ix.txns.size(); ++t) {
    if (ix.txns[t].type != OpType::kOk) continue;
    for (const CompactMop& mop : ix.mops(ix.txns[t])) {
      if (mop.kind != MicroKind::kRead) continue;
      g1a_cases(ix, t, mop, failed, found);
      g1b_case(ix, t, mop, found);
    }
    internal_case(ix, t, states, found);
    future_read_case(ix, t, found);
    lost_updates.add(t);
  }
  report_lost_updates(ix.txns, std::move(lost_updates).groups(), "appended to", found);
  dirty_update_cases(ix, found);
}

}  // namespace fl::checkers::internal
