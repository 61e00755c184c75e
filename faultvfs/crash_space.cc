#include "faultvfs/crash_space.h"

#include <limits>
#include <set>

namespace fl::faultvfs {
namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}
uint64_t saturating_add(uint64_t a, uint64_t b) { return a > kSaturated - b ? kSaturated : a + b; }

// The key under which two namespace outcomes might give equal images.
std::pair<std::vector<std::string>, std::set<std::string>> shape(const internal::Namespace& names) {
  std::vector<std::string> paths;
  for (const auto& [path, inode] : names.files) paths.push_back(path);
  return {paths, names.dirs};
}

}  // namespace

internal::FileCrashModel CrashSpace::model(uint64_t inode) const {
  auto it = files_.find(inode);
  FL_ASSERT(it != files_.end());
  const FileState& file = it->second;
  return internal::FileCrashModel(file.durable, file.ops, file.arena, sector_size_bytes_, size_before_data_,
                                  garbage_seed_ ^ inode);
}

std::vector<CrashSpace::Outcome> CrashSpace::outcomes() const {
  internal::NameCrashModel names(names_, order_);
  std::vector<Outcome> out;
  if (names.choice_count() > kNameChoicesEnumeratedMax) return out;
  std::map<uint64_t, uint64_t> file_counts;
  for (const internal::Persisted& persisted : names.enumerate()) {
    Outcome outcome{durable_, 1};
    for (size_t i = 0; i < names_.size(); ++i) {
      if (persisted[i]) internal::apply(outcome.names, names_[i]);
    }
    for (const auto& [path, inode] : outcome.names.files) {
      auto [it, inserted] = file_counts.emplace(inode, 0);
      if (inserted) it->second = model(inode).distinct_count();
      outcome.states = saturating_mul(outcome.states, it->second);
    }
    out.push_back(std::move(outcome));
  }
  return out;
}

CrashCount CrashSpace::count() const {
  std::vector<Outcome> all = outcomes();
  if (all.empty()) {  // too many namespace choices: bound by choices x every file's count
    uint64_t bound = internal::NameCrashModel(names_, order_).choice_count();
    for (const auto& [inode, file] : files_) bound = saturating_mul(bound, model(inode).distinct_count());
    return CrashCount{bound, false};
  }
  uint64_t total = 0;
  std::set<std::pair<std::vector<std::string>, std::set<std::string>>> shapes;
  bool shapes_unique = true;
  for (const Outcome& outcome : all) {
    total = saturating_add(total, outcome.states);
    shapes_unique = shapes.insert(shape(outcome.names)).second && shapes_unique;
  }
  if (shapes_unique) return CrashCount{total, total != kSaturated};
  // Outcomes with the same names may overlap: count by enumerating, when small.
  constexpr uint64_t kCountByEnumerationMax = 1u << 14;
  if (total > kCountByEnumerationMax) return CrashCount{total, false};
  uint64_t visited = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    visit_outcome(all, i, [](const DiskImage&) { return true; }, visited);
  }
  return CrashCount{visited, true};
}

DiskImage CrashSpace::image_of(const internal::Namespace& names,
                               const std::map<uint64_t, internal::FileChoice>& choice) const {
  DiskImage image;
  image.dirs = names.dirs;
  for (const auto& [path, inode] : names.files) {
    internal::FileCrashModel file = model(inode);
    auto it = choice.find(inode);
    image.files.emplace(path, it == choice.end() ? files_.at(inode).durable : file.content(it->second));
  }
  return image;
}

bool CrashSpace::visit_outcome(const std::vector<Outcome>& all, size_t index,
                               const std::function<bool(const DiskImage&)>& visit, uint64_t& visited) const {
  const Outcome& outcome = all[index];
  // Earlier outcomes whose images could coincide with this one's.
  std::vector<const Outcome*> twins;
  for (size_t i = 0; i < index; ++i) {
    if (shape(all[i].names) == shape(outcome.names)) twins.push_back(&all[i]);
  }
  std::vector<uint64_t> inodes;
  for (const auto& [path, inode] : outcome.names.files) inodes.push_back(inode);
  std::map<uint64_t, internal::FileChoice> choice;
  std::vector<internal::FileCrashModel> models;
  models.reserve(inodes.size());
  for (uint64_t inode : inodes) models.push_back(model(inode));

  std::function<bool(size_t)> recurse = [&](size_t depth) -> bool {
    if (depth == inodes.size()) {
      DiskImage image = image_of(outcome.names, choice);
      for (const Outcome* twin : twins) {
        bool covered = true;
        for (const auto& [path, inode] : twin->names.files) {
          if (!model(inode).possible(image.files.at(path))) {
            covered = false;
            break;
          }
        }
        if (covered) return true;  // an earlier outcome already produced it
      }
      ++visited;
      return visit(image);
    }
    return models[depth].for_each_distinct([&](const internal::FileChoice& file_choice) {
      choice[inodes[depth]] = file_choice;
      return recurse(depth + 1);
    });
  };
  return recurse(0);
}

CrashVisit CrashSpace::for_each(uint64_t limit, Prng& prng,
                                const std::function<bool(const DiskImage&)>& visit) const {
  CrashVisit result;
  result.count = count();
  if (result.count.states <= limit && result.count.exact) {
    std::vector<Outcome> all = outcomes();
    FL_ASSERT(!all.empty());  // count() would not be exact otherwise
    for (size_t i = 0; i < all.size(); ++i) {
      if (!visit_outcome(all, i, visit, result.visited)) return result;
    }
    result.exhaustive = true;
    return result;
  }
  internal::NameCrashModel names(names_, order_);
  for (uint64_t n = 0; n < limit; ++n) {
    internal::Persisted persisted = names.sample(prng);
    internal::Namespace outcome = durable_;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (persisted[i]) internal::apply(outcome, names_[i]);
    }
    std::map<uint64_t, internal::FileChoice> choice;
    for (const auto& [path, inode] : outcome.files) choice[inode] = model(inode).sample(prng);
    ++result.visited;
    if (!visit(image_of(outcome, choice))) break;
  }
  return result;
}

std::vector<DiskImage> CrashSpace::images(uint64_t limit, Prng& prng) const {
  std::vector<DiskImage> out;
  for_each(limit, prng, [&](const DiskImage& image) {
    out.push_back(image);
    return true;
  });
  return out;
}

std::optional<bool> CrashSpace::possible(const DiskImage& image) const {
  internal::NameCrashModel names(names_, order_);
  if (names.choice_count() > kNameChoicesEnumeratedMax) return std::nullopt;
  for (const internal::Persisted& persisted : names.enumerate()) {
    internal::Namespace outcome = durable_;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (persisted[i]) internal::apply(outcome, names_[i]);
    }
    if (outcome.dirs != image.dirs || outcome.files.size() != image.files.size()) continue;
    bool all = true;
    for (const auto& [path, inode] : outcome.files) {
      auto it = image.files.find(path);
      if (it == image.files.end() || !model(inode).possible(it->second)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

}  // namespace fl::faultvfs
