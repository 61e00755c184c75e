// Golden reports: `faultline check` prints exactly the checked-in text and
// JSON, and exits as expected, on a few fixed histories
// (tests/checkers/golden/): list-append histories from bench/history-gen
// (valid, 1 in 5 reads stale, one strongly connected component) and one
// written by hand with the non-cyclic anomalies. Any change to what a user
// reads shows up here as a diff to review, and speed work can be checked
// against it: every split and shortcut must leave the reports as they were.
//
// FL_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing them
// (then read `git diff tests/checkers/golden` before committing).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

namespace fl::checkers {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Golden {
  std::string history;   // in tests/checkers/golden/
  std::string args;      // before the history
  std::string expected;  // file in tests/checkers/golden/
  int exit_code;
};

void PrintTo(const Golden& g, std::ostream* os) { *os << "check " << g.args << " " << g.history; }

class GoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(GoldenTest, ReportIsTheCheckedInOne) {
  const Golden& g = GetParam();
  const fs::path dir = FL_GOLDEN_DIR;
  const fs::path out = fs::temp_directory_path() / ("faultline-golden-" + std::to_string(::getpid()) + ".out");
  // Run from the golden directory so the report names the history as it
  // is checked in, whatever the checkout's path.
  const std::string command = "cd '" + dir.string() + "' && " + FAULTLINE_BINARY + " check " + g.args + " " +
                              g.history + " > '" + out.string() + "' 2>/dev/null";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  EXPECT_EQ(WEXITSTATUS(status), g.exit_code) << command;
  const std::string got = slurp(out);
  fs::remove(out);
  const char* update = std::getenv("FL_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(dir / g.expected, std::ios::binary) << got;
    GTEST_SKIP() << "rewrote " << g.expected;
  }
  ASSERT_TRUE(fs::exists(dir / g.expected)) << g.expected << " is missing (FL_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(got, slurp(dir / g.expected)) << command << "\n(FL_UPDATE_GOLDEN=1 rewrites " << g.expected
                                          << " if the change is meant)";
}

INSTANTIATE_TEST_SUITE_P(
    Reports, GoldenTest,
    ::testing::Values(Golden{"valid.edn", "", "valid.txt", 0}, Golden{"valid.edn", "--json", "valid.json", 0},
                      Golden{"anomalous.edn", "", "anomalous.txt", 1},
                      Golden{"anomalous.edn", "--json", "anomalous.json", 1},
                      Golden{"anomalous.edn", "--model serializable --model snapshot-isolation --json",
                             "anomalous-models.json", 1},
                      Golden{"huge-scc.edn", "", "huge-scc.txt", 1},
                      Golden{"huge-scc.edn", "--json", "huge-scc.json", 1}, Golden{"mixed.edn", "", "mixed.txt", 1},
                      Golden{"mixed.edn", "--json", "mixed.json", 1}),
    [](const ::testing::TestParamInfo<Golden>& info) {
      std::string name = info.param.expected;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace fl::checkers
