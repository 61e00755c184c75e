// faultvfs/mem_vfs.h: a Vfs held entirely in memory, the simulator's default.
//
// [mem.1] MemVfs has no page cache: every completed write is "durable", and
//         sync/datasync/sync_dir only check the handle. FaultVfs layers the
//         volatile cache on top of it.
// [mem.2] Files are inodes: an open File keeps its bytes after the name is
//         renamed or removed ([vfs.6]).
// [mem.3] Behaviour is deterministic: list() is sorted, nothing depends on
//         addresses or time.
//
// Threads: all calls lock one mutex; Files may be used from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "faultvfs/disk_image.h"
#include "faultvfs/vfs.h"

namespace fl::faultvfs {

class MemVfs final : public Vfs {
 public:
  MemVfs() = default;
  explicit MemVfs(const DiskImage& image);

  Result<std::unique_ptr<File>> open(std::string_view path, OpenMode mode) override;
  Status remove(std::string_view path) override;
  Status rename(std::string_view from, std::string_view to) override;
  Status sync_dir(std::string_view dir) override;
  Result<std::vector<std::string>> list(std::string_view dir) override;
  Result<bool> exists(std::string_view path) override;
  Status mkdir(std::string_view dir) override;
  Status lock(std::string_view path) override;
  Status unlock(std::string_view path) override;

  // The whole tree as values, without going through File handles.
  DiskImage image() const;
  // Total bytes held by named files.
  uint64_t used_bytes() const;

 private:
  friend class MemFile;
  struct Inode {
    Bytes data;
  };
  bool dir_exists_locked(std::string_view dir) const;
  Status check_parent_locked(std::string_view path) const;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Inode>, std::less<>> files_;
  std::set<std::string, std::less<>> dirs_;
  std::set<std::string, std::less<>> locks_;
};

}  // namespace fl::faultvfs
