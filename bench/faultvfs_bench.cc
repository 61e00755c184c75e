// faultvfs_bench: what the FaultVfs page-cache model costs over its backend.
//
// Each benchmark runs once on a bare MemVfs and once on a FaultVfs (empty
// plan: no rule, so only the model's bookkeeping is measured) over a MemVfs;
// ci/bench prints the FaultVfs/MemVfs time ratio of each pair.
//
//   BM_Faultvfs_WriteSync/*   per iteration: a 4 KiB append + sync, then a
//                             4 KiB overwrite of one of a fixed set of pages
//                             + sync (two writes, two syncs)
//   BM_Faultvfs_RandomRead/*  per iteration: one 4 KiB page-aligned read at a
//                             random offset of a 16 MiB synced file
//
// Seeds are fixed, so every run issues the same operations.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/prng.h"
#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"

namespace {

using fl::faultvfs::Bytes;
using fl::faultvfs::FaultPlan;
using fl::faultvfs::FaultVfs;
using fl::faultvfs::File;
using fl::faultvfs::MemVfs;
using fl::faultvfs::OpenMode;
using fl::faultvfs::Vfs;

constexpr uint64_t kPageSizeBytes = 4096;
// The appended file is cut back to zero at this size, so memory stays bounded
// however many iterations the library chooses.
constexpr uint64_t kAppendFileBytesMax = uint64_t{8} << 20;
constexpr uint64_t kOverwritePageCount = 64;
constexpr uint64_t kReadFileBytes = uint64_t{16} << 20;
constexpr uint64_t kBenchSeed = 0x5eed;
static_assert(kAppendFileBytesMax % kPageSizeBytes == 0);
static_assert(kReadFileBytes % kPageSizeBytes == 0);

enum class Backend { kMemVfs, kFaultVfs };

// A MemVfs, and a FaultVfs over it when asked; vfs() is the one to use.
class Stack {
 public:
  explicit Stack(Backend backend) {
    if (backend == Backend::kFaultVfs) {
      auto created = FaultVfs::create(mem_, FaultPlan{});
      FL_ASSERT(created.ok());
      fault_ = std::move(created).value();
    }
  }
  Vfs& vfs() { return fault_ ? static_cast<Vfs&>(*fault_) : static_cast<Vfs&>(mem_); }

 private:
  MemVfs mem_;
  std::unique_ptr<FaultVfs> fault_;
};

Bytes page_bytes(uint8_t fill) { return Bytes(kPageSizeBytes, fill); }

void BM_Faultvfs_WriteSync(benchmark::State& state, Backend backend) {
  Stack stack(backend);
  auto append_file = stack.vfs().open("append.log", OpenMode::kCreate);
  auto overwrite_file = stack.vfs().open("pages.db", OpenMode::kCreate);
  if (!append_file.ok() || !overwrite_file.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  File& append = **append_file;
  File& pages = **overwrite_file;
  // The fixed set of pages exists and is durable before timing starts.
  for (uint64_t p = 0; p < kOverwritePageCount; ++p) {
    if (!pages.write(p * kPageSizeBytes, page_bytes(0x11)).ok()) return state.SkipWithError("setup write failed");
  }
  if (!pages.sync().ok() || !stack.vfs().sync_dir("").ok()) return state.SkipWithError("setup sync failed");

  fl::Prng prng = fl::Prng::stream(kBenchSeed, "write-sync");
  const Bytes data = page_bytes(0xab);
  uint64_t append_offset = 0;
  for (auto _ : state) {
    if (append_offset == kAppendFileBytesMax) {
      if (!append.truncate(0).ok()) return state.SkipWithError("truncate failed");
      append_offset = 0;
    }
    auto wrote = append.write(append_offset, data);
    if (!wrote.ok() || *wrote != data.size() || !append.sync().ok()) return state.SkipWithError("append failed");
    append_offset += kPageSizeBytes;
    const uint64_t page = prng.uniform(kOverwritePageCount);
    wrote = pages.write(page * kPageSizeBytes, data);
    if (!wrote.ok() || *wrote != data.size() || !pages.sync().ok()) return state.SkipWithError("overwrite failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);  // writes (each synced)
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 2 * kPageSizeBytes));
}

void BM_Faultvfs_RandomRead(benchmark::State& state, Backend backend) {
  Stack stack(backend);
  auto opened = stack.vfs().open("table.db", OpenMode::kCreate);
  if (!opened.ok()) return state.SkipWithError("open failed");
  File& file = **opened;
  fl::Prng fill = fl::Prng::stream(kBenchSeed, "read-content");
  Bytes page(kPageSizeBytes);
  for (uint64_t offset = 0; offset < kReadFileBytes; offset += kPageSizeBytes) {
    for (auto& byte : page) byte = static_cast<uint8_t>(fill.next());
    if (!file.write(offset, page).ok()) return state.SkipWithError("setup write failed");
  }
  if (!file.sync().ok() || !stack.vfs().sync_dir("").ok()) return state.SkipWithError("setup sync failed");

  fl::Prng prng = fl::Prng::stream(kBenchSeed, "random-read");
  const uint64_t page_count = kReadFileBytes / kPageSizeBytes;
  for (auto _ : state) {
    const uint64_t offset = prng.uniform(page_count) * kPageSizeBytes;
    auto got = file.read(offset, page);
    if (!got.ok() || *got != kPageSizeBytes) return state.SkipWithError("read failed");
    benchmark::DoNotOptimize(page.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPageSizeBytes));
}

BENCHMARK_CAPTURE(BM_Faultvfs_WriteSync, MemVfs, Backend::kMemVfs);
BENCHMARK_CAPTURE(BM_Faultvfs_WriteSync, FaultVfs, Backend::kFaultVfs);
BENCHMARK_CAPTURE(BM_Faultvfs_RandomRead, MemVfs, Backend::kMemVfs);
BENCHMARK_CAPTURE(BM_Faultvfs_RandomRead, FaultVfs, Backend::kFaultVfs);

}  // namespace

BENCHMARK_MAIN();
