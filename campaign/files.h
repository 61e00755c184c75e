// campaign/files.h: writing the campaign's artifacts to disk.
//
// [files.1] write_file(path, text) replaces `path` with exactly `text`; an
//           error opening, writing or closing it is kIoError naming the
//           path. The parent directory must exist.
#pragma once

#include <filesystem>
#include <string_view>

#include "base/status.h"

namespace fl::campaign {

Status write_file(const std::filesystem::path& path, std::string_view text);  // [files.1]

}  // namespace fl::campaign
