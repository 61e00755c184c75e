// checkers/internal/key_ids.h: dense ids for the keys of a history.
//
// Every micro-op of a list-append history looks its key up, millions of
// times at 10^6 transactions, and histories name their keys with small
// non-negative integers nearly always. Such a key is an index into an array
// (one load from a table that stays in cache); any other key (negative,
// or far past the keys seen) goes to a hash map. std::unordered_map alone
// divides by a prime and follows a node pointer per lookup: the element
// numbering pass spent most of its 0.13 s there at 10^6 transactions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include "base/assert.h"

namespace fl::checkers::internal {

class KeyIds {
 public:
  static constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();

  uint32_t find(int64_t key) const {
    if (key >= 0 && static_cast<uint64_t>(key) < dense_.size()) return dense_[static_cast<size_t>(key)];
    auto it = sparse_.find(key);
    return it == sparse_.end() ? kAbsent : it->second;
  }

  // REQUIRES: `key` has an id.
  uint32_t at(int64_t key) const {
    const uint32_t id = find(key);
    FL_ASSERT(id != kAbsent);
    return id;
  }

  // The id of `key`, giving it `id` when it has none; `*inserted` says which.
  uint32_t emplace(int64_t key, uint32_t id, bool* inserted) {
    uint32_t* slot = nullptr;
    if (key >= 0 && (static_cast<uint64_t>(key) < dense_.size() || grow_dense(static_cast<uint64_t>(key)))) {
      slot = &dense_[static_cast<size_t>(key)];
    } else {
      slot = &sparse_.try_emplace(key, kAbsent).first->second;
    }
    *inserted = *slot == kAbsent;
    if (*inserted) {
      *slot = id;
      ++size_;
    }
    return *slot;
  }

  size_t size() const { return size_; }

 private:
  // The array covers keys below kDenseMax, and grows only while it stays
  // within a few slots per key held, so a history of a few huge keys does
  // not allocate for all the keys below them.
  static constexpr uint64_t kDenseMax = uint64_t{1} << 26;
  static constexpr uint64_t kSlack = 4096;

  bool grow_dense(uint64_t key) {
    if (key >= kDenseMax || key >= 8 * (size_ + kSlack)) return false;
    size_t size = std::max<size_t>(dense_.size() * 2, 1024);
    while (size <= key) size *= 2;
    size = std::min<size_t>(size, kDenseMax);
    dense_.resize(size, kAbsent);
    // Keys the map held that the array now covers move to it.
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      if (it->first >= 0 && static_cast<uint64_t>(it->first) < dense_.size()) {
        dense_[static_cast<size_t>(it->first)] = it->second;
        it = sparse_.erase(it);
      } else {
        ++it;
      }
    }
    return true;
  }

  std::vector<uint32_t> dense_;
  std::unordered_map<int64_t, uint32_t> sparse_;
  size_t size_ = 0;
};

}  // namespace fl::checkers::internal
