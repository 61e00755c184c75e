// WAL header and frame encoding: docs/formats/wal.md ([frame.1]..[frame.4]).
#include <gtest/gtest.h>

#include "base/crc32c.h"
#include "engine/wal_frame.h"
#include "tests/engine/wal_util.h"

namespace fl::engine::testing {
namespace {

const WalHeader kSpecHeader{1, 1, 1, 0x5a17c0de};

// The worked example of wal.md: pages 3 and 4 (zero bodies), committed with
// db_page_count 5 and root_page 3.
Bytes spec_example_wal() {
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  auto writer = WalWriter::start(*file, kSpecHeader);
  EXPECT_TRUE(writer.ok());
  Bytes a(kPageSizeBytes), b(kPageSizeBytes);
  init_page(a, PageType::kBtreeLeaf, 3);
  seal_page(a);
  init_page(b, PageType::kBtreeLeaf, 4);
  seal_page(b);
  const WalPage pages[] = {{3, a}, {4, b}};
  auto appended = writer->append(pages, WalCommitMeta{5, 3, 0});
  EXPECT_TRUE(appended.ok());
  EXPECT_EQ(appended->end_offset_bytes, 8336u);
  return *faultvfs::read_all(vfs, "wal");
}

Bytes slice(const Bytes& bytes, size_t offset, size_t length) {
  return Bytes(bytes.begin() + offset, bytes.begin() + offset + length);
}

TEST(WalFormat, MatchesTheSpecWorkedExample) {
  const Bytes wal = spec_example_wal();
  ASSERT_EQ(wal.size(), 8336u);
  EXPECT_EQ(slice(wal, 0, 48), from_hex("72 65 66 64 62 77 61 6c 01 00 00 00 00 10 00 00"
                                        "01 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"
                                        "01 00 00 00 00 00 00 00 de c0 17 5a b5 85 f1 ad"));
  EXPECT_EQ(wal_chain_seed(kSpecHeader), 0x4d6e85b7u);
  EXPECT_EQ(slice(wal, 0x30, 72), from_hex("03 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"
                                           "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                                           "01 00 00 00 00 00 00 00 de c0 17 5a 54 53 3f 4f"
                                           "e4 01 bd 65 02 00 00 00 03 00 00 00 00 00 00 00"
                                           "01 00 00 00 00 00 00 00"));
  EXPECT_EQ(slice(wal, 0x1060, 72), from_hex("04 00 00 00 05 00 00 00 02 00 00 00 00 00 00 00"
                                             "01 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00"
                                             "01 00 00 00 00 00 00 00 de c0 17 5a 71 37 0d e7"
                                             "1c fa a1 60 02 00 00 00 04 00 00 00 00 00 00 00"
                                             "02 00 00 00 00 00 00 00"));
  EXPECT_TRUE(internal::all_zero(std::span<const uint8_t>(wal).subspan(0x30 + 72, kPageSizeBytes - 24)));
  EXPECT_TRUE(internal::all_zero(std::span<const uint8_t>(wal).subspan(0x1060 + 72, kPageSizeBytes - 24)));
}

TEST(WalFormat, ChainFollowsTheSpecFormula) {  // [frame.3]
  const Bytes wal = spec_example_wal();
  std::span<const uint8_t> all(wal);
  uint32_t prev = crc32c(all.first(kWalHeaderCrcOffset));
  EXPECT_EQ(prev, wal_chain_seed(kSpecHeader));
  for (size_t i = 0; i < 2; ++i) {
    auto frame = all.subspan(kWalHeaderBytes + i * kWalFrameBytes, kWalFrameBytes);
    Bytes input(4);
    internal::put_u32(input, 0, prev);
    input.insert(input.end(), frame.begin(), frame.begin() + kFrameChecksumOffset);
    input.insert(input.end(), frame.begin() + kFrameHeaderBytes, frame.end());
    const uint32_t expected = crc32c(input);
    EXPECT_EQ(internal::get_u32(frame, kFrameChecksumOffset), crc32c_mask(expected));
    EXPECT_EQ(stored_wal_frame_checksum(frame), expected);
    prev = expected;
  }
}

TEST(WalFormat, HeaderRoundTrips) {  // [frame.1]
  for (WalHeader h : {kSpecHeader, WalHeader{7, 1000, 55, 0}, WalHeader{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT32_MAX}}) {
    auto bytes = encode_wal_header(h);
    auto decoded = decode_wal_header(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, h);
  }
}

TEST(WalFormat, BadHeadersAreCorruptionOrNotSupported) {  // [frame.2]
  auto good = encode_wal_header(kSpecHeader);
  EXPECT_TRUE(decode_wal_header(std::span<const uint8_t>(good).first(47)).status().is(Code::kCorruption));
  auto bad_magic = good;
  bad_magic[0] = 'R';
  EXPECT_NE(decode_wal_header(bad_magic).status().to_string().find("magic"), std::string::npos);
  for (size_t offset : {kWalGenerationOffset, kWalSaltOffset, kWalStartLsnOffset, kWalHeaderCrcOffset}) {
    auto flipped = good;
    flipped[offset] ^= 1;
    Status status = decode_wal_header(flipped).take_status();
    EXPECT_TRUE(status.is(Code::kCorruption)) << offset;
    EXPECT_NE(status.to_string().find("crc"), std::string::npos) << status.to_string();
  }
  for (WalHeader zero : {WalHeader{0, 1, 1, 0}, WalHeader{1, 0, 1, 0}, WalHeader{1, 1, 0, 0}}) {
    EXPECT_TRUE(decode_wal_header(encode_wal_header(zero)).status().is(Code::kCorruption));
  }
  for (size_t offset : {kWalVersionOffset, kWalPageSizeOffset}) {
    auto other = good;
    internal::put_u32(other, offset, 2);
    internal::put_u32(other, kWalHeaderCrcOffset, crc32c_mask(crc32c(std::span<const uint8_t>(other).first(44))));
    EXPECT_TRUE(decode_wal_header(other).status().is(Code::kNotSupported));
  }
}

TEST(WalFormat, FrameHeaderRoundTrips) {  // [frame.4]
  WalFrameHeader h{9, 12, 77, 5, 3, 2, 4, 0xabcdef01};
  Bytes page = make_page(9, 1);
  Bytes frame(kWalFrameBytes);
  const uint32_t checksum = encode_wal_frame(h, page, 0x1234, frame);
  EXPECT_EQ(decode_wal_frame_header(frame), h);
  EXPECT_EQ(stored_wal_frame_checksum(frame), checksum);
  EXPECT_EQ(wal_frame_checksum(0x1234, frame), checksum);
  EXPECT_NE(wal_frame_checksum(0x1235, frame), checksum);  // bound to the previous frame
  EXPECT_TRUE(std::equal(page.begin(), page.end(), frame.begin() + kFrameHeaderBytes));
}

}  // namespace
}  // namespace fl::engine::testing
