// bank ([wl.5]), in the shape of Jepsen's jepsen.tests.bank: accounts are
// the integers 0..accounts-1, each an engine key holding its balance as
// encode_int(). Invocations:
//   {:f :transfer, :value {:from 1, :to 3, :amount 4}}   completes with the same value
//   {:f :read, :value nil}                              completes with {0 100, 1 97, ...}
// A transfer reads both balances, then either writes both or, when the
// source holds less than the amount, stops with an abort reason (:fail:
// nothing was written). A read reads every account; an absent account
// reads as nil (Jepsen's checker reports it as :nil-balance).
#include "base/assert.h"
#include "workloads/internal/codec.h"
#include "workloads/internal/keys.h"
#include "workloads/internal/workloads_impl.h"
#include "workloads/limits.h"

namespace fl::workloads::internal {
namespace {

using history::MapEntry;
using history::Value;

constexpr std::string_view kTransferF = "transfer";
constexpr std::string_view kReadF = "read";

struct Transfer {
  int64_t from = 0;
  int64_t to = 0;
  int64_t amount = 0;
};

Value transfer_value(const Transfer& t) {
  return Value::map({MapEntry{Value::keyword("from"), Value::integer(t.from)},
                     MapEntry{Value::keyword("to"), Value::integer(t.to)},
                     MapEntry{Value::keyword("amount"), Value::integer(t.amount)}});
}

Status bad_invocation(std::string_view what) { return Status::invalid_argument("invocation", what); }

// The transfer in `value`, or why it is not one of `accounts` accounts.
Result<Transfer> parse_transfer(const Value& value, uint32_t accounts) {
  if (value.kind() != Value::Kind::kMap || value.entries().size() != 3) {
    return bad_invocation("a transfer's :value is {:from a, :to b, :amount n}");
  }
  Transfer t;
  for (auto [name, field] : {std::pair{"from", &t.from}, std::pair{"to", &t.to}, std::pair{"amount", &t.amount}}) {
    const Value* found = value.find(name);
    if (found == nullptr || found->kind() != Value::Kind::kInt) {
      return bad_invocation(std::string("a transfer's :") + name + " must be an integer");
    }
    *field = found->as_int();
  }
  for (int64_t account : {t.from, t.to}) {
    if (account < 0 || account >= accounts) {
      return bad_invocation("account " + std::to_string(account) + " outside 0.." + std::to_string(accounts - 1));
    }
  }
  if (t.from == t.to) return bad_invocation("a transfer needs two different accounts");
  if (t.amount < 1 || t.amount > kBalanceMax) {
    return bad_invocation("amount " + std::to_string(t.amount) + " outside 1.." + std::to_string(kBalanceMax));
  }
  return t;
}

class BankGenerator final : public Generator {
 public:
  explicit BankGenerator(const WorkloadOptions& options)
      : options_(options), chooser_(options.accounts, options.distribution) {}

  Invocation next(Prng& prng) override {
    if (prng.chance(options_.bank_read_ratio)) return Invocation{std::string(kReadF), Value::nil()};
    Transfer t;
    const uint32_t from = chooser_.pick(prng);
    t.from = from;
    t.to = chooser_.pick_excluding(prng, from);
    t.amount = static_cast<int64_t>(prng.range_inclusive(1, static_cast<uint64_t>(options_.transfer_max)));
    return Invocation{std::string(kTransferF), transfer_value(t)};
  }

  std::vector<Invocation> final_reads() const override {
    static_assert(kAccountsMax <= kFinalReadKeysMax, "one read covers every account");
    return {Invocation{std::string(kReadF), Value::nil()}};
  }

 private:
  WorkloadOptions options_;
  KeyChooser chooser_;
};

// Reads `accounts` balances, then for a transfer writes two of them.
class BankPlan final : public Plan {
 public:
  BankPlan(uint32_t accounts, std::optional<Transfer> transfer) : transfer_(transfer) {
    if (transfer_) read_keys_ = {transfer_->from, transfer_->to};
    for (uint32_t i = 0; !transfer_ && i < accounts; ++i) read_keys_.push_back(i);
  }

  std::optional<Step> next_step() override {
    FL_ASSERT(!awaiting_read_);  // REQUIRES: record_read() after every read step
    if (abort_reason_) return std::nullopt;
    if (balances_.size() < read_keys_.size()) {
      awaiting_read_ = true;
      return Step{Step::Kind::kRead, key(read_keys_[balances_.size()]), {}};
    }
    if (!transfer_ || writes_done_ == 2) return std::nullopt;
    FL_ASSERT(balances_[0] && balances_[1]);  // Invariant: decide() aborted otherwise
    const bool source = writes_done_ == 0;
    const int64_t balance = source ? *balances_[0] - transfer_->amount : *balances_[1] + transfer_->amount;
    writes_done_ += 1;
    return Step{Step::Kind::kWrite, key(source ? transfer_->from : transfer_->to), encode_int(balance)};
  }

  Status record_read(const std::optional<std::string>& value) override {
    FL_ASSERT(awaiting_read_);
    awaiting_read_ = false;
    const int64_t account = read_keys_[balances_.size()];
    std::optional<int64_t> balance;
    if (value) {
      Result<int64_t> decoded = decode_int(key(account), *value);
      if (!decoded.ok()) {
        abort_reason_ = decoded.status().to_string();
        return decoded.take_status();
      }
      balance = *decoded;
    }
    balances_.push_back(balance);
    if (transfer_ && balances_.size() == 2) decide();
    return Status::success();
  }

  std::optional<std::string> abort_reason() const override { return abort_reason_; }

  Value completion() const override {
    FL_ASSERT(!abort_reason_);
    FL_ASSERT(balances_.size() == read_keys_.size());  // REQUIRES: next_step() returned nullopt
    if (transfer_) return transfer_value(*transfer_);
    std::vector<MapEntry> entries;
    for (size_t i = 0; i < read_keys_.size(); ++i) {
      entries.push_back(MapEntry{Value::integer(read_keys_[i]),
                                 balances_[i] ? Value::integer(*balances_[i]) : Value::nil()});
    }
    return Value::map(std::move(entries));
  }

 private:
  static std::string key(int64_t account) { return engine_key(WorkloadKind::kBank, account); }

  // [wl.5]: the transfer goes ahead only when both accounts exist, the
  // source covers the amount and the target cannot overflow.
  void decide() {
    const Transfer& t = *transfer_;
    if (!balances_[0] || !balances_[1]) {
      abort_reason_ = "account " + std::to_string(balances_[0] ? t.to : t.from) + " is missing";
    } else if (*balances_[0] < t.amount) {
      abort_reason_ = "insufficient balance: account " + std::to_string(t.from) + " holds " +
                      std::to_string(*balances_[0]) + ", the transfer needs " + std::to_string(t.amount);
    } else if (*balances_[1] > INT64_MAX - t.amount) {
      abort_reason_ = "account " + std::to_string(t.to) + " would overflow";
    }
  }

  std::optional<Transfer> transfer_;             // nullopt: a read of every account
  std::vector<int64_t> read_keys_;               // accounts to read, in order
  std::vector<std::optional<int64_t>> balances_;  // read so far; nullopt = absent
  bool awaiting_read_ = false;
  int writes_done_ = 0;
  std::optional<std::string> abort_reason_;
};

}  // namespace

std::unique_ptr<Generator> make_bank_generator(const WorkloadOptions& options) {
  return std::make_unique<BankGenerator>(options);
}

Status check_bank_invocation(const WorkloadOptions& options, const Invocation& invocation) {
  if (invocation.f == kReadF) {
    if (!invocation.value.is_nil()) return bad_invocation("a bank read invokes with :value nil");
    return Status::success();
  }
  if (invocation.f != kTransferF) return bad_invocation(":f is :" + invocation.f + ", expected :transfer or :read");
  return parse_transfer(invocation.value, options.accounts).take_status();
}

std::unique_ptr<Plan> make_bank_plan(const WorkloadOptions& options, const Invocation& invocation) {
  if (invocation.f == kReadF) return std::make_unique<BankPlan>(options.accounts, std::nullopt);
  Result<Transfer> transfer = parse_transfer(invocation.value, options.accounts);
  FL_ASSERT(transfer.ok());  // REQUIRES: check_bank_invocation() passed
  return std::make_unique<BankPlan>(options.accounts, *transfer);
}

}  // namespace fl::workloads::internal
