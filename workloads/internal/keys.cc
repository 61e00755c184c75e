#include "workloads/internal/keys.h"

#include <algorithm>

#include "base/assert.h"
#include "workloads/limits.h"

namespace fl::workloads::internal {

KeyChooser::KeyChooser(uint32_t count, KeyDistribution distribution) {
  FL_ASSERT(count >= 1);
  FL_ASSERT(count <= kActiveKeysMax);
  weights_.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t weight = distribution == KeyDistribution::kZipfian ? kZipfWeightScale / (i + 1) : 1;
    FL_ASSERT(weight >= 1);
    weights_.push_back(weight);
    total_ += weight;
  }
}

// The index whose cumulative weight range holds `point`, skipping `excluded`
// (count() when nothing is excluded).
uint32_t KeyChooser::locate(uint64_t point, uint32_t excluded) const {
  for (uint32_t i = 0; i < count(); ++i) {
    if (i == excluded) continue;
    if (point < weights_[i]) return i;
    point -= weights_[i];
  }
  FL_ASSERT(false && "point beyond the total weight");
  return 0;
}

uint32_t KeyChooser::pick(Prng& prng) const {
  const uint32_t index = locate(prng.uniform(total_), count());
  FL_ASSERT(index < count());
  return index;
}

uint32_t KeyChooser::pick_excluding(Prng& prng, uint32_t excluded) const {
  FL_ASSERT(count() >= 2);
  FL_ASSERT(excluded < count());
  const uint32_t index = locate(prng.uniform(total_ - weights_[excluded]), excluded);
  FL_ASSERT(index != excluded);
  return index;
}

KeySlots::KeySlots(uint32_t active_keys, uint32_t writes_per_key_max, KeyDistribution distribution)
    : chooser_(active_keys, distribution), writes_per_key_max_(writes_per_key_max), next_key_(active_keys) {
  FL_ASSERT(writes_per_key_max >= 1);
  slots_.reserve(active_keys);
  for (uint32_t i = 0; i < active_keys; ++i) slots_.push_back(Slot{i, 0, false});
}

int64_t KeySlots::read(Prng& prng) {
  Slot& slot = slots_[chooser_.pick(prng)];
  slot.used = true;
  return slot.key;
}

KeySlots::Write KeySlots::write(Prng& prng) {
  Slot& slot = slots_[chooser_.pick(prng)];
  FL_ASSERT(slot.writes < writes_per_key_max_);  // Invariant: a full key has already retired
  slot.writes += 1;
  slot.used = true;
  const Write write{slot.key, static_cast<int64_t>(slot.writes)};
  if (slot.writes == writes_per_key_max_) {  // [wl.2]: retire the key
    slot = Slot{next_key_, 0, false};
    next_key_ += 1;
  }
  return write;
}

std::vector<int64_t> KeySlots::used_keys() const {
  // Every retired key was written, so it was used; of the keys still in a
  // slot only those picked since they arrived were.
  std::vector<int64_t> unused;
  for (const Slot& slot : slots_) {
    if (!slot.used) unused.push_back(slot.key);
  }
  std::sort(unused.begin(), unused.end());
  std::vector<int64_t> keys;
  for (int64_t key = 0; key < next_key_; ++key) {
    if (!std::binary_search(unused.begin(), unused.end(), key)) keys.push_back(key);
  }
  return keys;
}

}  // namespace fl::workloads::internal
