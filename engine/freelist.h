// engine/freelist.h: free page numbers kept in freelist trunk pages
// (docs/formats/btree.md "Freelist trunk pages"), reached from
// StoreMeta::freelist_head. PageStore's default allocate_page()/free_page()
// call these.
//
// [free.1] freelist_allocate() takes the last entry of the head trunk; if the
//          head trunk has no entries it allocates the trunk page itself (the
//          head moves to its next trunk); if the freelist is empty it returns
//          page_count and grows page_count by one. Past kPageCountMax pages it
//          gives kNoSpace.
// [free.2] freelist_free(n) appends n to the head trunk when it has room,
//          otherwise n becomes the new head trunk (an empty trunk pointing at
//          the old head). Either way n is allocatable again and no other
//          free number is lost.
// [free.3] A trunk read from the store is verified (type freelist); a trunk
//          whose count exceeds kTrunkEntriesMax, or whose next pointer or an
//          entry is 0 or >= page_count, gives kCorruption naming the trunk
//          page and the field.
// [free.4] freelist_walk() visits every trunk and entry, at most page_count
//          trunks (a longer chain is a cycle: kCorruption), so fsck can
//          account for every free page.
#pragma once

#include <cstdint>
#include <functional>

#include "base/status.h"
#include "engine/page_store.h"

namespace fl::engine {

// [free.1]
Result<uint32_t> freelist_allocate(PageStore& store);
// [free.2]. REQUIRES: 1 <= page_number < page_count and page_number is in use.
Status freelist_free(PageStore& store, uint32_t page_number);

// [free.4]: calls visit(page, trunk) for every page on the freelist, where
// `trunk` is the trunk page that lists `page` (or, for a trunk itself, the
// previous trunk; 0 for the head). A non-ok Status from `visit` stops the walk.
Status freelist_walk(PageStore& store, const std::function<Status(uint32_t page, uint32_t trunk)>& visit);

}  // namespace fl::engine
