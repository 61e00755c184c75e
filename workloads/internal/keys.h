// workloads/internal/keys.h: key choice ([wl.3]) and key rotation ([wl.2]).
//
// [keys.1] KeyChooser::pick() returns index i of [0, count) with probability
//          weight(i) / sum of weights: 1 for uniform, kZipfWeightScale /
//          (i + 1) for Zipfian. Integers only; one Prng draw per pick.
// [keys.2] pick_excluding(x) never returns x; it draws from the same
//          weights with x's removed (one draw, no rejection loop).
// [keys.3] KeySlots starts with slot i holding key i. write() returns the
//          next value of the slot's key (1, 2, 3, ...); the write that
//          brings a key to writes_per_key_max retires it, and the slot
//          takes the next unused key (active_keys, active_keys + 1, ...).
//          So no key ever takes more than writes_per_key_max writes, and
//          values are unique per key ([wl.1]).
// [keys.4] used_keys() is every key a read() or write() returned, ascending.
#pragma once

#include <cstdint>
#include <vector>

#include "base/prng.h"
#include "workloads/workload.h"

namespace fl::workloads::internal {

class KeyChooser {
 public:
  // REQUIRES: 1 <= count <= kActiveKeysMax.
  KeyChooser(uint32_t count, KeyDistribution distribution);
  uint32_t count() const { return static_cast<uint32_t>(weights_.size()); }
  uint32_t pick(Prng& prng) const;                      // [keys.1]
  uint32_t pick_excluding(Prng& prng, uint32_t excluded) const;  // [keys.2] REQUIRES: count() >= 2
  uint64_t weight(uint32_t index) const { return weights_[index]; }

 private:
  uint32_t locate(uint64_t point, uint32_t excluded) const;
  std::vector<uint64_t> weights_;
  uint64_t total_ = 0;
};

class KeySlots {
 public:
  struct Write {
    int64_t key;
    int64_t value;
  };
  // REQUIRES: validate()d options.
  KeySlots(uint32_t active_keys, uint32_t writes_per_key_max, KeyDistribution distribution);
  int64_t read(Prng& prng);   // the key of a picked slot
  Write write(Prng& prng);    // [keys.3]
  std::vector<int64_t> used_keys() const;  // [keys.4]

 private:
  struct Slot {
    int64_t key;
    uint32_t writes;  // values handed out for `key`
    bool used;        // a read() or write() returned `key`
  };
  KeyChooser chooser_;
  uint32_t writes_per_key_max_;
  std::vector<Slot> slots_;
  int64_t next_key_;  // keys below this were, or are, in a slot
};

}  // namespace fl::workloads::internal
