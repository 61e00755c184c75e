// checkers/bank.h: the bank invariants (Jepsen's jepsen.tests.bank; ARCHITECTURE.md
// "checkers", "Other invariants"; docs/formats/workloads.md "bank").
//
// [bank.1] Every :ok :read (value: a map account -> balance) sums to the
//          constant total; a read that does not is `bank-total`, naming the
//          read, its sum and the expected total. A nil balance (an absent
//          account, Jepsen's :nil-balance) counts as a wrong total too.
// [bank.2] A negative balance in an :ok read is `negative-balance`, naming
//          the read and the account.
// [bank.3] The total is BankOptions::total when set; else the history's
//          metadata :total, or :accounts times :initial-balance; else the
//          sum of the first :ok read (with a note saying so). With no :ok
//          read at all the verdict is `unknown` (nothing to judge).
// [bank.5] A read in which every balance is nil sees the state before the
//          initial balances were written. Under the durability promise
//          `none` that is a legal prefix of the commit order (the setup was
//          never synced and a crash may drop it): with
//          BankOptions::empty_state_allowed such reads are counted in a
//          note instead of reported.
// [bank.4] Crashes change nothing: a transfer survives whole or not at all,
//          so the total holds in every epoch; a torn transfer shows up as
//          `bank-total`.
#pragma once

#include <cstdint>
#include <optional>

#include "checkers/verdict.h"
#include "history/history.h"

namespace fl::checkers {

struct BankOptions {
  std::optional<int64_t> total;
  bool empty_state_allowed = false;  // [bank.5]
};

// True when the history looks like a bank history (:f :transfer or :read ops).
bool is_bank_history(const history::History& history);

Verdict check_bank(const history::History& history, const BankOptions& options = {});

}  // namespace fl::checkers
