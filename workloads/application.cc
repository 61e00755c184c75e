// workloads/application.cc: the application behaviour of application.h.
#include "workloads/application.h"

#include "base/assert.h"
#include "workloads/limits.h"
#include "workloads/workload_format.h"

namespace fl::workloads {

std::string outbox_key(uint64_t n) {
  std::string digits = std::to_string(n);
  FL_ASSERT(digits.size() <= format::kOutboxDigits);
  std::string key(format::kOutboxKeyPrefix);
  key.append(format::kOutboxDigits - digits.size(), '0');
  key += digits;
  FL_ASSERT(key.size() <= format::kEngineKeyBytesMax);
  return key;
}

Application::Application(const WorkloadOptions& options, Prng stream) : options_(options), stream_(stream) {
  Status valid = validate(options_);
  FL_ASSERT(valid.ok());  // REQUIRES: validate(options).ok()
}

AppTxn Application::next() {
  const uint64_t n = invocations_++;
  AppTxn txn;
  // [app.3]: exactly two draws per invocation, used or not.
  txn.rollback = stream_.chance(options_.rollback_ratio);
  const uint64_t size = stream_.range_inclusive(options_.outbox_bytes_min, options_.outbox_bytes_max);
  if (options_.outbox_window == 0) return txn;  // [app.4]
  FL_ASSERT(size >= 1 && size <= kOutboxRecordBytesMax);
  std::string payload(size, ' ');
  for (uint64_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + (n + i) % 26);
  txn.outbox.push_back(Step{Step::Kind::kWrite, outbox_key(n), std::move(payload)});
  if (n >= options_.outbox_window) {
    txn.outbox.push_back(Step{Step::Kind::kErase, outbox_key(n - options_.outbox_window), {}});
  }
  return txn;
}

}  // namespace fl::workloads
