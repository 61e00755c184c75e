// `faultline campaign`, `merge` and `repro` through the built binary
// (FAULTLINE_BINARY; tools/campaign_cmd.h): exit statuses, and a bundle
// replayed from another directory reproducing byte-identically, with its
// crash images, also from a .tar, while an edited bundle is reported as
// different and a broken one as bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>

#include "campaign/sha256.h"
#include "tests/campaign/campaign_util.h"

namespace fl::campaign::testing {
namespace {

class CampaignCli : public ::testing::Test {
 protected:
  fs::path root() const { return fs::path(dir_.path()); }

  // Runs `faultline ARGS` with stdout and stderr in files; returns the exit status.
  int faultline(const std::string& args, const std::string& env = "") {
    const std::string command = env + " " + FAULTLINE_BINARY + " " + args + " > '" + (root() / "out.txt").string() +
                                "' 2> '" + (root() / "err.txt").string() + "'";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status)) << command;
    out_ = slurp(root() / "out.txt");
    err_ = slurp(root() / "err.txt");
    return WEXITSTATUS(status);
  }

  // A failing list-append campaign; returns its output directory.
  fs::path failing_campaign() {
    const fs::path out = root() / "campaign";
    EXPECT_EQ(faultline("campaign --workloads list-append --seeds 1..2 --txns 150 --bug write-skew --jobs 2 --out " +
                        out.string()),
              1)
        << err_;
    return out;
  }

  // A failing campaign whose trials crash: skip-fsync loses acknowledged
  // writes only across a power loss.
  fs::path crashing_campaign(const fs::path& out, const std::string& extra = "") {
    EXPECT_EQ(faultline("campaign --workloads list-append --seeds 1..2 --txns 200 --faults power --bug skip-fsync "
                        "--jobs 2 --out " + out.string() + extra),
              1)
        << err_;
    return out;
  }

  TempDir dir_;
  std::string out_, err_;
};

TEST_F(CampaignCli, ExitZeroWhenAllPassOneWhenATrialFails) {
  EXPECT_EQ(faultline("campaign --workloads bank,rw-register --seeds 1..3 --txns 150 --out " +
                      (root() / "ok").string()),
            0)
      << err_;
  EXPECT_NE(out_.find("total                 6        6"), std::string::npos) << out_;
  failing_campaign();
  EXPECT_NE(out_.find("first failure: list-append seed 1: invalid"), std::string::npos) << out_;
  EXPECT_NE(err_.find("FAIL list-append seed 1"), std::string::npos) << err_;
}

TEST_F(CampaignCli, BadInputIsExitTwoWithAMessage) {
  const std::string out = " --out " + (root() / "x").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"campaign --seeds 9..1" + out, "--seeds"},
      {"campaign --seeds 1..x" + out, "--seeds"},
      {"campaign --shard 4/3" + out, "--shard"},
      {"campaign --shard 0/3" + out, "1-based"},
      {"campaign --workloads list-append,nope" + out, "unknown workload"},
      {"campaign --bug no-such-bug" + out, "planted bug"},
      {"campaign --faults sometimes" + out, "fault profile"},
      {"campaign --time-budget 5x" + out, "--time-budget"},
      {"campaign --jobs 0" + out, "--jobs"},
  };
  for (const auto& [args, message_part] : cases) {
    EXPECT_EQ(faultline(args), 2) << args;
    EXPECT_NE(err_.find(message_part), std::string::npos) << args << "\n" << err_;
  }
  EXPECT_EQ(faultline("campaign" + out, "JOB_COMPLETION_INDEX=1"), 2);
  EXPECT_NE(err_.find("FAULTLINE_SHARD_COUNT"), std::string::npos) << err_;
  // A used output directory needs --resume.
  fs::create_directories(root() / "x");
  spit(root() / "x" / "notes.txt", "mine");
  EXPECT_EQ(faultline("campaign --seeds 1 --txns 150" + out), 2);
  EXPECT_NE(err_.find("--resume"), std::string::npos) << err_;
}

TEST_F(CampaignCli, ShardComesFromTheCiEnvironment) {
  EXPECT_EQ(faultline("campaign --workloads bank --seeds 1..6 --txns 150 --out " + (root() / "s").string(),
                      "CI_NODE_INDEX=2 CI_NODE_TOTAL=3"),
            0)
      << err_;
  const nlohmann::json campaign = nlohmann::json::parse(slurp(root() / "s" / "campaign.json"));
  EXPECT_EQ(campaign["shard"]["index"], 1);
  EXPECT_EQ(campaign["shard"]["count"], 3);
  const nlohmann::json summary = nlohmann::json::parse(slurp(root() / "s" / "summary.json"));
  ASSERT_EQ(summary["trials"].size(), 2u);
  EXPECT_EQ(summary["trials"][0]["seed"], 2);
  EXPECT_EQ(summary["trials"][1]["seed"], 5);
}

TEST_F(CampaignCli, ReproOfACopiedBundleIsByteIdentical) {
  const fs::path campaign = failing_campaign();
  const fs::path bundle = root() / "elsewhere" / "bundle";
  fs::create_directories(bundle.parent_path());
  fs::copy(campaign / "bundles" / "list-append-seed2", bundle, fs::copy_options::recursive);
  fs::remove_all(campaign);  // nothing of the original run is left to lean on
  EXPECT_EQ(faultline("repro " + bundle.string()), 0) << out_ << err_;
  const nlohmann::json verdict = nlohmann::json::parse(slurp(bundle / "verdict.json"));
  const std::string sha = verdict["context"]["history_sha256"];
  EXPECT_NE(out_.find("reproduced: history sha256 " + sha), std::string::npos) << out_;
  // The replay also writes nothing into the bundle.
  EXPECT_EQ(err_, "");
}

TEST_F(CampaignCli, AnEditedBundleIsReportedAsDifferent) {
  const fs::path campaign = failing_campaign();
  const fs::path bundle = campaign / "bundles" / "list-append-seed1";
  const std::string verdict = slurp(bundle / "verdict.json");
  const nlohmann::json parsed = nlohmann::json::parse(verdict);
  const std::string sha = parsed["context"]["history_sha256"];
  std::string edited = verdict;
  edited.replace(edited.find(sha), 8, "00000000");
  spit(bundle / "verdict.json", edited);
  EXPECT_EQ(faultline("repro " + bundle.string()), 1) << out_ << err_;
  EXPECT_NE(out_.find("history sha256: bundle 00000000"), std::string::npos) << out_;

  spit(bundle / "verdict.json", verdict);
  EXPECT_EQ(faultline("repro " + bundle.string()), 0) << out_ << err_;
  std::string config = slurp(bundle / "config.json");
  config.replace(config.find("\"seed\": 1"), 9, "\"seed\": 7");
  spit(bundle / "config.json", config);
  EXPECT_EQ(faultline("repro " + bundle.string()), 1) << out_ << err_;
  EXPECT_NE(out_.find("NOT reproduced"), std::string::npos) << out_;
  EXPECT_NE(err_.find("config.json says list-append seed 7"), std::string::npos) << err_;
}

TEST_F(CampaignCli, AMissingOrCorruptBundleIsExitTwo) {
  const fs::path campaign = failing_campaign();
  const fs::path bundle = campaign / "bundles" / "list-append-seed1";
  EXPECT_EQ(faultline("repro " + (root() / "no-bundle").string()), 2);
  EXPECT_NE(err_.find("no such bundle directory"), std::string::npos) << err_;
  const std::string verdict = slurp(bundle / "verdict.json");
  spit(bundle / "verdict.json", verdict.substr(0, verdict.size() / 2));
  EXPECT_EQ(faultline("repro " + bundle.string()), 2);
  EXPECT_NE(err_.find("verdict.json: not valid JSON"), std::string::npos) << err_;
  spit(bundle / "verdict.json", verdict);
  std::string config = slurp(bundle / "config.json");
  config.replace(config.find("\"txns\": 150"), 11, "\"txns\": \"x\"");
  spit(bundle / "config.json", config);
  EXPECT_EQ(faultline("repro " + bundle.string()), 2);
  EXPECT_NE(err_.find("config.json: txns: expected an unsigned integer"), std::string::npos) << err_;
  fs::remove(bundle / "config.json");
  EXPECT_EQ(faultline("repro " + bundle.string()), 2);
  EXPECT_NE(err_.find("config.json: missing"), std::string::npos) << err_;
}

TEST_F(CampaignCli, MergeOfShardsGivesTheCampaignsExitStatus) {
  std::string dirs;
  for (int k = 1; k <= 2; ++k) {
    const fs::path out = root() / ("shard" + std::to_string(k));
    faultline("campaign --workloads list-append --seeds 1..2 --txns 150 --bug write-skew --shard " +
              std::to_string(k) + "/2 --out " + out.string());
    dirs += " " + out.string();
  }
  EXPECT_EQ(faultline("merge" + dirs + " --out " + (root() / "merged").string()), 1) << err_;
  EXPECT_TRUE(fs::exists(root() / "merged" / "bundles" / "list-append-seed2" / "verdict.json"));
  EXPECT_EQ(faultline("merge " + (root() / "shard1").string() + " --out " + (root() / "merged2").string()), 2);
  EXPECT_NE(err_.find("missing shard(s) 2/2"), std::string::npos) << err_;
}

TEST_F(CampaignCli, ABundleKeepsTheCrashImagesAndReproChecksThem) {  // crash_images.h [img.1]-[img.4]
  const fs::path bundle = crashing_campaign(root() / "campaign") / "bundles" / "list-append-seed1";
  const nlohmann::json index = nlohmann::json::parse(slurp(bundle / "crash-images" / "index.json"));
  ASSERT_FALSE(index["images"].empty()) << index.dump();
  for (const nlohmann::json& image : index["images"]) {
    const fs::path dir = bundle / "crash-images" / image["dir"].get<std::string>();
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    ASSERT_FALSE(image["files"].empty());
    for (const nlohmann::json& file : image["files"]) {
      const std::string bytes = slurp(dir / file["path"].get<std::string>());
      EXPECT_EQ(bytes.size(), file["bytes"].get<uint64_t>()) << file.dump();
      EXPECT_EQ(sha256_hex(bytes), file["sha256"].get<std::string>()) << file.dump();
    }
  }
  EXPECT_EQ(faultline("repro " + bundle.string()), 0) << out_ << err_;
  EXPECT_NE(out_.find("crash images: " + std::to_string(index["images"].size()) + " identical"), std::string::npos)
      << out_;

  // A damaged file is the bundle's fault, not the replay's: a note.
  const fs::path image_file = bundle / "crash-images" / index["images"][0]["dir"].get<std::string>() /
                              index["images"][0]["files"][0]["path"].get<std::string>();
  const std::string original = slurp(image_file);
  spit(image_file, original + "x");
  EXPECT_EQ(faultline("repro " + bundle.string()), 0) << out_ << err_;
  EXPECT_NE(err_.find("its bytes do not match index.json's sha256"), std::string::npos) << err_;
  EXPECT_NE(out_.find("1 file(s) on disk are not"), std::string::npos) << out_;
  fs::remove(image_file);
  EXPECT_EQ(faultline("repro " + bundle.string()), 0) << out_ << err_;
  EXPECT_NE(err_.find(": missing (edited bundle?)"), std::string::npos) << err_;
  spit(image_file, original);

  // A different image is a different run: the replay says which one.
  nlohmann::json edited = index;
  edited["images"][0]["sha256"] = std::string(64, '0');
  spit(bundle / "crash-images" / "index.json", edited.dump(2));
  EXPECT_EQ(faultline("repro " + bundle.string()), 1) << out_ << err_;
  EXPECT_NE(out_.find("crash image 0: bundle epoch-"), std::string::npos) << out_;
  spit(bundle / "crash-images" / "index.json", "{\"images\": [{\"epoch\": \"one\"}]}");
  EXPECT_EQ(faultline("repro " + bundle.string()), 2) << out_ << err_;
  EXPECT_NE(err_.find("index.json: images[0]: epoch: expected an unsigned integer"), std::string::npos) << err_;
}

TEST_F(CampaignCli, TarBundlesAreDeterministicAndReplay) {  // tools/bundle_tar.h [tar.1], [tar.2]
  const fs::path first = crashing_campaign(root() / "first", " --tar");
  // Another umask makes other file modes in the bundle, not another archive.
  const mode_t umask_before = ::umask(077);
  const fs::path second = crashing_campaign(root() / "second", " --tar");
  ::umask(umask_before);
  const fs::path tar = first / "bundles" / "list-append-seed1.tar";
  ASSERT_TRUE(fs::is_regular_file(tar));
  EXPECT_EQ(slurp(tar), slurp(second / "bundles" / "list-append-seed1.tar")) << "the same bundle, the same bytes";

  // The archive alone is enough: the directories beside it are gone.
  const fs::path moved = root() / "elsewhere.tar";
  fs::rename(tar, moved);
  fs::remove_all(first);
  fs::remove_all(second);
  EXPECT_EQ(faultline("repro " + moved.string()), 0) << out_ << err_;
  EXPECT_NE(out_.find("reproduced: history sha256"), std::string::npos) << out_;
  EXPECT_NE(out_.find("crash images: "), std::string::npos) << out_;

  // Cut short after the first member: what is missing is named in the .tar.
  const std::string archive = slurp(moved);
  spit(moved, archive.substr(0, 700));
  EXPECT_EQ(faultline("repro " + moved.string()), 2) << out_ << err_;
  EXPECT_NE(err_.find(moved.string() + ": list-append-seed1/"), std::string::npos) << err_;
  spit(moved, "not a tar file at all\n");
  EXPECT_EQ(faultline("repro " + moved.string()), 2) << out_ << err_;
  EXPECT_NE(err_.find("not a readable .tar bundle"), std::string::npos) << err_;
}

}  // namespace
}  // namespace fl::campaign::testing
