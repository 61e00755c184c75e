// libFuzzer target: refdb recovery (Db::open) over an arbitrary page file
// and WAL, then reads, a write and a checkpoint on whatever it recovered.
// Every outcome must be a Status (kCorruption for damage), never a crash,
// an assertion, a hang or an allocation beyond the input's scale.
//
// Input: 4 bytes little-endian N, then N bytes of page file (refdb.db),
// then the WAL generation-1 file (refdb.wal1). The seeds in
// fuzz/corpus/db_open are small databases refdb wrote (a few dozen commits,
// with and without a checkpoint), packed this way.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "engine/db.h"
#include "faultvfs/mem_vfs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fl;
  if (size < 4) return 0;
  const size_t page_bytes = std::min<size_t>(size - 4, data[0] | data[1] << 8 | data[2] << 16 | uint32_t{data[3]} << 24);
  const std::span<const uint8_t> page_file(data + 4, page_bytes);
  const std::span<const uint8_t> wal(data + 4 + page_bytes, size - 4 - page_bytes);
  faultvfs::MemVfs vfs;
  if (!faultvfs::write_all(vfs, std::string(engine::kPageFileName), page_file, false).ok()) return 0;
  if (!faultvfs::write_all(vfs, engine::wal_file_name(1), wal, false).ok()) return 0;
  engine::Options options;
  options.auto_checkpoint_frames = 0;
  auto db = engine::Db::open(vfs, "", options);
  if (!db.ok()) return 0;
  static_cast<void>((*db)->check_integrity());
  {
    auto txn = (*db)->begin();
    for (const char* key : {"a", "k0", "k1", "key-000000000001", "zzz"}) static_cast<void>(txn->get(key));
    static_cast<void>(txn->put("k0", "fuzz"));
    static_cast<void>(txn->erase("k1"));
    static_cast<void>(txn->commit());
  }
  static_cast<void>((*db)->checkpoint());
  static_cast<void>((*db)->check_integrity());
  return 0;
}
