// tests/faultvfs/crash_oracle.h: an independent, brute-force statement of what
// a power loss may leave, for checking FaultVfs and CrashSpace against.
//
// Method: the test drives a FaultVfs through a Scenario (durable setup, then
// pending writes, truncates, syncs and namespace operations, with no
// directory sync after setup) and records, on its own side, each file's
// durable bytes and pending operations, and the pending namespace operations.
// The oracle then enumerates every raw choice the contract allows:
//   - per directory, any subset of the pending namespace operations whose
//     members in that directory form a prefix of its operations;
//   - per file, its durable size or a size after any pending operation;
//   - per sector, the durable bytes with the first k pending operations that
//     touch the sector replayed on the whole file (k = 0..all).
// It shares no code with faultvfs/internal: the replay is whole-file and the
// namespace rule is checked on subsets, not built by a fixpoint.
#pragma once

#include <rapidcheck.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"

namespace fl::faultvfs::oracle {

constexpr uint64_t kSector = 512;
inline const std::vector<std::string> kNames = {"a", "b", "c", "d/a", "d/b"};

struct Step {
  enum class Kind : uint8_t { kWrite, kTruncate, kCreate, kRename, kRemove, kSync };
  Kind kind = Kind::kWrite;
  int name = 0;
  int target = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

inline std::ostream& operator<<(std::ostream& os, const Step& s) {
  static const char* kinds[] = {"write", "truncate", "create", "rename", "remove", "sync"};
  os << kinds[static_cast<int>(s.kind)] << ' ' << kNames[s.name];
  if (s.kind == Step::Kind::kRename) os << " -> " << kNames[s.target];
  if (s.kind == Step::Kind::kWrite) os << " @" << s.offset << " +" << s.length;
  if (s.kind == Step::Kind::kTruncate) os << " to " << s.offset;
  return os;
}
inline void showValue(const Step& s, std::ostream& os) { os << s; }

struct Scenario {
  std::vector<std::pair<int, uint64_t>> initial;  // name index, durable size (filled with 'A'+index)
  std::vector<Step> steps;
};
inline void showValue(const Scenario& s, std::ostream& os) {
  os << "initial:";
  for (auto [name, size] : s.initial) os << ' ' << kNames[name] << '(' << size << ')';
  os << "\nsteps:\n";
  for (const Step& step : s.steps) os << "  " << step << '\n';
}

inline rc::Gen<Step> gen_step() {
  using K = Step::Kind;
  auto name = rc::gen::inRange(0, static_cast<int>(kNames.size()));
  return rc::gen::apply(
      [](K kind, int n, int t, uint64_t offset, uint64_t length) {
        return Step{kind, n, t, offset, length};
      },
      rc::gen::weightedElement<K>({{8, K::kWrite}, {1, K::kTruncate}, {3, K::kCreate}, {2, K::kRename},
                                   {1, K::kRemove}, {1, K::kSync}}),
      name, name, rc::gen::inRange<uint64_t>(0, 1100), rc::gen::inRange<uint64_t>(1, 700));
}

inline rc::Gen<Scenario> gen_scenario(int steps_max) {
  return rc::gen::apply(
      [](std::vector<std::pair<int, uint64_t>> initial, std::vector<Step> steps) {
        std::map<int, uint64_t> unique(initial.begin(), initial.end());
        return Scenario{{unique.begin(), unique.end()}, std::move(steps)};
      },
      rc::gen::mapcat(rc::gen::inRange<size_t>(1, 4),
                      [](size_t count) {
                        return rc::gen::container<std::vector<std::pair<int, uint64_t>>>(
                            count, rc::gen::pair(rc::gen::inRange(0, static_cast<int>(kNames.size())),
                                                 rc::gen::inRange<uint64_t>(0, 1300)));
                      }),
      rc::gen::mapcat(rc::gen::inRange(1, steps_max + 1), [](int count) {
        return rc::gen::container<std::vector<Step>>(static_cast<size_t>(count), gen_step());
      }));
}

// The test's own record of one file.
struct FileRecord {
  std::string durable;
  std::vector<Step> ops;          // kWrite / kTruncate, offsets are bytes
  std::vector<std::string> data;  // the bytes of each write (parallel to ops)
};

struct NameRecord {
  Step::Kind kind;
  std::string path, to;
  int id = 0;
};

using Image = std::map<std::string, std::string>;

// Replays the first `count` ops in `chosen` (indices into file.ops) on the whole file.
inline std::string replay(const FileRecord& file, const std::vector<size_t>& chosen, size_t count, uint64_t length) {
  std::string bytes(length, '\0');
  std::copy_n(file.durable.begin(), std::min<uint64_t>(file.durable.size(), length), bytes.begin());
  for (size_t i = 0; i < count; ++i) {
    const Step& op = file.ops[chosen[i]];
    if (op.kind == Step::Kind::kWrite) {
      for (uint64_t j = 0; j < op.length && op.offset + j < length; ++j) bytes[op.offset + j] = file.data[chosen[i]][j];
    } else {
      for (uint64_t j = op.offset; j < length; ++j) bytes[j] = '\0';
    }
  }
  return bytes;
}

// Every content the file may have after a power loss (no size-before-data).
inline std::set<std::string> file_images(const FileRecord& file) {
  std::set<uint64_t> sizes{file.durable.size()};
  uint64_t size = file.durable.size(), extent = size;
  for (const Step& op : file.ops) {
    size = op.kind == Step::Kind::kWrite ? std::max(size, op.offset + op.length) : op.offset;
    extent = std::max(extent, size);
    sizes.insert(size);
  }
  const uint64_t sectors = (extent + kSector - 1) / kSector;
  // Per sector, the distinct contents of the whole sector.
  std::vector<std::vector<std::string>> options(sectors);
  for (uint64_t s = 0; s < sectors; ++s) {
    std::vector<size_t> touching;
    for (size_t i = 0; i < file.ops.size(); ++i) {
      const Step& op = file.ops[i];
      bool touches = op.kind == Step::Kind::kWrite ? op.offset < (s + 1) * kSector && op.offset + op.length > s * kSector
                                                    : op.offset < (s + 1) * kSector;
      if (touches) touching.push_back(i);
    }
    std::set<std::string> seen;
    for (size_t k = 0; k <= touching.size(); ++k) {
      seen.insert(replay(file, touching, k, (s + 1) * kSector).substr(s * kSector, kSector));
    }
    options[s].assign(seen.begin(), seen.end());
  }
  std::set<std::string> out;
  for (uint64_t length : sizes) {
    const uint64_t used = (length + kSector - 1) / kSector;
    std::vector<size_t> digit(used, 0);
    while (true) {
      std::string content;
      for (uint64_t s = 0; s < used; ++s) content += options[s][digit[s]];
      content.resize(length);
      out.insert(content);
      size_t i = 0;
      while (i < used && ++digit[i] == options[i].size()) digit[i++] = 0;
      if (i == used) break;
    }
  }
  return out;
}

inline std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// Every image: valid namespace subsets x every file's contents. Returns false
// (and no images) when there would be more than `limit`.
inline bool all_images(const std::map<std::string, int>& durable_names, const std::vector<NameRecord>& pending,
                       const std::map<int, FileRecord>& files, uint64_t limit, std::set<Image>& out) {
  std::map<int, std::set<std::string>> contents;
  for (const auto& [id, file] : files) contents[id] = file_images(file);
  const size_t n = pending.size();
  RC_ASSERT(n < 16u);
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    // Valid iff, per directory, the chosen ops are a prefix of its ops.
    std::map<std::string, bool> gap;  // directory -> an op of it was left out
    bool valid = true;
    for (size_t i = 0; i < n && valid; ++i) {
      std::set<std::string> dirs{parent_of(pending[i].path)};
      if (pending[i].kind == Step::Kind::kRename) dirs.insert(parent_of(pending[i].to));
      bool in = mask & (1u << i);
      for (const auto& dir : dirs) {
        if (in && gap[dir]) valid = false;
        if (!in) gap[dir] = true;
      }
    }
    if (!valid) continue;
    std::map<std::string, int> names = durable_names;
    for (size_t i = 0; i < n; ++i) {
      if (!(mask & (1u << i))) continue;
      const NameRecord& op = pending[i];
      if (op.kind == Step::Kind::kCreate) names[op.path] = op.id;
      if (op.kind == Step::Kind::kRemove) names.erase(op.path);
      if (op.kind == Step::Kind::kRename) {
        names.erase(op.path);
        names[op.to] = op.id;
      }
    }
    std::vector<std::pair<std::string, const std::set<std::string>*>> slots;
    uint64_t product = 1;
    for (const auto& [path, id] : names) {
      slots.emplace_back(path, &contents.at(id));
      product *= contents.at(id).size();
      if (product > limit) return false;
    }
    std::vector<std::set<std::string>::const_iterator> it;
    for (auto& slot : slots) it.push_back(slot.second->begin());
    while (true) {
      Image image;
      for (size_t i = 0; i < slots.size(); ++i) image[slots[i].first] = *it[i];
      out.insert(std::move(image));
      if (out.size() > limit) return false;
      size_t i = 0;
      while (i < slots.size() && ++it[i] == slots[i].second->end()) {
        it[i] = slots[i].second->begin();
        ++i;
      }
      if (i == slots.size()) break;
    }
  }
  return true;
}

}  // namespace fl::faultvfs::oracle
