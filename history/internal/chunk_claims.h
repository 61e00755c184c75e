// Who parses which chunk of a block [compact-r.3]: the main thread takes
// chunks from the front, in order, into the history itself; the other
// threads take them from the back, each into a history of its own, joined
// in order afterwards. Where they meet depends on how the threads ran;
// what is parsed does not.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

namespace fl::history::internal {

class ChunkClaims {
 public:
  explicit ChunkClaims(uint32_t chunks) : state_(chunks) {}
  // The next chunk from the front (the main thread's), or nullopt when
  // none is left.
  std::optional<uint32_t> front() {
    uint64_t s = state_.load(std::memory_order_relaxed);
    do {
      if (front_of(s) >= back_of(s)) return std::nullopt;
    } while (!state_.compare_exchange_weak(s, s + (uint64_t{1} << 32), std::memory_order_relaxed));
    return front_of(s);
  }
  // The next chunk from the back (any other thread's), or nullopt.
  std::optional<uint32_t> back() {
    uint64_t s = state_.load(std::memory_order_relaxed);
    do {
      if (front_of(s) >= back_of(s)) return std::nullopt;
    } while (!state_.compare_exchange_weak(s, s - 1, std::memory_order_relaxed));
    return back_of(s) - 1;
  }
  // Once every claimer is done (joined): the chunks taken from the front
  // are [0, taken_from_front()), those from the back the rest.
  uint32_t taken_from_front() const { return front_of(state_.load(std::memory_order_relaxed)); }

 private:
  static uint32_t front_of(uint64_t s) { return static_cast<uint32_t>(s >> 32); }
  static uint32_t back_of(uint64_t s) { return static_cast<uint32_t>(s); }
  std::atomic<uint64_t> state_;  // front << 32 | back
};

}  // namespace fl::history::internal
