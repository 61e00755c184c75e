// tests/engine/wal_util.h: shared helpers for the page and WAL tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/internal/le.h"
#include "engine/page.h"
#include "engine/wal_reader.h"
#include "engine/wal_writer.h"
#include "faultvfs/mem_vfs.h"

namespace fl::engine::testing {

using faultvfs::Bytes;

// "0a 1b ..." (whitespace ignored) -> bytes.
inline Bytes from_hex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (char ch : text) {
    int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

// A sealed leaf page whose body starts with `tag` (u32) followed by a pattern
// derived from it, so every page image is distinguishable.
inline Bytes make_page(uint32_t page_number, uint32_t tag) {
  Bytes page(kPageSizeBytes);
  init_page(page, PageType::kBtreeLeaf, page_number);
  auto body = page_body(std::span<uint8_t>(page));
  internal::put_u32(body, 0, tag);
  for (size_t i = 4; i < body.size(); ++i) body[i] = static_cast<uint8_t>(tag * 31 + i);
  seal_page(page);
  return page;
}

inline uint32_t page_tag(std::span<const uint8_t> page) { return internal::get_u32(page_body(page), 0); }

// One transaction: (page number, tag) per page; the commit covers every page.
struct TxnSpec {
  std::vector<std::pair<uint32_t, uint32_t>> pages;
  friend bool operator==(const TxnSpec&, const TxnSpec&) = default;
};

inline WalCommitMeta meta_for(const TxnSpec& txn) {
  uint32_t count = 2;
  for (auto [number, tag] : txn.pages) count = std::max(count, number + 1);
  return WalCommitMeta{count, 1, 0};
}

inline Result<WalAppended> append_txn(WalWriter& writer, const TxnSpec& txn) {
  std::vector<Bytes> images;
  std::vector<WalPage> pages;
  for (auto [number, tag] : txn.pages) images.push_back(make_page(number, tag));
  for (size_t i = 0; i < images.size(); ++i) pages.push_back(WalPage{txn.pages[i].first, images[i]});
  return writer.append(pages, meta_for(txn));
}

inline std::unique_ptr<faultvfs::File> open_file(faultvfs::Vfs& vfs, const std::string& path,
                                                 faultvfs::OpenMode mode = faultvfs::OpenMode::kCreate) {
  auto file = vfs.open(path, mode);
  EXPECT_TRUE(file.ok()) << file.status().to_string();
  return file.ok() ? std::move(file).value() : nullptr;
}

// A WAL written on a MemVfs, with the offset just past each commit frame.
struct WrittenWal {
  Bytes bytes;
  std::vector<uint64_t> commit_end_bytes;
};

inline WrittenWal write_wal(const std::vector<TxnSpec>& txns, const WalHeader& header = {1, 1, 1, 0x5a17c0de}) {
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  auto writer = WalWriter::start(*file, header);
  EXPECT_TRUE(writer.ok()) << writer.status().to_string();
  WrittenWal out;
  for (const TxnSpec& txn : txns) {
    auto appended = append_txn(*writer, txn);
    EXPECT_TRUE(appended.ok()) << appended.status().to_string();
    out.commit_end_bytes.push_back(appended->end_offset_bytes);
  }
  out.bytes = *faultvfs::read_all(vfs, "wal");
  return out;
}

inline WalScanOptions keep_pages() {
  WalScanOptions options;
  options.keep_pages = true;
  return options;
}

inline Result<WalScan> scan_bytes(const Bytes& bytes, WalScanOptions options = {}) {
  faultvfs::MemVfs vfs;
  FL_TRY(faultvfs::write_all(vfs, "wal", bytes));
  FL_ASSIGN_OR_RETURN(auto file, vfs.open("wal", faultvfs::OpenMode::kMustExist));
  options.keep_pages = true;
  return scan_wal(*file, options);
}

// The transactions a scan recovered, rebuilt from its frames and page images.
// Fails the test if a page image is not exactly what make_page() produced.
inline std::vector<TxnSpec> recovered_txns(const WalScan& scan) {
  std::vector<TxnSpec> out;
  TxnSpec current;
  EXPECT_EQ(scan.pages.size(), scan.frames.size());
  for (size_t i = 0; i < scan.frames.size() && i < scan.pages.size(); ++i) {
    const WalFrameHeader& h = scan.frames[i].header;
    const uint32_t tag = page_tag(scan.pages[i]);
    Bytes expected = make_page(h.page_number, tag);
    set_page_lsn(expected, h.lsn);
    seal_page(expected);
    EXPECT_EQ(scan.pages[i], expected) << "frame " << i << " holds a page image nobody wrote";
    current.pages.emplace_back(h.page_number, tag);
    if (h.is_commit()) out.push_back(std::exchange(current, {}));
  }
  EXPECT_TRUE(current.pages.empty()) << "a scan returned frames after its last commit";
  return out;
}

inline bool is_prefix(const std::vector<TxnSpec>& prefix, const std::vector<TxnSpec>& all) {
  return prefix.size() <= all.size() && std::equal(prefix.begin(), prefix.end(), all.begin());
}

}  // namespace fl::engine::testing
