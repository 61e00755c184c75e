// `faultline check --elle` (tools/elle_bridge.h [elle.1]-[elle.5],
// docs/checking.md "Comparing with Elle"): the exit status stays ours, Elle's
// answer and the difference are reported, and everything that keeps Elle from
// answering is reported as such, never as a disagreement.
//
// Method: each test writes its history (EDN) into its own temporary
// directory and runs the built binary (FAULTLINE_BINARY) through the shell,
// reading back the exit status, stdout and stderr. The tests that need a real
// Elle skip, saying why, when java or the elle-check of the source tree's
// Elle build (FL_ELLE_CHECK) is absent; the others stand in small shell
// scripts for elle-check (one that hangs, one that dies by a signal, one that
// prints no summary), so the process handling is tested everywhere.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fl::checkers {
namespace {

namespace fs = std::filesystem;

// Valid under strict-serializable: every read sees all earlier appends.
constexpr std::string_view kValidHistory =
    "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 1 1] [:r 1 nil]]}\n"
    "{:index 1, :time 1, :type :ok, :process 0, :f :txn, :value [[:append 1 1] [:r 1 [1]]]}\n"
    "{:index 2, :time 2, :type :invoke, :process 1, :f :txn, :value [[:r 1 nil] [:append 1 2]]}\n"
    "{:index 3, :time 3, :type :ok, :process 1, :f :txn, :value [[:r 1 [1]] [:append 1 2]]}\n"
    "{:index 4, :time 4, :type :invoke, :process 0, :f :txn, :value [[:r 1 nil]]}\n"
    "{:index 5, :time 5, :type :ok, :process 0, :f :txn, :value [[:r 1 [1 2]]]}\n";

// G1a: a read of an append whose transaction failed.
constexpr std::string_view kAbortedReadHistory =
    "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 1 1]]}\n"
    "{:index 1, :time 1, :type :fail, :process 0, :f :txn, :value [[:append 1 1]]}\n"
    "{:index 2, :time 2, :type :invoke, :process 1, :f :txn, :value [[:r 1 nil]]}\n"
    "{:index 3, :time 3, :type :ok, :process 1, :f :txn, :value [[:r 1 [1]]]}\n";

// A read of 99, which nobody appended: our garbage-read; Elle asserts.
constexpr std::string_view kGarbageReadHistory =
    "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 1 1]]}\n"
    "{:index 1, :time 1, :type :ok, :process 0, :f :txn, :value [[:append 1 1]]}\n"
    "{:index 2, :time 2, :type :invoke, :process 1, :f :txn, :value [[:r 1 nil]]}\n"
    "{:index 3, :time 3, :type :ok, :process 1, :f :txn, :value [[:r 1 [1 99]]]}\n";

// An acknowledged append lost at a power loss: ours lost-write only.
constexpr std::string_view kLostWriteHistory =
    "; faultline-meta {:durability :acked, :workload :list-append}\n"
    "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 1 1]]}\n"
    "{:index 1, :time 1, :type :ok, :process 0, :f :txn, :value [[:append 1 1]]}\n"
    "{:index 2, :time 2, :type :invoke, :process :nemesis, :f :crash, :value {:kind :power}}\n"
    "{:index 3, :time 2, :type :info, :process :nemesis, :f :crash, :value {:kind :power}}\n"
    "{:index 4, :time 3, :type :invoke, :process 1, :f :txn, :value [[:r 1 nil]]}\n"
    "{:index 5, :time 4, :type :ok, :process 1, :f :txn, :value [[:r 1 nil]]}\n";

bool have_elle(std::string* why) {
  if (!fs::exists(FL_ELLE_CHECK)) {
    *why = std::string(FL_ELLE_CHECK) + " not found";
    return false;
  }
  if (std::system("java -version >/dev/null 2>&1") != 0) {
    *why = "no java on PATH";
    return false;
  }
  return true;
}

#define FL_SKIP_WITHOUT_ELLE()                                         \
  do {                                                                 \
    std::string why;                                                   \
    if (!have_elle(&why)) GTEST_SKIP() << "needs Elle and java: " << why; \
  } while (false)

class ElleBridgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("faultline-elle-bridge-test-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_file(const std::string& name, std::string_view text, bool executable = false) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    if (executable) fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
    return path.string();
  }

  // Runs `ENV faultline check ARGS`; returns the exit status, keeps stdout
  // in out_ and stderr in err_.
  int check(const std::string& args, const std::string& env = "") {
    const fs::path out = dir_ / "stdout.txt";
    const fs::path err = dir_ / "stderr.txt";
    const std::string command = env + (env.empty() ? "" : " ") + FAULTLINE_BINARY + " check " + args + " > '" +
                                out.string() + "' 2> '" + err.string() + "'";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status)) << command;
    out_ = slurp(out);
    err_ = slurp(err);
    return WEXITSTATUS(status);
  }

  nlohmann::json elle_json() const {
    const nlohmann::json verdict = nlohmann::json::parse(out_, nullptr, false);
    EXPECT_TRUE(verdict.is_object()) << out_;
    return verdict.is_object() && verdict.contains("elle") ? verdict["elle"] : nlohmann::json::object();
  }

  static std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
  std::string out_;
  std::string err_;
};

// ---------------------------------------------------------------------------
// With Elle.

TEST_F(ElleBridgeTest, ValidHistoryAgreesWithElle) {
  FL_SKIP_WITHOUT_ELLE();
  const std::string path = write_file("valid.edn", kValidHistory);
  EXPECT_EQ(check("'" + path + "' --elle"), 0) << out_ << err_;
  EXPECT_EQ(out_.rfind("VALID\n", 0), 0u) << out_;
  EXPECT_NE(out_.find("\nELLE\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("AGREE with Elle"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("DISAGREE"), std::string::npos) << out_;

  EXPECT_EQ(check("'" + path + "' --elle --json"), 0) << out_ << err_;
  const nlohmann::json elle = elle_json();
  EXPECT_EQ(elle["status"], "compared") << out_;
  EXPECT_EQ(elle["valid"], true);
  EXPECT_EQ(elle["agree"], true);
  EXPECT_EQ(elle["anomaly_types"], nlohmann::json::array());
}

TEST_F(ElleBridgeTest, AnomalousHistoryAgreesWithElle) {
  FL_SKIP_WITHOUT_ELLE();
  const std::string path = write_file("g1a.edn", kAbortedReadHistory);
  EXPECT_EQ(check("'" + path + "' --elle --json --model serializable"), 1) << out_ << err_;
  const nlohmann::json verdict = nlohmann::json::parse(out_);
  EXPECT_EQ(verdict["anomaly_types"], nlohmann::json::array({"G1a"}));  // ours, unchanged by --elle
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(out_);  // [report.1] order kept, "elle" last
  EXPECT_EQ(ordered.begin().key(), "valid");
  EXPECT_EQ((--ordered.end()).key(), "elle");
  const nlohmann::json& elle = verdict["elle"];
  EXPECT_EQ(elle["status"], "compared");
  EXPECT_EQ(elle["valid"], false);
  EXPECT_EQ(elle["anomaly_types"], nlohmann::json::array({"G1a"}));
  EXPECT_EQ(elle["both"], nlohmann::json::array({"G1a"}));
  EXPECT_EQ(elle["agree"], true) << elle.dump(2);
  EXPECT_EQ(elle["models_agree"], true) << elle.dump(2);
}

// Elle has no crash epochs and no durability check: a lost write is ours
// alone, and whatever Elle makes of the crossing is shown as a difference.
TEST_F(ElleBridgeTest, LostWriteIsNotJudgedByElleAndTheCrashIsNoted) {
  FL_SKIP_WITHOUT_ELLE();
  const std::string path = write_file("lost.edn", kLostWriteHistory);
  EXPECT_EQ(check("'" + path + "' --elle --json"), 1) << out_ << err_;
  const nlohmann::json elle = elle_json();
  EXPECT_EQ(elle["status"], "compared") << out_;
  EXPECT_EQ(elle["not_judged_by_elle"], nlohmann::json::array({"lost-write"}));
  EXPECT_EQ(elle["only_ours"], nlohmann::json::array());
  EXPECT_EQ(elle["crashes_ignored_by_elle"], 1);
  EXPECT_EQ(check("'" + path + "' --elle"), 1);
  EXPECT_NE(out_.find("crosses 1 crash"), std::string::npos) << out_;
}

// Elle asserts on a garbage read: a failure of Elle, not a disagreement.
TEST_F(ElleBridgeTest, ElleAssertingOnAGarbageReadIsAFailureNotADisagreement) {
  FL_SKIP_WITHOUT_ELLE();
  const std::string path = write_file("garbage.edn", kGarbageReadHistory);
  EXPECT_EQ(check("'" + path + "' --elle"), 1) << out_ << err_;  // ours: garbage-read
  EXPECT_NE(out_.find("garbage-read"), std::string::npos) << out_;
  EXPECT_NE(out_.find("elle: failed: Elle stopped with an error"), std::string::npos) << out_;
  EXPECT_NE(out_.find("No transaction wrote"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("AGREE"), std::string::npos) << out_;  // neither AGREE nor DISAGREE
  EXPECT_NE(err_.find("elle: failed"), std::string::npos) << err_;
  EXPECT_EQ(check("'" + path + "' --elle --elle-required"), 2) << out_ << err_;
  EXPECT_EQ(check("'" + path + "' --elle --json"), 1);
  EXPECT_EQ(elle_json()["status"], "failed");
  EXPECT_EQ(elle_json()["exit_code"], 2);
}

// ---------------------------------------------------------------------------
// Without Elle: locating it, and the process handling.

TEST_F(ElleBridgeTest, BogusEllePathIsBadInputNamingIt) {
  const std::string history = write_file("valid.edn", kValidHistory);
  const std::string missing = (dir_ / "no-such-elle-check").string();
  EXPECT_EQ(check("'" + history + "' --elle --elle-path '" + missing + "'"), 2) << out_ << err_;
  EXPECT_NE(err_.find("--elle-path"), std::string::npos) << err_;
  EXPECT_NE(err_.find(missing + ": no such file"), std::string::npos) << err_;
  EXPECT_EQ(out_, "");  // nothing was checked
  const std::string plain = write_file("not-executable", "#!/bin/sh\n");
  EXPECT_EQ(check("'" + history + "' --elle-path '" + plain + "'"), 2) << out_ << err_;  // --elle-path implies --elle
  EXPECT_NE(err_.find("not an executable file"), std::string::npos) << err_;
  EXPECT_EQ(check("'" + history + "' --elle --elle-timeout 0"), 2) << out_ << err_;
  EXPECT_NE(err_.find("--elle-timeout"), std::string::npos) << err_;
}

TEST_F(ElleBridgeTest, NoJavaIsNotAvailableAndKeepsOurExitStatus) {
  const std::string history = write_file("valid.edn", kValidHistory);
  const std::string no_java = "/usr/bin/env -u JAVA PATH=/nonexistent";
  EXPECT_EQ(check("'" + history + "' --elle", no_java), 0) << out_ << err_;
  EXPECT_EQ(out_.rfind("VALID\n", 0), 0u) << out_;
  EXPECT_NE(err_.find("elle: not available"), std::string::npos) << err_;
  if (fs::exists(FL_ELLE_CHECK)) {
    EXPECT_NE(err_.find("no `java` on PATH"), std::string::npos) << err_;
  }
  EXPECT_EQ(check("'" + history + "' --elle --elle-required", no_java), 2) << out_ << err_;
  EXPECT_EQ(check("'" + history + "' --elle --json", no_java), 0) << out_ << err_;
  EXPECT_EQ(elle_json()["status"], "not-available");
}

TEST_F(ElleBridgeTest, BankHistoryIsNotApplicable) {
  const std::string history = write_file(
      "bank.edn",
      "{:index 0, :time 0, :type :invoke, :process 0, :f :read, :value nil}\n"
      "{:index 1, :time 1, :type :ok, :process 0, :f :read, :value {0 100, 1 100}}\n");
  const std::string fake = write_file("elle-check", "#!/bin/sh\nexit 2\n", true);
  EXPECT_EQ(check("'" + history + "' --elle-path '" + fake + "' --json"), 0) << out_ << err_;
  EXPECT_EQ(elle_json()["status"], "not-applicable");
}

// [elle.3]: a hanging elle-check and the process it started are both
// killed at the timeout (the fake writes the background child's pid).
TEST_F(ElleBridgeTest, TimeoutKillsTheWholeProcessGroup) {
  const std::string history = write_file("g1a.edn", kAbortedReadHistory);
  const std::string pid_file = (dir_ / "child.pid").string();
  const std::string fake = write_file(
      "elle-check", "#!/bin/sh\nsleep 600 &\necho $! > '" + pid_file + "'\nsleep 600\n", true);
  EXPECT_EQ(check("'" + history + "' --elle-path '" + fake + "' --elle-timeout 1"), 1) << out_ << err_;  // ours
  EXPECT_NE(out_.find("elle: failed: timed out"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("AGREE"), std::string::npos) << out_;
  const std::string pid = slurp(pid_file);
  ASSERT_FALSE(pid.empty());
  // Gone, or a zombie waiting for init to reap it.
  const std::string stat = slurp("/proc/" + pid.substr(0, pid.find('\n')) + "/stat");
  const size_t state = stat.rfind(") ");
  EXPECT_TRUE(stat.empty() || (state != std::string::npos && stat[state + 2] == 'Z')) << stat;
}

TEST_F(ElleBridgeTest, CrashOrGarbageFromElleIsAFailure) {
  const std::string history = write_file("g1a.edn", kAbortedReadHistory);
  const std::string segv = write_file("segv", "#!/bin/sh\nkill -SEGV $$\n", true);
  EXPECT_EQ(check("'" + history + "' --elle-path '" + segv + "' --json"), 1) << out_ << err_;
  EXPECT_EQ(elle_json()["status"], "failed");
  EXPECT_NE(elle_json()["why"].get<std::string>().find("signal 11"), std::string::npos) << out_;

  const std::string junk = write_file("junk", "#!/bin/sh\necho not json\necho trouble >&2\nexit 1\n", true);
  EXPECT_EQ(check("'" + history + "' --elle-path '" + junk + "' --json"), 1) << out_ << err_;
  EXPECT_EQ(elle_json()["status"], "failed");
  EXPECT_NE(elle_json()["why"].get<std::string>().find("without a JSON summary"), std::string::npos) << out_;
  EXPECT_EQ(elle_json()["stderr"], "trouble");

  // A summary whose verdict contradicts the exit status is not trusted.
  const std::string liar = write_file(
      "liar", "#!/bin/sh\necho '{\"valid?\":true,\"anomaly-types\":[],\"not\":[],\"also-not\":[]}'\nexit 1\n", true);
  EXPECT_EQ(check("'" + history + "' --elle-path '" + liar + "' --json"), 1) << out_ << err_;
  EXPECT_EQ(elle_json()["status"], "failed");

  // The arguments elle-check gets ([elle.2]), through a fake that answers.
  const std::string args_file = (dir_ / "args.txt").string();
  const std::string echo = write_file(
      "echo", "#!/bin/sh\necho \"$@\" > '" + args_file +
                  "'\necho '{\"valid?\":false,\"anomaly-types\":[\"G1a\"],\"not\":[\"read-committed\"],"
                  "\"also-not\":[]}'\nexit 1\n",
      true);
  EXPECT_EQ(check("'" + history + "' --elle-path '" + echo + "' --model serializable --model snapshot-isolation --json"),
            1)
      << out_ << err_;
  EXPECT_EQ(slurp(args_file).rfind("--format json --workload list-append --model serializable,snapshot-isolation /", 0),
            0u)
      << slurp(args_file);
  EXPECT_EQ(elle_json()["status"], "compared");
  EXPECT_EQ(elle_json()["types_agree"], true);
}

}  // namespace
}  // namespace fl::checkers
