// faultvfs/disk_image.h: a whole file tree as plain values.
//
// A DiskImage is what a crash leaves on the disk: every file's bytes and every
// directory. Crash-state enumeration yields DiskImages; tests compare them; a
// MemVfs can be built from one to run recovery on it.
//
// [image.1] Two images are equal iff they have the same directories and the
//           same files with the same bytes. hash() is a function of that only.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "base/status.h"
#include "faultvfs/vfs.h"

namespace fl::faultvfs {

struct DiskImage {
  std::map<std::string, Bytes> files;  // path -> content
  std::set<std::string> dirs;          // every directory but the root

  friend bool operator==(const DiskImage&, const DiskImage&) = default;
  uint64_t hash() const;
  // A short human-readable listing: "a (12 B, crc …)\n".
  std::string describe() const;
};

// Walks `vfs` from the root and reads every file.
Result<DiskImage> capture_image(Vfs& vfs);
// Makes `vfs` (assumed empty) hold exactly `image`, synced.
Status restore_image(Vfs& vfs, const DiskImage& image);

}  // namespace fl::faultvfs
