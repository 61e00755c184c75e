#include "faultvfs/posix_vfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <limits>

namespace fl::faultvfs {
namespace {

// A system call interrupted this many times in a row is reported as EINTR
// instead of being retried forever.
constexpr int kInterruptRetryCountMax = 1000;
// list() refuses a directory with more entries than this (every loop has a bound).
constexpr size_t kListEntryCountMax = size_t{1} << 20;
constexpr mode_t kFileModeBits = 0644;
constexpr mode_t kDirModeBits = 0755;
constexpr uint64_t kOffsetBytesMax = static_cast<uint64_t>(std::numeric_limits<off_t>::max());

// Runs `call` until it succeeds or fails with something other than EINTR.
// Returns its result; errno holds the failure when the result is -1.
template <class Call>
auto retry_on_interrupt(Call call) -> decltype(call()) {
  decltype(call()) result = -1;
  for (int attempt = 0; attempt < kInterruptRetryCountMax; ++attempt) {
    result = call();
    if (result != -1 || errno != EINTR) return result;
  }
  return result;  // still -1 with errno == EINTR
}

// What is at a path, as MemVfs sees it: nothing, a file or a directory.
enum class Kind : uint8_t { kMissing, kFile, kDir };

// kMissing covers ENOENT and ENOTDIR (a component is a regular file): MemVfs
// treats "under a file" as "does not exist" ([posix.2]).
Result<Kind> kind_at(const std::string& full, std::string_view path) {
  struct stat st;
  if (::stat(full.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Kind::kMissing;
    return Status::io_error(path, errno);
  }
  return S_ISDIR(st.st_mode) ? Kind::kDir : Kind::kFile;
}

// The status for a lookup of an existing name that failed with `err`.
Status lookup_error(std::string_view path, int err) {
  if (err == ENOENT || err == ENOTDIR) return Status::not_found(path, "no such file or directory");
  return Status::io_error(path, err);
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) { FL_ASSERT(fd_ >= 0); }
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);  // an error here has no one to report to
  }
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  Result<size_t> read(uint64_t offset, std::span<uint8_t> out) override {
    if (fd_ < 0) return Status::io_error(path_, EBADF);
    if (offset >= kOffsetBytesMax) return size_t{0};  // no file reaches that far
    size_t done = 0;
    // Each pass reads at least one byte or ends the loop, so it runs at most out.size() times.
    while (done < out.size()) {
      const uint64_t at = offset + done;
      if (at >= kOffsetBytesMax) break;
      const size_t want = std::min<size_t>(out.size() - done, SSIZE_MAX);
      ssize_t got = retry_on_interrupt(
          [&] { return ::pread(fd_, out.data() + done, want, static_cast<off_t>(at)); });
      if (got < 0) return Status::io_error(path_, errno);
      if (got == 0) break;  // end of file
      FL_ASSERT(static_cast<size_t>(got) <= want);
      done += static_cast<size_t>(got);
    }
    return done;
  }

  Result<size_t> write(uint64_t offset, ByteView in) override {
    if (fd_ < 0) return Status::io_error(path_, EBADF);
    if (offset > kOffsetBytesMax - in.size()) return Status::io_error(path_, EFBIG);
    if (in.empty()) return size_t{0};  // [vfs.4]: an empty write changes nothing
    const size_t want = std::min<size_t>(in.size(), SSIZE_MAX);
    ssize_t wrote = retry_on_interrupt(
        [&] { return ::pwrite(fd_, in.data(), want, static_cast<off_t>(offset)); });
    if (wrote < 0) return Status::io_error(path_, errno);
    FL_ASSERT(static_cast<size_t>(wrote) <= want);
    return static_cast<size_t>(wrote);  // possibly short ([vfs.4])
  }

  Status truncate(uint64_t size_bytes) override {
    if (fd_ < 0) return Status::io_error(path_, EBADF);
    if (size_bytes > kOffsetBytesMax) return Status::io_error(path_, EFBIG);
    int rc = retry_on_interrupt([&] { return ::ftruncate(fd_, static_cast<off_t>(size_bytes)); });
    if (rc != 0) return Status::io_error(path_, errno);
    return Status::success();
  }

  Status sync() override {
    if (fd_ < 0) return Status::io_error(path_, EBADF);
    // [posix.4]: EINTR is retried (nothing was reported yet); EIO is not.
    if (retry_on_interrupt([&] { return ::fsync(fd_); }) != 0) return Status::io_error(path_, errno);
    return Status::success();
  }

  Status datasync() override {
    if (fd_ < 0) return Status::io_error(path_, EBADF);
    if (retry_on_interrupt([&] { return ::fdatasync(fd_); }) != 0) {
      return Status::io_error(path_, errno);
    }
    return Status::success();
  }

  Result<uint64_t> size() override {
    if (fd_ < 0) return Status::io_error(path_, EBADF);
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::io_error(path_, errno);
    FL_ASSERT(st.st_size >= 0);
    return static_cast<uint64_t>(st.st_size);
  }

  Status close() override {
    if (fd_ < 0) return Status::io_error(path_, EBADF);
    int fd = fd_;
    fd_ = -1;  // released even when close(2) fails: Linux frees the descriptor first
    if (::close(fd) != 0 && errno != EINTR) return Status::io_error(path_, errno);
    return Status::success();
  }

 private:
  int fd_;  // -1 after close()
  std::string path_;
};

}  // namespace

PosixVfs::PosixVfs(std::string root_dir) : root_dir_(std::move(root_dir)) {
  FL_ASSERT(!root_dir_.empty());
  while (root_dir_.size() > 1 && root_dir_.back() == '/') root_dir_.pop_back();
}

PosixVfs::~PosixVfs() {
  std::lock_guard lock(mu_);
  for (const auto& [path, fd] : lock_fds_) ::close(fd);  // closing releases the flock
}

std::string PosixVfs::full_path(std::string_view path) const {
  if (path.empty()) return root_dir_;
  std::string out = root_dir_;
  if (out.back() != '/') out += '/';
  out += path;
  return out;
}

Status PosixVfs::create_error(std::string_view path, int err) const {
  if (err == ENOENT) return Status::not_found(path, "parent directory does not exist");
  if (err != ENOTDIR) return Status::io_error(path, err);
  // ENOTDIR: some component is a regular file. MemVfs says ENOTDIR only when
  // it is the parent itself; deeper, the parent simply does not exist.
  FL_ASSIGN_OR_RETURN(Kind parent, kind_at(full_path(parent_dir(path)), path));
  if (parent == Kind::kFile) return Status::io_error(path, ENOTDIR);
  return Status::not_found(path, "parent directory does not exist");
}

Result<std::unique_ptr<File>> PosixVfs::open(std::string_view path, OpenMode mode) {
  FL_TRY(check_path(path));
  const std::string full = full_path(path);
  int flags = O_RDWR | O_CLOEXEC;
  if (mode == OpenMode::kCreate) flags |= O_CREAT;
  if (mode == OpenMode::kCreateNew) flags |= O_CREAT | O_EXCL;
  int fd = retry_on_interrupt([&] { return ::open(full.c_str(), flags, kFileModeBits); });
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      // O_CREAT|O_EXCL on a directory says EEXIST; MemVfs says EISDIR ([posix.2]).
      FL_ASSIGN_OR_RETURN(Kind kind, kind_at(full, path));
      return Status::io_error(path, kind == Kind::kDir ? EISDIR : EEXIST);
    }
    if (mode == OpenMode::kMustExist) return lookup_error(path, err);
    return create_error(path, err);
  }
  return std::unique_ptr<File>(new PosixFile(fd, std::string(path)));
}

Status PosixVfs::remove(std::string_view path) {
  FL_TRY(check_path(path));
  const std::string full = full_path(path);
  FL_ASSIGN_OR_RETURN(Kind kind, kind_at(full, path));
  if (kind == Kind::kMissing) return Status::not_found(path, "no such file or directory");
  if (kind == Kind::kDir) {
    if (::rmdir(full.c_str()) != 0) {
      // POSIX allows EEXIST for a non-empty directory; MemVfs says ENOTEMPTY.
      const int err = errno == EEXIST ? ENOTEMPTY : errno;
      return lookup_error(path, err);
    }
    return Status::success();
  }
  if (::unlink(full.c_str()) != 0) return lookup_error(path, errno);
  return Status::success();
}

Status PosixVfs::rename(std::string_view from, std::string_view to) {
  FL_TRY(check_path(from));
  FL_TRY(check_path(to));
  const std::string full_from = full_path(from);
  FL_ASSIGN_OR_RETURN(Kind kind, kind_at(full_from, from));
  if (kind == Kind::kMissing) return Status::not_found(from, "no such file");
  if (kind == Kind::kDir) return Status::not_supported(from, "renaming directories");
  const std::string full_to = full_path(to);
  // Onto a directory is EISDIR, as in MemVfs; rename(2) says ENOTEMPTY when
  // that directory is an ancestor of `from` (or is not empty).
  FL_ASSIGN_OR_RETURN(Kind target, kind_at(full_to, to));
  if (target == Kind::kDir) return Status::io_error(to, EISDIR);
  if (::rename(full_from.c_str(), full_to.c_str()) != 0) {
    // `from` exists, so ENOENT and ENOTDIR are about the parent of `to`;
    // EISDIR means `to` is a directory.
    return create_error(to, errno);
  }
  return Status::success();
}

Status PosixVfs::sync_dir(std::string_view dir) {
  FL_TRY(check_path(dir, /*allow_root=*/true));
  const std::string full = full_path(dir);
  int fd = retry_on_interrupt(
      [&] { return ::open(full.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return lookup_error(dir, errno);  // a file is "no such directory", as in MemVfs
  const int rc = retry_on_interrupt([&] { return ::fsync(fd); });
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::io_error(dir, err);
  return Status::success();
}

Result<std::vector<std::string>> PosixVfs::list(std::string_view dir) {
  FL_TRY(check_path(dir, /*allow_root=*/true));
  const std::string full = full_path(dir);
  FL_ASSIGN_OR_RETURN(Kind kind, kind_at(full, dir));
  if (kind == Kind::kMissing) return Status::not_found(dir, "no such directory");
  if (kind == Kind::kFile) return Status::io_error(dir, ENOTDIR);
  int fd = retry_on_interrupt(
      [&] { return ::open(full.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return lookup_error(dir, errno);
  DIR* stream = ::fdopendir(fd);
  if (stream == nullptr) {
    const int err = errno;
    ::close(fd);
    return Status::io_error(dir, err);
  }
  std::vector<std::string> names;
  Status status;
  for (size_t count = 0;; ++count) {
    if (count > kListEntryCountMax) {
      status = Status::not_supported(dir, "too many directory entries");
      break;
    }
    errno = 0;
    const dirent* entry = ::readdir(stream);
    if (entry == nullptr) {
      if (errno != 0) status = Status::io_error(dir, errno);
      break;
    }
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(stream);  // closes fd too
  if (!status.ok()) return status;
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> PosixVfs::exists(std::string_view path) {
  FL_TRY(check_path(path, /*allow_root=*/true));
  FL_ASSIGN_OR_RETURN(Kind kind, kind_at(full_path(path), path));
  return kind != Kind::kMissing;
}

Status PosixVfs::mkdir(std::string_view dir) {
  FL_TRY(check_path(dir));
  const std::string full = full_path(dir);
  if (::mkdir(full.c_str(), kDirModeBits) != 0) {
    if (errno == EEXIST) return Status::io_error(dir, EEXIST);
    return create_error(dir, errno);
  }
  return Status::success();
}

Status PosixVfs::lock(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard guard(mu_);
  if (lock_fds_.find(path) != lock_fds_.end()) return Status::busy(path, "already locked");
  const std::string full = full_path(path);
  int fd = retry_on_interrupt(
      [&] { return ::open(full.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kFileModeBits); });
  if (fd < 0) return create_error(path, errno);
  if (retry_on_interrupt([&] { return ::flock(fd, LOCK_EX | LOCK_NB); }) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::busy(path, "locked by another holder");
    return Status::io_error(path, err);
  }
  lock_fds_.emplace(std::string(path), fd);
  return Status::success();
}

Status PosixVfs::unlock(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard guard(mu_);
  auto it = lock_fds_.find(path);
  if (it == lock_fds_.end()) return Status::invalid_argument(path, "not locked");
  const int fd = it->second;
  lock_fds_.erase(it);
  // close(2) releases the flock; an explicit LOCK_UN first reports a failure.
  const int rc = ::flock(fd, LOCK_UN);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::io_error(path, err);
  return Status::success();
}

}  // namespace fl::faultvfs
