// PagedBytes: copy-on-write pages ([paged.1], [paged.2]).
#include <gtest/gtest.h>

#include "faultvfs/internal/paged_bytes.h"
#include "faultvfs/vfs.h"

namespace fl::faultvfs::internal {
namespace {

using faultvfs::Bytes;

Bytes read_all(const PagedBytes& bytes) {
  Bytes out(bytes.size());
  bytes.read(0, out);
  return out;
}

TEST(PagedBytes, WritesGrowWithZerosAndReadBack) {
  PagedBytes bytes;
  bytes.write(5000, std::vector<uint8_t>{1, 2, 3});
  EXPECT_EQ(bytes.size(), 5003u);
  EXPECT_EQ(bytes.page_count(), 2u);
  Bytes all = read_all(bytes);
  EXPECT_EQ(all[4999], 0);
  EXPECT_EQ(all[5000], 1);
  EXPECT_EQ(all[5002], 3);
  EXPECT_EQ(bytes.page(0), zero_page()) << "an untouched page stays the shared zero page";
}

TEST(PagedBytes, ASharedPageIsNeverModified) {
  PagedBytes bytes;
  bytes.write(0, Bytes(kPageBytes, 7));
  PageRef kept = bytes.page(0);  // e.g. a pending op's or the durable copy
  bytes.write(10, std::vector<uint8_t>{9});
  EXPECT_NE(bytes.page(0), kept);
  EXPECT_EQ(kept->bytes[10], 7) << "the shared version keeps its bytes";
  EXPECT_EQ(kept->bytes[20], 7);
  EXPECT_EQ(bytes.at(10), 9);
  EXPECT_EQ(bytes.at(11), 7) << "a partial write copies the rest of the page";
  kept.reset();
  const Page* before = bytes.page(0).get();  // a raw pointer does not share it
  bytes.write(20, std::vector<uint8_t>{8});
  EXPECT_EQ(bytes.page(0).get(), before) << "a private page is written in place";
}

TEST(PagedBytes, ShrinkingZeroesTheTailOfTheLastPage) {
  PagedBytes bytes;
  bytes.write(0, Bytes(kPageBytes + 100, 5));
  PageRef kept = bytes.page(0);
  bytes.resize(10);
  EXPECT_EQ(bytes.page_count(), 1u);
  bytes.resize(kPageBytes);
  Bytes all = read_all(bytes);
  EXPECT_EQ(all[9], 5);
  EXPECT_EQ(all[10], 0);
  EXPECT_EQ(all[kPageBytes - 1], 0);
  EXPECT_EQ(kept->bytes[10], 5) << "the shared version was not zeroed";
}

TEST(PagedBytes, SetCopiesASharedPage) {
  PagedBytes bytes;
  bytes.write(0, Bytes(100, 1));
  PageRef kept = bytes.page(0);
  bytes.set(50, 2);
  EXPECT_EQ(kept->bytes[50], 1);
  EXPECT_EQ(bytes.at(50), 2);
}

}  // namespace
}  // namespace fl::faultvfs::internal
