// tools/elle_bridge.cc: [elle.1]-[elle.5] of elle_bridge.h.
#include "tools/elle_bridge.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <system_error>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <nlohmann/json.hpp>

#include "base/assert.h"
#include "checkers/consistency_models.h"
#include "history/edn_writer.h"

#ifndef FAULTLINE_ELLE_CHECK_DEFAULT
#define FAULTLINE_ELLE_CHECK_DEFAULT ""
#endif

namespace fl::tools {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// After the pipes closed, how long the child may take to exit; after a
// kill, how long its pipes may take to close. Both are about processes
// the kernel has already been told to end.
constexpr std::chrono::seconds kExitGraceSeconds{10};
constexpr std::chrono::milliseconds kExitPollInterval{10};
constexpr std::string_view kRelativeElleCheck = "../shared/elle/elle-check";

// Types Elle has no check for ([elle.5]); checkers/verdict.h [verdict.2].
const std::set<std::string>& types_elle_lacks() {
  static const std::set<std::string> types = {"lost-write",        "atomicity", "garbage-read", "bank-total",
                                              "negative-balance", "integrity"};
  return types;
}
constexpr std::string_view kElleInformational = "empty-transaction-graph";

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// [elle.3] The child leads a new process group, so that a timeout ends the
// JVM elle-check starts, not only the script.
struct NewProcessGroup : bp::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);
  }
};

struct ChildOutcome {
  std::string start_error;  // non-empty when it could not be started
  bool timed_out = false;
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal ended it
  std::string out, err;
  double seconds = 0;
};

// Waits until `child` has exited or `deadline` passed; true when it exited.
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
  if (pid > 0) (void)::kill(-pid, SIGKILL);  // the group ([elle.3]); the leader is in it
}

// What a captured stream holds, when its reader finished ("" otherwise, or
// when reading failed).
std::string ready_text(std::future<std::string>& text) {
  if (!text.valid() || text.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return "";
  try {
    return text.get();
  } catch (const std::exception&) {
    return "";
  }
}

ChildOutcome run_child(const std::string& exe, const std::vector<std::string>& args, uint64_t timeout_seconds) {
  ChildOutcome outcome;
  boost::asio::io_context io;
  std::future<std::string> out;
  std::future<std::string> err;
  std::error_code ec;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::seconds(timeout_seconds);
  try {
    bp::child child(bp::exe = exe, bp::args = args, bp::std_in.close(), bp::std_out > out, bp::std_err > err, io,
                    NewProcessGroup{}, ec);
    if (ec) {
      outcome.start_error = ec.message();
      return outcome;
    }
    io.run_until(deadline);  // returns early once both pipes are closed
    bool exited = io.stopped() && wait_until(child, deadline);
    if (!exited) {
      outcome.timed_out = true;
      kill_group(child);
      io.restart();
      io.run_for(kExitGraceSeconds);  // the pipes close once the group is gone
    }
    if (!wait_until(child, Clock::now() + kExitGraceSeconds)) kill_group(child);
    child.wait(ec);
    const int status = child.native_exit_code();
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    outcome.out = ready_text(out);
    outcome.err = ready_text(err);
  } catch (const std::exception& e) {  // Boost.Process reports some failures by exception
    outcome.start_error = e.what();
  }
  outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return outcome;
}

// [elle.2]: JAVA, else `java` on PATH.
std::optional<std::string> java_missing() {
  if (const char* java = std::getenv("JAVA"); java != nullptr && *java != '\0') {
    const std::string path(java);
    if (path.find('/') == std::string::npos) {
      if (bp::search_path(path).empty()) return "JAVA=" + path + " is not on PATH";
    } else if (!is_executable_file(path)) {
      return "JAVA=" + path + " is not an executable file";
    }
    return std::nullopt;
  }
  if (bp::search_path("java").empty()) {
    return std::string("no `java` on PATH (elle-check needs a JDK or JRE >= 17; or set JAVA to its binary)");
  }
  return std::nullopt;
}

std::string tail(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  if (trimmed.size() <= kElleStderrTailBytesMax) return trimmed;
  return "..." + trimmed.substr(trimmed.size() - kElleStderrTailBytesMax);
}

// The last stdout line that is a JSON object (elle-check prints one per file).
std::optional<nlohmann::json> summary_of(const std::string& out) {
  std::istringstream lines(out);
  std::optional<nlohmann::json> summary;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() != '{') continue;
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) summary = std::move(parsed);
  }
  return summary;
}

std::set<std::string> string_set(const nlohmann::json& list) {
  std::set<std::string> out;
  if (!list.is_array()) return out;
  for (const nlohmann::json& item : list) {
    if (item.is_string()) out.insert(item.get<std::string>());
  }
  return out;
}

// [elle.4]: Elle's answer, or why there is none.
void read_answer(const ChildOutcome& child, ElleResult& result) {
  result.status = ElleStatus::kFailed;
  result.exit_code = child.exit_code;
  result.seconds = child.seconds;
  result.stderr_tail = tail(child.err);
  if (child.timed_out) {
    result.why = "timed out: no verdict after the --elle-timeout; the process group was killed";
    return;
  }
  if (child.signal != 0) {
    result.why = "crashed: killed by signal " + std::to_string(child.signal) + " (" + strsignal(child.signal) + ")";
    return;
  }
  const std::optional<nlohmann::json> summary = summary_of(child.out);
  if (summary && summary->contains("error")) {
    const nlohmann::json& error = (*summary)["error"];
    std::string text = error.is_string() ? error.get<std::string>() : error.dump();
    for (char& c : text) c = c == '\n' ? ' ' : c;
    result.why = "Elle stopped with an error instead of a verdict (exit " + std::to_string(child.exit_code) +
                 "): " + text;
    if (text.find("No transaction wrote") != std::string::npos) {
      result.why += " (Elle asserts on a read of a value no transaction wrote; we report it as garbage-read)";
    }
    return;
  }
  if (!summary || !summary->contains("valid?")) {
    result.why = "exit " + std::to_string(child.exit_code) + " without a JSON summary on stdout" +
                 (child.out.empty() ? std::string() : " (stdout: \"" + tail(child.out) + "\")");
    return;
  }
  const nlohmann::json& valid = (*summary)["valid?"];
  std::string validity;
  if (valid.is_boolean()) validity = valid.get<bool>() ? "valid" : "invalid";
  if (valid.is_string() && valid.get<std::string>() == "unknown") validity = "unknown";
  const int expected_exit = validity == "valid" ? 0 : validity == "invalid" ? 1 : 3;
  if (validity.empty() || child.exit_code != expected_exit) {
    result.why = "inconsistent answer: valid? " + valid.dump() + " with exit " + std::to_string(child.exit_code);
    return;
  }
  result.status = ElleStatus::kCompared;
  result.validity = validity;
  result.anomaly_types = string_set((*summary)["anomaly-types"]);
  result.anomaly_types.erase(std::string(kElleInformational));
  result.impossible_models = string_set((*summary)["not"]);
  for (const std::string& model : string_set((*summary)["also-not"])) result.impossible_models.insert(model);
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

std::string joined(const std::set<std::string>& items) {
  if (items.empty()) return "(none)";
  return joined(std::vector<std::string>(items.begin(), items.end()), ", ");
}

// A file name no other process of this machine uses at the same time.
fs::path temp_history_path() {
  static std::atomic<uint64_t> counter{0};
  return fs::temp_directory_path() /
         ("faultline-elle-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".edn");
}

}  // namespace

std::string_view elle_status_words(ElleStatus status) {
  switch (status) {
    case ElleStatus::kCompared: return "compared";
    case ElleStatus::kNotApplicable: return "not applicable";
    case ElleStatus::kNotAvailable: return "not available";
    case ElleStatus::kFailed: return "failed";
  }
  return "failed";
}

std::string_view elle_status_name(ElleStatus status) {
  switch (status) {
    case ElleStatus::kCompared: return "compared";
    case ElleStatus::kNotApplicable: return "not-applicable";
    case ElleStatus::kNotAvailable: return "not-available";
    case ElleStatus::kFailed: return "failed";
  }
  return "failed";
}

Result<std::string> locate_elle_check(const std::optional<std::string>& elle_path, std::vector<std::string>* tried) {
  FL_ASSERT(tried != nullptr);
  if (elle_path) {
    tried->push_back(*elle_path);
    if (!fs::exists(*elle_path)) {
      return Status::invalid_argument("--elle-path", *elle_path + ": no such file (expected the elle-check script of an Elle build)");
    }
    if (!is_executable_file(*elle_path)) {
      return Status::invalid_argument("--elle-path", *elle_path + ": not an executable file");
    }
    return *elle_path;
  }
  for (const std::string_view candidate : {std::string_view(FAULTLINE_ELLE_CHECK_DEFAULT), kRelativeElleCheck}) {
    if (candidate.empty()) continue;
    tried->emplace_back(candidate);
    if (is_executable_file(tried->back())) return tried->back();
  }
  return Status::not_found("elle-check", "no executable elle-check at " + joined(*tried, ", ") +
                                             " (give one with --elle-path)");
}

ElleResult run_elle(const history::History& history, const ElleOptions& options) {
  ElleResult result;
  if (options.workload != "list-append" && options.workload != "rw-register") {
    result.status = ElleStatus::kNotApplicable;
    result.why = options.workload.empty() ? "no workload recognised: Elle checks list-append and rw-register"
                                          : "Elle has no checker for " + options.workload + " histories";
    return result;
  }
  std::vector<std::string> tried;
  Result<std::string> elle_check = locate_elle_check(options.elle_path, &tried);
  if (!elle_check.ok()) {
    result.status = ElleStatus::kNotAvailable;
    result.why = elle_check.status().to_string();
    return result;
  }
  result.elle_check = *elle_check;
  if (std::optional<std::string> missing = java_missing()) {
    result.status = ElleStatus::kNotAvailable;
    result.why = *missing;
    return result;
  }
  const fs::path file = temp_history_path();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << history::to_edn(history);
    if (!out.flush()) {
      result.status = ElleStatus::kFailed;
      result.why = "could not write the EDN export to " + file.string();
      std::error_code ignored;
      fs::remove(file, ignored);
      return result;
    }
  }
  const std::vector<std::string> args = {"--format", "json", "--workload", options.workload,
                                         "--model",  joined(options.models, ","), file.string()};
  const ChildOutcome child = run_child(result.elle_check, args, options.timeout_seconds);
  std::error_code ignored;
  fs::remove(file, ignored);
  if (!child.start_error.empty()) {
    result.status = ElleStatus::kNotAvailable;
    result.why = "could not start " + result.elle_check + ": " + child.start_error;
    return result;
  }
  read_answer(child, result);
  return result;
}

ElleComparison compare_with_elle(const checkers::Verdict& ours, const ElleResult& elle) {
  FL_ASSERT(elle.status == ElleStatus::kCompared);
  ElleComparison c;
  std::set<std::string> comparable;
  for (const auto& [type, count] : ours.anomaly_counts) {
    (types_elle_lacks().contains(type) ? c.not_judged_by_elle : comparable).insert(type);
  }
  for (const std::string& type : comparable) (elle.anomaly_types.contains(type) ? c.both : c.only_ours).insert(type);
  for (const std::string& type : elle.anomaly_types) {
    if (!comparable.contains(type)) c.only_elle.insert(type);
  }
  c.types_agree = c.only_ours.empty() && c.only_elle.empty();
  c.our_validity = std::string(checkers::validity_name(ours.validity));
  const std::string& our_validity = c.our_validity;
  // Ours is invalid only through checks Elle lacks: Elle has nothing to find.
  const bool explained = our_validity == "invalid" && comparable.empty() && elle.validity == "valid";
  c.verdicts_agree = our_validity == elle.validity || explained;
  c.models_agree = true;
  if (our_validity == "invalid" && elle.validity == "invalid") {
    std::set<std::string> our_models, elle_models;
    for (const auto& [model, reasons] : checkers::violated_models(comparable)) {
      our_models.insert(checkers::canonical_model_name(model));
    }
    for (const std::string& model : elle.impossible_models) elle_models.insert(checkers::canonical_model_name(model));
    c.models_agree = our_models == elle_models;
  }
  return c;
}

std::string elle_text(const ElleResult& elle, const ElleComparison* comparison, uint64_t crashes) {
  std::ostringstream out;
  out << "\nELLE\n";
  if (!elle.elle_check.empty()) {
    out << "  elle-check: " << elle.elle_check;
    if (elle.exit_code >= 0) out << " (exit " << elle.exit_code << ")";
    out << "\n";
  }
  if (elle.status != ElleStatus::kCompared) {
    out << "  elle: " << elle_status_words(elle.status) << ": " << elle.why << "\n";
    if (!elle.stderr_tail.empty()) {
      std::string indented = elle.stderr_tail;
      for (size_t at = indented.find('\n'); at != std::string::npos; at = indented.find('\n', at + 1)) {
        indented.insert(at + 1, "    ");
      }
      out << "  elle stderr:\n    " << indented << "\n";
    }
    out << "  (no comparison: this is not a disagreement)\n";
    return out.str();
  }
  FL_ASSERT(comparison != nullptr);
  const ElleComparison& c = *comparison;
  out << "  verdict: ours " << c.our_validity << ", Elle's " << elle.validity
      << (c.verdicts_agree ? " (agree)" : " (DIFFER)") << "\n";
  out << "  anomaly types found by both: " << joined(c.both) << "\n";
  out << "  only ours: " << joined(c.only_ours) << "\n";
  out << "  only Elle's: " << joined(c.only_elle) << "\n";
  if (!c.not_judged_by_elle.empty()) out << "  ours, not judged by Elle: " << joined(c.not_judged_by_elle) << "\n";
  if (!c.models_agree) out << "  impossible models differ; Elle's: " << joined(elle.impossible_models) << "\n";
  if (crashes > 0) {
    out << "  note: the history crosses " << crashes
        << " crash(es). Elle ignores crashes; we judge isolation per crash epoch and losses as durability, so a "
           "loss at a crash may show in Elle as an isolation anomaly.\n";
  }
  out << (c.agree() ? "AGREE with Elle" : crashes > 0 ? "DISAGREE with Elle (across crashes: see the note)"
                                                      : "DISAGREE with Elle")
      << "\n";
  return out.str();
}

std::string with_elle_json(std::string_view verdict_json, const ElleResult& elle, const ElleComparison* comparison,
                           uint64_t crashes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::parse(verdict_json);
  nlohmann::ordered_json e;
  e["status"] = elle_status_name(elle.status);
  if (!elle.elle_check.empty()) e["elle_check"] = elle.elle_check;
  if (elle.exit_code >= 0) e["exit_code"] = elle.exit_code;
  if (elle.status != ElleStatus::kCompared) {
    e["why"] = elle.why;
    if (!elle.stderr_tail.empty()) e["stderr"] = elle.stderr_tail;
  } else {
    FL_ASSERT(comparison != nullptr);
    e["valid"] = elle.validity == "unknown" ? nlohmann::ordered_json("unknown")
                                            : nlohmann::ordered_json(elle.validity == "valid");
    e["anomaly_types"] = elle.anomaly_types;
    e["impossible_models"] = elle.impossible_models;
    e["agree"] = comparison->agree();
    e["verdicts_agree"] = comparison->verdicts_agree;
    e["types_agree"] = comparison->types_agree;
    e["models_agree"] = comparison->models_agree;
    e["both"] = comparison->both;
    e["only_ours"] = comparison->only_ours;
    e["only_elle"] = comparison->only_elle;
    e["not_judged_by_elle"] = comparison->not_judged_by_elle;
    e["crashes_ignored_by_elle"] = crashes;
  }
  out["elle"] = std::move(e);
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace fl::tools
