// campaign/crash_images.cc: crash images in a trial's artifacts
// (crash_images.h).
#include "campaign/crash_images.h"

#include <nlohmann/json.hpp>
#include <system_error>

#include "campaign/files.h"
#include "campaign/json_fields.h"
#include "campaign/sha256.h"

namespace fl::campaign {

namespace fs = std::filesystem;

namespace {

std::string image_dir_name(uint64_t epoch, std::string_view kind) {
  return "epoch-" + std::to_string(epoch) + "-" + std::string(kind);
}

uint64_t image_bytes(const faultvfs::DiskImage& image) {
  uint64_t bytes = 0;
  for (const auto& [path, data] : image.files) bytes += data.size();
  return bytes;
}

// [img.3]
bool plain_relative(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string_view part = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

Status make_dirs(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return Status::io_error(path.string() + ": " + error.message(), error.value());
  return Status::success();
}

}  // namespace

std::string image_sha256(const faultvfs::DiskImage& image) {
  std::string canonical;
  for (const std::string& dir : image.dirs) {
    canonical += 'd';
    canonical += dir;
    canonical += '\0';
  }
  for (const auto& [path, data] : image.files) {
    canonical += 'f';
    canonical += path;
    canonical += '\0';
    canonical += std::to_string(data.size());
    canonical += '\0';
    canonical += faultvfs::as_chars(data);
  }
  return sha256_hex(canonical);
}

std::vector<CrashImageDigest> crash_image_digests(const workloads::SimResult& sim) {
  std::vector<CrashImageDigest> digests;
  for (const workloads::CrashImage& crash : sim.crash_images) {
    digests.push_back({crash.epoch, std::string(faultvfs::crash_kind_name(crash.kind)), image_bytes(crash.image),
                       image_sha256(crash.image)});
  }
  return digests;
}

std::string image_dir_name(const CrashImageDigest& digest) { return image_dir_name(digest.epoch, digest.kind); }

std::string describe(const CrashImageDigest& digest) {
  return image_dir_name(digest) + " (" + std::to_string(digest.bytes) + " B) sha256 " + digest.sha256;
}

Status write_crash_images(const fs::path& dir, const workloads::SimResult& sim) {
  const fs::path root = dir / "crash-images";
  std::error_code error;
  fs::remove_all(root, error);  // a rerun into the same directory leaves no stale image
  if (error) return Status::io_error(root.string() + ": " + error.message(), error.value());
  if (sim.crash_images.empty() && sim.crash_images_omitted == 0) return Status::success();
  FL_TRY(make_dirs(root));
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const workloads::CrashImage& crash : sim.crash_images) {
    const std::string kind(faultvfs::crash_kind_name(crash.kind));
    const std::string name = image_dir_name(crash.epoch, kind);
    const fs::path image_root = root / name;
    FL_TRY(make_dirs(image_root));
    nlohmann::ordered_json entry;
    entry["epoch"] = crash.epoch;
    entry["kind"] = kind;
    entry["dir"] = name;
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    nlohmann::ordered_json unsafe = nlohmann::ordered_json::array();
    for (const std::string& sub : crash.image.dirs) {
      if (!plain_relative(sub)) {
        unsafe.push_back(sub);
        continue;
      }
      FL_TRY(make_dirs(image_root / sub));
    }
    for (const auto& [path, data] : crash.image.files) {
      if (!plain_relative(path)) {
        unsafe.push_back(path);
        continue;
      }
      // A file's parent is in `dirs` when the Vfs has directories; make
      // sure anyway, the image came from an engine we may not know.
      FL_TRY(make_dirs((image_root / path).parent_path()));
      FL_TRY(write_file(image_root / path, faultvfs::as_chars(data)));
      files.push_back({{"path", path}, {"bytes", data.size()}, {"sha256", sha256_hex(faultvfs::as_chars(data))}});
    }
    entry["bytes"] = image_bytes(crash.image);
    entry["sha256"] = image_sha256(crash.image);
    entry["files"] = std::move(files);
    if (!unsafe.empty()) entry["unsafe_paths"] = std::move(unsafe);
    images.push_back(std::move(entry));
  }
  nlohmann::ordered_json index;
  index["bytes_max"] = kCrashImageBytesMax;
  index["omitted"] = sim.crash_images_omitted;
  index["images"] = std::move(images);
  return write_file(root / "index.json", index.dump(2) + "\n");
}

namespace {

// crash-images/index.json, parsed; std::nullopt without crash-images/.
Result<std::optional<nlohmann::json>> read_index(const fs::path& dir, std::string* path) {
  const fs::path root = dir / "crash-images";
  std::error_code error;
  const fs::file_status status = fs::symlink_status(root, error);
  if (status.type() == fs::file_type::not_found) return std::optional<nlohmann::json>();
  if (error) return Status::invalid_argument(root.string(), "cannot read it: " + error.message());
  if (!fs::is_directory(status)) return Status::invalid_argument(root.string(), "not a directory");
  *path = (root / "index.json").string();
  FL_ASSIGN_OR_RETURN(std::string text, json_fields::read_file(*path));
  FL_ASSIGN_OR_RETURN(nlohmann::json j, json_fields::parse(text, *path));
  const json_fields::Object object(j, *path);
  FL_TRY(object.is_object());
  FL_ASSIGN_OR_RETURN(const nlohmann::json* images, object.field("images"));
  if (!images->is_array()) return object.bad("images", "expected an array");
  return std::optional<nlohmann::json>(std::move(j));
}

}  // namespace

Result<std::optional<std::vector<CrashImageDigest>>> read_crash_image_digests(const fs::path& dir) {
  std::string path;
  FL_ASSIGN_OR_RETURN(std::optional<nlohmann::json> index, read_index(dir, &path));
  if (!index) return std::optional<std::vector<CrashImageDigest>>();
  const nlohmann::json& images = (*index)["images"];
  std::vector<CrashImageDigest> digests;
  for (size_t i = 0; i < images.size(); ++i) {
    const json_fields::Object image(images[i], path + ": images[" + std::to_string(i) + "]");
    FL_TRY(image.is_object());
    CrashImageDigest digest;
    FL_ASSIGN_OR_RETURN(digest.epoch, image.u64("epoch"));
    FL_ASSIGN_OR_RETURN(digest.kind, image.string("kind"));
    FL_ASSIGN_OR_RETURN(digest.bytes, image.u64("bytes"));
    FL_ASSIGN_OR_RETURN(digest.sha256, image.string("sha256"));
    digests.push_back(std::move(digest));
  }
  return std::optional<std::vector<CrashImageDigest>>(std::move(digests));
}

Result<std::vector<std::string>> check_crash_image_files(const fs::path& dir) {
  std::string path;
  FL_ASSIGN_OR_RETURN(std::optional<nlohmann::json> index, read_index(dir, &path));
  std::vector<std::string> problems;
  if (!index) return problems;
  const nlohmann::json& images = (*index)["images"];
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string where = path + ": images[" + std::to_string(i) + "]";
    const json_fields::Object image(images[i], where);
    FL_TRY(image.is_object());
    FL_ASSIGN_OR_RETURN(std::string name, image.string("dir"));
    FL_ASSIGN_OR_RETURN(const nlohmann::json* files, image.field("files"));
    if (!plain_relative(name)) return image.bad("dir", "not a plain relative path");
    if (!files->is_array()) return image.bad("files", "expected an array");
    for (size_t f = 0; f < files->size(); ++f) {
      const json_fields::Object file((*files)[f], where + ": files[" + std::to_string(f) + "]");
      FL_TRY(file.is_object());
      FL_ASSIGN_OR_RETURN(std::string relative, file.string("path"));
      FL_ASSIGN_OR_RETURN(std::string sha256, file.string("sha256"));
      if (!plain_relative(relative)) return file.bad("path", "not a plain relative path");
      const std::string shown = "crash-images/" + name + "/" + relative;
      Result<std::string> bytes = json_fields::read_file((dir / "crash-images" / name / relative).string());
      if (!bytes.ok()) {
        problems.push_back(shown + ": " + std::string(bytes.status().message()));
      } else if (sha256_hex(*bytes) != sha256) {
        problems.push_back(shown + ": its bytes do not match index.json's sha256");
      }
    }
  }
  return problems;
}

}  // namespace fl::campaign
