// FaultVfs: crashes, crash spaces and the persistence of namespace operations.
#include <algorithm>
#include <cerrno>

#include "faultvfs/fault_vfs.h"
#include "faultvfs/internal/fault_inode.h"

namespace fl::faultvfs {

using internal::NameOp;

Status FaultVfs::apply_name_op_locked(const NameOp& op) {
  switch (op.kind) {
    case NameOp::Kind::kCreate: {
      Inode& inode = *inodes_.at(op.inode);  // Invariant: pending operations keep their inode
      FL_ASSERT(!inode.backend);
      FL_TRY(flush_all_locked(inode));  // the shadow now holds the durable bytes
      FL_ASSIGN_OR_RETURN(std::unique_ptr<File> file, backend_.open(op.path, OpenMode::kCreateNew));
      if (!inode.shadow.empty()) {
        FL_ASSIGN_OR_RETURN(size_t wrote, file->write(0, inode.shadow));
        if (wrote != inode.shadow.size()) return Status::io_error(op.path, EIO);
      }
      FL_ASSERT(inode.shadow.size() == inode.durable_size);
      inode.backend = std::move(file);
      inode.shadow = Bytes();
      inode.durable_path = op.path;
      return Status::success();
    }
    case NameOp::Kind::kRemove: {
      FL_TRY(backend_.remove(op.path));
      if (auto it = inodes_.find(op.inode); it != inodes_.end()) it->second->durable_path.reset();
      return Status::success();
    }
    case NameOp::Kind::kRename: {
      if (auto replaced = durable_.files.find(op.to); replaced != durable_.files.end()) {
        if (auto it = inodes_.find(replaced->second); it != inodes_.end()) it->second->durable_path.reset();
      }
      FL_TRY(backend_.rename(op.path, op.to));
      inodes_.at(op.inode)->durable_path = op.to;
      return Status::success();
    }
    case NameOp::Kind::kMkdir: return backend_.mkdir(op.path);
    case NameOp::Kind::kRmdir: return backend_.remove(op.path);
  }
  FL_ASSERT(false);
  return Status::success();
}

Status FaultVfs::persist_names_locked(const internal::Persisted& persisted) {
  FL_ASSERT(persisted.size() == pending_names_.size());
  std::vector<NameOp> remaining;
  for (size_t i = 0; i < pending_names_.size(); ++i) {
    if (!persisted[i]) {
      remaining.push_back(std::move(pending_names_[i]));
      continue;
    }
    FL_TRY(apply_name_op_locked(pending_names_[i]));
    internal::apply(durable_, pending_names_[i]);
  }
  pending_names_ = std::move(remaining);
  return Status::success();
}

void FaultVfs::collect_garbage_locked() {
  std::set<uint64_t> live;
  for (const auto& [path, id] : current_.files) live.insert(id);
  for (const auto& [path, id] : durable_.files) live.insert(id);
  for (const NameOp& op : pending_names_) live.insert(op.inode);
  for (auto it = inodes_.begin(); it != inodes_.end();) {
    if (it->second->handles == 0 && !live.count(it->first)) {
      it = inodes_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<CrashSpace> FaultVfs::crash_space() const {
  std::lock_guard lock(mu_);
  // Reading the backend does not change the model.
  return const_cast<FaultVfs*>(this)->crash_space_locked();
}

Result<CrashSpace> FaultVfs::crash_space_locked() {
  CrashSpace space;
  space.durable_ = durable_;
  space.names_ = pending_names_;
  space.order_ = plan_.meta_order;
  space.sector_size_bytes_ = plan_.sector_size_bytes;
  space.size_before_data_ = plan_.size_before_data;
  space.garbage_seed_ = Prng::stream(plan_.seed ^ epoch_, "garbage").next();
  std::set<uint64_t> named;
  for (const auto& [path, id] : durable_.files) named.insert(id);
  for (const NameOp& op : pending_names_) {
    if (op.inode != 0) named.insert(op.inode);
  }
  for (uint64_t id : named) {
    Inode& inode = *inodes_.at(id);
    CrashSpace::FileState file;
    FL_ASSIGN_OR_RETURN(file.durable, durable_content_locked(inode));
    file.ops = inode.pending;
    for (internal::DataOp& op : file.ops) {  // the copy owns every pending byte
      if (op.kind != internal::DataOp::Kind::kWrite) continue;
      Bytes bytes = op_bytes_locked(inode, op);
      op.arena_pos = file.arena.size();
      file.arena.insert(file.arena.end(), bytes.begin(), bytes.end());
    }
    space.files_.emplace(id, std::move(file));
  }
  return space;
}

Result<CrashSummary> FaultVfs::crash(CrashKind kind) {
  std::lock_guard lock(mu_);
  CrashSummary summary;
  summary.kind = kind;
  if (kind == CrashKind::kProcess) {
    // The kernel outlives the process: everything written reaches the disk in
    // time, clean-but-unwritten pages stay cached ([fvfs.3]).
    for (auto& [id, inode] : inodes_) {
      if (!inode->pending.empty()) ++summary.files_changed;
      FL_TRY(persist_data_locked(*inode));
    }
    FL_TRY(persist_names_locked(internal::Persisted(pending_names_.size(), true)));
    for (auto& [id, inode] : inodes_) FL_TRY(flush_all_locked(*inode));
  } else {
    // The backend holds exactly the durable state from here on.
    for (auto& [id, inode] : inodes_) FL_TRY(flush_all_locked(*inode));
    FL_ASSIGN_OR_RETURN(CrashSpace space, crash_space_locked());
    summary.states = space.count();
    // Choose one state with the crash-state stream ([fvfs.4]): names first,
    // then every dirty file in inode order.
    internal::Persisted persisted = internal::NameCrashModel(pending_names_, plan_.meta_order).sample(crash_prng_);
    std::map<uint64_t, Bytes> outcome;
    for (auto& [id, inode] : inodes_) {
      if (inode->pending.empty() || !space.files_.count(id)) continue;  // clean, or never named
      internal::FileCrashModel model = space.model(id);
      internal::FileChoice choice = model.sample(crash_prng_);
      outcome[id] = model.content(choice);
      // A rewrite that reached the disk remaps a latent error away.
      for (uint64_t sector : model.rewritten_sectors(choice)) inode->bad_sectors.erase(sector);
    }
    FL_TRY(persist_names_locked(persisted));
    pending_names_.clear();
    for (auto& [id, content] : outcome) {
      Inode& inode = *inodes_.at(id);
      inode.pending.clear();
      inode.pending_pages.clear();
      if (!inode.durable_path) continue;  // its name did not survive: the data is unreachable
      FL_ASSERT(inode.backend);
      FL_TRY(backend_write_locked(inode, 0, content));
      FL_TRY(backend_truncate_locked(inode, content.size()));
      inode.durable_size = content.size();
      ++summary.files_changed;
    }
    for (auto& [id, inode] : inodes_) {
      inode->pending.clear();
      inode->pending_pages.clear();
      inode->unwritten.clear();  // the page cache is gone
      FL_ASSERT(inode->durable_pages.empty());  // flushed above
      inode->cache.clear();
      inode->cache_loaded = false;
      inode->wb_err_seq = 0;
      inode->wb_err = 0;
      inode->wb_err_seen = true;
    }
  }
  for (auto& [id, inode] : inodes_) inode->handles = 0;  // every handle died with the process
  current_ = durable_;
  pending_names_.clear();
  locks_.clear();
  crash_requested_.reset();
  ++epoch_;
  collect_garbage_locked();
  for (auto& [id, inode] : inodes_) {
    FL_ASSERT(inode->durable_path.has_value());  // Invariant: after a crash only named files remain
  }
  OpContext ctx{OpKind::kSync, ""};
  std::string detail = std::string(crash_kind_name(kind));
  if (kind == CrashKind::kPower) {
    detail += ": " + std::to_string(summary.states.states) + (summary.states.exact ? "" : "+") + " states, " +
              std::to_string(summary.files_changed) + " files written";
  }
  log_locked(ctx, "crash", detail, -1);
  log_.back().op = "crash";
  return summary;
}

}  // namespace fl::faultvfs
