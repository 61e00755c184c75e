#include "faultvfs/disk_image.h"

#include <cstdio>
#include <vector>

#include "base/crc32c.h"
#include "base/prng.h"

namespace fl::faultvfs {

uint64_t DiskImage::hash() const {
  uint64_t h = fnv1a64("disk-image");
  for (const auto& dir : dirs) {
    h = fnv1a64("d", h);
    h = fnv1a64(dir, h);
    h = fnv1a64(std::string_view("\0", 1), h);
  }
  for (const auto& [path, data] : files) {
    h = fnv1a64("f", h);
    h = fnv1a64(path, h);
    h = fnv1a64(std::string_view("\0", 1), h);
    h = fnv1a64(as_chars(data), h);
    h = fnv1a64(std::to_string(data.size()), h);
  }
  return h;
}

std::string DiskImage::describe() const {
  std::string out;
  for (const auto& dir : dirs) out += dir + "/\n";
  for (const auto& [path, data] : files) {
    char line[64];
    std::snprintf(line, sizeof line, " (%zu B, crc32c %08x)\n", data.size(), crc32c(data));
    out += path + line;
  }
  return out;
}

namespace {

Status capture_dir(Vfs& vfs, const std::string& dir, DiskImage& image, int depth) {
  constexpr int kDirDepthMax = 64;
  if (depth > kDirDepthMax) return Status::invalid_argument(dir, "directory tree too deep");
  FL_ASSIGN_OR_RETURN(std::vector<std::string> names, vfs.list(dir));
  for (const auto& name : names) {
    std::string path = join_path(dir, name);
    auto listed = vfs.list(path);
    if (listed.ok()) {
      image.dirs.insert(path);
      FL_TRY(capture_dir(vfs, path, image, depth + 1));
      continue;
    }
    FL_ASSIGN_OR_RETURN(Bytes data, read_all(vfs, path));
    image.files.emplace(path, std::move(data));
  }
  return Status::success();
}

}  // namespace

Result<DiskImage> capture_image(Vfs& vfs) {
  DiskImage image;
  FL_TRY(capture_dir(vfs, "", image, 0));
  return image;
}

Status restore_image(Vfs& vfs, const DiskImage& image) {
  for (const auto& dir : image.dirs) FL_TRY(vfs.mkdir(dir));  // std::set order: parents first
  for (const auto& [path, data] : image.files) FL_TRY(write_all(vfs, path, data, true));
  for (const auto& dir : image.dirs) FL_TRY(vfs.sync_dir(dir));
  return vfs.sync_dir("");
}

}  // namespace fl::faultvfs
