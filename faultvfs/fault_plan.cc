#include "faultvfs/fault_plan.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>
#include <nlohmann/json.hpp>

namespace fl::faultvfs {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::string_view, static_cast<size_t>(OpKind::kCount)> kOpKindNames = {
    "open", "read", "write", "truncate", "sync", "datasync", "size", "close",
    "remove", "rename", "sync_dir", "list", "exists", "mkdir", "lock", "unlock"};

constexpr std::array<std::string_view, static_cast<size_t>(ActionKind::kCount)> kActionNames = {
    "fail", "short-write", "corrupt", "misdirect", "crash", "writeback-error"};

struct ErrnoName {
  std::string_view name;
  int err;
};
// The errors a real device or file system returns from these calls.
constexpr std::array<ErrnoName, 4> kErrnoNames = {{
    {"EIO", EIO}, {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT}, {"EROFS", EROFS}}};

std::string expected_list(const auto& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Parsing context: the field path of the value being read, for messages.
class Reader {
 public:
  Status error(const std::string& field, const std::string& what) const {
    return Status::invalid_argument("fault plan: " + field, what);
  }
  Status check_keys(const Json& object, const std::string& field,
                    std::initializer_list<std::string_view> allowed) const {
    if (!object.is_object()) return error(field, "expected an object");
    for (const auto& item : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
        return error(field + "." + item.key(), "unknown field (expected one of: " + expected_list(allowed) + ")");
      }
    }
    return Status::success();
  }
  Result<uint64_t> u64(const Json& value, const std::string& field) const {
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
      return error(field, "expected a non-negative integer");
    }
    return value.get<uint64_t>();
  }
  Result<std::string> text(const Json& value, const std::string& field) const {
    if (!value.is_string()) return error(field, "expected a string");
    return value.get<std::string>();
  }
  Result<Ratio> ratio(const Json& value, const std::string& field) const {
    if (!value.is_array() || value.size() != 2) return error(field, "expected [numerator, denominator]");
    FL_ASSIGN_OR_RETURN(uint64_t numerator, u64(value[0], field + "[0]"));
    FL_ASSIGN_OR_RETURN(uint64_t denominator, u64(value[1], field + "[1]"));
    Ratio out{numerator, denominator};
    if (!out.valid()) return error(field, "expected 0 <= numerator <= denominator, denominator > 0");
    return out;
  }
};

Result<Selector> parse_selector(const Reader& r, const Json& json, const std::string& field) {
  FL_TRY(r.check_keys(json, field, {"op", "path", "phase", "nth", "after_op", "probability"}));
  Selector s;
  if (json.contains("op")) {
    FL_ASSIGN_OR_RETURN(std::string name, r.text(json["op"], field + ".op"));
    s.op = op_kind_from_name(name);
    if (!s.op) {
      return r.error(field + ".op", "unknown operation \"" + name + "\" (expected one of: " +
                                        expected_list(kOpKindNames) + ")");
    }
  }
  if (json.contains("path")) {
    FL_ASSIGN_OR_RETURN(std::string glob, r.text(json["path"], field + ".path"));
    if (glob.empty()) return r.error(field + ".path", "empty glob");
    s.path = glob;
  }
  if (json.contains("phase")) {
    FL_ASSIGN_OR_RETURN(std::string name, r.text(json["phase"], field + ".phase"));
    s.phase = phase_from_name(name);
    if (!s.phase) {
      return r.error(field + ".phase", "unknown phase \"" + name + "\" (expected one of: " +
                                           expected_list(kPhaseNames) + ")");
    }
  }
  if (json.contains("nth")) {
    FL_ASSIGN_OR_RETURN(uint64_t nth, r.u64(json["nth"], field + ".nth"));
    if (nth == 0) return r.error(field + ".nth", "counts from 1");
    s.nth = nth;
  }
  if (json.contains("after_op")) {
    FL_ASSIGN_OR_RETURN(s.after_op, r.u64(json["after_op"], field + ".after_op"));
  }
  if (json.contains("probability")) {
    FL_ASSIGN_OR_RETURN(s.probability, r.ratio(json["probability"], field + ".probability"));
  }
  return s;
}

Result<Action> parse_action(const Reader& r, const Json& json, const std::string& field) {
  FL_TRY(r.check_keys(json, field, {"action", "errno", "kind", "bits"}));
  if (!json.contains("action")) return r.error(field + ".action", "missing");
  FL_ASSIGN_OR_RETURN(std::string name, r.text(json["action"], field + ".action"));
  auto it = std::find(kActionNames.begin(), kActionNames.end(), name);
  if (it == kActionNames.end()) {
    return r.error(field + ".action", "unknown action \"" + name + "\" (expected one of: " +
                                          expected_list(kActionNames) + ")");
  }
  Action a;
  a.kind = static_cast<ActionKind>(it - kActionNames.begin());
  bool takes_errno = a.kind == ActionKind::kFail || a.kind == ActionKind::kWritebackError;
  if (json.contains("errno")) {
    if (!takes_errno) return r.error(field + ".errno", "only for fail and writeback-error");
    FL_ASSIGN_OR_RETURN(std::string err, r.text(json["errno"], field + ".errno"));
    auto e = std::find_if(kErrnoNames.begin(), kErrnoNames.end(), [&](auto& n) { return n.name == err; });
    if (e == kErrnoNames.end()) {
      std::array<std::string_view, kErrnoNames.size()> names;
      for (size_t i = 0; i < names.size(); ++i) names[i] = kErrnoNames[i].name;
      return r.error(field + ".errno", "unknown errno \"" + err + "\" (expected one of: " + expected_list(names) + ")");
    }
    a.err = e->err;
  }
  if (json.contains("kind")) {
    if (a.kind != ActionKind::kCrash) return r.error(field + ".kind", "only for crash");
    FL_ASSIGN_OR_RETURN(std::string kind, r.text(json["kind"], field + ".kind"));
    if (kind == "power") {
      a.crash = CrashKind::kPower;
    } else if (kind == "process") {
      a.crash = CrashKind::kProcess;
    } else {
      return r.error(field + ".kind", "unknown crash kind \"" + kind + "\" (expected one of: process, power)");
    }
  } else if (a.kind == ActionKind::kCrash) {
    return r.error(field + ".kind", "missing (expected process or power)");
  }
  if (json.contains("bits")) {
    if (a.kind != ActionKind::kCorrupt) return r.error(field + ".bits", "only for corrupt");
    FL_ASSIGN_OR_RETURN(uint64_t bits, r.u64(json["bits"], field + ".bits"));
    if (bits == 0 || bits > kCorruptBitsMax) {
      return r.error(field + ".bits", "expected 1.." + std::to_string(kCorruptBitsMax));
    }
    a.bits = static_cast<uint32_t>(bits);
  }
  return a;
}

Result<FaultPlan> parse_plan_json(const Json& json) {
  Reader r;
  FL_TRY(r.check_keys(json, "plan",
                      {"version", "seed", "sector_size_bytes", "fsync", "meta_order", "size_before_data",
                       "evict_unwritten", "drop_unseen_error", "capacity_bytes", "rules"}));
  FaultPlan plan;
  if (json.contains("version")) {
    FL_ASSIGN_OR_RETURN(uint64_t version, r.u64(json["version"], "version"));
    if (version != 1) return r.error("version", "unsupported version " + std::to_string(version) + " (expected 1)");
  }
  if (json.contains("seed")) {
    FL_ASSIGN_OR_RETURN(plan.seed, r.u64(json["seed"], "seed"));
  }
  if (json.contains("sector_size_bytes")) {
    FL_ASSIGN_OR_RETURN(uint64_t size, r.u64(json["sector_size_bytes"], "sector_size_bytes"));
    if (size < kSectorSizeBytesMin || size > kSectorSizeBytesMax || (size & (size - 1)) != 0) {
      return r.error("sector_size_bytes", "expected a power of two in 512..65536");
    }
    plan.sector_size_bytes = static_cast<uint32_t>(size);
  }
  if (json.contains("fsync")) {
    FL_ASSIGN_OR_RETURN(std::string name, r.text(json["fsync"], "fsync"));
    if (name == "ext4") {
      plan.fsync = FsyncSemantics::kExt4;
    } else if (name == "revert") {
      plan.fsync = FsyncSemantics::kRevert;
    } else if (name == "retry") {
      plan.fsync = FsyncSemantics::kRetry;
    } else {
      return r.error("fsync", "unknown semantics \"" + name + "\" (expected one of: ext4, revert, retry)");
    }
  }
  if (json.contains("meta_order")) {
    FL_ASSIGN_OR_RETURN(std::string name, r.text(json["meta_order"], "meta_order"));
    if (name == "per-directory") {
      plan.meta_order = MetaOrder::kPerDirectory;
    } else if (name == "global") {
      plan.meta_order = MetaOrder::kGlobal;
    } else {
      return r.error("meta_order", "unknown order \"" + name + "\" (expected one of: per-directory, global)");
    }
  }
  if (json.contains("size_before_data")) {
    if (!json["size_before_data"].is_boolean()) return r.error("size_before_data", "expected true or false");
    plan.size_before_data = json["size_before_data"].get<bool>();
  }
  if (json.contains("evict_unwritten")) {
    FL_ASSIGN_OR_RETURN(plan.evict_unwritten, r.ratio(json["evict_unwritten"], "evict_unwritten"));
  }
  if (json.contains("drop_unseen_error")) {
    FL_ASSIGN_OR_RETURN(plan.drop_unseen_error, r.ratio(json["drop_unseen_error"], "drop_unseen_error"));
  }
  if (json.contains("capacity_bytes") && !json["capacity_bytes"].is_null()) {
    FL_ASSIGN_OR_RETURN(plan.capacity_bytes, r.u64(json["capacity_bytes"], "capacity_bytes"));
  }
  if (json.contains("rules")) {
    const Json& rules = json["rules"];
    if (!rules.is_array()) return r.error("rules", "expected an array");
    if (rules.size() > kPlanRulesMax) return r.error("rules", "more than " + std::to_string(kPlanRulesMax) + " rules");
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string field = "rules[" + std::to_string(i) + "]";
      FL_TRY(r.check_keys(rules[i], field, {"when", "do", "times"}));
      Rule rule;
      if (rules[i].contains("when")) {
        FL_ASSIGN_OR_RETURN(rule.when, parse_selector(r, rules[i]["when"], field + ".when"));
      }
      if (!rules[i].contains("do")) return r.error(field + ".do", "missing");
      FL_ASSIGN_OR_RETURN(rule.action, parse_action(r, rules[i]["do"], field + ".do"));
      if (rules[i].contains("times")) {
        FL_ASSIGN_OR_RETURN(uint64_t times, r.u64(rules[i]["times"], field + ".times"));
        if (times == 0) return r.error(field + ".times", "expected at least 1");
        rule.times_max = times;
      }
      plan.rules.push_back(std::move(rule));
    }
  }
  FL_TRY(validate_fault_plan(plan));
  return plan;
}

Json ratio_json(Ratio ratio) { return Json::array({ratio.numerator, ratio.denominator}); }

}  // namespace

std::string_view op_kind_name(OpKind kind) {
  FL_ASSERT(kind < OpKind::kCount);
  return kOpKindNames[static_cast<size_t>(kind)];
}

std::optional<OpKind> op_kind_from_name(std::string_view name) {
  for (size_t i = 0; i < kOpKindNames.size(); ++i) {
    if (kOpKindNames[i] == name) return static_cast<OpKind>(i);
  }
  return std::nullopt;
}

std::string_view crash_kind_name(CrashKind kind) { return kind == CrashKind::kPower ? "power" : "process"; }

std::string_view fsync_semantics_name(FsyncSemantics semantics) {
  switch (semantics) {
    case FsyncSemantics::kExt4: return "ext4";
    case FsyncSemantics::kRevert: return "revert";
    case FsyncSemantics::kRetry: return "retry";
  }
  return "?";
}

std::string_view action_kind_name(ActionKind kind) {
  FL_ASSERT(kind < ActionKind::kCount);
  return kActionNames[static_cast<size_t>(kind)];
}

Status validate_fault_plan(const FaultPlan& plan) {
  Reader r;
  uint32_t size = plan.sector_size_bytes;
  if (size < kSectorSizeBytesMin || size > kSectorSizeBytesMax || (size & (size - 1)) != 0) {
    return r.error("sector_size_bytes", "expected a power of two in 512..65536");
  }
  if (!plan.evict_unwritten.valid()) return r.error("evict_unwritten", "invalid ratio");
  if (!plan.drop_unseen_error.valid()) return r.error("drop_unseen_error", "invalid ratio");
  if (plan.rules.size() > kPlanRulesMax) return r.error("rules", "too many rules");
  for (size_t i = 0; i < plan.rules.size(); ++i) {
    const Rule& rule = plan.rules[i];
    std::string field = "rules[" + std::to_string(i) + "]";
    bool write_only = rule.action.kind == ActionKind::kShortWrite || rule.action.kind == ActionKind::kMisdirect;
    if (write_only && rule.when.op && *rule.when.op != OpKind::kWrite) {
      return r.error(field + ".when.op", std::string("action ") + std::string(action_kind_name(rule.action.kind)) +
                                             " applies only to write");
    }
    if (rule.when.probability && !rule.when.probability->valid()) return r.error(field + ".when.probability", "invalid");
    if (rule.when.nth && *rule.when.nth == 0) return r.error(field + ".when.nth", "counts from 1");
    if (rule.times_max && *rule.times_max == 0) return r.error(field + ".times", "expected at least 1");
    if (rule.action.kind == ActionKind::kCorrupt && (rule.action.bits == 0 || rule.action.bits > kCorruptBitsMax)) {
      return r.error(field + ".do.bits", "out of range");
    }
  }
  return Status::success();
}

Result<FaultPlan> parse_fault_plan(std::string_view json_text) {
  Json json;
  try {
    json = Json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the offset of the offending byte; name it for the user.
    return Status::invalid_argument("fault plan", std::string("malformed JSON at byte ") + std::to_string(e.byte) +
                                                      ": " + e.what());
  } catch (const nlohmann::json::exception& e) {  // e.g. a number too large for any type (found by fuzzing)
    return Status::invalid_argument("fault plan", std::string("malformed JSON: ") + e.what());
  }
  try {
    return parse_plan_json(json);
  } catch (const nlohmann::json::exception& e) {  // defensive: a type error we did not check
    return Status::invalid_argument("fault plan", e.what());
  }
}

std::string to_json(const FaultPlan& plan) {
  Json json;
  json["version"] = 1;
  json["seed"] = plan.seed;
  json["sector_size_bytes"] = plan.sector_size_bytes;
  json["fsync"] = fsync_semantics_name(plan.fsync);
  json["meta_order"] = plan.meta_order == MetaOrder::kGlobal ? "global" : "per-directory";
  json["size_before_data"] = plan.size_before_data;
  json["evict_unwritten"] = ratio_json(plan.evict_unwritten);
  json["drop_unseen_error"] = ratio_json(plan.drop_unseen_error);
  json["capacity_bytes"] = plan.capacity_bytes ? Json(*plan.capacity_bytes) : Json(nullptr);
  json["rules"] = Json::array();
  for (const Rule& rule : plan.rules) {
    Json when = Json::object();
    if (rule.when.op) when["op"] = op_kind_name(*rule.when.op);
    if (rule.when.path) when["path"] = *rule.when.path;
    if (rule.when.phase) when["phase"] = phase_name(*rule.when.phase);
    if (rule.when.nth) when["nth"] = *rule.when.nth;
    if (rule.when.after_op) when["after_op"] = *rule.when.after_op;
    if (rule.when.probability) when["probability"] = ratio_json(*rule.when.probability);
    Json action = Json::object();
    action["action"] = action_kind_name(rule.action.kind);
    if (rule.action.kind == ActionKind::kFail || rule.action.kind == ActionKind::kWritebackError) {
      auto e = std::find_if(kErrnoNames.begin(), kErrnoNames.end(), [&](auto& n) { return n.err == rule.action.err; });
      FL_ASSERT(e != kErrnoNames.end());
      action["errno"] = e->name;
    }
    if (rule.action.kind == ActionKind::kCrash) action["kind"] = crash_kind_name(rule.action.crash);
    if (rule.action.kind == ActionKind::kCorrupt) action["bits"] = rule.action.bits;
    Json entry;
    entry["when"] = when;
    entry["do"] = action;
    if (rule.times_max) entry["times"] = *rule.times_max;
    json["rules"].push_back(entry);
  }
  return json.dump(2);
}

bool glob_match(std::string_view pattern, std::string_view path) {
  // Tokens: '**' (any run), '*' (any run without '/'), '?' (one non-'/'),
  // or a literal character. Dynamic programming over (token, path position),
  // filled from the end: O(tokens * |path|) time, no backtracking blow-up.
  enum : int { kAny = 256, kAnyInComponent = 257, kOne = 258 };
  std::vector<int> tokens;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '*' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
      tokens.push_back(kAny);
      ++i;
    } else if (pattern[i] == '*') {
      tokens.push_back(kAnyInComponent);
    } else if (pattern[i] == '?') {
      tokens.push_back(kOne);
    } else {
      tokens.push_back(static_cast<unsigned char>(pattern[i]));
    }
  }
  const size_t n = path.size();
  std::vector<char> next(n + 1, 0), row(n + 1, 0);
  next[n] = 1;  // no tokens left matches only the end of the path
  for (size_t t = tokens.size(); t-- > 0;) {
    const int token = tokens[t];
    for (size_t j = n + 1; j-- > 0;) {
      bool match = false;
      if (token == kAny || token == kAnyInComponent) {
        // Matches nothing, or path[j] and then the rest of the run.
        match = next[j] || (j < n && (token == kAny || path[j] != '/') && row[j + 1]);
      } else if (j < n) {
        match = token == kOne ? path[j] != '/' : static_cast<unsigned char>(path[j]) == token;
        match = match && next[j + 1];
      }
      row[j] = match;
    }
    std::swap(row, next);
  }
  return next[0] != 0;
}

}  // namespace fl::faultvfs
