// faultvfs/internal/file_crash.h: what a power loss can leave of one file.
//
// Model (ARCHITECTURE.md, "crash(power)"; docs/fault-model.md):
// [fcrash.1] Each sector independently ends up as the durable content with a
//            prefix, in issue order, of the pending operations that touch it.
//            A write touches the sectors it covers; a truncate touches every
//            sector from the new size to the largest extent the file had.
// [fcrash.2] The size is the durable size or the size after any pending op.
// [fcrash.3] Bytes below the size that no persisted operation (nor the durable
//            content) defined read as zero; with size_before_data, those that a
//            lost pending write had covered hold garbage (allocated blocks whose
//            data never landed), a deterministic function of the garbage seed
//            and the offset.
// [fcrash.4] distinct_count() is the exact number of distinct contents; the
//            choice enumeration visits each distinct content exactly once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "base/prng.h"
#include "faultvfs/vfs.h"

namespace fl::faultvfs::internal {

struct DataOp {
  enum class Kind : uint8_t { kWrite, kTruncate };
  Kind kind = Kind::kWrite;
  uint64_t offset = 0;       // where a write's bytes reach the disk
  uint64_t cache_offset = 0; // where reads see them (differs for a misdirected write)
  uint64_t length = 0;       // bytes written (0 for a truncate)
  uint64_t arena_pos = 0;    // where the write's bytes are: in a CrashSpace, its arena; in FaultVfs, its pending pages
  uint64_t size_after = 0;   // the file's size once this op is done
};

// One crash outcome of a file: a size and, per touched sector, a prefix length.
struct FileChoice {
  uint32_t size_index = 0;
  std::vector<uint32_t> prefix;  // indexed like FileCrashModel::touched sectors
  friend bool operator==(const FileChoice&, const FileChoice&) = default;
};

class FileCrashModel {
 public:
  // Views must outlive the model.
  FileCrashModel(ByteView durable, std::span<const DataOp> ops, ByteView arena, uint32_t sector_size_bytes,
                 bool size_before_data, uint64_t garbage_seed);

  const std::vector<uint64_t>& sizes() const { return sizes_; }
  size_t touched_count() const { return touched_.size(); }
  bool clean() const { return ops_.empty(); }

  uint64_t distinct_count() const;  // saturating at UINT64_MAX ([fcrash.4])
  FileChoice sample(Prng& prng) const;
  Bytes content(const FileChoice& choice) const;
  // Calls visit for one choice per distinct content ([fcrash.4]); stops when
  // visit returns false. Returns false if stopped.
  bool for_each_distinct(const std::function<bool(const FileChoice&)>& visit) const;
  // Sectors (indices) that a persisted write of `choice` rewrote on the disk.
  std::vector<uint64_t> rewritten_sectors(const FileChoice& choice) const;
  // Could `bytes` be the content after a crash? (exact)
  bool possible(ByteView bytes) const;

 private:
  struct Touched {
    uint64_t sector = 0;
    std::vector<uint32_t> ops;  // indices into ops_, ascending
  };
  // Bytes of one touched sector after its first `prefix` ops, sector_size long.
  void sector_bytes(const Touched& touched, uint32_t prefix, uint8_t* out) const;
  // Prefix lengths giving pairwise distinct contents of the sector's first
  // `limit_bytes` bytes.
  std::vector<uint32_t> distinct_prefixes(const Touched& touched, uint64_t limit_bytes) const;
  uint8_t garbage_byte(uint64_t offset) const;

  ByteView durable_;
  std::span<const DataOp> ops_;
  ByteView arena_;
  uint32_t sector_size_bytes_;
  bool size_before_data_;
  uint64_t garbage_seed_;
  std::vector<uint64_t> sizes_;   // distinct candidate sizes, durable first
  std::vector<Touched> touched_;  // ascending sector
};

}  // namespace fl::faultvfs::internal
