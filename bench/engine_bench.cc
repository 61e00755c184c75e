// engine_bench: refdb throughput on MemVfs (no faults), single client.
//
//   BM_Refdb_PutTxn/<durability>   per iteration: one transaction that puts
//                                  one 16-byte key (from 10,000) with a
//                                  100-byte value and commits
//   BM_Refdb_GetTxn/<durability>   per iteration: one transaction that gets
//                                  one key of a 10,000-key database
//   BM_Refdb_Checkpoint10kPages    per iteration: a checkpoint that copies a
//                                  database of 10,000 pages from the WAL into
//                                  the page file (setup not timed)
//
// items_per_second is transactions (or pages copied) per second. The target
// for BM_Refdb_PutTxn/off is >= 100,000 per second on one core. Auto
// checkpoints run inside the timed loop (every 2048 WAL frames by default),
// as they would in a long simulation.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "base/prng.h"
#include "engine/db.h"
#include "faultvfs/mem_vfs.h"

namespace {

using fl::engine::Db;
using fl::engine::Durability;
using fl::engine::Options;

constexpr uint64_t kKeyCount = 10000;
constexpr uint64_t kBenchSeed = 0x5eed;

std::string key_for(uint64_t k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key-%012llu", static_cast<unsigned long long>(k));
  return buf;
}

std::unique_ptr<Db> open_or_die(fl::faultvfs::Vfs& vfs, const Options& options, benchmark::State& state) {
  auto db = Db::open(vfs, "", options);
  if (!db.ok()) {
    state.SkipWithError(db.status().to_string().c_str());
    return nullptr;
  }
  return std::move(*db);
}

bool fill(Db& db, uint64_t keys, size_t value_bytes, benchmark::State& state) {
  for (uint64_t k = 0; k < keys;) {
    auto txn = db.begin();
    for (uint64_t i = 0; i < 200 && k < keys; ++i, ++k) {
      if (!txn->put(key_for(k), std::string(value_bytes, 'v')).ok()) return false;
    }
    if (fl::Status s = txn->commit(); !s.ok()) {
      state.SkipWithError(s.to_string().c_str());
      return false;
    }
  }
  return true;
}

void BM_Refdb_PutTxn(benchmark::State& state) {
  fl::faultvfs::MemVfs vfs;
  Options options;
  options.durability = static_cast<Durability>(state.range(0));
  auto db = open_or_die(vfs, options, state);
  if (!db) return;
  fl::Prng prng = fl::Prng::stream(kBenchSeed, "bench.keys");
  const std::string value(100, 'v');
  for (auto _ : state) {
    auto txn = db->begin();
    if (!txn->put(key_for(prng.uniform(kKeyCount)), value).ok() || !txn->commit().ok()) {
      state.SkipWithError("put transaction failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(fl::engine::durability_name(options.durability)));
}

void BM_Refdb_GetTxn(benchmark::State& state) {
  fl::faultvfs::MemVfs vfs;
  Options options;
  options.durability = static_cast<Durability>(state.range(0));
  auto db = open_or_die(vfs, options, state);
  if (!db || !fill(*db, kKeyCount, 100, state)) return;
  fl::Prng prng = fl::Prng::stream(kBenchSeed, "bench.keys");
  for (auto _ : state) {
    auto txn = db->begin();
    auto value = txn->get(key_for(prng.uniform(kKeyCount)));
    if (!value.ok() || !*value || !txn->commit().ok()) {
      state.SkipWithError("get transaction failed");
      return;
    }
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(fl::engine::durability_name(options.durability)));
}

void BM_Refdb_Checkpoint10kPages(benchmark::State& state) {
  uint64_t pages = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fl::faultvfs::MemVfs vfs;
    Options options;
    options.auto_checkpoint_frames = 0;
    options.durability = Durability::kOff;
    auto db = open_or_die(vfs, options, state);
    // Four ~750-byte entries fill a leaf page: 40,000 keys make ~10,000+ pages.
    if (!db || !fill(*db, 40000, 750, state)) return;
    const uint64_t page_count = db->stats().page_count;
    state.ResumeTiming();
    auto result = db->checkpoint();
    if (!result.ok()) {
      state.SkipWithError(result.status().to_string().c_str());
      return;
    }
    pages = result->pages_copied;
    state.counters["db_pages"] = static_cast<double>(page_count);
    state.PauseTiming();
    db.reset();
    state.ResumeTiming();
  }
  state.counters["pages_copied"] = static_cast<double>(pages);
}

}  // namespace

BENCHMARK(BM_Refdb_PutTxn)->Arg(static_cast<int>(Durability::kFull))->Arg(static_cast<int>(Durability::kOff));
BENCHMARK(BM_Refdb_GetTxn)->Arg(static_cast<int>(Durability::kFull))->Arg(static_cast<int>(Durability::kOff));
BENCHMARK(BM_Refdb_Checkpoint10kPages)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
