// The campaign's HTML report (campaign/html_report.h), the timeline
// (campaign/report_timeline.h), Graphviz inlining (report_graphviz.h) and
// `faultline report` (tools/report_cmd.h).
//
// Method. The fixture is a real campaign directory built with the trial API:
// a list-append trial of refdb with the planted `write-skew` bug under the
// `everything` fault profile (the first of a few fixed seeds whose verdict
// has G2-item cycles and whose run has crashes), written as its repro
// bundle (write_trial, verdict.json, verdict.txt, cycles/<n>.dot), plus two
// passing rows, and a summary.json as docs/formats/campaign.md gives it.
// The failing trial's headline carries a <script> element, which must come
// out escaped. The last test opens the page in headless Chromium (the
// issue's requirement), with a timeout: a screenshot that must be a PNG of
// the window's size showing the red FAIL banner and the timeline's bars,
// the DOM it built, which must hold the verdict and <svg> elements, and its
// console, which must stay silent. Tests that need `dot` or `chromium`
// skip, saying so, when it is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/html_report.h"
#include "campaign/html_text.h"
#include "campaign/report_graphviz.h"
#include "campaign/report_limits.h"
#include "campaign/trial.h"
#include "checkers/check.h"
#include "checkers/report.h"
#include "tests/campaign/report_png.h"
#include "tools/report_cmd.h"

namespace fl::campaign::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::string_view kEvilHeadline = "<script>alert('x')</script> & \"quoted\"";
constexpr int kChromiumTimeoutSeconds = 120;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.flush()) << path;
}

size_t count_of(const std::string& text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::optional<std::string> on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

fs::path fixture_dir() { return fs::temp_directory_path() / ("faultline-report-test-" + std::to_string(::getpid())); }

struct Fixture {
  fs::path dir;
  std::string bundle;     // relative
  std::string headline;   // the failing trial's, as in summary.json
  size_t cycles = 0;      // cycles/<n>.dot written
  uint64_t crashes = 0;
};

// The failing trial: its bundle written as the campaign does.
Fixture build_fixture() {
  Fixture fixture;
  fixture.dir = fixture_dir();
  fs::remove_all(fixture.dir);
  fs::create_directories(fixture.dir);
  TrialConfig config;
  config.workload = "list-append";
  config.faults = "everything";
  config.bugs = {"write-skew"};
  config.txns = 300;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    config.seed = seed;
    Result<TrialOutput> output = run_trial(config);
    FL_ASSERT(output.ok());
    checkers::CheckOptions options;
    options.models = {"serializable"};
    const checkers::CheckResult checked = checkers::check_history(output->sim.history, options);
    if (!checked.verdict.anomaly_counts.contains("G2-item") || checked.crashes == 0) continue;
    fixture.bundle = "bundles/list-append-seed" + std::to_string(seed);
    fixture.crashes = checked.crashes;
    const fs::path bundle = fixture.dir / fixture.bundle;
    FL_ASSERT(write_trial(config, *output, bundle).ok());
    fixture.headline = "invalid: G2-item x" + std::to_string(checked.verdict.anomaly_counts.at("G2-item")) + " " +
                       std::string(kEvilHeadline);
    const checkers::ReportContext context = {{"headline", fixture.headline},
                                             {"history_sha256", std::string(64, '0')},
                                             {"workload", "list-append"},
                                             {"seed", std::to_string(seed)}};
    write_text(bundle / "verdict.json", checkers::verdict_json(checked.verdict, context));
    write_text(bundle / "verdict.txt", checkers::verdict_text(checked.verdict, context));
    for (const auto& [type, examples] : checked.verdict.anomalies) {
      for (const checkers::Anomaly& anomaly : examples) {
        if (anomaly.dot.empty()) continue;
        write_text(bundle / "cycles" / (std::to_string(fixture.cycles++) + ".dot"), anomaly.dot);
      }
    }
    json failing = {{"seed", seed}, {"workload", "list-append"}, {"status", "fail"}, {"validity", "invalid"},
                    {"headline", fixture.headline}, {"anomaly_types", {"G2-item"}},
                    {"ops", output->sim.history.ops.size()}, {"crashes", checked.crashes},
                    {"bundle", fixture.bundle}, {"seconds", 0.01}};
    json passing = {{"seed", seed + 100}, {"workload", "list-append"}, {"status", "pass"}, {"validity", "valid"},
                    {"headline", "valid"}, {"bundle", nullptr}};
    json other = {{"seed", 1}, {"workload", "rw-register"}, {"status", "pass"}, {"validity", "valid"},
                  {"headline", "valid"}, {"bundle", nullptr}};
    json summary = {{"faultline_version", "0.1.0"},
                    {"campaign", {{"engine", "refdb"}, {"workloads", {"list-append", "rw-register"}},
                                  {"faults", "everything"}, {"bugs", {"write-skew"}}, {"clients", 8}}},
                    {"totals", {{"trials", 3}, {"passed", 2}, {"failed", 1}, {"errors", 0}, {"not_run", 0}}},
                    {"first_failure", {{"seed", seed}, {"workload", "list-append"}}},
                    {"anomaly_types", {{"G2-item", 1}}},
                    {"trials", {failing, passing, other}},
                    {"elapsed_seconds", 0.5}};
    write_text(fixture.dir / "summary.json", summary.dump(2));
    return fixture;
  }
  FL_ASSERT(false && "no seed in 1..12 gave G2-item with crashes; the fixture needs another seed range");
  return fixture;
}

// Removes what the tests wrote under the temporary directory.
class CleanUp : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    for (const char* suffix : {"", "-nobundle", "-corrupt", "-big", "-cmd"}) {
      fs::remove_all(fixture_dir().string() + suffix, ignored);
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kCleanUp = ::testing::AddGlobalTestEnvironment(new CleanUp);

const Fixture& fixture() {
  static const Fixture built = build_fixture();
  return built;
}

std::string rendered(const HtmlReportOptions& options = {}) {
  Result<std::string> html = render_html_report(fixture().dir, options);
  EXPECT_TRUE(html.ok()) << html.status().to_string();
  return html.ok() ? *html : "";
}

// [html.2]
TEST(HtmlReport, IsOneSelfContainedPage) {
  const std::string html = rendered();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const std::string_view banned : {"http://", "https://", "src=", "url(", "<script", "<link", "@import",
                                        "<iframe", "<img"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << "the page holds \"" << banned << "\"";
  }
  EXPECT_NE(html.find("<style>"), std::string::npos);
}

// [html.3]: the verdict, the table and the failing trial's section.
TEST(HtmlReport, ShowsVerdictTableAndFailureSection) {
  const std::string html = rendered();
  EXPECT_NE(html.find("<div class=\"big\">FAIL</div>"), std::string::npos);
  EXPECT_NE(html.find("1 of 3 trials failed"), std::string::npos);
  EXPECT_NE(html.find(html_escape(fixture().headline)), std::string::npos);
  const std::string anchor = "trial-list-append-seed" + fixture().bundle.substr(fixture().bundle.rfind("seed") + 4);
  EXPECT_NE(html.find("<a href=\"#" + anchor + "\">"), std::string::npos);
  EXPECT_NE(html.find("<section class=\"trial\" id=\"" + anchor + "\">"), std::string::npos);
  EXPECT_NE(html.find("G2-item #1"), std::string::npos);
  EXPECT_NE(html.find("faultline repro " + fixture().bundle), std::string::npos);
  EXPECT_NE(html.find("<td>rw-register</td>"), std::string::npos);
  // Passing rows link nowhere.
  EXPECT_EQ(count_of(html, "<a href=\"#trial-"), 2u);  // the table row and "first failure"
}

// [html.4]
TEST(HtmlReport, EscapesTextFromTheDirectory) {
  const std::string html = rendered();
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"), std::string::npos);
}

// [graphviz.2]: one inline SVG per cycle file, plus the timeline.
TEST(HtmlReport, DrawsEachCycleAsInlineSvgWithDot) {
  if (!locate_dot(std::nullopt)) GTEST_SKIP() << "Graphviz `dot` is not installed (apt-get install graphviz)";
  ASSERT_GT(fixture().cycles, 0u);
  const std::string html = rendered();
  const size_t drawn = std::min(fixture().cycles, kReportCycleGraphsMax);
  EXPECT_EQ(count_of(html, "<figure class=\"graph\"><svg"), drawn);
  EXPECT_EQ(count_of(html, "<svg"), drawn + 1);  // + the timeline
  EXPECT_EQ(count_of(html, "</svg>"), drawn + 1);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_EQ(html.find("<!DOCTYPE svg"), std::string::npos);
  EXPECT_NE(html.find("(" + fixture().bundle + "/cycles/0.dot)"), std::string::npos);  // matched to its example
}

// [html.1]: no dot is no failure; the DOT source is shown instead.
TEST(HtmlReport, ShowsDotSourceWhenDotIsMissing) {
  const std::string html = rendered(HtmlReportOptions{.dot = ""});
  EXPECT_EQ(count_of(html, "<svg"), 1u);  // the timeline only
  EXPECT_EQ(count_of(html, "<pre class=\"dot\">"), std::min(fixture().cycles, kReportCycleGraphsMax));
  EXPECT_NE(html.find("Graphviz `dot` is not installed"), std::string::npos);
  EXPECT_NE(html.find("digraph"), std::string::npos);
  EXPECT_NE(html.find("-&gt;"), std::string::npos);  // the edges, escaped
}

TEST(HtmlReport, TimelineShowsCrashesRecoveriesAndNamedTransactions) {
  const std::string html = rendered(HtmlReportOptions{.dot = ""});
  const size_t start = html.find("<svg class=\"timeline\"");
  ASSERT_NE(start, std::string::npos);
  const std::string svg = html.substr(start, html.find("</svg>", start) - start);
  EXPECT_NE(svg.find(">client 0</text>"), std::string::npos);
  EXPECT_NE(svg.find(">client 7</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">client 8</text>"), std::string::npos);  // 8 clients: lanes by process mod 8
  EXPECT_GE(count_of(svg, "class=\"tl-marker\""), 1u);
  EXPECT_NE(svg.find("crash "), std::string::npos);
  EXPECT_NE(svg.find("recovered"), std::string::npos);
  EXPECT_GE(count_of(svg, "class=\"tl-named\""), 2u);  // a G2-item cycle names at least two transactions
  EXPECT_NE(svg.find("named by G2-item #1"), std::string::npos);
  EXPECT_NE(svg.find(":time (ms)"), std::string::npos);
}

TEST(HtmlReport, ListsTheBundlesCrashImages) {  // crash_images.h [img.2]
  const std::string html = rendered(HtmlReportOptions{.dot = ""});
  EXPECT_NE(html.find(fixture().bundle + "/crash-images/</code>"), std::string::npos);
  EXPECT_NE(html.find("<code>epoch-1-"), std::string::npos) << "the fixture's trial crashed";
}

TEST(HtmlReport, MissingBundleIsShownNotFatal) {
  const fs::path dir = fixture().dir.string() + "-nobundle";
  fs::remove_all(dir);
  json summary = json::parse(read_text(fixture().dir / "summary.json"));
  summary["trials"][0]["bundle"] = "bundles/gone";
  summary["trials"][1]["bundle"] = "../../etc";
  summary["trials"][1]["status"] = "error";
  write_text(dir / "summary.json", summary.dump());
  Result<std::string> html = render_html_report(dir);
  ASSERT_TRUE(html.ok()) << html.status().to_string();
  EXPECT_NE(html->find("bundle bundles/gone is missing"), std::string::npos);
  EXPECT_NE(html->find("leaves the campaign directory; not read"), std::string::npos);
  fs::remove_all(dir);
}

// [html.1], [report-in.1]
TEST(HtmlReport, MissingOrCorruptSummaryIsInvalidArgumentNamingTheFile) {
  const fs::path dir = fixture().dir.string() + "-corrupt";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Result<std::string> missing = render_html_report(dir);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().is(Code::kInvalidArgument));
  EXPECT_NE(missing.status().to_string().find("summary.json"), std::string::npos);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"trials\": [", "not valid JSON"},
      {"[]", "expected a JSON object"},
      {"{\"totals\": {}}", "trials"},
      {"{\"trials\": [{\"seed\": \"x\", \"workload\": \"bank\", \"status\": \"pass\"}]}", "trials[0].seed"},
      {"{\"trials\": [{\"seed\": 3, \"status\": \"pass\"}]}", "trials[0].workload"},
  };
  for (const auto& [text, expected] : cases) {
    write_text(dir / "summary.json", text);
    Result<std::string> html = render_html_report(dir);
    ASSERT_FALSE(html.ok()) << text;
    EXPECT_TRUE(html.status().is(Code::kInvalidArgument)) << html.status().to_string();
    EXPECT_NE(html.status().to_string().find((dir / "summary.json").string()), std::string::npos)
        << html.status().to_string();
    EXPECT_NE(html.status().to_string().find(expected), std::string::npos) << html.status().to_string();
  }
  EXPECT_FALSE(write_html_report(dir).ok());
  EXPECT_FALSE(fs::exists(dir / "report.html"));
  fs::remove_all(dir);
}

// [html.3]: a campaign of many seeds lists every failing row, caps the rest.
TEST(HtmlReport, CapsPassingRowsButListsEveryFailure) {
  const fs::path dir = fixture().dir.string() + "-big";
  fs::remove_all(dir);
  json trials = json::array();
  for (uint64_t seed = 1; seed <= kReportTrialRowsMax + 500; ++seed) {
    const bool fail = seed == kReportTrialRowsMax + 400;
    trials.push_back({{"seed", seed}, {"workload", "bank"}, {"status", fail ? "fail" : "pass"},
                      {"headline", fail ? "invalid: bank-total x1" : "valid"}, {"bundle", nullptr}});
  }
  write_text(dir / "summary.json", json{{"trials", trials}}.dump());
  Result<std::string> html = render_html_report(dir);
  ASSERT_TRUE(html.ok()) << html.status().to_string();
  EXPECT_EQ(count_of(*html, "<tr><td>bank</td>") + count_of(*html, "<tr class=\"bad\"><td>bank</td>"),
            kReportTrialRowsMax);
  EXPECT_NE(html->find("invalid: bank-total x1"), std::string::npos);
  EXPECT_NE(html->find("500 passing trial(s) not listed"), std::string::npos);
  EXPECT_NE(html->find("No repro bundle was written"), std::string::npos);
  fs::remove_all(dir);
}

// [report-cmd.1]
TEST(ReportCommand, WritesReportAndPrintsItsPathOrExits2) {
  const fs::path report = fixture().dir / "report.html";
  fs::remove(report);
  ::testing::internal::CaptureStdout();
  const int ok = tools::report_command({fixture().dir.string()});
  const std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(ok, 0);
  EXPECT_EQ(printed, report.string() + "\n");
  EXPECT_TRUE(fs::exists(report));
  EXPECT_EQ(tools::report_command({(fixture().dir / "no-such-dir").string()}), 2);
  const fs::path corrupt = fixture().dir.string() + "-cmd";
  write_text(corrupt / "summary.json", "{");
  EXPECT_EQ(tools::report_command({corrupt.string()}), 2);
  fs::remove_all(corrupt);
}

// Runs `command` (a shell line) under `timeout`; its exit status.
int run_with_timeout(const std::string& command) {
  const std::string line = "timeout -k 10 " + std::to_string(kChromiumTimeoutSeconds) + " " + command;
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The issue's requirement: the page renders in headless Chromium without
// errors, and shows the verdict and SVG.
TEST(HtmlReport, RendersInHeadlessChromium) {
  std::optional<std::string> chromium = on_path("chromium");
  if (!chromium) chromium = on_path("chromium-browser");
  if (!chromium) GTEST_SKIP() << "chromium is not installed (apt-get install chromium): the page was not rendered";
  ASSERT_TRUE(write_html_report(fixture().dir).ok());
  const fs::path work = fixture().dir / "chromium";
  fs::create_directories(work);
  const std::string url = "file://" + (fixture().dir / "report.html").string();
  const std::string common = "'" + *chromium + "' --headless --no-sandbox --disable-gpu --hide-scrollbars "
                             "--no-first-run --user-data-dir='" + (work / "profile").string() + "' ";
  const fs::path png_path = work / "shot.png";
  const int shot = run_with_timeout(common + "--screenshot='" + png_path.string() +
                                    "' --window-size=1280,2000 --enable-logging=stderr --v=0 '" + url + "' >'" +
                                    (work / "shot.out").string() + "' 2>'" + (work / "shot.err").string() + "'");
  ASSERT_EQ(shot, 0) << read_text(work / "shot.err");
  // Console: the page has no script, so any message from it is an error.
  std::istringstream log(read_text(work / "shot.err"));
  for (std::string line; std::getline(log, line);) {
    EXPECT_EQ(line.find(":CONSOLE"), std::string::npos) << line;
    EXPECT_EQ(line.find("Uncaught"), std::string::npos) << line;
  }
  std::string why;
  const std::optional<Png> png = decode_png(read_text(png_path), &why);
  ASSERT_TRUE(png.has_value()) << png_path << ": " << why;
  EXPECT_EQ(png->width, 1280u);
  EXPECT_EQ(png->height, 2000u);
  std::set<uint32_t> colours;
  size_t banner_red = 0, bar_green = 0;
  for (uint32_t y = 0; y < png->height; ++y) {
    for (uint32_t x = 0; x < png->width; ++x) {
      const uint8_t r = png->r(x, y), g = png->g(x, y), b = png->b(x, y);
      colours.insert((uint32_t{r} << 16) | (uint32_t{g} << 8) | b);
      banner_red += (y < 300 && r == 0xc6 && g == 0x28 && b == 0x28) ? 1 : 0;  // .verdict.fail
      bar_green += (r == 0x43 && g == 0xa0 && b == 0x47) ? 1 : 0;              // :ok bars
    }
  }
  EXPECT_GT(colours.size(), 20u) << "the screenshot is (nearly) blank";
  EXPECT_GT(banner_red, 10000u) << "no red FAIL banner at the top of the screenshot";
  EXPECT_GT(bar_green, 50u) << "no :ok bar of the timeline SVG in the screenshot";
  const int dumped = run_with_timeout(common + "--dump-dom '" + url + "' >'" + (work / "dom.html").string() +
                                      "' 2>/dev/null");
  ASSERT_EQ(dumped, 0);
  const std::string dom = read_text(work / "dom.html");
  EXPECT_NE(dom.find(">FAIL<"), std::string::npos);
  EXPECT_NE(dom.find("&lt;script&gt;alert('x')&lt;/script&gt;"), std::string::npos);  // as text, not an element
  EXPECT_NE(dom.find("<svg class=\"timeline\""), std::string::npos);
  EXPECT_GE(count_of(dom, "<svg"), 1u);
  EXPECT_EQ(dom.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace fl::campaign::testing
