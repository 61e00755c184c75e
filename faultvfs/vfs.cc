#include "faultvfs/vfs.h"

#include <cerrno>

namespace fl::faultvfs {

Status check_path(std::string_view path, bool allow_root) {
  if (path.empty()) {
    if (allow_root) return Status::success();
    return Status::invalid_argument("path", "empty path");
  }
  if (path.front() == '/') return Status::invalid_argument(path, "path must be relative");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return Status::invalid_argument(path, "empty path component");
    if (part == "." || part == "..") return Status::invalid_argument(path, "'.' or '..' in path");
    if (part.find('\0') != std::string_view::npos) return Status::invalid_argument(path, "NUL in path");
    start = end + 1;
  }
  return Status::success();
}

std::string_view parent_dir(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

Result<Bytes> read_all(Vfs& vfs, std::string_view path) {
  FL_ASSIGN_OR_RETURN(std::unique_ptr<File> file, vfs.open(path, OpenMode::kMustExist));
  FL_ASSIGN_OR_RETURN(uint64_t size_bytes, file->size());
  Bytes data(size_bytes);
  size_t done = 0;
  while (done < data.size()) {
    FL_ASSIGN_OR_RETURN(size_t got, file->read(done, std::span(data).subspan(done)));
    if (got == 0) break;  // the file shrank under us
    done += got;
  }
  data.resize(done);
  FL_TRY(file->close());
  return data;
}

Status write_all(Vfs& vfs, std::string_view path, ByteView data, bool sync) {
  FL_ASSIGN_OR_RETURN(std::unique_ptr<File> file, vfs.open(path, OpenMode::kCreate));
  FL_TRY(file->truncate(0));
  size_t done = 0;
  while (done < data.size()) {
    FL_ASSIGN_OR_RETURN(size_t wrote, file->write(done, data.subspan(done)));
    if (wrote == 0) return Status::io_error(path, EIO);
    done += wrote;
  }
  if (sync) FL_TRY(file->sync());
  return file->close();
}

}  // namespace fl::faultvfs
