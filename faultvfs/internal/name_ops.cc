#include "faultvfs/internal/name_ops.h"

#include <algorithm>
#include <limits>

#include "faultvfs/vfs.h"

namespace fl::faultvfs::internal {

std::vector<std::string> op_dirs(const NameOp& op) {
  std::vector<std::string> dirs{std::string(parent_dir(op.path))};
  if (op.kind == NameOp::Kind::kRename && parent_dir(op.to) != parent_dir(op.path)) {
    dirs.emplace_back(parent_dir(op.to));
  }
  // A directory's creation is the first operation of the directory itself and
  // its removal the last, so nothing inside persists before the directory
  // exists, and the directory is not removed before what it held.
  if (op.kind == NameOp::Kind::kMkdir || op.kind == NameOp::Kind::kRmdir) dirs.push_back(op.path);
  return dirs;
}

void apply(Namespace& names, const NameOp& op) {
  switch (op.kind) {
    case NameOp::Kind::kCreate: names.files[op.path] = op.inode; break;
    case NameOp::Kind::kRemove: names.files.erase(op.path); break;
    case NameOp::Kind::kRename:
      names.files.erase(op.path);
      names.files[op.to] = op.inode;
      break;
    case NameOp::Kind::kMkdir: names.dirs.insert(op.path); break;
    case NameOp::Kind::kRmdir: names.dirs.erase(op.path); break;
  }
}

Persisted persisted_by_sync_dir(const std::vector<NameOp>& ops, const std::string& dir, MetaOrder order) {
  Persisted out(ops.size(), false);
  if (order == MetaOrder::kGlobal) {
    // A journaling file system commits everything up to the last operation of dir.
    size_t last = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      for (const auto& d : op_dirs(ops[i])) {
        if (d == dir) last = i + 1;
      }
    }
    std::fill(out.begin(), out.begin() + static_cast<ptrdiff_t>(last), true);
    return out;
  }
  // Per directory: persist dir's ops, then (fixpoint) everything before a
  // persisted op in any directory it touches.
  std::map<std::string, size_t> persist_before;  // dir -> ops with index < this persist
  persist_before[dir] = ops.size();
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < ops.size(); ++i) {
      std::vector<std::string> dirs = op_dirs(ops[i]);
      bool in = std::any_of(dirs.begin(), dirs.end(), [&](const std::string& d) {
        auto it = persist_before.find(d);
        return it != persist_before.end() && i < it->second;
      });
      if (!in || out[i]) continue;
      out[i] = true;
      changed = true;
      for (const auto& d : dirs) {
        size_t& bound = persist_before[d];
        bound = std::max(bound, i);
      }
    }
  }
  return out;
}

NameCrashModel::NameCrashModel(const std::vector<NameOp>& ops, MetaOrder order) : ops_(ops), order_(order) {
  op_pos_.resize(ops.size());
  if (order_ == MetaOrder::kGlobal) {
    by_dir_.emplace_back();
    for (uint32_t i = 0; i < ops.size(); ++i) {
      op_pos_[i].emplace_back(0, i);
      by_dir_[0].push_back(i);
    }
    return;
  }
  std::map<std::string, uint32_t> dir_index;
  for (uint32_t i = 0; i < ops.size(); ++i) {
    for (const auto& dir : op_dirs(ops[i])) {
      auto [it, inserted] = dir_index.emplace(dir, static_cast<uint32_t>(by_dir_.size()));
      if (inserted) by_dir_.emplace_back();
      op_pos_[i].emplace_back(it->second, static_cast<uint32_t>(by_dir_[it->second].size()));
      by_dir_[it->second].push_back(i);
    }
  }
}

uint64_t NameCrashModel::choice_count() const {
  uint64_t product = 1;
  for (const auto& ops : by_dir_) {
    uint64_t options = ops.size() + 1;
    if (product > std::numeric_limits<uint64_t>::max() / options) return std::numeric_limits<uint64_t>::max();
    product *= options;
  }
  return product;
}

Persisted NameCrashModel::normalize(std::vector<uint32_t> prefix) const {
  // [names.1]: an op persists only if inside the prefix of each of its
  // directories; cutting a prefix there keeps [names.2]. Prefixes only
  // shrink, so this ends.
  Persisted out(ops_.size(), false);
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < ops_.size(); ++i) {
      bool in = std::all_of(op_pos_[i].begin(), op_pos_[i].end(),
                            [&](auto pos) { return pos.second < prefix[pos.first]; });
      if (in) continue;
      for (auto [dir, position] : op_pos_[i]) {
        if (prefix[dir] > position) {
          prefix[dir] = position;
          changed = true;
        }
      }
    }
  }
  for (size_t i = 0; i < ops_.size(); ++i) {
    out[i] = std::all_of(op_pos_[i].begin(), op_pos_[i].end(),
                         [&](auto pos) { return pos.second < prefix[pos.first]; });
  }
  return out;
}

std::vector<Persisted> NameCrashModel::enumerate() const {
  std::set<Persisted> seen;
  std::vector<Persisted> out;
  std::vector<uint32_t> prefix(by_dir_.size(), 0);
  while (true) {
    Persisted persisted = normalize(prefix);
    if (seen.insert(persisted).second) out.push_back(std::move(persisted));
    size_t i = 0;
    while (i < prefix.size() && ++prefix[i] > by_dir_[i].size()) prefix[i++] = 0;
    if (i == prefix.size()) break;
  }
  return out;
}

Persisted NameCrashModel::sample(Prng& prng) const {
  std::vector<uint32_t> prefix(by_dir_.size());
  for (size_t i = 0; i < prefix.size(); ++i) prefix[i] = static_cast<uint32_t>(prng.uniform(by_dir_[i].size() + 1));
  return normalize(std::move(prefix));
}

}  // namespace fl::faultvfs::internal
