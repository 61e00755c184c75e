// engine/page.cc: data page encode/verify (docs/formats/page.md).
#include "engine/page.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "base/crc32c.h"
#include "engine/internal/le.h"

namespace fl::engine {

using internal::get_u32;
using internal::get_u64;
using internal::get_u8;

std::string_view page_type_name(PageType type) {
  switch (type) {
    case PageType::kBtreeInternal: return "btree-internal";
    case PageType::kBtreeLeaf: return "btree-leaf";
    case PageType::kFreelist: return "freelist";
  }
  return "unknown";
}

void init_page(std::span<uint8_t> page, PageType type, uint32_t page_number, uint64_t lsn) {
  FL_ASSERT(page.size() == kPageSizeBytes);
  FL_ASSERT(page_type_known(static_cast<uint8_t>(type)));
  std::fill(page.begin(), page.end(), uint8_t{0});
  internal::put_u8(page, kPageTypeOffset, static_cast<uint8_t>(type));
  internal::put_u32(page, kPageNumberOffset, page_number);
  internal::put_u64(page, kPageLsnOffset, lsn);
}

void set_page_lsn(std::span<uint8_t> page, uint64_t lsn) {
  FL_ASSERT(page.size() == kPageSizeBytes);
  internal::put_u64(page, kPageLsnOffset, lsn);
}

uint32_t page_crc_masked(std::span<const uint8_t> page) {
  FL_ASSERT(page.size() == kPageSizeBytes);
  return crc32c_mask(crc32c(page.subspan(kPageCrcCoveredOffset)));
}

void seal_page(std::span<uint8_t> page) { internal::put_u32(page, kPageCrcOffset, page_crc_masked(page)); }

PageHeader read_page_header(std::span<const uint8_t> page) {
  FL_ASSERT(page.size() >= kPageHeaderBytes);
  return PageHeader{static_cast<PageType>(get_u8(page, kPageTypeOffset)), get_u32(page, kPageNumberOffset),
                    get_u64(page, kPageLsnOffset)};
}

namespace {

std::string where(uint32_t page_number) { return "page " + std::to_string(page_number); }

std::string hex32(uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32, value);
  return buf;
}

}  // namespace

Status verify_page(std::span<const uint8_t> page, uint32_t expected_page_number) {
  const std::string at = where(expected_page_number);
  if (expected_page_number == kHeaderPageNumber) {
    return Status::corruption(at, "page 0 is the header page, not a data page (a pointer to page 0)");
  }
  if (page.size() != kPageSizeBytes) {
    return Status::corruption(at, "size: " + std::to_string(page.size()) + " bytes, expected " +
                                      std::to_string(kPageSizeBytes) + " (truncated read)");
  }
  if (internal::all_zero(page)) return Status::corruption(at, "all bytes zero (a page never written)");
  const uint32_t stored = get_u32(page, kPageCrcOffset);
  const uint32_t computed = page_crc_masked(page);
  if (stored != computed) {
    return Status::corruption(at, "crc: stored " + hex32(stored) + ", computed " + hex32(computed));
  }
  const uint8_t type = get_u8(page, kPageTypeOffset);
  if (!page_type_known(type)) return Status::corruption(at, "type: unknown page type " + std::to_string(type));
  const uint32_t number = get_u32(page, kPageNumberOffset);
  if (number != expected_page_number) {
    return Status::corruption(at, "page_number: field holds " + std::to_string(number) +
                                      " (a misdirected or misplaced page)");
  }
  if (!internal::all_zero(page.subspan(kPageReservedAOffset, 3)) ||
      get_u32(page, kPageReservedBOffset) != 0) {
    return Status::corruption(at, "reserved: header bytes 5..7 or 12..15 are not zero");
  }
  return Status::success();
}

}  // namespace fl::engine
