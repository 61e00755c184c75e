// tests/faultvfs/temp_dir.h: a fresh directory under /tmp for one test.
//
// [temp.1] TempDir() creates a new, empty directory with mkdtemp(3) and
//          FL_ASSERTs that it could (a test cannot run without it).
// [temp.2] ~TempDir() removes it and everything in it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "base/assert.h"

namespace fl::faultvfs {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/faultline-test-XXXXXX";
    FL_ASSERT(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace fl::faultvfs
