#include "faultvfs/mem_vfs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fl::faultvfs {
namespace {
// The path of a map entry or of a set element.
template <class Entry>
std::string_view entry_key(const Entry& entry) {
  if constexpr (requires { entry.first; }) {
    return entry.first;
  } else {
    return entry;
  }
}
}  // namespace

class MemFile final : public File {
 public:
  MemFile(MemVfs* vfs, std::shared_ptr<MemVfs::Inode> inode, std::string path)
      : vfs_(vfs), inode_(std::move(inode)), path_(std::move(path)) {}

  Result<size_t> read(uint64_t offset, std::span<uint8_t> out) override {
    std::lock_guard lock(vfs_->mu_);
    if (!inode_) return Status::io_error(path_, EBADF);
    const Bytes& data = inode_->data;
    if (offset >= data.size() || out.empty()) return size_t{0};
    size_t count = static_cast<size_t>(std::min<uint64_t>(out.size(), data.size() - offset));
    std::memcpy(out.data(), data.data() + offset, count);
    return count;
  }

  Result<size_t> write(uint64_t offset, ByteView in) override {
    std::lock_guard lock(vfs_->mu_);
    if (!inode_) return Status::io_error(path_, EBADF);
    if (in.empty()) return size_t{0};  // [vfs.4]
    Bytes& data = inode_->data;
    if (offset + in.size() > data.size()) data.resize(offset + in.size());
    std::memcpy(data.data() + offset, in.data(), in.size());
    return in.size();
  }

  Status truncate(uint64_t size_bytes) override {
    std::lock_guard lock(vfs_->mu_);
    if (!inode_) return Status::io_error(path_, EBADF);
    inode_->data.resize(size_bytes);
    return Status::success();
  }

  Status sync() override { return check_open(); }
  Status datasync() override { return check_open(); }

  Result<uint64_t> size() override {
    std::lock_guard lock(vfs_->mu_);
    if (!inode_) return Status::io_error(path_, EBADF);
    return static_cast<uint64_t>(inode_->data.size());
  }

  Status close() override {
    std::lock_guard lock(vfs_->mu_);
    if (!inode_) return Status::io_error(path_, EBADF);
    inode_.reset();
    return Status::success();
  }

 private:
  Status check_open() {
    std::lock_guard lock(vfs_->mu_);
    return inode_ ? Status::success() : Status::io_error(path_, EBADF);
  }
  MemVfs* vfs_;
  std::shared_ptr<MemVfs::Inode> inode_;
  std::string path_;
};

MemVfs::MemVfs(const DiskImage& image) {
  for (const auto& dir : image.dirs) dirs_.insert(dir);
  for (const auto& [path, data] : image.files) files_[path] = std::make_shared<Inode>(Inode{data});
}

bool MemVfs::dir_exists_locked(std::string_view dir) const {
  return dir.empty() || dirs_.find(dir) != dirs_.end();
}

Status MemVfs::check_parent_locked(std::string_view path) const {
  std::string_view parent = parent_dir(path);
  if (!dir_exists_locked(parent)) {
    if (files_.find(parent) != files_.end()) return Status::io_error(path, ENOTDIR);
    return Status::not_found(path, "parent directory does not exist");
  }
  return Status::success();
}

Result<std::unique_ptr<File>> MemVfs::open(std::string_view path, OpenMode mode) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  if (dirs_.find(path) != dirs_.end()) return Status::io_error(path, EISDIR);
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (mode == OpenMode::kMustExist) return Status::not_found(path, "no such file");
    FL_TRY(check_parent_locked(path));
    it = files_.emplace(std::string(path), std::make_shared<Inode>()).first;
  } else if (mode == OpenMode::kCreateNew) {
    return Status::io_error(path, EEXIST);
  }
  return std::unique_ptr<File>(new MemFile(this, it->second, std::string(path)));
}

Status MemVfs::remove(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  if (auto it = files_.find(path); it != files_.end()) {
    files_.erase(it);
    return Status::success();
  }
  auto dir = dirs_.find(path);
  if (dir == dirs_.end()) return Status::not_found(path, "no such file or directory");
  std::string prefix = std::string(path) + "/";
  auto has_child = [&](const auto& set) {
    auto child = set.lower_bound(prefix);
    return child != set.end() && entry_key(*child).substr(0, prefix.size()) == prefix;
  };
  if (has_child(files_) || has_child(dirs_)) return Status::io_error(path, ENOTEMPTY);
  dirs_.erase(dir);
  return Status::success();
}

Status MemVfs::rename(std::string_view from, std::string_view to) {
  FL_TRY(check_path(from));
  FL_TRY(check_path(to));
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) {
    if (dirs_.count(from)) return Status::not_supported(from, "renaming directories");
    return Status::not_found(from, "no such file");
  }
  FL_TRY(check_parent_locked(to));
  if (dirs_.count(to)) return Status::io_error(to, EISDIR);
  if (from == to) return Status::success();
  std::shared_ptr<Inode> inode = it->second;
  files_.erase(it);
  files_[std::string(to)] = std::move(inode);
  return Status::success();
}

Status MemVfs::sync_dir(std::string_view dir) {
  FL_TRY(check_path(dir, /*allow_root=*/true));
  std::lock_guard lock(mu_);
  if (!dir_exists_locked(dir)) return Status::not_found(dir, "no such directory");
  return Status::success();
}

Result<std::vector<std::string>> MemVfs::list(std::string_view dir) {
  FL_TRY(check_path(dir, /*allow_root=*/true));
  std::lock_guard lock(mu_);
  if (!dir_exists_locked(dir)) {
    if (files_.count(dir)) return Status::io_error(dir, ENOTDIR);
    return Status::not_found(dir, "no such directory");
  }
  std::vector<std::string> names;
  auto collect = [&](const auto& set) {
    for (const auto& entry : set) {
      std::string_view path = entry_key(entry);
      if (parent_dir(path) == dir) names.emplace_back(base_name(path));
    }
  };
  collect(files_);
  collect(dirs_);
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> MemVfs::exists(std::string_view path) {
  FL_TRY(check_path(path, /*allow_root=*/true));
  std::lock_guard lock(mu_);
  return files_.count(path) > 0 || dir_exists_locked(path);
}

Status MemVfs::mkdir(std::string_view dir) {
  FL_TRY(check_path(dir));
  std::lock_guard lock(mu_);
  if (files_.count(dir) || dirs_.count(dir)) return Status::io_error(dir, EEXIST);
  FL_TRY(check_parent_locked(dir));
  dirs_.emplace(dir);
  return Status::success();
}

Status MemVfs::lock(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  if (!locks_.emplace(path).second) return Status::busy(path, "already locked");
  return Status::success();
}

Status MemVfs::unlock(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  auto held = locks_.find(path);
  if (held == locks_.end()) return Status::invalid_argument(path, "not locked");
  locks_.erase(held);
  return Status::success();
}

DiskImage MemVfs::image() const {
  std::lock_guard lock(mu_);
  DiskImage out;
  for (const auto& dir : dirs_) out.dirs.insert(dir);
  for (const auto& [path, inode] : files_) out.files.emplace(path, inode->data);
  return out;
}

uint64_t MemVfs::used_bytes() const {
  std::lock_guard lock(mu_);
  uint64_t total = 0;
  for (const auto& [path, inode] : files_) total += inode->data.size();
  return total;
}

}  // namespace fl::faultvfs
