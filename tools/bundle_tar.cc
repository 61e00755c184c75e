// tools/bundle_tar.cc: [tar.1]-[tar.3] of bundle_tar.h.
#include "tools/bundle_tar.h"

#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <future>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

namespace fl::tools {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;

// tar's stderr, trimmed to its first lines: enough to say what is wrong.
constexpr size_t kTarMessageBytesMax = 512;

// Runs tar with `args`; "" when it exited 0, else what went wrong.
Result<std::string> run_tar(const std::vector<std::string>& args) {
  const fs::path tar = bp::search_path("tar").string();
  if (tar.empty()) return Status::io_error("tar is not on PATH (Debian package tar)", ENOENT);
  boost::asio::io_context io;
  std::future<std::string> err;
  std::error_code ec;
  int code = -1;
  try {
    bp::child child(bp::exe = tar.string(), bp::args = args, bp::std_in.close(), bp::std_out > bp::null,
                    bp::std_err > err, io, ec);
    if (ec) return Status::io_error("tar: " + ec.message(), ec.value());
    io.run();
    child.wait(ec);
    code = child.exit_code();
  } catch (const std::exception& e) {  // Boost.Process reports some failures by exception
    return Status::io_error(std::string("tar: ") + e.what(), EIO);
  }
  if (code == 0) return std::string();
  std::string message = err.valid() ? err.get() : "";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.size() > kTarMessageBytesMax) message = message.substr(0, kTarMessageBytesMax) + "...";
  if (message.empty()) message = "tar exited with status " + std::to_string(code);
  return message;
}

}  // namespace

Status tar_bundle(const fs::path& dir) {
  const fs::path absolute = fs::absolute(dir).lexically_normal();
  const fs::path name = absolute.filename().empty() ? absolute.parent_path().filename() : absolute.filename();
  const fs::path parent = absolute.filename().empty() ? absolute.parent_path().parent_path() : absolute.parent_path();
  const fs::path out = parent / (name.string() + ".tar");
  const fs::path temp = parent / (name.string() + ".tar.tmp");
  FL_ASSIGN_OR_RETURN(std::string failed,
                      run_tar({"--create", "--file", temp.string(), "--sort=name", "--mtime=@0", "--owner=0",
                               "--group=0", "--numeric-owner", "--mode=u+rwX,go+rX,go-w", "--format=gnu", "-C",
                               parent.string(), name.string()}));
  std::error_code error;
  if (!failed.empty()) {
    fs::remove(temp, error);
    return Status::io_error(out.string() + ": " + failed, EIO);
  }
  fs::rename(temp, out, error);
  if (error) return Status::io_error(out.string() + ": " + error.message(), error.value());
  return Status::success();
}

Result<BundleDir> BundleDir::open(const fs::path& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (fs::is_directory(status)) return BundleDir(path, path, std::nullopt);
  if (!fs::exists(status)) return Status::invalid_argument(path.string(), "no such bundle directory or .tar file");
  if (!fs::is_regular_file(status)) {
    return Status::invalid_argument(path.string(), "neither a bundle directory nor a .tar file");
  }
  const fs::path temp_root = fs::temp_directory_path(error);
  if (error) return Status::io_error("no temporary directory for the .tar's contents: " + error.message(), error.value());
  std::string pattern = (temp_root / "faultline-bundle-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Status::io_error(pattern + ": cannot create it", errno);
  BundleDir extracted{path, fs::path(pattern), fs::path(pattern)};  // removes the directory on every return below
  FL_ASSIGN_OR_RETURN(std::string failed, run_tar({"--extract", "--file", fs::absolute(path).string(), "-C", pattern,
                                                   "--no-same-owner", "--no-same-permissions"}));
  if (!failed.empty()) return Status::invalid_argument(path.string(), "not a readable .tar bundle: " + failed);
  std::vector<fs::path> top;
  for (const fs::directory_entry& entry : fs::directory_iterator(pattern, error)) top.push_back(entry.path());
  if (error) return Status::io_error(pattern + ": " + error.message(), error.value());
  if (top.size() != 1 || !fs::is_directory(fs::symlink_status(top[0]))) {
    const std::string held = top.size() == 1 ? "one entry that is not a directory"
                                             : std::to_string(top.size()) + " top-level entries";
    return Status::invalid_argument(path.string(), "a .tar bundle holds exactly one directory, the bundle; this one "
                                                   "holds " + held);
  }
  extracted.dir_ = top[0];
  return extracted;
}

BundleDir::BundleDir(BundleDir&& other) noexcept
    : source_(std::move(other.source_)), dir_(std::move(other.dir_)), temp_(std::move(other.temp_)) {
  other.temp_.reset();
}

Status BundleDir::relabel(const Status& status) const {
  if (!temp_ || !status.is(Code::kInvalidArgument)) return status;
  std::string text = status.to_string();
  const std::string code = std::string(code_name(Code::kInvalidArgument)) + ": ";
  if (text.starts_with(code)) text.erase(0, code.size());
  const std::string temp = temp_->string() + "/";
  for (size_t at = text.find(temp); at != std::string::npos; at = text.find(temp)) text.erase(at, temp.size());
  return Status::invalid_argument(source_.string(), text);
}

BundleDir::~BundleDir() {
  if (!temp_) return;
  // An archive may hold read-only directories, whose entries could not be
  // removed: give the owner write permission on every directory first.
  std::error_code error;
  fs::permissions(*temp_, fs::perms::owner_all, fs::perm_options::add, error);
  for (fs::recursive_directory_iterator it(*temp_, fs::directory_options::skip_permission_denied, error), end;
       !error && it != end; it.increment(error)) {
    if (it->is_directory(error) && !it->is_symlink(error)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, error);
    }
  }
  error.clear();
  fs::remove_all(*temp_, error);
  if (error) std::cerr << "faultline: could not remove " << temp_->string() << ": " << error.message() << "\n";
}

}  // namespace fl::tools
