// engine/page_store.h: the pages a B+tree reads and writes, and page
// allocation. The B+tree (btree.h) and the freelist (freelist.h) see the
// database only through this interface, so the transaction layer can supply
// "the pages as of snapshot S" for reads and buffer a transaction's dirty
// pages for its WAL commit; MemPageStore (mem_page_store.h) is the in-memory
// implementation the tests use.
//
// [store.1] read_page(n) returns the image last given to write_page(n), as
//           raw bytes: it does not verify them. Callers read through
//           read_verified_page(), which checks the page with verify_page()
//           and its type, so a damaged page is kCorruption naming the page.
// [store.2] A page number outside [1, meta().page_count) is never read or
//           written: read_verified_page() reports such a number (it came from
//           disk) as kCorruption; write_page() of one is a programmer error.
// [store.3] allocate_page() returns a page number that is neither reachable
//           from the tree nor on the freelist: the last entry of the head
//           freelist trunk, else the head trunk itself, else page_count
//           (which then grows by one). It never returns a number twice
//           without a free_page() of it in between (freelist.h [free.*]).
// [store.4] free_page(n) puts n on the freelist. Freeing a page that is
//           reachable or already free is a programmer error; it is not
//           detected here (that costs a freelist walk) but check_tree()
//           reports the resulting double use.
// [store.5] meta() is the small state the caller persists beside the pages
//           (DbHeader::page_count, freelist_head, root_page). allocate and free
//           change it through set_meta(); the B+tree changes root_page.
// [store.6] After a non-ok Status from any operation here or in the B+tree,
//           the pages and meta may be partly updated: the caller discards
//           the transaction's writes (the WAL layer never commits them).
//
// Thread safety: none; a PageStore is used by one thread (one transaction).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "engine/page_format.h"

namespace fl::engine {

using Bytes = std::vector<uint8_t>;

struct StoreMeta {
  uint32_t page_count = 1;     // pages in the database, page 0 (header) included
  uint32_t freelist_head = 0;  // first freelist trunk page, 0 = empty freelist
  uint32_t root_page = 0;      // B+tree root, 0 = empty tree
  friend bool operator==(const StoreMeta&, const StoreMeta&) = default;
};

class PageStore {
 public:
  virtual ~PageStore() = default;

  // [store.1]: the stored image of page `page_number` (kPageSizeBytes), or an
  // I/O error. A page never written reads as zeros (as a hole on disk does).
  virtual Result<Bytes> read_page(uint32_t page_number) = 0;
  // [store.1]: stores `page` (a sealed image of kPageSizeBytes) as page `page_number`.
  virtual Status write_page(uint32_t page_number, std::span<const uint8_t> page) = 0;

  // [store.1]: true when read_page() only returns images it verified (or
  // sealed itself), so read_verified_page() need not recompute the CRC.
  virtual bool reads_verified() const { return false; }

  // [store.5]
  virtual StoreMeta meta() const = 0;
  virtual void set_meta(const StoreMeta& meta) = 0;

  // [store.3], [store.4]. The default implementations keep the freelist in
  // trunk pages through read_page/write_page (freelist.h).
  virtual Result<uint32_t> allocate_page();
  virtual Status free_page(uint32_t page_number);
};

// [store.1], [store.2]: reads page `page_number`, verifies it (verify_page) and
// checks that its type is `expected_type`; any failure is kCorruption naming
// the page.
Result<Bytes> read_verified_page(PageStore& store, uint32_t page_number, PageType expected_type);
// As above, accepting either B+tree page type (a child pointer may point at
// a leaf or an internal node).
Result<Bytes> read_verified_node_page(PageStore& store, uint32_t page_number);

}  // namespace fl::engine
