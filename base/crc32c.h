// base/crc32c.h: CRC-32C (Castagnoli), as used by refdb's pages and WAL frames.
//
// [crc32c.1] crc32c("123456789") == 0xE3069283 (the standard check value).
// [crc32c.2] crc32c_extend(crc32c(a), b) == crc32c(a + b).
// [crc32c.3] crc32c_mask/unmask are inverses; a masked CRC stored next to the
//            data it covers does not checksum to a constant when embedded.
//
// Hand-written because base/ may include only the standard library
// (ARCHITECTURE.md). Table-driven slicing-by-8 in portable C++, and the SSE4.2
// crc32 instruction when the CPU has it (about 10x faster, measured by
// bench/base_bench.cc); both give identical output ([crc32c.1] is tested on both).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace fl {
namespace crc32c_internal {

constexpr uint32_t kPolynomialReflected = 0x82f63b78u;

constexpr std::array<std::array<uint32_t, 256>, 8> make_tables() {
  std::array<std::array<uint32_t, 256>, 8> tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomialReflected : 0);
    tables[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int t = 1; t < 8; ++t) tables[t][i] = (tables[t - 1][i] >> 8) ^ tables[0][tables[t - 1][i] & 0xff];
  }
  return tables;
}
inline constexpr auto kTables = make_tables();

inline uint32_t extend_portable(uint32_t crc, const uint8_t* data, size_t size) {
  crc = ~crc;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);  // little-endian hosts only; see static_assert below
    word ^= crc;
    crc = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^ kTables[5][(word >> 16) & 0xff] ^
          kTables[4][(word >> 24) & 0xff] ^ kTables[3][(word >> 32) & 0xff] ^
          kTables[2][(word >> 40) & 0xff] ^ kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
    data += 8;
    size -= 8;
  }
  while (size-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *data++) & 0xff];
  return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) inline uint32_t extend_sse42(uint32_t crc, const uint8_t* data,
                                                                size_t size) {
  uint64_t crc64 = ~crc;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    crc64 = __builtin_ia32_crc32di(crc64, word);
    data += 8;
    size -= 8;
  }
  uint32_t crc32 = static_cast<uint32_t>(crc64);
  while (size-- > 0) crc32 = __builtin_ia32_crc32qi(crc32, *data++);
  return ~crc32;
}
inline const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");
#endif

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "crc32c assumes a little-endian host");

}  // namespace crc32c_internal

inline uint32_t crc32c_extend(uint32_t crc, std::span<const uint8_t> data) {
#if defined(__x86_64__)
  if (crc32c_internal::kHaveSse42) return crc32c_internal::extend_sse42(crc, data.data(), data.size());
#endif
  return crc32c_internal::extend_portable(crc, data.data(), data.size());
}
inline uint32_t crc32c(std::span<const uint8_t> data) { return crc32c_extend(0, data); }
inline uint32_t crc32c(std::string_view text) {
  return crc32c({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

constexpr uint32_t kCrc32cMaskDelta = 0xa282ead8u;
constexpr uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kCrc32cMaskDelta; }
constexpr uint32_t crc32c_unmask(uint32_t masked) {
  uint32_t rot = masked - kCrc32cMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace fl
