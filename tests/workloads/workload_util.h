// tests/workloads/workload_util.h: runs plans serially, against a std::map
// "engine" (the model) or through a client Session, so tests can compare
// what each produced.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/prng.h"
#include "history/edn_writer.h"
#include "history/value.h"
#include "workloads/client.h"
#include "workloads/workload.h"

namespace fl::workloads::testing {

// What one invocation did.
struct Outcome {
  enum class Type : uint8_t { kOk, kFail, kInfo } type = Type::kOk;
  history::Value completion;  // kOk only
  std::string error;          // the abort reason, corruption or commit error
  std::vector<Step> steps;    // every step the plan asked for
};

// A serial engine: one transaction at a time, writes buffered until commit.
class MapEngine {
 public:
  Outcome run(const WorkloadOptions& options, const Invocation& invocation) {
    Outcome out;
    std::unique_ptr<Plan> plan = make_plan(options, invocation);
    std::map<std::string, std::string> writes;
    while (std::optional<Step> step = plan->next_step()) {
      out.steps.push_back(*step);
      if (step->kind == Step::Kind::kWrite) {
        writes[step->key] = step->value;
        continue;
      }
      std::optional<std::string> value;
      if (auto own = writes.find(step->key); own != writes.end()) {
        value = own->second;
      } else if (auto stored = data.find(step->key); stored != data.end()) {
        value = stored->second;
      }
      Status recorded = plan->record_read(value);
      if (!recorded.ok()) out.error = recorded.to_string();
    }
    if (std::optional<std::string> reason = plan->abort_reason()) {
      out.type = Outcome::Type::kFail;
      out.error = *reason;
      return out;
    }
    for (auto& [key, value] : writes) data[key] = value;
    out.completion = plan->completion();
    return out;
  }

  void setup(const WorkloadOptions& options) {
    for (auto& [key, value] : initial_writes(options)) data[key] = value;
  }

  std::map<std::string, std::string> data;
};

// The same through a client Session: begin, steps, commit or rollback.
inline Outcome run_on_session(Session& session, const WorkloadOptions& options, const Invocation& invocation) {
  Outcome out;
  std::unique_ptr<Plan> plan = make_plan(options, invocation);
  Status begun = session.begin();
  if (!begun.ok()) return Outcome{Outcome::Type::kFail, {}, begun.to_string(), {}};
  while (std::optional<Step> step = plan->next_step()) {
    out.steps.push_back(*step);
    if (step->kind == Step::Kind::kWrite) {
      if (Status written = session.write(step->key, step->value); !written.ok()) {
        session.rollback();  // [client.3]
        return Outcome{Outcome::Type::kFail, {}, written.to_string(), out.steps};
      }
      continue;
    }
    Result<std::optional<std::string>> read = session.read(step->key);
    if (!read.ok()) {
      session.rollback();
      return Outcome{Outcome::Type::kFail, {}, read.status().to_string(), out.steps};
    }
    (void)plan->record_read(*read);  // a corruption also sets abort_reason()
  }
  if (std::optional<std::string> reason = plan->abort_reason()) {
    session.rollback();
    return Outcome{Outcome::Type::kFail, {}, *reason, out.steps};
  }
  CommitResult committed = session.commit();
  switch (committed.status) {
    case CommitStatus::kOk: out.completion = plan->completion(); break;
    case CommitStatus::kFail: out.type = Outcome::Type::kFail; break;
    case CommitStatus::kInfo: out.type = Outcome::Type::kInfo; break;
  }
  out.error = committed.error;
  return out;
}

inline std::string edn(const history::Value& value) { return history::to_edn(value); }

// n invocations of a fresh generator for `options`, from the "workload"
// stream of `seed`.
inline std::vector<Invocation> generate(const WorkloadOptions& options, uint64_t seed, size_t n) {
  std::unique_ptr<Generator> generator = make_generator(options);
  Prng prng = Prng::stream(seed, "workload");
  std::vector<Invocation> out;
  for (size_t i = 0; i < n; ++i) out.push_back(generator->next(prng));
  return out;
}

}  // namespace fl::workloads::testing
