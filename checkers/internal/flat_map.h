// checkers/internal/flat_map.h: an open-addressing hash map from (key, value)
// pairs to dense ids.
//
// Hand-written because it is the hottest structure of the list-append
// checker (one entry per appended element, millions of them): std::
// unordered_map allocates a node per entry and chases a pointer per probe,
// and its find() was 27% of the checker's profile on 10^5 transactions
// before this map (with the prefix-read shortcut, that check went from
// 514 ms to 204 ms; bench/checker_bench). Linear probing over a power-of-two
// table kept at most half full; ids are never erased.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace fl::checkers::internal {

// A strong mix of both halves (splitmix64's finaliser); also the hash of
// KeyValueIds.
inline size_t hash_key_value(int64_t key, int64_t value) {
  uint64_t x = static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(value);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return static_cast<size_t>(x);
}

// The map holds only ids: the (key, value) of an id lives in the caller's
// entries (entries[id].key, entries[id].value), which every call passes in.
// A slot is the id and 32 more bits of the hash, so a probe reads the
// entries only when those bits match: nearly always the entry sought. At
// 10^7 transactions the slots of (key, value, id) took 1.6 GB; these take
// a third of that.
class KeyValueIds {
 public:
  static constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();

  explicit KeyValueIds(size_t expected = 16) { slots_.assign(capacity_for(expected), Slot{}); mask_ = slots_.size() - 1; }

  template <class Entries>
  uint32_t find(int64_t key, int64_t value, const Entries& entries) const {
    const size_t h = hash_key_value(key, value);
    const uint32_t tag = tag_of(h);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kAbsent) return kAbsent;
      if (s.tag == tag && entries[s.id].key == key && entries[s.id].value == value) return s.id;
    }
  }

  // The id of (key, value), inserting `id` when absent; `*inserted` says
  // which. REQUIRES: entries holds every id inserted before.
  template <class Entries>
  uint32_t emplace(int64_t key, int64_t value, uint32_t id, bool* inserted, const Entries& entries) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2, entries);
    const size_t h = hash_key_value(key, value);
    const uint32_t tag = tag_of(h);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id == kAbsent) {
        s = {id, tag};
        ++size_;
        *inserted = true;
        return id;
      }
      if (s.tag == tag && entries[s.id].key == key && entries[s.id].value == value) {
        *inserted = false;
        return s.id;
      }
    }
  }

  // Starts loading the slot where (key, value) is looked for: a caller that
  // knows its next lookups hides their cache misses behind this one's work.
  void prefetch(int64_t key, int64_t value) const {
    __builtin_prefetch(&slots_[hash_key_value(key, value) & mask_]);
  }

  // Room for `n` entries without rehashing.
  template <class Entries>
  void reserve(size_t n, const Entries& entries) {
    if (capacity_for(n) > slots_.size()) rehash(capacity_for(n), entries);
  }

  size_t size() const { return size_; }
  size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint32_t id = kAbsent;
    uint32_t tag = 0;  // the hash's high bits
  };

  static uint32_t tag_of(size_t hash) { return static_cast<uint32_t>(static_cast<uint64_t>(hash) >> 32); }
  static size_t capacity_for(size_t n) {
    size_t c = 16;
    while (c < n * 2) c *= 2;
    return c;
  }
  template <class Entries>
  void rehash(size_t capacity, const Entries& entries) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& s : old) {
      if (s.id == kAbsent) continue;
      size_t i = hash_key_value(entries[s.id].key, entries[s.id].value) & mask_;
      while (slots_[i].id != kAbsent) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace fl::checkers::internal
