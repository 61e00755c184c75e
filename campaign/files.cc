// campaign/files.cc: writing artifacts (files.h).
#include "campaign/files.h"

#include <cerrno>
#include <fstream>

namespace fl::campaign {

Status write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error(path.string() + ": cannot create it", errno != 0 ? errno : EIO);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Status::io_error(path.string(), EIO);
  return Status::success();
}

}  // namespace fl::campaign
