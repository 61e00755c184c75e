// Crash images (workloads/simulator.h [sim.8]): keeping them changes
// nothing else in the run, each kept image is exactly what a recovery
// opened, and the byte cap holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "campaign/trial.h"
#include "faultvfs/disk_image.h"
#include "history/edn_writer.h"
#include "tests/workloads/forwarding_engine.h"
#include "workloads/simulator.h"

namespace fl::workloads::testing {
namespace {

using campaign::TrialConfig;

// Forwards to refdb, and records the disk as every open() finds it.
class ImagingEngine final : public ForwardingEngine {
 public:
  ImagingEngine(std::unique_ptr<Engine> inner, std::vector<faultvfs::DiskImage>* opened)
      : ForwardingEngine(std::move(inner)), opened_(opened) {}
  Status open(faultvfs::Vfs& vfs, std::string_view dir) override {
    if (Result<faultvfs::DiskImage> image = faultvfs::capture_image(vfs); image.ok()) opened_->push_back(*image);
    return ForwardingEngine::open(vfs, dir);
  }

 private:
  std::vector<faultvfs::DiskImage>* opened_;
};

TrialConfig crashing_config(const char* faults, uint64_t seed) {
  TrialConfig config;
  config.workload = "list-append";
  config.txns = 600;
  config.faults = faults;
  config.seed = seed;
  return config;
}

SimResult simulate_with(const TrialConfig& config, uint64_t bytes_max, std::vector<faultvfs::DiskImage>* opened) {
  Result<SimOptions> options = campaign::sim_options(config);
  EXPECT_TRUE(options.ok()) << options.status().to_string();
  options->crash_image_bytes_max = bytes_max;
  Result<EngineFactory> refdb = campaign::engine_factory(config);
  EXPECT_TRUE(refdb.ok());
  EngineFactory factory = *refdb;
  if (opened != nullptr) {
    factory = [refdb = *refdb, opened] { return std::make_unique<ImagingEngine>(refdb(), opened); };
  }
  Result<SimResult> result = simulate(factory, *options);
  EXPECT_TRUE(result.ok()) << result.status().to_string();
  return std::move(result).value();
}

uint64_t image_bytes(const faultvfs::DiskImage& image) {
  uint64_t bytes = 0;
  for (const auto& [path, data] : image.files) bytes += data.size();
  return bytes;
}

TEST(CrashImages, KeepingThemChangesNothingElse) {  // [sim.8]
  for (const char* faults : {"power", "everything"}) {
    const TrialConfig config = crashing_config(faults, 3);
    const SimResult without = simulate_with(config, 0, nullptr);
    const SimResult with = simulate_with(config, uint64_t{1} << 40, nullptr);
    const uint64_t recoveries = with.stats.crashes + with.stats.restarts + with.stats.kills;
    ASSERT_GT(with.stats.crashes, 0u) << faults << " seed 3 crashes";
    EXPECT_TRUE(without.crash_images.empty());
    EXPECT_EQ(without.crash_images_omitted, 0u);
    EXPECT_EQ(history::to_edn(with.history), history::to_edn(without.history)) << faults;
    EXPECT_EQ(with.fault_log_jsonl, without.fault_log_jsonl) << faults;
    EXPECT_EQ(with.crash_images.size(), recoveries) << faults << ": one image per crash, restart or kill";
    EXPECT_EQ(with.crash_images_omitted, 0u);
    for (size_t i = 0; i < with.crash_images.size(); ++i) {
      EXPECT_EQ(with.crash_images[i].epoch, i + 1) << faults << ": image " << i;
      EXPECT_FALSE(with.crash_images[i].image.files.empty()) << faults << ": image " << i;
    }
  }
}

TEST(CrashImages, EachImageIsWhatARecoveryOpened) {  // [sim.8]
  const TrialConfig config = crashing_config("power", 5);
  std::vector<faultvfs::DiskImage> opened;
  const SimResult result = simulate_with(config, uint64_t{1} << 40, &opened);
  ASSERT_FALSE(result.crash_images.empty());
  // The first open created the database on an empty disk.
  ASSERT_GT(opened.size(), result.crash_images.size());
  EXPECT_TRUE(opened.front().files.empty());
  size_t from = 1;
  for (const CrashImage& crash : result.crash_images) {
    // In order: each image is the next recovery's disk (a failed attempt
    // may come between, and then more opens follow).
    const auto found = std::find(opened.begin() + static_cast<std::ptrdiff_t>(from), opened.end(), crash.image);
    ASSERT_NE(found, opened.end()) << "epoch " << crash.epoch << ": no open saw this image";
    from = static_cast<size_t>(found - opened.begin()) + 1;
  }
}

TEST(CrashImages, TheByteCapHoldsAndCountsWhatItLeftOut) {  // [sim.8]
  const TrialConfig config = crashing_config("everything", 3);
  const SimResult all = simulate_with(config, uint64_t{1} << 40, nullptr);
  ASSERT_GE(all.crash_images.size(), 2u);
  const uint64_t first = image_bytes(all.crash_images[0].image);
  ASSERT_GT(first, 0u);

  const SimResult none = simulate_with(config, first - 1, nullptr);
  const SimResult one = simulate_with(config, first, nullptr);
  uint64_t none_kept = 0;
  for (const CrashImage& crash : none.crash_images) none_kept += image_bytes(crash.image);
  EXPECT_LE(none_kept, first - 1);
  EXPECT_EQ(none.crash_images.size() + none.crash_images_omitted, all.crash_images.size());
  EXPECT_GT(none.crash_images_omitted, 0u) << "the first image does not fit";
  ASSERT_FALSE(one.crash_images.empty());
  EXPECT_EQ(one.crash_images[0].image, all.crash_images[0].image) << "a kept image is whole, never cut";
  EXPECT_EQ(one.crash_images.size() + one.crash_images_omitted, all.crash_images.size());
  uint64_t kept = 0;
  for (const CrashImage& crash : one.crash_images) kept += image_bytes(crash.image);
  EXPECT_LE(kept, first);
}

}  // namespace
}  // namespace fl::workloads::testing
