// faultvfs-demo: what a power loss does to files under FaultVfs.
//
//   faultvfs-demo [--seed N]        (default seed 1)
//
// Method. A MemVfs holds the disk (after FaultVfs::flush_backend() or a
// crash); a FaultVfs (512-byte sectors, size_before_data on, an empty rule
// list) models the page cache on top of it.
// The demo leaves three kinds of state behind:
//   config        written, synced and its directory synced: fully durable;
//   wal.log       1 KiB durable, then one sector overwritten and 2.5 KiB
//                 appended in multi-sector writes, never synced;
//   manifest      an old durable file replaced by rename(manifest.tmp,
//                 manifest) of a synced temp file, the directory not synced.
// It prints how many distinct post-crash disk states exist, crashes with
// crash(kPower) (one state chosen from the seed's "crash-state" stream), and
// then shows, per file and per 512-byte sector, what the disk holds.
//
// Output depends only on the seed ([fvfs.6]). Exit codes: 0 ok, 1 an
// unexpected error from the VFS, 2 bad arguments.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"

namespace {

using fl::Status;
using fl::faultvfs::Bytes;
using fl::faultvfs::ByteView;
using fl::faultvfs::FaultPlan;
using fl::faultvfs::FaultVfs;
using fl::faultvfs::File;
using fl::faultvfs::MemVfs;
using fl::faultvfs::OpenMode;

constexpr uint32_t kSectorSizeBytes = 512;
constexpr uint64_t kSeedDefault = 1;

[[noreturn]] void die(const Status& status) {
  std::fprintf(stderr, "faultvfs-demo: unexpected error: %s\n", status.to_string().c_str());
  std::exit(1);
}
void must(const Status& status) {
  if (!status.ok()) die(status);
}
template <class T>
T must(fl::Result<T> result) {
  if (!result.ok()) die(result.status());
  return std::move(result).value();
}

// Bytes `size` long, all `fill` (never zero, so a zero sector is a lost one).
Bytes pattern(size_t size, char fill) { return Bytes(size, static_cast<uint8_t>(fill)); }

void write_at(File& file, uint64_t offset, const Bytes& data) {
  const size_t wrote = must(file.write(offset, data));
  if (wrote != data.size()) die(Status::io_error("short write in demo", EIO));
}

// Classifies one sector of the post-crash content against what the reader
// saw before the crash (`after`) and the disk before the crash (`before`).
char classify(ByteView got, ByteView wanted, ByteView durable) {
  bool is_new = true, is_old = true, is_zero = true;
  for (size_t i = 0; i < got.size(); ++i) {
    is_new = is_new && i < wanted.size() && got[i] == wanted[i];
    is_old = is_old && i < durable.size() && got[i] == durable[i];
    is_zero = is_zero && got[i] == 0;
  }
  if (is_new && is_old) return '=';
  if (is_new) return 'N';
  if (is_old) return 'O';
  if (is_zero) return 'Z';
  // Aligned writes never mix versions inside a sector here, so what is left
  // is garbage: allocated by a lost append, never written (size_before_data).
  return 'G';
}

ByteView sector_of(const Bytes& bytes, uint64_t sector) {
  const uint64_t start = sector * kSectorSizeBytes;
  if (start >= bytes.size()) return {};
  return ByteView(bytes).subspan(start, std::min<uint64_t>(kSectorSizeBytes, bytes.size() - start));
}

std::string sectors_line(const Bytes& got, const Bytes& wanted, const Bytes& durable) {
  std::string line;
  const uint64_t count = (got.size() + kSectorSizeBytes - 1) / kSectorSizeBytes;
  for (uint64_t s = 0; s < count; ++s) line += classify(sector_of(got, s), sector_of(wanted, s), sector_of(durable, s));
  return line.empty() ? "(empty)" : line;
}

std::optional<uint64_t> parse_seed(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

int usage_error(const std::string& what) {
  std::fprintf(stderr, "faultvfs-demo: %s (usage: faultvfs-demo [--seed N])\n", what.c_str());
  return 2;
}

int run(uint64_t seed) {
  MemVfs disk;
  FaultPlan plan;
  plan.seed = seed;
  plan.sector_size_bytes = kSectorSizeBytes;
  plan.size_before_data = true;
  std::unique_ptr<FaultVfs> vfs = must(FaultVfs::create(disk, plan));

  // The durable starting point: wal.log's first 1 KiB and the old manifest.
  {
    auto wal = must(vfs->open("wal.log", OpenMode::kCreateNew));
    write_at(*wal, 0, pattern(1024, 'o'));
    must(wal->sync());
    must(wal->close());
    must(fl::faultvfs::write_all(*vfs, "manifest", pattern(512, 'm'), /*sync=*/true));
    must(vfs->sync_dir(""));
  }
  // A sync leaves durable bytes in FaultVfs's cache until they are flushed
  // (deferred write-back); flush so that the MemVfs holds the durable state.
  must(vfs->flush_backend());
  const fl::faultvfs::DiskImage durable_before = disk.image();

  // 1. config: synced and directory synced.
  must(fl::faultvfs::write_all(*vfs, "config", pattern(1024, 'c'), /*sync=*/true));
  must(vfs->sync_dir(""));
  // 2. wal.log: overwrite sector 1, append 1536 + 1024 bytes; no sync.
  auto wal = must(vfs->open("wal.log", OpenMode::kMustExist));
  write_at(*wal, 512, pattern(512, 'n'));
  write_at(*wal, 1024, pattern(1536, 'a'));
  write_at(*wal, 2560, pattern(1024, 'b'));
  // 3. manifest.tmp: written and synced, renamed over manifest, no sync_dir.
  must(fl::faultvfs::write_all(*vfs, "manifest.tmp", pattern(700, 'M'), /*sync=*/true));
  must(vfs->rename("manifest.tmp", "manifest"));

  const std::vector<std::string> names_before = must(vfs->list(""));
  std::map<std::string, Bytes> seen;  // what reads returned just before the crash
  for (const auto& name : names_before) seen[name] = must(fl::faultvfs::read_all(*vfs, name));
  // manifest.tmp's bytes live on under the name manifest.
  seen["manifest.tmp"] = seen["manifest"];

  std::printf("faultvfs-demo --seed %llu: MemVfs under FaultVfs (sector %u B, size_before_data on, fsync %s)\n",
              static_cast<unsigned long long>(seed), kSectorSizeBytes,
              std::string(fl::faultvfs::fsync_semantics_name(plan.fsync)).c_str());
  std::printf("before the crash (what reads return):\n");
  std::printf("  config        %4zu B  written, synced, directory synced\n", seen["config"].size());
  std::printf("  wal.log       %4zu B  1024 B durable; sector 1 rewritten, 2560 B appended (2 writes), no sync\n",
              seen["wal.log"].size());
  std::printf("  manifest      %4zu B  rename(manifest.tmp -> manifest) of a synced file, directory not synced\n",
              seen["manifest"].size());

  const fl::faultvfs::CrashCount count = must(vfs->crash_space()).count();
  std::printf("crash space: %llu%s distinct disk states a power loss could leave now\n",
              static_cast<unsigned long long>(count.states), count.exact ? "" : "+ (upper bound)");

  must(wal->close());
  const fl::faultvfs::CrashSummary summary = must(vfs->crash(fl::faultvfs::CrashKind::kPower));
  std::printf("crash(power): one of them, chosen by the crash-state stream of seed %llu (%llu files rewritten)\n\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(summary.files_changed));

  const fl::faultvfs::DiskImage after = disk.image();
  std::printf("after the crash, one letter per %u B sector:\n", kSectorSizeBytes);
  std::printf("  N new bytes  O old bytes  = unchanged (old == new)  Z zeros  G garbage\n");
  for (const auto& [path, content] : after.files) {
    auto wanted = seen.find(path);
    auto old = durable_before.files.find(path);
    const Bytes none;
    const Bytes& wanted_bytes = wanted == seen.end() ? none : wanted->second;
    const Bytes& old_bytes = old == durable_before.files.end() ? none : old->second;
    const char* note = path == "manifest.tmp" ? "its bytes before the rename" : "read before the crash";
    std::printf("  %-12s  %4zu B  %-8s (%s: %zu B)\n", path.c_str(), content.size(),
                sectors_line(content, wanted_bytes, old_bytes).c_str(), note, wanted_bytes.size());
  }
  std::string survived, lost;
  for (const auto& name : names_before) {
    (after.files.count(name) ? survived : lost) += (name + " ");
  }
  std::string appeared;
  for (const auto& [path, content] : after.files) {
    if (std::find(names_before.begin(), names_before.end(), path) == names_before.end()) appeared += path + " ";
  }
  std::printf("names: survived: %s| lost: %s| back from before the rename: %s\n", survived.empty() ? "- " : survived.c_str(),
              lost.empty() ? "- " : lost.c_str(), appeared.empty() ? "- " : appeared.c_str());
  auto manifest = after.files.find("manifest");
  if (manifest != after.files.end()) {
    const bool renamed = std::equal(manifest->second.begin(), manifest->second.end(), seen["manifest"].begin(),
                                    seen["manifest"].end());
    std::printf("manifest is the %s file: the rename %s\n", renamed ? "new" : "old",
                renamed ? "persisted whole" : "was lost whole (a rename is atomic)");
  }
  std::printf("try another --seed for another crash state; docs/fault-model.md explains each outcome\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<uint64_t> seed;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    if (arg == "--seed") {
      if (i + 1 >= argc) return usage_error("--seed needs a value");
      value = argv[++i];
    } else if (arg.substr(0, 7) == "--seed=") {
      value = arg.substr(7);
    } else {
      return usage_error("unknown argument \"" + std::string(arg) + "\"");
    }
    if (seed) return usage_error("--seed given twice");
    seed = parse_seed(value);
    if (!seed) return usage_error("--seed: expected an unsigned 64-bit integer, got \"" + std::string(value) + "\"");
  }
  return run(seed.value_or(kSeedDefault));
}
