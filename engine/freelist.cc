// engine/freelist.cc: freelist trunk pages (docs/formats/btree.md).
#include "engine/freelist.h"

#include <cerrno>
#include <string>

#include "engine/btree_format.h"
#include "engine/internal/le.h"
#include "engine/limits.h"
#include "engine/page.h"
#include "faultvfs/phase.h"

namespace fl::engine {

namespace {

struct Trunk {
  uint32_t next = 0;
  std::vector<uint32_t> entries;
};

std::string where(uint32_t page_number) { return "freelist trunk page " + std::to_string(page_number); }

// [free.3]
Result<Trunk> load_trunk(PageStore& store, uint32_t page_number) {
  FL_ASSIGN_OR_RETURN(Bytes page, read_verified_page(store, page_number, PageType::kFreelist));
  const auto body = page_body(std::span<const uint8_t>(page));
  const uint32_t page_count = store.meta().page_count;
  Trunk trunk;
  trunk.next = internal::get_u32(body, kTrunkNextOffset);
  const uint32_t count = internal::get_u32(body, kTrunkCountOffset);
  if (trunk.next >= page_count) {
    return Status::corruption(where(page_number), "next: " + std::to_string(trunk.next) + " >= page_count " +
                                                      std::to_string(page_count));
  }
  if (count > kTrunkEntriesMax) {
    return Status::corruption(where(page_number), "count: " + std::to_string(count) + " > " +
                                                      std::to_string(kTrunkEntriesMax));
  }
  trunk.entries.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t entry = internal::get_u32(body, kTrunkEntriesOffset + 4 * size_t{i});
    if (entry == 0 || entry >= page_count) {
      return Status::corruption(where(page_number), "entry " + std::to_string(i) + ": page " +
                                                        std::to_string(entry) + " outside [1, page_count)");
    }
    trunk.entries.push_back(entry);
  }
  return trunk;
}

Status store_trunk(PageStore& store, uint32_t page_number, const Trunk& trunk) {
  FL_ASSERT(trunk.entries.size() <= kTrunkEntriesMax);
  Bytes page(kPageSizeBytes);
  init_page(page, PageType::kFreelist, page_number);
  auto body = page_body(std::span<uint8_t>(page));
  internal::put_u32(body, kTrunkNextOffset, trunk.next);
  internal::put_u32(body, kTrunkCountOffset, static_cast<uint32_t>(trunk.entries.size()));
  for (size_t i = 0; i < trunk.entries.size(); ++i) {
    internal::put_u32(body, kTrunkEntriesOffset + 4 * i, trunk.entries[i]);
  }
  seal_page(page);
  return store.write_page(page_number, page);
}

}  // namespace

Result<uint32_t> freelist_allocate(PageStore& store) {
  faultvfs::PhaseScope phase(faultvfs::Phase::kFreelist);
  StoreMeta meta = store.meta();
  if (meta.freelist_head == 0) {
    if (meta.page_count >= kPageCountMax) return Status::io_error("freelist: page_count at kPageCountMax", ENOSPC);
    const uint32_t page_number = meta.page_count;
    meta.page_count += 1;
    store.set_meta(meta);
    return page_number;
  }
  const uint32_t head = meta.freelist_head;
  FL_ASSIGN_OR_RETURN(Trunk trunk, load_trunk(store, head));
  if (trunk.entries.empty()) {
    meta.freelist_head = trunk.next;  // the trunk page itself is handed out
    store.set_meta(meta);
    return head;
  }
  const uint32_t page_number = trunk.entries.back();
  trunk.entries.pop_back();
  FL_TRY(store_trunk(store, head, trunk));
  FL_ASSERT(page_number != head);
  return page_number;
}

Status freelist_free(PageStore& store, uint32_t page_number) {
  faultvfs::PhaseScope phase(faultvfs::Phase::kFreelist);
  StoreMeta meta = store.meta();
  FL_ASSERT(page_number != kHeaderPageNumber);
  FL_ASSERT(page_number < meta.page_count);
  FL_ASSERT(page_number != meta.freelist_head);
  if (meta.freelist_head != 0) {
    FL_ASSIGN_OR_RETURN(Trunk trunk, load_trunk(store, meta.freelist_head));
    if (trunk.entries.size() < kTrunkEntriesMax) {
      trunk.entries.push_back(page_number);
      return store_trunk(store, meta.freelist_head, trunk);
    }
  }
  Trunk fresh;
  fresh.next = meta.freelist_head;
  FL_TRY(store_trunk(store, page_number, fresh));
  meta.freelist_head = page_number;
  store.set_meta(meta);
  return Status::success();
}

Status freelist_walk(PageStore& store, const std::function<Status(uint32_t page, uint32_t trunk)>& visit) {
  uint32_t previous = 0;
  uint32_t current = store.meta().freelist_head;
  const uint32_t page_count = store.meta().page_count;
  if (current >= page_count) {
    return Status::corruption("freelist", "head " + std::to_string(current) + " >= page_count " +
                                              std::to_string(page_count));
  }
  for (uint32_t steps = 0; current != 0; ++steps) {
    if (steps >= page_count) return Status::corruption("freelist", "trunk chain longer than page_count (a cycle)");
    FL_ASSIGN_OR_RETURN(Trunk trunk, load_trunk(store, current));
    FL_TRY(visit(current, previous));
    for (uint32_t entry : trunk.entries) FL_TRY(visit(entry, current));
    previous = current;
    current = trunk.next;
  }
  return Status::success();
}

}  // namespace fl::engine
