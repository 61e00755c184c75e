// The header page: docs/formats/page.md "Header page" ([hdr.1]..[hdr.4]).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "base/crc32c.h"
#include "engine/db_header.h"
#include "engine/limits.h"
#include "tests/engine/wal_util.h"

namespace fl::engine::testing {
namespace {

const DbHeader kExample{1, 16, 5, 2, 0xdeadbeef, 2, 100, 9};

using Page0 = std::array<uint8_t, kPageSizeBytes>;

std::span<uint8_t> slot(Page0& page, size_t index) {
  return std::span<uint8_t>(page).subspan(index * kHeaderSlotBytes, kHeaderSlotBytes);
}

void reseal_slot(std::span<uint8_t> s) {
  internal::put_u32(s, kHeaderCrcOffset, crc32c_mask(crc32c(std::span<const uint8_t>(s).first(kHeaderCrcOffset))));
}

Status decode_status(const Page0& page, uint64_t size = kPageSizeBytes * 64) {
  return decode_db_header(page, size).take_status();
}

TEST(DbHeader, MatchesTheSpecWorkedExample) {
  Page0 page = new_db_header_page(kExample);
  const Bytes expected_head = from_hex(
      "72 65 66 64 62 2d 64 62 01 00 00 00 00 10 00 00"
      "01 00 00 00 00 00 00 00 10 00 00 00 05 00 00 00"
      "02 00 00 00 ef be ad de 02 00 00 00 00 00 00 00"
      "64 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00");
  auto s1 = slot(page, 1);
  EXPECT_EQ(Bytes(s1.begin(), s1.begin() + 64), expected_head);
  EXPECT_TRUE(internal::all_zero(s1.subspan(64, kHeaderCrcOffset - 64)));
  EXPECT_EQ(Bytes(s1.begin() + kHeaderCrcOffset, s1.end()), from_hex("d4 84 09 66"));
  EXPECT_TRUE(internal::all_zero(slot(page, 0)));
  EXPECT_TRUE(internal::all_zero(std::span<const uint8_t>(page).subspan(2 * kHeaderSlotBytes)));
}

TEST(DbHeader, RoundTripsThroughEitherSlot) {  // [hdr.1]
  for (uint64_t seq : {0, 1, 2, 41}) {
    DbHeader h = kExample;
    h.checkpoint_seq = seq;
    auto decoded = decode_db_header(new_db_header_page(h), kPageSizeBytes * 16);
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, h);
  }
}

TEST(DbHeader, NewerValidSlotWins) {  // [hdr.2]
  DbHeader older = kExample, newer = kExample;
  older.checkpoint_seq = 4;
  older.root_page = 3;
  newer.checkpoint_seq = 5;
  newer.root_page = 7;
  Page0 page{};
  encode_db_header_slot(older, slot(page, 0));
  encode_db_header_slot(newer, slot(page, 1));
  EXPECT_EQ(*decode_db_header(page, kPageSizeBytes * 16), newer);
}

TEST(DbHeader, TornNewerSlotFallsBackToThePreviousCheckpoint) {
  DbHeader older = kExample, newer = kExample;
  older.checkpoint_seq = 4;
  newer.checkpoint_seq = 5;
  Page0 page{};
  encode_db_header_slot(older, slot(page, 0));
  encode_db_header_slot(newer, slot(page, 1));
  page[kHeaderSlotBytes + 200] ^= 0xff;  // one damaged byte in the newer slot
  EXPECT_EQ(*decode_db_header(page, kPageSizeBytes * 16), older);
}

TEST(DbHeader, EmptyShortAndForeignFilesAreCorruption) {  // [hdr.3]
  Page0 page = new_db_header_page(kExample);
  for (size_t size : {size_t{0}, size_t{1}, size_t{511}, size_t{4095}}) {
    Status status = decode_db_header(std::span<const uint8_t>(page).first(size), size).take_status();
    EXPECT_TRUE(status.is(Code::kCorruption)) << size;
    EXPECT_NE(status.to_string().find("truncated"), std::string::npos) << status.to_string();
  }
  Page0 text{};
  const std::string sqlite = "SQLite format 3";
  std::copy(sqlite.begin(), sqlite.end(), text.begin());
  Status status = decode_status(text);
  EXPECT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("not a refdb database"), std::string::npos) << status.to_string();
  EXPECT_TRUE(decode_status(Page0{}).is(Code::kCorruption));
}

TEST(DbHeader, BothSlotsBadIsCorruptionNamingEach) {
  Page0 page = new_db_header_page(kExample);
  encode_db_header_slot(DbHeader{}, slot(page, 0));
  page[10] ^= 1;
  page[kHeaderSlotBytes + 30] ^= 1;
  Status status = decode_status(page);
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("slot 0: crc"), std::string::npos) << status.to_string();
  EXPECT_NE(status.to_string().find("slot 1: crc"), std::string::npos) << status.to_string();
}

TEST(DbHeader, OtherVersionOrPageSizeIsNotSupported) {
  for (size_t offset : {kHeaderVersionOffset, kHeaderPageSizeOffset}) {
    Page0 page = new_db_header_page(kExample);
    internal::put_u32(slot(page, 1), offset, 2);
    reseal_slot(slot(page, 1));
    EXPECT_TRUE(decode_status(page).is(Code::kNotSupported)) << decode_status(page).to_string();
  }
}

TEST(DbHeader, SlotAtTheWrongParityIsAMisdirectedWrite) {
  Page0 page{};
  DbHeader h = kExample;  // seq 1 belongs in slot 1
  encode_db_header_slot(h, slot(page, 0));
  Status status = decode_status(page);
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("checkpoint_seq"), std::string::npos) << status.to_string();
}

TEST(DbHeader, OutOfRangeFieldsAreCorruption) {
  struct Case {
    size_t offset;
    uint32_t value;
    std::string field;
  };
  for (const Case& c : {Case{kHeaderPageCountOffset, 0, "page_count"},
                        Case{kHeaderPageCountOffset, kPageCountMax + 1, "page_count"},
                        Case{kHeaderFreelistHeadOffset, 16, "freelist_head"},
                        Case{kHeaderRootPageOffset, 99, "root_page"},
                        Case{kHeaderReservedOffset + 7, 1, "reserved"}}) {
    Page0 page = new_db_header_page(kExample);
    internal::put_u32(slot(page, 1), c.offset, c.value);
    reseal_slot(slot(page, 1));
    Status status = decode_status(page);
    EXPECT_TRUE(status.is(Code::kCorruption)) << c.field;
    EXPECT_NE(status.to_string().find(c.field), std::string::npos) << status.to_string();
  }
}

TEST(DbHeader, FileShorterThanPageCountIsTruncated) {
  Page0 page = new_db_header_page(kExample);  // 16 pages
  Status status = decode_db_header(page, kPageSizeBytes * 15).take_status();
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("truncated"), std::string::npos) << status.to_string();
  EXPECT_TRUE(decode_db_header(page, kPageSizeBytes * 16).ok());
  EXPECT_TRUE(decode_db_header(page, kPageSizeBytes * 16 + 100).ok());  // extra bytes are ignored
}

TEST(DbHeader, WriteTouchesOnlyItsSlotAndReadsBack) {  // [hdr.4]
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "db");
  DbHeader first = kExample;
  first.checkpoint_seq = 0;
  first.page_count = 1;
  first.freelist_head = first.root_page = 0;
  const Page0 page = new_db_header_page(first);
  ASSERT_EQ(*file->write(0, page), page.size());
  EXPECT_EQ(*read_db_header(*file), first);
  DbHeader second = first;
  second.checkpoint_seq = 1;
  second.checkpoint_lsn = 12;
  ASSERT_TRUE(write_db_header(*file, second).ok());
  EXPECT_EQ(*read_db_header(*file), second);
  Bytes now = *faultvfs::read_all(vfs, "db");
  ASSERT_EQ(now.size(), kPageSizeBytes);
  EXPECT_TRUE(std::equal(page.begin(), page.begin() + kHeaderSlotBytes, now.begin()));  // slot 0 untouched
  EXPECT_TRUE(std::equal(page.begin() + 2 * kHeaderSlotBytes, page.end(), now.begin() + 2 * kHeaderSlotBytes));
}

TEST(DbHeader, ReadOfEmptyFileIsCorruption) {
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "db");
  EXPECT_TRUE(read_db_header(*file).status().is(Code::kCorruption));
}

// Random bytes and random damage never crash: a valid header or an error.
RC_GTEST_PROP(DbHeaderFuzz, RandomBytesGiveCorruption, ()) {
  const auto bytes = *rc::gen::container<std::vector<uint8_t>>(kPageSizeBytes, rc::gen::arbitrary<uint8_t>());
  const size_t size = *rc::gen::inRange<size_t>(0, kPageSizeBytes + 1);
  auto decoded = decode_db_header(std::span<const uint8_t>(bytes).first(size), size);
  RC_ASSERT(decoded.status().is(Code::kCorruption));
}

RC_GTEST_PROP(DbHeaderFuzz, DamagedSlotsGiveAWrittenHeaderOrAnError, ()) {
  DbHeader a = kExample, b = kExample;
  a.checkpoint_seq = 6;
  a.root_page = 4;
  b.checkpoint_seq = 7;
  Page0 page{};
  encode_db_header_slot(a, slot(page, 0));
  encode_db_header_slot(b, slot(page, 1));
  const auto flips = *rc::gen::container<std::vector<std::pair<uint16_t, uint8_t>>>(
      rc::gen::pair(rc::gen::inRange<uint16_t>(0, 2 * kHeaderSlotBytes), rc::gen::inRange<uint8_t>(1, 255)));
  for (auto [offset, mask] : flips) page[offset] ^= mask;
  auto decoded = decode_db_header(page, kPageSizeBytes * 16);
  if (decoded.ok()) {
    RC_ASSERT(*decoded == a || *decoded == b);
  } else {
    RC_ASSERT(decoded.status().is(Code::kCorruption) || decoded.status().is(Code::kNotSupported));
  }
}

}  // namespace
}  // namespace fl::engine::testing
