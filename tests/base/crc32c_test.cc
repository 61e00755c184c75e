// Tests for base/crc32c.h: [crc32c.1]..[crc32c.3] on both the portable
// slicing-by-8 path and the public (possibly SSE4.2) path.
#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/prng.h"

namespace fl {
namespace {

uint32_t portable(std::span<const uint8_t> data) {
  return crc32c_internal::extend_portable(0, data.data(), data.size());
}

std::span<const uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// [crc32c.1]
TEST(Crc32c, CheckValueOnBothPaths) {
  EXPECT_EQ(portable(bytes_of("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);
}

TEST(Crc32c, EmptyInputIsZero) {
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(portable({}), 0u);
}

// The iSCSI test vectors of RFC 3720, appendix B.4.
TEST(Crc32c, Rfc3720Vectors) {
  std::array<uint8_t, 32> zeros{}, ones{}, ascending{}, descending{};
  ones.fill(0xff);
  for (size_t i = 0; i < 32; ++i) {
    ascending[i] = static_cast<uint8_t>(i);
    descending[i] = static_cast<uint8_t>(31 - i);
  }
  for (auto* crc : {+[](std::span<const uint8_t> d) { return crc32c(d); },
                    +[](std::span<const uint8_t> d) { return portable(d); }}) {
    EXPECT_EQ(crc(zeros), 0x8A9136AAu);
    EXPECT_EQ(crc(ones), 0x62A8AB43u);
    EXPECT_EQ(crc(ascending), 0x46DD794Eu);
    EXPECT_EQ(crc(descending), 0x113FDB5Cu);
  }
}

// [crc32c.2]
TEST(Crc32c, ExtendEqualsWhole) {
  std::string_view text = "hello, fault-injected world: 0123456789abcdef";
  for (size_t split = 0; split <= text.size(); ++split) {
    uint32_t head = crc32c(text.substr(0, split));
    EXPECT_EQ(crc32c_extend(head, bytes_of(text.substr(split))), crc32c(text)) << split;
    std::span<const uint8_t> tail = bytes_of(text.substr(split));
    EXPECT_EQ(crc32c_internal::extend_portable(head, tail.data(), tail.size()), crc32c(text));
  }
}

TEST(Crc32c, DifferentDataDifferentCrc) {
  EXPECT_NE(crc32c("a"), crc32c("b"));
  EXPECT_NE(crc32c("ab"), crc32c("ba"));
  EXPECT_NE(crc32c(std::string_view("\0", 1)), crc32c(std::string_view("\0\0", 2)));
}

// [crc32c.3]
TEST(Crc32c, MaskUnmaskAreInverses) {
  Prng prng(3);
  for (uint32_t crc : {0u, 1u, 0xffffffffu, 0xE3069283u, 0x80000000u}) {
    EXPECT_EQ(crc32c_unmask(crc32c_mask(crc)), crc);
    EXPECT_NE(crc32c_mask(crc), crc);
  }
  for (int i = 0; i < 10'000; ++i) {
    uint32_t crc = static_cast<uint32_t>(prng.next());
    EXPECT_EQ(crc32c_unmask(crc32c_mask(crc)), crc);
    EXPECT_EQ(crc32c_mask(crc32c_unmask(crc)), crc);
  }
  static_assert(crc32c_unmask(crc32c_mask(0xE3069283u)) == 0xE3069283u);
}

// Lengths around the 8-byte stride and unaligned starts must agree on both paths.
TEST(Crc32c, PortableAndPublicAgreeOnRandomBuffers) {
  Prng prng(77);
  std::vector<uint8_t> buffer(4096 + 16);
  for (auto& byte : buffer) byte = static_cast<uint8_t>(prng.next());
  for (size_t length = 0; length <= 300; ++length) {
    for (size_t start = 0; start < 8; ++start) {
      std::span<const uint8_t> data(buffer.data() + start, length);
      ASSERT_EQ(portable(data), crc32c(data)) << "length " << length << " start " << start;
    }
  }
  for (int i = 0; i < 200; ++i) {
    size_t start = prng.uniform(16);
    size_t length = prng.uniform(4097);
    std::span<const uint8_t> data(buffer.data() + start, length);
    uint32_t seed = static_cast<uint32_t>(prng.next());
    ASSERT_EQ(crc32c_internal::extend_portable(seed, data.data(), data.size()),
              crc32c_extend(seed, data))
        << "length " << length << " start " << start;
  }
}

}  // namespace
}  // namespace fl
