// Data pages: docs/formats/page.md "Data pages" ([page.1]..[page.3]).
#include <gtest/gtest.h>

#include "engine/page.h"
#include "tests/engine/wal_util.h"

namespace fl::engine::testing {
namespace {

Bytes spec_example_page() {
  Bytes page(kPageSizeBytes);
  init_page(page, PageType::kBtreeLeaf, 7, 42);
  seal_page(page);
  return page;
}

TEST(PageFormat, MatchesTheSpecWorkedExample) {
  const Bytes page = spec_example_page();
  const Bytes head = from_hex("2e 25 92 b0 02 00 00 00 07 00 00 00 00 00 00 00 2a 00 00 00 00 00 00 00");
  EXPECT_EQ(Bytes(page.begin(), page.begin() + kPageHeaderBytes), head);
  EXPECT_TRUE(internal::all_zero(std::span<const uint8_t>(page).subspan(kPageHeaderBytes)));
  EXPECT_EQ(read_page_header(page), (PageHeader{PageType::kBtreeLeaf, 7, 42}));
}

TEST(PageFormat, SealedPageVerifies) {  // [page.1]
  EXPECT_TRUE(verify_page(spec_example_page(), 7).ok());
  EXPECT_TRUE(verify_page(make_page(3, 99), 3).ok());
}

TEST(PageFormat, EveryBitFlipIsCaught) {  // [page.3]
  Bytes page = make_page(5, 1234);
  for (size_t bit = 0; bit < kPageSizeBytes * 8; ++bit) {
    page[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Status status = verify_page(page, 5);
    ASSERT_TRUE(status.is(Code::kCorruption)) << "bit " << bit;
    page[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}

// Each failure names the page and the field ([page.2]).
void expect_corruption(std::span<const uint8_t> page, uint32_t expected, std::string_view field) {
  Status status = verify_page(page, expected);
  ASSERT_TRUE(status.is(Code::kCorruption)) << status.to_string();
  EXPECT_NE(status.to_string().find("page " + std::to_string(expected)), std::string::npos) << status.to_string();
  EXPECT_NE(status.to_string().find(field), std::string::npos) << status.to_string();
}

TEST(PageFormat, CrcMismatchNamesPageAndField) {
  Bytes page = make_page(9, 1);
  page[100] ^= 0x40;
  expect_corruption(page, 9, "crc");
  page = make_page(9, 1);
  page[kPageCrcOffset] ^= 1;
  expect_corruption(page, 9, "crc");
}

TEST(PageFormat, WrongPageNumberIsAMisplacedPage) {
  expect_corruption(make_page(9, 1), 10, "page_number");
}

TEST(PageFormat, UnknownTypeIsCorruptionEvenWithAValidCrc) {
  Bytes page = make_page(9, 1);
  page[kPageTypeOffset] = 0x17;
  seal_page(page);
  expect_corruption(page, 9, "type");
  page[kPageTypeOffset] = 0;
  seal_page(page);
  expect_corruption(page, 9, "type");
}

TEST(PageFormat, NonzeroReservedBytesAreCorruption) {
  for (size_t offset : {kPageReservedAOffset, kPageReservedAOffset + 2, kPageReservedBOffset + 3}) {
    Bytes page = make_page(9, 1);
    page[offset] = 1;
    seal_page(page);
    expect_corruption(page, 9, "reserved");
  }
}

TEST(PageFormat, ZeroPageIsNeverWritten) {
  expect_corruption(Bytes(kPageSizeBytes), 4, "all bytes zero");
}

TEST(PageFormat, ShortBufferIsCorruptionNotAnAssert) {
  Bytes page = make_page(9, 1);
  expect_corruption(std::span<const uint8_t>(page).first(1000), 9, "size");
  expect_corruption(std::span<const uint8_t>(), 9, "size");
}

TEST(PageFormat, PageZeroIsTheHeaderPage) {
  expect_corruption(make_page(9, 1), 0, "header page");
}

TEST(PageFormat, LsnChangeNeedsAReseal) {
  Bytes page = make_page(9, 1);
  set_page_lsn(page, 77);
  expect_corruption(page, 9, "crc");
  seal_page(page);
  EXPECT_TRUE(verify_page(page, 9).ok());
  EXPECT_EQ(read_page_header(page).lsn, 77u);
}

}  // namespace
}  // namespace fl::engine::testing
