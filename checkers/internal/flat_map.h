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

class KeyValueIds {
 public:
  static constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();

  explicit KeyValueIds(size_t expected = 16) { rehash(capacity_for(expected)); }

  uint32_t find(int64_t key, int64_t value) const {
    for (size_t i = hash(key, value) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kAbsent) return kAbsent;
      if (s.key == key && s.value == value) return s.id;
    }
  }

  // The id of (key, value), inserting `id` when absent; `*inserted` says which.
  uint32_t emplace(int64_t key, int64_t value, uint32_t id, bool* inserted) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    for (size_t i = hash(key, value) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id == kAbsent) {
        s = {key, value, id};
        ++size_;
        *inserted = true;
        return id;
      }
      if (s.key == key && s.value == value) {
        *inserted = false;
        return s.id;
      }
    }
  }

  // Room for `n` entries without rehashing.
  void reserve(size_t n) {
    if (capacity_for(n) > slots_.size()) rehash(capacity_for(n));
  }

  size_t size() const { return size_; }
  size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    int64_t key = 0;
    int64_t value = 0;
    uint32_t id = kAbsent;
  };

  static size_t capacity_for(size_t n) {
    size_t c = 16;
    while (c < n * 2) c *= 2;
    return c;
  }
  static size_t hash(int64_t key, int64_t value) { return hash_key_value(key, value); }
  void rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.id == kAbsent) continue;
      bool inserted = false;
      emplace(s.key, s.value, s.id, &inserted);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace fl::checkers::internal
