// FaultVfs: construction, fault rules, the namespace, the fault log.
// File operations are in fault_file.cc, crashes in fault_crash.cc.
#include "faultvfs/fault_vfs.h"

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>

#include "faultvfs/internal/fault_inode.h"
#include "faultvfs/phase.h"

namespace fl::faultvfs {
namespace {
// The path of a map entry or of a set element.
template <class Entry>
std::string_view entry_path(const Entry& entry) {
  if constexpr (requires { entry.first; }) {
    return entry.first;
  } else {
    return entry;
  }
}
}  // namespace

std::string to_jsonl(const FaultEvent& event) {
  nlohmann::ordered_json json;
  json["op_index"] = event.op_index;
  json["epoch"] = event.epoch;
  json["op"] = event.op;
  json["path"] = event.path;
  json["offset"] = event.offset;
  json["length"] = event.length;
  json["phase"] = event.phase;
  json["action"] = event.action;
  json["detail"] = event.detail;
  json["rule"] = event.rule;
  return json.dump();
}

FaultVfs::FaultVfs(Vfs& backend, FaultPlan plan)
    : backend_(backend),
      plan_(std::move(plan)),
      faults_prng_(Prng::stream(plan_.seed, "faults")),
      crash_prng_(Prng::stream(plan_.seed, "crash-state")),
      rule_matches_(plan_.rules.size(), 0),
      rule_fires_(plan_.rules.size(), 0) {}

FaultVfs::~FaultVfs() {
  // Leave the backend holding the durable state (deferred write-back).
  std::lock_guard lock(mu_);
  for (auto& [id, inode] : inodes_) {
    if (inode->durable_path) static_cast<void>(flush_all_locked(*inode));
  }
}

Result<std::unique_ptr<FaultVfs>> FaultVfs::create(Vfs& backend, FaultPlan plan) {
  FL_TRY(validate_fault_plan(plan));
  std::unique_ptr<FaultVfs> vfs(new FaultVfs(backend, std::move(plan)));
  std::lock_guard lock(vfs->mu_);
  FL_TRY(vfs->scan_backend("", 0));
  vfs->current_ = vfs->durable_;
  return vfs;
}

Status FaultVfs::scan_backend(const std::string& dir, int depth) {
  constexpr int kDirDepthMax = 64;
  if (depth > kDirDepthMax) return Status::invalid_argument(dir, "directory tree too deep");
  FL_ASSIGN_OR_RETURN(std::vector<std::string> names, backend_.list(dir));
  for (const auto& name : names) {
    std::string path = join_path(dir, name);
    if (backend_.list(path).ok()) {
      durable_.dirs.insert(path);
      FL_TRY(scan_backend(path, depth + 1));
      continue;
    }
    Inode& inode = new_inode_locked();
    FL_ASSIGN_OR_RETURN(inode.backend, backend_.open(path, OpenMode::kMustExist));
    FL_ASSIGN_OR_RETURN(inode.durable_size, inode.backend->size());
    inode.backend_size = inode.durable_size;
    inode.durable_path = path;
    durable_.files[path] = inode.id;
  }
  return Status::success();
}

FaultVfs::Inode& FaultVfs::new_inode_locked() {
  auto inode = std::make_unique<Inode>();
  inode->id = next_inode_++;
  Inode& ref = *inode;
  inodes_.emplace(ref.id, std::move(inode));
  return ref;
}

FaultVfs::Inode* FaultVfs::inode_at_locked(std::string_view path) {
  auto it = current_.files.find(std::string(path));
  if (it == current_.files.end()) return nullptr;
  return inodes_.at(it->second).get();
}

bool FaultVfs::dir_exists_locked(std::string_view dir) const {
  return dir.empty() || current_.dirs.count(std::string(dir)) > 0;
}

Status FaultVfs::check_parent_locked(std::string_view path) const {
  std::string_view parent = parent_dir(path);
  if (dir_exists_locked(parent)) return Status::success();
  if (current_.files.count(std::string(parent))) return Status::io_error(path, ENOTDIR);
  return Status::not_found(path, "parent directory does not exist");
}

uint64_t FaultVfs::used_bytes_locked() const {
  uint64_t total = 0;
  for (const auto& [id, inode] : inodes_) {
    total += inode->cache_loaded ? inode->cache.size() : inode->durable_size;
  }
  return total;
}

// ---- rules -------------------------------------------------------------

bool FaultVfs::applicable_locked(const Action& action, const OpContext& ctx) const {
  switch (action.kind) {
    case ActionKind::kFail:
      // close(2) releases the descriptor even when it reports an error, and
      // these calls do no I/O a device could fail.
      if (ctx.op == OpKind::kClose || ctx.op == OpKind::kSize || ctx.op == OpKind::kExists ||
          ctx.op == OpKind::kLock || ctx.op == OpKind::kUnlock) {
        return false;
      }
      // A read fails only where it reaches the disk, not where the page cache serves it.
      if (ctx.op == OpKind::kRead) {
        return ctx.inode && first_disk_byte_locked(*ctx.inode, ctx.offset, ctx.offset + ctx.length).has_value();
      }
      return true;
    case ActionKind::kShortWrite: return ctx.op == OpKind::kWrite && ctx.length >= 2;
    case ActionKind::kCorrupt: return ctx.inode && ctx.inode->durable_size > 0;
    case ActionKind::kMisdirect: {
      if (ctx.op != OpKind::kWrite || !ctx.inode || ctx.length == 0) return false;
      const uint64_t sector = plan_.sector_size_bytes;
      const uint64_t size = std::max<uint64_t>(ctx.inode->cache.size(), ctx.offset + ctx.length);
      // Room for the bytes at another sector-aligned shift inside the file.
      return size >= ctx.length + sector + ctx.offset % sector;
    }
    case ActionKind::kCrash: return true;
    case ActionKind::kWritebackError: return ctx.inode && !ctx.inode->pending.empty();
    case ActionKind::kCount: break;
  }
  return false;
}

bool FaultVfs::rule_selects_locked(size_t index, const OpContext& ctx) {
  const Rule& rule = plan_.rules[index];
  const Selector& when = rule.when;
  if (rule.times_max && rule_fires_[index] >= *rule.times_max) return false;
  if (when.op && *when.op != ctx.op) return false;
  if (when.path && !glob_match(*when.path, ctx.path)) return false;
  if (when.phase && !phase_active(*when.phase)) return false;
  if (when.after_op && op_index_ - 1 < *when.after_op) return false;
  // nth counts the operations the selector names; an action that cannot
  // apply to the nth one (a short write of one byte) does not fire.
  if (when.nth && ++rule_matches_[index] != *when.nth) return false;
  if (!applicable_locked(rule.action, ctx)) return false;
  if (when.probability && !faults_prng_.chance(*when.probability)) return false;
  return true;
}

void FaultVfs::maybe_evict_locked() {
  if (plan_.evict_unwritten.never() || plan_.fsync != FsyncSemantics::kExt4) return;
  if (!faults_prng_.chance(plan_.evict_unwritten)) return;
  std::vector<Inode*> candidates;
  for (auto& [id, inode] : inodes_) {
    if (!inode->unwritten.empty()) candidates.push_back(inode.get());
  }
  if (candidates.empty()) return;
  Inode& inode = *candidates[faults_prng_.uniform(candidates.size())];
  Result<Bytes> content = durable_content_locked(inode);
  if (!content.ok()) return;  // the backend failed: keep the pages rather than invent bytes
  const Bytes& durable = *content;
  // Clean pages are dropped and re-read from the disk; dirty bytes (under a
  // pending write) stay. Past a pending truncate the disk's bytes are gone.
  std::map<uint64_t, uint64_t> dirty;
  uint64_t cut = inode.durable_size;
  for (const auto& op : inode.pending) {
    if (op.kind == internal::DataOp::Kind::kWrite) {
      internal::ranges_insert(dirty, op.cache_offset, op.cache_offset + op.length);
    } else {
      cut = std::min(cut, op.size_after);
    }
  }
  uint64_t evicted = 0;
  for (auto [start, end] : inode.unwritten) {
    for (uint64_t off = start; off < std::min<uint64_t>(end, inode.cache.size()); ++off) {
      auto next = dirty.upper_bound(off);
      if (next != dirty.begin() && std::prev(next)->second > off) continue;
      inode.cache.set(off, off < cut ? durable[off] : 0);
      ++evicted;
    }
  }
  inode.unwritten.clear();
  const std::string path = name_of_locked(inode);
  OpContext ctx{OpKind::kRead, path, &inode};
  log_locked(ctx, "evict", std::to_string(evicted) + " clean-but-unwritten bytes re-read from the disk", -1);
  log_.back().op = "cache";
}

std::string FaultVfs::name_of_locked(const Inode& inode) const {
  for (const auto& [path, id] : current_.files) {
    if (id == inode.id) return path;
  }
  return inode.durable_path.value_or("(unlinked)");
}

Result<std::optional<FaultVfs::Firing>> FaultVfs::begin_op_locked(const OpContext& ctx) {
  // [fvfs.8]; close() is exempt: handles close from destructors, which
  // must not throw, and closing releases rather than loops.
  if (op_limit_ && op_index_ >= *op_limit_ && ctx.op != OpKind::kClose) {
    throw OpLimitExceeded(op_index_, std::string(ctx.path));
  }
  ++op_index_;
  if (crash_requested_) return Status::io_error(ctx.path, EIO, /*injected=*/true);
  if (!injection_) return std::optional<Firing>();
  maybe_evict_locked();
  for (size_t i = 0; i < plan_.rules.size(); ++i) {
    if (!rule_selects_locked(i, ctx)) continue;
    ++rule_fires_[i];
    return std::optional<Firing>(Firing{static_cast<int>(i), plan_.rules[i].action});
  }
  return std::optional<Firing>();
}

Status FaultVfs::fire_locked(const Firing& firing, const OpContext& ctx) {
  const Action& action = firing.action;
  switch (action.kind) {
    case ActionKind::kFail:
      log_locked(ctx, "fail", Status::errno_name(action.err), firing.rule);
      return Status::io_error(ctx.path, action.err, /*injected=*/true);
    case ActionKind::kCrash:
      crash_requested_ = action.crash;
      log_locked(ctx, "crash", std::string(crash_kind_name(action.crash)) + " requested", firing.rule);
      return Status::io_error(ctx.path, EIO, /*injected=*/true);
    case ActionKind::kCorrupt:
      corrupt_locked(*ctx.inode, action.bits, ctx, firing.rule);
      return Status::success();
    case ActionKind::kWritebackError:
      writeback_failed_locked(*ctx.inode, action.err, ctx);
      log_locked(ctx, "writeback-error", Status::errno_name(action.err), firing.rule);
      return Status::success();
    case ActionKind::kShortWrite:
    case ActionKind::kMisdirect:
      return Status::success();  // the write itself carries these out
    case ActionKind::kCount: break;
  }
  FL_ASSERT(false);
  return Status::success();
}

void FaultVfs::log_locked(const OpContext& ctx, std::string action, std::string detail, int rule) {
  FaultEvent event;
  event.op_index = op_index_ == 0 ? 0 : op_index_ - 1;
  event.epoch = epoch_;
  event.op = op_kind_name(ctx.op);
  event.path = std::string(ctx.path);
  event.offset = ctx.offset;
  event.length = ctx.length;
  std::optional<Phase> phase = current_phase();
  event.phase = phase ? std::string(phase_name(*phase)) : "";
  event.action = std::move(action);
  event.detail = std::move(detail);
  event.rule = rule;
  log_.push_back(std::move(event));
}

// ---- the namespace -----------------------------------------------------

Result<std::unique_ptr<File>> FaultVfs::open(std::string_view path, OpenMode mode) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  Inode* inode = inode_at_locked(path);
  OpContext ctx{OpKind::kOpen, path, inode};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  if (current_.dirs.count(std::string(path))) return Status::io_error(path, EISDIR);
  if (inode == nullptr) {
    if (mode == OpenMode::kMustExist) return Status::not_found(path, "no such file");
    FL_TRY(check_parent_locked(path));
    inode = &new_inode_locked();
    inode->cache_loaded = true;
    current_.files[std::string(path)] = inode->id;
    pending_names_.push_back(internal::NameOp{internal::NameOp::Kind::kCreate, std::string(path), "", inode->id});
  } else if (mode == OpenMode::kCreateNew) {
    return Status::io_error(path, EEXIST);
  }
  FL_TRY(load_cache_locked(*inode));
  return open_handle_locked(*inode, path);
}

Status FaultVfs::remove(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  Inode* inode = inode_at_locked(path);
  OpContext ctx{OpKind::kRemove, path, inode};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  if (inode != nullptr) {
    current_.files.erase(std::string(path));
    pending_names_.push_back(internal::NameOp{internal::NameOp::Kind::kRemove, std::string(path), "", inode->id});
    return Status::success();
  }
  if (!current_.dirs.count(std::string(path))) return Status::not_found(path, "no such file or directory");
  std::string prefix = std::string(path) + "/";
  auto has_child = [&](const auto& names) {
    for (const auto& entry : names) {
      std::string_view name = entry_path(entry);
      if (name.substr(0, prefix.size()) == prefix) return true;
    }
    return false;
  };
  if (has_child(current_.files) || has_child(current_.dirs)) return Status::io_error(path, ENOTEMPTY);
  current_.dirs.erase(std::string(path));
  pending_names_.push_back(internal::NameOp{internal::NameOp::Kind::kRmdir, std::string(path), "", 0});
  return Status::success();
}

Status FaultVfs::rename(std::string_view from, std::string_view to) {
  FL_TRY(check_path(from));
  FL_TRY(check_path(to));
  std::lock_guard lock(mu_);
  Inode* inode = inode_at_locked(from);
  OpContext ctx{OpKind::kRename, from, inode};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  if (inode == nullptr) {
    if (current_.dirs.count(std::string(from))) return Status::not_supported(from, "renaming directories");
    return Status::not_found(from, "no such file");
  }
  FL_TRY(check_parent_locked(to));
  if (current_.dirs.count(std::string(to))) return Status::io_error(to, EISDIR);
  if (from == to) return Status::success();
  current_.files.erase(std::string(from));
  current_.files[std::string(to)] = inode->id;
  pending_names_.push_back(
      internal::NameOp{internal::NameOp::Kind::kRename, std::string(from), std::string(to), inode->id});
  return Status::success();
}

Status FaultVfs::sync_dir(std::string_view dir) {
  FL_TRY(check_path(dir, /*allow_root=*/true));
  std::lock_guard lock(mu_);
  OpContext ctx{OpKind::kSyncDir, dir};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  if (!dir_exists_locked(dir)) return Status::not_found(dir, "no such directory");
  FL_TRY(persist_names_locked(internal::persisted_by_sync_dir(pending_names_, std::string(dir), plan_.meta_order)));
  collect_garbage_locked();
  return Status::success();
}

Result<std::vector<std::string>> FaultVfs::list(std::string_view dir) {
  FL_TRY(check_path(dir, /*allow_root=*/true));
  std::lock_guard lock(mu_);
  OpContext ctx{OpKind::kList, dir};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  if (!dir_exists_locked(dir)) {
    if (current_.files.count(std::string(dir))) return Status::io_error(dir, ENOTDIR);
    return Status::not_found(dir, "no such directory");
  }
  std::vector<std::string> names;
  for (const auto& [path, inode] : current_.files) {
    if (parent_dir(path) == dir) names.emplace_back(base_name(path));
  }
  for (const auto& path : current_.dirs) {
    if (parent_dir(path) == dir) names.emplace_back(base_name(path));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> FaultVfs::exists(std::string_view path) {
  FL_TRY(check_path(path, /*allow_root=*/true));
  std::lock_guard lock(mu_);
  OpContext ctx{OpKind::kExists, path};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  return current_.files.count(std::string(path)) > 0 || dir_exists_locked(path);
}

Status FaultVfs::mkdir(std::string_view dir) {
  FL_TRY(check_path(dir));
  std::lock_guard lock(mu_);
  OpContext ctx{OpKind::kMkdir, dir};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  if (current_.files.count(std::string(dir)) || current_.dirs.count(std::string(dir))) {
    return Status::io_error(dir, EEXIST);
  }
  FL_TRY(check_parent_locked(dir));
  current_.dirs.insert(std::string(dir));
  pending_names_.push_back(internal::NameOp{internal::NameOp::Kind::kMkdir, std::string(dir), "", 0});
  return Status::success();
}

Status FaultVfs::lock(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  OpContext ctx{OpKind::kLock, path};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  if (!locks_.emplace(path).second) return Status::busy(path, "already locked");
  return Status::success();
}

Status FaultVfs::unlock(std::string_view path) {
  FL_TRY(check_path(path));
  std::lock_guard lock(mu_);
  OpContext ctx{OpKind::kUnlock, path};
  FL_ASSIGN_OR_RETURN(std::optional<Firing> firing, begin_op_locked(ctx));
  if (firing) FL_TRY(fire_locked(*firing, ctx));
  auto held = locks_.find(path);
  if (held == locks_.end()) return Status::invalid_argument(path, "not locked");
  locks_.erase(held);
  return Status::success();
}

// ---- accessors ---------------------------------------------------------

std::optional<CrashKind> FaultVfs::crash_requested() const {
  std::lock_guard lock(mu_);
  return crash_requested_;
}

Status FaultVfs::flush_backend() {
  std::lock_guard lock(mu_);
  for (auto& [id, inode] : inodes_) {
    if (inode->durable_path) FL_TRY(flush_all_locked(*inode));
  }
  return Status::success();
}

void FaultVfs::set_injection(bool enabled) {
  std::lock_guard lock(mu_);
  injection_ = enabled;
}

void FaultVfs::set_op_limit(std::optional<uint64_t> op_index) {
  std::lock_guard lock(mu_);
  op_limit_ = op_index;
}

uint64_t FaultVfs::op_count() const {
  std::lock_guard lock(mu_);
  return op_index_;
}

uint64_t FaultVfs::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

std::vector<FaultEvent> FaultVfs::fault_log() const {
  std::lock_guard lock(mu_);
  return log_;
}

std::string FaultVfs::fault_log_jsonl() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const FaultEvent& event : log_) out += to_jsonl(event) + "\n";
  return out;
}

uint64_t FaultVfs::pending_bytes() const {
  std::lock_guard lock(mu_);
  uint64_t total = 0;
  for (const auto& [id, inode] : inodes_) {
    for (const auto& op : inode->pending) total += op.length;
  }
  return total;
}

}  // namespace fl::faultvfs
