// checkers/bank.cc: [bank.1]..[bank.4] of bank.h.
#include "checkers/bank.h"

#include <algorithm>
#include <optional>
#include <string>
#include <variant>

#include "base/assert.h"

namespace fl::checkers {
namespace {

using history::OpType;
using history::Value;

// The integer under keyword `name` of the metadata, if any.
std::optional<int64_t> meta_int(const history::History& history, std::string_view name) {
  const Value* value = history.meta.get(name);
  if (value == nullptr || value->kind() != Value::Kind::kInt) return std::nullopt;
  return value->as_int();
}

std::optional<int64_t> meta_total(const history::History& history) {
  if (auto total = meta_int(history, "total")) return total;
  auto accounts = meta_int(history, "accounts");
  auto initial = meta_int(history, "initial-balance");
  int64_t product = 0;
  if (accounts && initial && !__builtin_mul_overflow(*accounts, *initial, &product)) return product;
  return std::nullopt;
}

// The balances of a read: sum (nullopt on a nil balance, a non-integer or
// overflow) and the first negative account.
struct ReadSum {
  std::optional<int64_t> sum;
  std::string why;  // why there is no sum
  std::optional<std::pair<int64_t, int64_t>> negative;  // account, balance
  bool empty = false;  // every balance nil [bank.5]
};

ReadSum sum_read(const Value& value) {
  ReadSum result;
  if (value.kind() != Value::Kind::kMap) {
    result.why = "its value is not a map of balances";
    return result;
  }
  result.empty = !value.entries().empty() &&
                 std::all_of(value.entries().begin(), value.entries().end(),
                             [](const history::MapEntry& entry) { return entry.value.is_nil(); });
  int64_t sum = 0;
  for (const history::MapEntry& entry : value.entries()) {
    const std::string account = entry.key.kind() == Value::Kind::kInt ? std::to_string(entry.key.as_int()) : "?";
    if (entry.value.kind() != Value::Kind::kInt) {
      result.why = "account " + account + " has balance " +
                   (entry.value.is_nil() ? std::string("nil") : std::string(history::kind_name(entry.value.kind())));
      return result;
    }
    const int64_t balance = entry.value.as_int();
    if (balance < 0 && !result.negative && entry.key.kind() == Value::Kind::kInt) {
      result.negative = std::make_pair(entry.key.as_int(), balance);
    }
    if (__builtin_add_overflow(sum, balance, &sum)) {
      result.why = "the balances overflow a 64-bit sum";
      return result;
    }
  }
  result.sum = sum;
  return result;
}

}  // namespace

bool is_bank_history(const history::History& history) {
  for (const history::Op& op : history.ops) {
    if (op.process.is_nemesis()) continue;
    if (op.f == "transfer" || op.f == "read") return true;
  }
  return false;
}

Verdict check_bank(const history::History& history, const BankOptions& options) {
  Verdict verdict;
  std::optional<int64_t> total = options.total ? options.total : meta_total(history);
  uint64_t reads = 0;
  uint64_t empty_reads = 0;
  for (const history::Op& op : history.ops) {
    if (op.type != OpType::kOk || op.f != "read" || op.process.is_nemesis()) continue;
    ++reads;
    const ReadSum read = sum_read(op.generic_value());
    if (read.empty && options.empty_state_allowed) {
      ++empty_reads;
      continue;
    }
    if (!total && read.sum) {
      total = read.sum;
      verdict.notes.push_back("bank: the total " + std::to_string(*total) + " is taken from the first read (op " +
                              std::to_string(op.index) + ")");
    }
    if (read.negative) {
      Anomaly anomaly;
      anomaly.type = "negative-balance";
      anomaly.op_indices = {op.index};
      anomaly.explanation = "the read op " + std::to_string(op.index) + " saw account " +
                            std::to_string(read.negative->first) + " with balance " +
                            std::to_string(read.negative->second) + "; no balance may go negative.";
      verdict.add(std::move(anomaly));
    }
    if (read.sum && total && *read.sum == *total) continue;
    if (read.sum && !total) continue;
    Anomaly anomaly;
    anomaly.type = "bank-total";
    anomaly.op_indices = {op.index};
    anomaly.explanation = "the read op " + std::to_string(op.index) +
                          (read.sum ? " sums to " + std::to_string(*read.sum) : " has no total: " + read.why) +
                          (total ? ", but the total is " + std::to_string(*total) : std::string()) +
                          "; transfers must conserve the total.";
    verdict.add(std::move(anomaly));
  }
  if (empty_reads > 0) {
    verdict.notes.push_back("bank: " + std::to_string(empty_reads) +
                            " read(s) saw every account nil: the initial balances were lost, which the "
                            "promise `none` allows");
  }
  if (reads == empty_reads) verdict.unknown("bank: no :ok read with balances to judge");
  FL_ASSERT(verdict.validity != Validity::kInvalid || !verdict.anomalies.empty());
  return verdict;
}

}  // namespace fl::checkers
