// campaign/crash_images.h: the disk images a trial's crashes left
// (workloads/simulator.h [sim.8]) as part of its artifacts, so an engineer
// can open the exact bytes recovery saw (docs/formats/campaign.md "Crash
// images").
//
// [img.1] write_crash_images(dir, sim) first removes dir/crash-images, and
//         writes nothing more when the trial kept no image and omitted
//         none. Otherwise it writes
//         dir/crash-images/index.json and, per kept image,
//         dir/crash-images/epoch-<E>-<kind>/ holding the image's
//         directories and files, byte for byte as on the simulated disk.
// [img.2] index.json: {"bytes_max", "omitted", "images": [{"epoch", "kind",
//         "dir", "bytes" (of all its files), "sha256", "files": [{"path",
//         "bytes", "sha256"}]}]}. An image's sha256 is image_sha256(): SHA-256 of
//         its directories and files in path order, each with its name and
//         size, so two images share a digest only when they are equal.
// [img.3] A path that is not a plain relative path (empty, or with an
//         empty, "." or ".." component) is never written outside the
//         image's directory: it is left out and listed in the image's
//         "unsafe_paths". (refdb's paths never are.)
// [img.4] read_crash_image_digests(dir) reads dir/crash-images/index.json:
//         std::nullopt when the bundle has no crash-images/ (a trial
//         without crashes, or a bundle from before images); a missing or
//         malformed index.json in an existing crash-images/ is
//         kInvalidArgument naming the file and the field.
// [img.5] check_crash_image_files(dir) compares every file index.json lists
//         with the bytes on disk: one line per file that is missing or
//         whose SHA-256 differs (an edited or damaged bundle); empty when
//         they all match, or when there is no crash-images/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "campaign/campaign_limits.h"
#include "faultvfs/disk_image.h"
#include "workloads/simulator.h"

namespace fl::campaign {

struct CrashImageDigest {
  uint64_t epoch = 0;
  std::string kind;    // "process" or "power"
  uint64_t bytes = 0;  // of all its files
  std::string sha256;  // image_sha256
  friend bool operator==(const CrashImageDigest&, const CrashImageDigest&) = default;
};

std::string image_sha256(const faultvfs::DiskImage& image);  // [img.2]
std::vector<CrashImageDigest> crash_image_digests(const workloads::SimResult& sim);
std::string describe(const CrashImageDigest& digest);  // "epoch-2-power (8240 B) sha256 ab12…"
std::string image_dir_name(const CrashImageDigest& digest);  // "epoch-2-power"

Status write_crash_images(const std::filesystem::path& dir, const workloads::SimResult& sim);  // [img.1]
Result<std::optional<std::vector<CrashImageDigest>>> read_crash_image_digests(
    const std::filesystem::path& dir);  // [img.4]
Result<std::vector<std::string>> check_crash_image_files(const std::filesystem::path& dir);  // [img.5]

}  // namespace fl::campaign
