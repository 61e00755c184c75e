// Properties 2, 3 and 5 of the faultvfs issue, against the brute-force oracle
// of crash_oracle.h and against obligations the test tracks itself.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "faultvfs/crash_space.h"
#include "tests/faultvfs/crash_oracle.h"

namespace fl::faultvfs::oracle {
namespace {

// Runs a Scenario on a FaultVfs, keeping the oracle's records beside it.
struct Run {
  explicit Run(const Scenario& scenario, FaultPlan plan = {}) {
    auto created = FaultVfs::create(backend, plan);
    RC_ASSERT(created.ok());
    vfs = std::move(*created);
    vfs->set_injection(false);
    RC_ASSERT(vfs->mkdir("d").ok());
    for (auto [name, size] : scenario.initial) {
      const std::string& path = kNames[name];
      std::string content(size, static_cast<char>('A' + name));
      RC_ASSERT(write_all(*vfs, path, as_bytes(content), true).ok());
      int id = next_id++;
      files[id].durable = content;
      current[path] = id;
    }
    RC_ASSERT(vfs->sync_dir("").ok());
    RC_ASSERT(vfs->sync_dir("d").ok());
    durable_names = current;
    vfs->set_injection(true);
    for (const Step& step : scenario.steps) apply(step);
  }

  File& handle(int id, const std::string& path) {
    auto& slot = handles[id];
    if (!slot) {
      auto opened = vfs->open(path, OpenMode::kMustExist);
      RC_ASSERT(opened.ok());
      slot = std::move(*opened);
    }
    return *slot;
  }

  void apply(const Step& step) {
    const std::string& path = kNames[step.name];
    auto it = current.find(path);
    const bool exists = it != current.end();
    switch (step.kind) {
      case Step::Kind::kWrite: {
        if (!exists) return;
        std::string data(step.length, static_cast<char>('a' + (fill++ % 26)));
        auto wrote = handle(it->second, path).write(step.offset, as_bytes(data));
        RC_ASSERT(wrote.ok());
        RC_ASSERT(*wrote == data.size());
        files[it->second].ops.push_back(step);
        files[it->second].data.push_back(data);
        return;
      }
      case Step::Kind::kTruncate: {
        if (!exists) return;
        RC_ASSERT(handle(it->second, path).truncate(step.offset).ok());
        files[it->second].ops.push_back(step);
        files[it->second].data.emplace_back();
        return;
      }
      case Step::Kind::kSync: {
        if (!exists) return;
        RC_ASSERT(handle(it->second, path).sync().ok());
        FileRecord& file = files[it->second];
        std::vector<size_t> all(file.ops.size());
        for (size_t i = 0; i < all.size(); ++i) all[i] = i;
        uint64_t size = file.durable.size();
        for (const Step& op : file.ops) size = op.kind == Step::Kind::kWrite ? std::max(size, op.offset + op.length) : op.offset;
        file.durable = replay(file, all, all.size(), size);
        file.ops.clear();
        file.data.clear();
        return;
      }
      case Step::Kind::kCreate: {
        if (exists) return;
        auto opened = vfs->open(path, OpenMode::kCreateNew);
        RC_ASSERT(opened.ok());
        int id = next_id++;
        handles[id] = std::move(*opened);
        files[id];
        current[path] = id;
        pending.push_back(NameRecord{step.kind, path, "", id});
        return;
      }
      case Step::Kind::kRename: {
        const std::string& to = kNames[step.target];
        if (!exists || to == path) return;
        RC_ASSERT(vfs->rename(path, to).ok());
        int id = it->second;
        current.erase(it);
        current[to] = id;
        pending.push_back(NameRecord{step.kind, path, to, id});
        return;
      }
      case Step::Kind::kRemove: {
        if (!exists) return;
        RC_ASSERT(vfs->remove(path).ok());
        pending.push_back(NameRecord{step.kind, path, "", it->second});
        current.erase(it);
        return;
      }
    }
  }

  static Image as_image(const DiskImage& disk) {
    Image image;
    for (const auto& [path, data] : disk.files) image[path] = std::string(as_chars(data));
    return image;
  }

  MemVfs backend;
  std::unique_ptr<FaultVfs> vfs;
  std::map<int, std::unique_ptr<File>> handles;
  std::map<int, FileRecord> files;
  std::map<std::string, int> current, durable_names;
  std::vector<NameRecord> pending;
  int next_id = 1;
  int fill = 0;
};

constexpr uint64_t kOracleImagesMax = 4000;

// Property 5: CrashSpace enumerates exactly the oracle's distinct images.
RC_GTEST_PROP(CrashSpaceProp, EnumeratesExactlyTheDistinctImages, ()) {
  const Scenario scenario = *gen_scenario(10);
  Run run(scenario);
  std::set<Image> expected;
  RC_PRE(all_images(run.durable_names, run.pending, run.files, kOracleImagesMax, expected));
  auto space = run.vfs->crash_space();
  RC_ASSERT(space.ok());
  std::set<Image> actual;
  Prng prng(1);
  uint64_t visited = 0;
  CrashVisit visit = space->for_each(kOracleImagesMax, prng, [&](const DiskImage& disk) {
    ++visited;
    RC_ASSERT(disk.dirs == std::set<std::string>{"d"});
    actual.insert(Run::as_image(disk));
    return true;
  });
  RC_ASSERT(visit.exhaustive);
  RC_ASSERT(visited == actual.size());  // each distinct image once
  RC_ASSERT(actual == expected);
  RC_ASSERT(visit.count.states == expected.size());
  RC_CLASSIFY(expected.size() == 1, "one state");
  RC_CLASSIFY(expected.size() > 50, "over 50 states");
  RC_CLASSIFY(!run.pending.empty(), "namespace operations pending");
}

// Property 3: a power loss leaves one of the oracle's images, whatever the seed.
RC_GTEST_PROP(CrashSpaceProp, PowerLossLeavesAnImageTheOracleAllows, ()) {
  const Scenario scenario = *gen_scenario(10);
  FaultPlan plan;
  plan.seed = *rc::gen::arbitrary<uint64_t>();
  Run run(scenario, plan);
  std::set<Image> expected;
  RC_PRE(all_images(run.durable_names, run.pending, run.files, kOracleImagesMax, expected));
  run.handles.clear();
  RC_ASSERT(run.vfs->crash(CrashKind::kPower).ok());
  const Image after = Run::as_image(run.backend.image());
  RC_ASSERT(expected.count(after) == 1u);
  RC_CLASSIFY(expected.size() > 1, "several states possible");
}

// Property 2: what a sync (and, for names, a directory sync) covered survives
// every crash kind and every crash state.
RC_GTEST_PROP(CrashSpaceProp, SyncedDataSurvivesEveryCrashState, ()) {
  const Scenario scenario = *gen_scenario(12);
  const bool sync_names = *rc::gen::arbitrary<bool>();
  Run run(scenario);
  if (sync_names) {
    RC_ASSERT(run.vfs->sync_dir("").ok());
    RC_ASSERT(run.vfs->sync_dir("d").ok());
    run.durable_names = run.current;
    run.pending.clear();
  }
  // Obligations: every file with no pending op whose name is durable and unchanged.
  std::map<std::string, std::string> promised;
  for (const auto& [path, id] : run.current) {
    bool name_durable = run.durable_names.count(path) && run.durable_names.at(path) == id;
    for (const NameRecord& op : run.pending) {
      name_durable = name_durable && op.path != path && op.to != path;
    }
    if (name_durable && run.files[id].ops.empty()) promised[path] = run.files[id].durable;
  }
  auto check = [&](const DiskImage& disk) {
    for (const auto& [path, content] : promised) {
      auto it = disk.files.find(path);
      RC_ASSERT(it != disk.files.end());
      RC_ASSERT(std::string(as_chars(it->second)) == content);
    }
    return true;
  };
  auto space = run.vfs->crash_space();
  RC_ASSERT(space.ok());
  Prng prng(*rc::gen::arbitrary<uint64_t>());
  space->for_each(500, prng, check);
  run.handles.clear();
  const CrashKind kind = *rc::gen::element(CrashKind::kPower, CrashKind::kProcess);
  RC_ASSERT(run.vfs->crash(kind).ok());
  check(run.backend.image());
  RC_CLASSIFY(promised.empty(), "nothing promised");
}

}  // namespace
}  // namespace fl::faultvfs::oracle

namespace fl::faultvfs::oracle {
namespace {

// Property 3, last clause: under ext4 and revert semantics, bytes whose
// writeback failed never become durable, in any crash state.
RC_GTEST_PROP(CrashSpaceProp, FailedWritebackBytesNeverBecomeDurable, ()) {
  FaultPlan plan;
  plan.seed = *rc::gen::arbitrary<uint64_t>();
  plan.fsync = *rc::gen::element(FsyncSemantics::kExt4, FsyncSemantics::kRevert);
  plan.evict_unwritten = *rc::gen::element(Ratio{0, 1}, Ratio{1, 3});
  plan.rules.push_back(Rule{Selector{.op = OpKind::kSync, .probability = Ratio{1, 2}},
                            Action{.kind = ActionKind::kFail, .err = EIO}, std::nullopt});
  MemVfs backend;
  auto created = FaultVfs::create(backend, plan);
  RC_ASSERT(created.ok());
  FaultVfs& vfs = **created;
  vfs.set_injection(false);
  auto opened = vfs.open("f", OpenMode::kCreate);
  RC_ASSERT(opened.ok());
  File& file = **opened;
  RC_ASSERT(vfs.sync_dir("").ok());
  vfs.set_injection(true);

  const int steps = *rc::gen::inRange(1, 60);
  RC_LOG() << "semantics " << fsync_semantics_name(plan.fsync) << ", eviction " << plan.evict_unwritten.numerator
           << "/" << plan.evict_unwritten.denominator << "\n";
  std::set<uint8_t> pending_fills, failed_fills;
  uint8_t fill = 0;
  for (int i = 0; i < steps; ++i) {
    const int what = *rc::gen::inRange(0, 10);
    if (what < 6 && fill < 250) {
      const uint64_t offset = *rc::gen::inRange<uint64_t>(0, 3000);
      const uint64_t length = *rc::gen::inRange<uint64_t>(1, 700);
      ++fill;
      auto wrote = file.write(offset, Bytes(length, fill));
      RC_LOG() << "write " << offset << " +" << length << " fill " << int(fill) << "\n";
      RC_ASSERT(wrote.ok());
      pending_fills.insert(fill);
    } else if (what < 7) {
      uint64_t n = *rc::gen::inRange<uint64_t>(0, 3000);
      RC_LOG() << "truncate " << n << "\n";
      RC_ASSERT(file.truncate(n).ok());
    } else {
      Status synced = file.sync();
      RC_LOG() << "sync " << synced.ok() << "\n";
      if (!synced.ok()) failed_fills.insert(pending_fills.begin(), pending_fills.end());
      pending_fills.clear();
    }
  }
  auto holds_failed = [&](const Bytes& bytes) {
    return std::any_of(bytes.begin(), bytes.end(), [&](uint8_t b) { return failed_fills.count(b) > 0; });
  };
  auto space = vfs.crash_space();
  RC_ASSERT(space.ok());
  Prng prng(plan.seed);
  space->for_each(300, prng, [&](const DiskImage& image) {
    for (const auto& [path, data] : image.files) RC_ASSERT(!holds_failed(data));
    return true;
  });
  opened->reset();
  RC_LOG() << vfs.fault_log_jsonl();
  RC_ASSERT(vfs.crash(CrashKind::kPower).ok());
  RC_ASSERT(!holds_failed(backend.image().files.at("f")));
  RC_CLASSIFY(!failed_fills.empty(), "a writeback failed");
}

}  // namespace
}  // namespace fl::faultvfs::oracle
