#include "faultvfs/internal/file_crash.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "base/crc32c.h"

namespace fl::faultvfs::internal {
namespace {

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  if (a > std::numeric_limits<uint64_t>::max() / b) return std::numeric_limits<uint64_t>::max();
  return a * b;
}
uint64_t saturating_add(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max() : a + b;
}

}  // namespace

FileCrashModel::FileCrashModel(ByteView durable, std::span<const DataOp> ops, ByteView arena,
                               uint32_t sector_size_bytes, bool size_before_data, uint64_t garbage_seed)
    : durable_(durable),
      ops_(ops),
      arena_(arena),
      sector_size_bytes_(sector_size_bytes),
      size_before_data_(size_before_data),
      garbage_seed_(garbage_seed) {
  FL_ASSERT(sector_size_bytes_ > 0);
  sizes_.push_back(durable_.size());
  uint64_t extent = durable_.size();  // the largest end any content ever had
  for (const DataOp& op : ops_) {
    if (std::find(sizes_.begin(), sizes_.end(), op.size_after) == sizes_.end()) sizes_.push_back(op.size_after);
    if (op.kind == DataOp::Kind::kWrite) extent = std::max(extent, op.offset + op.length);
  }
  std::map<uint64_t, std::vector<uint32_t>> by_sector;
  for (uint32_t i = 0; i < ops_.size(); ++i) {
    const DataOp& op = ops_[i];
    uint64_t first = 0, end = 0;  // sectors [first, end)
    if (op.kind == DataOp::Kind::kWrite) {
      FL_ASSERT(op.arena_pos + op.length <= arena_.size());
      if (op.length == 0) continue;
      first = op.offset / sector_size_bytes_;
      end = (op.offset + op.length - 1) / sector_size_bytes_ + 1;
    } else {
      if (op.size_after >= extent) continue;  // uncovers nothing
      first = op.size_after / sector_size_bytes_;
      end = (extent - 1) / sector_size_bytes_ + 1;
    }
    for (uint64_t sector = first; sector < end; ++sector) by_sector[sector].push_back(i);
  }
  touched_.reserve(by_sector.size());
  for (auto& [sector, indices] : by_sector) touched_.push_back(Touched{sector, std::move(indices)});
}

uint8_t FileCrashModel::garbage_byte(uint64_t offset) const {
  uint64_t state = garbage_seed_ ^ (offset / 8) * 0x9e3779b97f4a7c15ULL;
  uint64_t word = splitmix64(state);
  return static_cast<uint8_t>(word >> (8 * (offset % 8)));
}

void FileCrashModel::sector_bytes(const Touched& touched, uint32_t prefix, uint8_t* out) const {
  FL_ASSERT(prefix <= touched.ops.size());
  const uint64_t base = touched.sector * sector_size_bytes_;
  const uint64_t end = base + sector_size_bytes_;
  std::vector<uint8_t> covered(sector_size_bytes_, 0);
  for (uint64_t off = base; off < end; ++off) {
    bool durable = off < durable_.size();
    out[off - base] = durable ? durable_[off] : 0;
    covered[off - base] = durable;
  }
  for (uint32_t i = 0; i < prefix; ++i) {
    const DataOp& op = ops_[touched.ops[i]];
    if (op.kind == DataOp::Kind::kWrite) {
      uint64_t from = std::max(base, op.offset);
      uint64_t to = std::min(end, op.offset + op.length);
      for (uint64_t off = from; off < to; ++off) {
        out[off - base] = arena_[op.arena_pos + (off - op.offset)];
        covered[off - base] = 1;
      }
    } else {
      for (uint64_t off = std::max(base, op.size_after); off < end; ++off) {
        out[off - base] = 0;
        covered[off - base] = 0;
      }
    }
  }
  if (!size_before_data_) return;
  // [fcrash.3]: a lost write's allocated-but-unwritten bytes hold garbage.
  for (uint32_t i = prefix; i < touched.ops.size(); ++i) {
    const DataOp& op = ops_[touched.ops[i]];
    if (op.kind != DataOp::Kind::kWrite) continue;
    uint64_t from = std::max(base, op.offset);
    uint64_t to = std::min(end, op.offset + op.length);
    for (uint64_t off = from; off < to; ++off) {
      if (!covered[off - base]) out[off - base] = garbage_byte(off);
    }
  }
}

std::vector<uint32_t> FileCrashModel::distinct_prefixes(const Touched& touched, uint64_t limit_bytes) const {
  FL_ASSERT(limit_bytes <= sector_size_bytes_);
  // Contents seen so far, bucketed by CRC; output in ascending prefix order.
  std::unordered_map<uint32_t, std::vector<size_t>> buckets;
  std::vector<Bytes> contents;
  std::vector<uint32_t> out;
  Bytes buffer(sector_size_bytes_);
  for (uint32_t prefix = 0; prefix <= touched.ops.size(); ++prefix) {
    sector_bytes(touched, prefix, buffer.data());
    const ByteView key(buffer.data(), limit_bytes);
    std::vector<size_t>& bucket = buckets[crc32c(key)];
    bool seen = std::any_of(bucket.begin(), bucket.end(), [&](size_t i) {
      return std::equal(key.begin(), key.end(), contents[i].begin());
    });
    if (seen) continue;
    bucket.push_back(contents.size());
    contents.emplace_back(key.begin(), key.end());
    out.push_back(prefix);
  }
  return out;
}

uint64_t FileCrashModel::distinct_count() const {
  uint64_t total = 0;
  for (uint64_t size : sizes_) {
    uint64_t product = 1;
    for (const Touched& touched : touched_) {
      uint64_t base = touched.sector * sector_size_bytes_;
      if (base >= size) break;
      uint64_t limit = std::min<uint64_t>(sector_size_bytes_, size - base);
      product = saturating_mul(product, distinct_prefixes(touched, limit).size());
    }
    total = saturating_add(total, product);
  }
  return total;
}

FileChoice FileCrashModel::sample(Prng& prng) const {
  FileChoice choice;
  choice.size_index = static_cast<uint32_t>(prng.uniform(sizes_.size()));
  choice.prefix.reserve(touched_.size());
  for (const Touched& touched : touched_) {
    choice.prefix.push_back(static_cast<uint32_t>(prng.uniform(touched.ops.size() + 1)));
  }
  return choice;
}

Bytes FileCrashModel::content(const FileChoice& choice) const {
  FL_ASSERT(choice.size_index < sizes_.size());
  FL_ASSERT(choice.prefix.size() == touched_.size());
  const uint64_t size = sizes_[choice.size_index];
  Bytes out(size, 0);
  const uint64_t kept = std::min<uint64_t>(size, durable_.size());
  if (kept > 0) std::memcpy(out.data(), durable_.data(), kept);
  Bytes buffer(sector_size_bytes_);
  for (size_t i = 0; i < touched_.size(); ++i) {
    uint64_t base = touched_[i].sector * sector_size_bytes_;
    if (base >= size) break;
    sector_bytes(touched_[i], choice.prefix[i], buffer.data());
    std::memcpy(out.data() + base, buffer.data(), std::min<uint64_t>(sector_size_bytes_, size - base));
  }
  return out;
}

bool FileCrashModel::for_each_distinct(const std::function<bool(const FileChoice&)>& visit) const {
  for (uint32_t size_index = 0; size_index < sizes_.size(); ++size_index) {
    const uint64_t size = sizes_[size_index];
    std::vector<std::vector<uint32_t>> options;  // per touched sector below the size
    for (const Touched& touched : touched_) {
      uint64_t base = touched.sector * sector_size_bytes_;
      if (base >= size) break;
      options.push_back(distinct_prefixes(touched, std::min<uint64_t>(sector_size_bytes_, size - base)));
    }
    FileChoice choice{size_index, std::vector<uint32_t>(touched_.size(), 0)};
    std::vector<size_t> digit(options.size(), 0);
    while (true) {
      for (size_t i = 0; i < options.size(); ++i) choice.prefix[i] = options[i][digit[i]];
      if (!visit(choice)) return false;
      size_t i = 0;
      while (i < options.size() && ++digit[i] == options[i].size()) digit[i++] = 0;
      if (i == options.size()) break;
    }
  }
  return true;
}

std::vector<uint64_t> FileCrashModel::rewritten_sectors(const FileChoice& choice) const {
  FL_ASSERT(choice.prefix.size() == touched_.size());
  std::vector<uint64_t> out;
  for (size_t i = 0; i < touched_.size(); ++i) {
    for (uint32_t k = 0; k < choice.prefix[i]; ++k) {
      if (ops_[touched_[i].ops[k]].kind == DataOp::Kind::kWrite) {
        out.push_back(touched_[i].sector);
        break;
      }
    }
  }
  return out;
}

bool FileCrashModel::possible(ByteView bytes) const {
  if (std::find(sizes_.begin(), sizes_.end(), bytes.size()) == sizes_.end()) return false;
  const uint64_t size = bytes.size();
  Bytes buffer(sector_size_bytes_);
  size_t next_touched = 0;
  for (uint64_t base = 0; base < size; base += sector_size_bytes_) {
    uint64_t sector = base / sector_size_bytes_;
    uint64_t limit = std::min<uint64_t>(sector_size_bytes_, size - base);
    if (next_touched < touched_.size() && touched_[next_touched].sector == sector) {
      const Touched& touched = touched_[next_touched++];
      bool any = false;
      for (uint32_t prefix = 0; prefix <= touched.ops.size() && !any; ++prefix) {
        sector_bytes(touched, prefix, buffer.data());
        any = std::memcmp(buffer.data(), bytes.data() + base, limit) == 0;
      }
      if (!any) return false;
      continue;
    }
    for (uint64_t off = base; off < base + limit; ++off) {
      uint8_t expected = off < durable_.size() ? durable_[off] : 0;
      if (bytes[off] != expected) return false;
    }
  }
  return true;
}

}  // namespace fl::faultvfs::internal
