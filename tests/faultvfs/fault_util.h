// tests/faultvfs/fault_util.h: shared helpers for FaultVfs tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "faultvfs/crash_space.h"
#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"

namespace fl::faultvfs::testing {

inline std::string repeat(char c, size_t n) { return std::string(n, c); }

// A MemVfs backend and a FaultVfs over it.
struct Rig {
  explicit Rig(FaultPlan plan = {}) {
    auto created = FaultVfs::create(backend, std::move(plan));
    EXPECT_TRUE(created.ok()) << created.status().to_string();
    vfs = std::move(created).value();
  }
  std::unique_ptr<File> open(const std::string& path, OpenMode mode = OpenMode::kCreate) {
    auto file = vfs->open(path, mode);
    EXPECT_TRUE(file.ok()) << path << ": " << file.status().to_string();
    return file.ok() ? std::move(file).value() : nullptr;
  }
  void write(File& file, uint64_t offset, const std::string& text) {
    auto wrote = file.write(offset, as_bytes(text));
    ASSERT_TRUE(wrote.ok()) << wrote.status().to_string();
    ASSERT_EQ(*wrote, text.size());
  }
  std::string read(File& file, uint64_t offset, size_t count) {
    Bytes out(count);
    auto got = file.read(offset, out);
    EXPECT_TRUE(got.ok()) << got.status().to_string();
    if (!got.ok()) return "<error>";
    return std::string(as_chars(ByteView(out).first(*got)));
  }
  // Every distinct image a power loss could leave now, as path -> content strings.
  std::set<std::map<std::string, std::string>> crash_images(uint64_t limit = 100000) {
    auto space = vfs->crash_space();
    EXPECT_TRUE(space.ok());
    Prng prng(1);
    std::set<std::map<std::string, std::string>> out;
    CrashVisit visit = space->for_each(limit, prng, [&](const DiskImage& image) {
      std::map<std::string, std::string> files;
      for (const auto& [path, data] : image.files) files[path] = std::string(as_chars(data));
      EXPECT_TRUE(out.insert(files).second) << "an image was visited twice";
      return true;
    });
    EXPECT_TRUE(visit.exhaustive);
    EXPECT_EQ(visit.visited, out.size());
    EXPECT_EQ(visit.count.states, out.size());
    return out;
  }
  MemVfs backend;
  std::unique_ptr<FaultVfs> vfs;
};

inline Rule make_rule(Selector when, Action action, std::optional<uint64_t> times = std::nullopt) {
  return Rule{std::move(when), action, times};
}

}  // namespace fl::faultvfs::testing
