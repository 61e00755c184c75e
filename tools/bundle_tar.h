// tools/bundle_tar.h: repro bundles as single .tar files, for CI systems
// that keep one artifact file per failure. The archive is made and read by
// GNU tar (Debian's `tar`, Essential: always installed), run through
// Boost.Process; nothing here parses tar itself.
//
// [tar.1] tar_bundle(dir) writes `dir`.tar holding the bundle directory
//         under its own name. Members are sorted by name with mtime 0,
//         owner and group 0 and modes that ignore the umask, so the same
//         bundle always gives the same bytes.
//         It is written under a temporary name and renamed into place.
// [tar.2] BundleDir::open(path): a directory is used where it is. A regular
//         file is extracted with tar into a fresh temporary directory,
//         removed again when the BundleDir is destroyed, and must hold
//         exactly one top-level directory: the bundle. Anything else, a
//         file tar cannot read included, is kInvalidArgument naming the
//         path with tar's own message. relabel() turns an invalid-argument
//         error about the extracted files into one naming the .tar.
// [tar.3] No `tar` on PATH, or no usable temporary directory ($TMPDIR), is
//         kIoError saying so.
#pragma once

#include <filesystem>
#include <optional>

#include "base/status.h"

namespace fl::tools {

Status tar_bundle(const std::filesystem::path& dir);  // [tar.1]

class BundleDir {
 public:
  static Result<BundleDir> open(const std::filesystem::path& path);  // [tar.2]
  BundleDir(BundleDir&& other) noexcept;
  BundleDir& operator=(BundleDir&&) = delete;
  BundleDir(const BundleDir&) = delete;
  ~BundleDir();

  const std::filesystem::path& dir() const { return dir_; }  // the bundle directory
  bool extracted() const { return temp_.has_value(); }
  // "T.tar: NAME/config.json: missing" rather than a temporary path.
  Status relabel(const Status& status) const;

 private:
  BundleDir(std::filesystem::path source, std::filesystem::path dir, std::optional<std::filesystem::path> temp)
      : source_(std::move(source)), dir_(std::move(dir)), temp_(std::move(temp)) {}
  std::filesystem::path source_;  // what the user named
  std::filesystem::path dir_;
  std::optional<std::filesystem::path> temp_;  // removed on destruction
};

}  // namespace fl::tools
