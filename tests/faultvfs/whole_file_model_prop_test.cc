// FaultVfs (multi-page files, several syncs, writeback failures, crashes)
// against a whole-file reference model.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "faultvfs/crash_space.h"
#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"

namespace fl::faultvfs {
namespace {

struct RefOp {
  bool write = true;
  uint64_t offset = 0;  // write offset, or truncate size
  std::string data;
  uint64_t size_after = 0;
  uint64_t cache_offset = 0;
};

struct Ref {
  std::string durable, cache;
  std::vector<RefOp> ops;

  static std::string apply(std::string bytes, const std::vector<const RefOp*>& ops, uint64_t length) {
    bytes.resize(length, '\0');
    for (const RefOp* op : ops) {
      if (op->write) {
        for (uint64_t j = 0; j < op->data.size() && op->offset + j < length; ++j) bytes[op->offset + j] = op->data[j];
      } else {
        for (uint64_t j = op->offset; j < length; ++j) bytes[j] = '\0';
      }
    }
    return bytes;
  }
  std::vector<const RefOp*> all() const {
    std::vector<const RefOp*> out;
    for (const RefOp& op : ops) out.push_back(&op);
    return out;
  }
  uint64_t final_size() const {
    uint64_t size = durable.size();
    for (const RefOp& op : ops) size = op.size_after;
    return size;
  }
  std::string persisted() const { return apply(durable, all(), final_size()); }

  // Could a power loss leave `content`? (per-sector prefixes, size from the set)
  bool possible(const std::string& content, uint64_t sector) const {
    std::set<uint64_t> sizes{durable.size()};
    uint64_t size = durable.size();
    for (const RefOp& op : ops) {
      size = op.size_after;
      sizes.insert(size);
    }
    if (!sizes.count(content.size())) return false;
    for (uint64_t s = 0; s * sector < content.size(); ++s) {
      std::vector<const RefOp*> touching;
      for (const RefOp& op : ops) {
        bool touches = op.write ? op.offset < (s + 1) * sector && op.offset + op.data.size() > s * sector
                                : op.offset < (s + 1) * sector;
        if (touches) touching.push_back(&op);
      }
      const uint64_t n = std::min<uint64_t>(sector, content.size() - s * sector);
      bool ok = false;
      for (size_t k = 0; k <= touching.size() && !ok; ++k) {
        std::vector<const RefOp*> prefix(touching.begin(), touching.begin() + static_cast<ptrdiff_t>(k));
        ok = apply(durable, prefix, (s + 1) * sector).substr(s * sector, n) == content.substr(s * sector, n);
      }
      if (!ok) return false;
    }
    return true;
  }
};

RC_GTEST_PROP(WholeFileModelProp, MultiPageFilesMatchAWholeFileModel, ()) {
  FaultPlan plan;
  plan.seed = *rc::gen::arbitrary<uint64_t>();
  plan.fsync = *rc::gen::element(FsyncSemantics::kExt4, FsyncSemantics::kRevert, FsyncSemantics::kRetry);
  plan.sector_size_bytes = *rc::gen::element(512u, 4096u);
  plan.rules.push_back(Rule{Selector{.op = OpKind::kSync, .probability = Ratio{1, 3}},
                            Action{.kind = ActionKind::kFail, .err = EIO}, std::nullopt});
  const bool misdirect = *rc::gen::arbitrary<bool>();
  if (misdirect) {
    plan.rules.push_back(Rule{Selector{.op = OpKind::kWrite, .probability = Ratio{1, 6}},
                              Action{.kind = ActionKind::kMisdirect}, std::nullopt});
  }
  const uint64_t sector = plan.sector_size_bytes;
  bool named = !*rc::gen::arbitrary<bool>();  // false: the name is not durable (shadow) until sync_dir
  RC_LOG() << "named " << named << "\n";
  MemVfs backend;
  auto created = FaultVfs::create(backend, plan);
  RC_ASSERT(created.ok());
  FaultVfs& vfs = **created;
  vfs.set_injection(false);
  Ref ref;
  std::unique_ptr<File> file;
  {
    auto opened = vfs.open("f", OpenMode::kCreate);
    RC_ASSERT(opened.ok());
    file = std::move(*opened);
    const uint64_t initial = *rc::gen::inRange<uint64_t>(0, 13000);
    ref.durable.assign(initial, 'A');
    if (initial) RC_ASSERT(file->write(0, as_bytes(ref.durable)).ok());
    RC_ASSERT(file->sync().ok());
    if (named) RC_ASSERT(vfs.sync_dir("").ok());
    ref.cache = ref.durable;
  }
  vfs.set_injection(true);
  auto reopen = [&] {
    file.reset();
    auto opened = vfs.open("f", OpenMode::kCreate);
    RC_ASSERT(opened.ok());
    file = std::move(*opened);
  };
  auto check_reads = [&] {
    auto size = file->size();
    RC_ASSERT(size.ok());
    RC_ASSERT(*size == ref.cache.size());
    Bytes out(ref.cache.size());
    auto got = file->read(0, out);
    RC_ASSERT(got.ok());
    RC_ASSERT(std::string(as_chars(ByteView(out))) == ref.cache);
  };
  const int steps = *rc::gen::inRange(1, 40);
  char fill = 'a';
  for (int i = 0; i < steps; ++i) {
    const int what = *rc::gen::inRange(0, 20);
    if (what < 8) {
      const uint64_t offset = *rc::gen::inRange<uint64_t>(0, 13000);
      const uint64_t length = *rc::gen::inRange<uint64_t>(1, 6000);
      fill = fill == 'z' ? 'a' : static_cast<char>(fill + 1);
      std::string data(length, fill);
      RC_LOG() << "write " << offset << " +" << length << " '" << fill << "'\n";
      const size_t log_before = vfs.fault_log().size();
      auto wrote = file->write(offset, as_bytes(data));
      RC_ASSERT(wrote.ok());
      uint64_t disk_offset = offset;
      auto log = vfs.fault_log();
      if (log.size() > log_before && log.back().action == "misdirect") {
        disk_offset = std::stoull(log.back().detail.substr(std::string("lands at offset ").size()));
        RC_LOG() << "  misdirected to " << disk_offset << "\n";
      }
      ref.ops.push_back(RefOp{true, disk_offset, data, std::max<uint64_t>(ref.cache.size(), offset + length), offset});
      if (ref.cache.size() < offset + length) ref.cache.resize(offset + length, '\0');
      std::copy(data.begin(), data.end(), ref.cache.begin() + static_cast<ptrdiff_t>(offset));
    } else if (what < 11) {
      const uint64_t size = *rc::gen::inRange<uint64_t>(0, 14000);
      RC_LOG() << "truncate " << size << "\n";
      RC_ASSERT(file->truncate(size).ok());
      ref.ops.push_back(RefOp{false, size, "", size});
      ref.cache.resize(size, '\0');
    } else if (what < 15) {
      Status synced = file->sync();
      RC_LOG() << "sync " << (synced.ok() ? "ok" : "EIO") << "\n";
      if (synced.ok() || plan.fsync == FsyncSemantics::kRetry) {
        if (synced.ok()) {
          ref.durable = ref.persisted();
          ref.ops.clear();
        }
      } else {
        // The failed writes leave the dirty set; sizes stay pending.
        std::vector<RefOp> residual;
        uint64_t last = ref.durable.size();
        std::vector<const RefOp*> failed;
        for (const RefOp& op : ref.ops) {
          if (!op.write) {
            residual.push_back(op);
            last = op.size_after;
            continue;
          }
          failed.push_back(&op);
          if (op.size_after > last) {
            last = op.size_after;
            residual.push_back(RefOp{false, last, "", last});
          }
        }
        if (plan.fsync == FsyncSemantics::kRevert) {
          Ref after{ref.durable, "", residual};
          std::string disk = after.persisted();
          for (const RefOp* op : failed) {
            for (uint64_t j = op->cache_offset; j < op->cache_offset + op->data.size() && j < ref.cache.size(); ++j) {
              ref.cache[j] = disk[j];
            }
          }
        }
        ref.ops = std::move(residual);
      }
    } else if (what < 16) {
      RC_LOG() << "crash process\n";
      file.reset();
      RC_ASSERT(vfs.crash(CrashKind::kProcess).ok());
      ref.durable = ref.persisted();
      ref.ops.clear();
      named = true;
      std::string disk(as_chars(backend.image().files.at("f")));
      RC_ASSERT(disk == ref.durable);
      reopen();
    } else if (what < 17) {
      RC_LOG() << "crash power\n";
      file.reset();
      RC_ASSERT(vfs.crash(CrashKind::kPower).ok());
      if (!named && backend.image().files.count("f") == 0u) {  // the create did not persist
        ref = Ref{};
        reopen();
        continue;
      }
      named = true;
      std::string disk(as_chars(backend.image().files.at("f")));
      RC_ASSERT(ref.possible(disk, sector));
      ref.durable = disk;
      ref.cache = disk;
      ref.ops.clear();
      reopen();
    } else if (what < 18) {
      RC_LOG() << "flush_backend\n";
      RC_ASSERT(vfs.flush_backend().ok());
      if (named && ref.ops.empty()) {
        std::string disk(as_chars(backend.image().files.at("f")));
        RC_ASSERT(disk == ref.durable);
      }
    } else if (what < 19) {
      RC_LOG() << "sync_dir\n";
      RC_ASSERT(vfs.sync_dir("").ok());
      named = true;
    } else {
      RC_LOG() << "crash space\n";
      auto space = vfs.crash_space();
      RC_ASSERT(space.ok());
      Prng prng(plan.seed);
      space->for_each(50, prng, [&](const DiskImage& image) {
        if (!image.files.count("f")) {
          RC_ASSERT(!named);
          return true;
        }
        std::string content(as_chars(image.files.at("f")));
        if (ref.ops.empty()) RC_ASSERT(content == ref.durable);
        RC_ASSERT(ref.possible(content, sector));
        return true;
      });
    }
    check_reads();
  }
  file.reset();
  RC_ASSERT(vfs.crash(CrashKind::kPower).ok());
  if (backend.image().files.count("f")) RC_ASSERT(ref.possible(std::string(as_chars(backend.image().files.at("f"))), sector));
}

}  // namespace
}  // namespace fl::faultvfs
