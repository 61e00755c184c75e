// engine/internal/le.h: little-endian field access for refdb's on-disk formats.
//
// Every multi-byte integer refdb writes is little-endian (docs/formats/page.md,
// docs/formats/wal.md). These helpers assemble bytes one at a time, so they are
// correct on any host, and FL_ASSERT the offset: a field outside its buffer is
// a programmer error (the offsets are constants), never data read from disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/assert.h"

namespace fl::engine::internal {

template <class T>
inline void put_le(std::span<uint8_t> buf, size_t offset, T value) {
  FL_ASSERT(offset <= buf.size() && sizeof(T) <= buf.size() - offset);
  for (size_t i = 0; i < sizeof(T); ++i) buf[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

template <class T>
inline T get_le(std::span<const uint8_t> buf, size_t offset) {
  FL_ASSERT(offset <= buf.size() && sizeof(T) <= buf.size() - offset);
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<T>(buf[offset + i]) << (8 * i));
  return value;
}

inline void put_u8(std::span<uint8_t> b, size_t off, uint8_t v) { put_le<uint8_t>(b, off, v); }
inline void put_u32(std::span<uint8_t> b, size_t off, uint32_t v) { put_le<uint32_t>(b, off, v); }
inline void put_u64(std::span<uint8_t> b, size_t off, uint64_t v) { put_le<uint64_t>(b, off, v); }
inline uint8_t get_u8(std::span<const uint8_t> b, size_t off) { return get_le<uint8_t>(b, off); }
inline uint32_t get_u32(std::span<const uint8_t> b, size_t off) { return get_le<uint32_t>(b, off); }
inline uint64_t get_u64(std::span<const uint8_t> b, size_t off) { return get_le<uint64_t>(b, off); }

// True when every byte of `bytes` is zero.
inline bool all_zero(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace fl::engine::internal
