// engine/page.h: data pages of the page file (every page but page 0).
// Format: docs/formats/page.md; constants: engine/page_format.h.
//
// [page.1] seal_page() stores the masked CRC32C of bytes [4, 4096) at offset 0;
//          verify_page() of a sealed, unmodified page with its own number is ok.
// [page.2] verify_page() never asserts on the page's bytes. A wrong size, a
//          zeroed (never written) page, a CRC mismatch, an unknown type, a
//          page_number field other than the expected one, nonzero reserved
//          bytes, or an expected number of 0 (the header page) each give
//          kCorruption whose message names the page number and the field.
// [page.3] Flipping any single bit of a sealed page makes verify_page() fail.
// [page.4] The encoders FL_ASSERT their arguments (a buffer of the wrong size,
//          an unknown type): those are programmer errors, not disk data.
//
// Pages are plain byte buffers (std::span of kPageSizeBytes); these helpers
// own nothing and are safe from any thread on distinct buffers.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/status.h"
#include "engine/page_format.h"

namespace fl::engine {

struct PageHeader {
  PageType type = PageType::kBtreeLeaf;
  uint32_t page_number = 0;
  uint64_t lsn = 0;
  friend bool operator==(const PageHeader&, const PageHeader&) = default;
};

constexpr bool page_type_known(uint8_t type) { return type >= kPageTypeMin && type <= kPageTypeMax; }
std::string_view page_type_name(PageType type);

// Zeroes the page and writes its header (CRC left zero: call seal_page()).
void init_page(std::span<uint8_t> page, PageType type, uint32_t page_number, uint64_t lsn = 0);
// Sets the header's LSN (CRC left stale: call seal_page()).
void set_page_lsn(std::span<uint8_t> page, uint64_t lsn);
// Computes and stores the page CRC ([page.1]).
void seal_page(std::span<uint8_t> page);
// The header fields as stored, without any validation.
PageHeader read_page_header(std::span<const uint8_t> page);
// The masked CRC a sealed page would store.
uint32_t page_crc_masked(std::span<const uint8_t> page);

// [page.2]: validates a page read from disk (or from a WAL frame).
Status verify_page(std::span<const uint8_t> page, uint32_t expected_page_number);

inline std::span<uint8_t> page_body(std::span<uint8_t> page) { return page.subspan(kPageHeaderBytes); }
inline std::span<const uint8_t> page_body(std::span<const uint8_t> page) {
  return page.subspan(kPageHeaderBytes);
}

}  // namespace fl::engine
