// libFuzzer target: refdb's recovery readers (WAL scan, header page, page
// check) on arbitrary bytes must return a Status or a valid prefix, never
// crash, hang, or allocate beyond the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/db_header.h"
#include "engine/page.h"
#include "engine/page_format.h"
#include "engine/wal_reader.h"
#include "faultvfs/mem_vfs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fl;
  faultvfs::MemVfs vfs;
  if (!faultvfs::write_all(vfs, "f", {data, size}, false).ok()) return 0;
  auto file = vfs.open("f", faultvfs::OpenMode::kMustExist);
  FL_ASSERT(file.ok());
  auto scan = engine::scan_wal(**file);
  if (scan.ok()) {
    FL_ASSERT(scan->valid_end_offset_bytes <= size);
    for (const auto& frame : scan->frames) FL_ASSERT(frame.offset_bytes < size);
  }
  static_cast<void>(engine::read_db_header(**file));
  if (size >= engine::kPageSizeBytes) {
    static_cast<void>(engine::verify_page(std::span<const uint8_t>(data, engine::kPageSizeBytes), 1));
  }
  return 0;
}
