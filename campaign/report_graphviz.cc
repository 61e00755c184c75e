// campaign/report_graphviz.cc: [graphviz.1]-[graphviz.3] of report_graphviz.h.
//
// The DOT goes to `dot` as a file argument, not through a pipe: a `dot`
// that stops reading early (a syntax error) would otherwise leave our write
// to a closed pipe, and SIGPIPE would end the whole report.
#include "campaign/report_graphviz.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include "campaign/report_limits.h"

namespace fl::campaign {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// After the pipes closed (or after a kill), how long the child may take
// to be reaped.
constexpr std::chrono::seconds kExitGraceSeconds{5};
constexpr std::chrono::milliseconds kExitPollInterval{5};
constexpr size_t kDotStderrBytesMax = 300;  // of dot's complaint, in the Status

bool is_executable_file(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// A timeout must end `dot` and anything it started, so it leads a group.
struct NewProcessGroup : bp::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);
  }
};

bool wait_until(bp::child& child, Clock::time_point deadline) {
  std::error_code ec;
  while (child.running(ec) && !ec) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kExitPollInterval);
  }
  return true;
}

void kill_group(bp::child& child) {
  const pid_t pid = child.id();
  if (pid > 0) (void)::kill(-pid, SIGKILL);
}

std::string ready_text(std::future<std::string>& text) {
  if (!text.valid() || text.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return "";
  try {
    return text.get();
  } catch (const std::exception&) {
    return "";
  }
}

fs::path temp_dot_path() {
  static std::atomic<uint64_t> counter{0};
  return fs::temp_directory_path() /
         ("faultline-report-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".dot");
}

struct DotRun {
  std::string start_error;
  bool timed_out = false;
  int exit_code = -1;
  std::string out, err;
};

DotRun run_dot(const std::string& dot_path, const fs::path& input) {
  DotRun run;
  boost::asio::io_context io;
  std::future<std::string> out;
  std::future<std::string> err;
  std::error_code ec;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(kDotTimeoutSeconds);
  try {
    bp::child child(bp::exe = dot_path, bp::args = std::vector<std::string>{"-Tsvg", input.string()},
                    bp::std_in.close(), bp::std_out > out, bp::std_err > err, io, NewProcessGroup{}, ec);
    if (ec) {
      run.start_error = ec.message();
      return run;
    }
    io.run_until(deadline);  // returns early once both pipes are closed
    if (!(io.stopped() && wait_until(child, deadline))) {
      run.timed_out = true;
      kill_group(child);
      io.restart();
      io.run_for(kExitGraceSeconds);
    }
    if (!wait_until(child, Clock::now() + kExitGraceSeconds)) kill_group(child);
    child.wait(ec);
    const int status = child.native_exit_code();
    if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
    run.out = ready_text(out);
    run.err = ready_text(err);
  } catch (const std::exception& e) {  // Boost.Process reports some failures by exception
    run.start_error = e.what();
  }
  return run;
}

// Removes attribute `name="..."` from `tag` (the root's start tag).
void drop_attribute(std::string& tag, std::string_view name) {
  const std::string needle = " " + std::string(name) + "=\"";
  const size_t at = tag.find(needle);
  if (at == std::string::npos) return;
  const size_t end = tag.find('"', at + needle.size());
  if (end == std::string::npos) return;
  tag.erase(at, end + 1 - at);
}

}  // namespace

std::optional<std::string> locate_dot(const std::optional<std::string>& dot) {
  if (dot) {
    if (dot->empty() || !is_executable_file(*dot)) return std::nullopt;
    return *dot;
  }
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  const std::string_view dirs(path);
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string_view::npos) end = dirs.size();
    const std::string_view dir = dirs.substr(start, end - start);
    const fs::path candidate = fs::path(dir.empty() ? "." : std::string(dir)) / "dot";
    if (is_executable_file(candidate)) return candidate.string();
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> inline_svg(std::string_view svg_document) {
  const size_t start = svg_document.find("<svg");
  const size_t close = svg_document.rfind("</svg>");
  if (start == std::string_view::npos || close == std::string_view::npos || close < start) return std::nullopt;
  const size_t tag_end = svg_document.find('>', start);
  if (tag_end == std::string_view::npos || tag_end > close) return std::nullopt;
  std::string tag(svg_document.substr(start, tag_end + 1 - start));
  drop_attribute(tag, "xmlns");
  drop_attribute(tag, "xmlns:xlink");
  return tag + std::string(svg_document.substr(tag_end + 1, close + 6 - (tag_end + 1)));
}

Result<std::string> dot_to_svg(const std::string& dot_path, std::string_view dot_source) {
  if (dot_source.size() > kDotInputBytesMax) {
    return Status::invalid_argument("dot", "graph of " + std::to_string(dot_source.size()) +
                                               " bytes is above the report's limit of " +
                                               std::to_string(kDotInputBytesMax));
  }
  const fs::path input = temp_dot_path();
  {
    std::ofstream out(input, std::ios::binary | std::ios::trunc);
    out << dot_source;
    if (!out.flush()) {
      std::error_code ignored;
      fs::remove(input, ignored);
      return Status::io_error(input.string(), EIO);
    }
  }
  DotRun run = run_dot(dot_path, input);
  std::error_code ignored;
  fs::remove(input, ignored);
  if (!run.start_error.empty()) return Status::not_found(dot_path, "could not start: " + run.start_error);
  if (run.timed_out) {
    return Status::invalid_argument(dot_path, "still drawing after " + std::to_string(kDotTimeoutSeconds) +
                                                  " s: killed (the graph is too large for the report)");
  }
  if (run.exit_code != 0) {
    std::string why = "exit " + std::to_string(run.exit_code);
    if (!run.err.empty()) why += ": " + run.err.substr(0, kDotStderrBytesMax);
    return Status::invalid_argument(dot_path, why);
  }
  if (run.out.size() > kDotSvgBytesMax) {
    return Status::invalid_argument(dot_path, "SVG of " + std::to_string(run.out.size()) + " bytes is too large");
  }
  std::optional<std::string> svg = inline_svg(run.out);
  if (!svg) return Status::invalid_argument(dot_path, "printed no <svg> element");
  return std::move(*svg);
}

}  // namespace fl::campaign
