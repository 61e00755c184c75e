// tests/checkers/crash_history.h: builds small histories with crashes by
// hand, in the shape workloads/simulator.h writes ([sim.2], [sim.3]).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "history/history.h"

namespace fl::checkers::testing {

inline history::MicroOp append(int64_t key, int64_t value) { return {history::MicroKind::kAppend, key, value}; }
inline history::MicroOp read_list(int64_t key, std::vector<int64_t> list) {
  if (list.empty()) return {history::MicroKind::kRead, key, std::monostate{}};
  return {history::MicroKind::kRead, key, std::move(list)};
}
inline history::MicroOp read_nil(int64_t key) { return {history::MicroKind::kRead, key, std::monostate{}}; }
inline history::MicroOp write(int64_t key, int64_t value) { return {history::MicroKind::kWrite, key, value}; }
inline history::MicroOp read_reg(int64_t key, int64_t value) { return {history::MicroKind::kRead, key, value}; }

// The invocation form of a transaction: every read's value is nil.
inline history::Txn invocation_of(history::Txn txn) {
  for (history::MicroOp& micro : txn) {
    if (micro.kind == history::MicroKind::kRead) micro.value = std::monostate{};
  }
  return txn;
}

class CrashHistory {
 public:
  // Appends an :invoke; returns its :index.
  int64_t invoke(int64_t process, const history::Txn& txn) {
    return add(history::OpType::kInvoke, history::Process::integer(process), "txn", invocation_of(txn));
  }
  // Appends a completion; returns its :index.
  int64_t complete(history::OpType type, int64_t process, history::Txn txn) {
    if (type != history::OpType::kOk) txn = invocation_of(std::move(txn));
    return add(type, history::Process::integer(process), "txn", std::move(txn));
  }
  // An :invoke immediately followed by its :ok; returns the :ok's :index.
  int64_t ok(int64_t process, history::Txn txn) {
    invoke(process, txn);
    return complete(history::OpType::kOk, process, std::move(txn));
  }
  int64_t info(int64_t process, history::Txn txn) {
    invoke(process, txn);
    return complete(history::OpType::kInfo, process, std::move(txn));
  }
  // A nemesis :crash pair and a :recover pair; returns the crash :invoke's :index.
  int64_t crash(const std::string& kind = "power") {
    auto kind_map = [&] {
      return history::Value::map({{history::Value::keyword("kind"), history::Value::keyword(kind)}});
    };
    const int64_t at = add(history::OpType::kInvoke, history::Process::nemesis(), "crash", kind_map());
    add(history::OpType::kInfo, history::Process::nemesis(), "crash", kind_map());
    add(history::OpType::kInvoke, history::Process::nemesis(), "recover", history::Value());
    add(history::OpType::kInfo, history::Process::nemesis(), "recover", history::Value());
    return at;
  }
  void meta(const std::string& key, history::Value value) { history_.meta.set(key, std::move(value)); }
  void durability(const std::string& promise) { meta("durability", history::Value::keyword(promise)); }

  int64_t add(history::OpType type, history::Process process, std::string f, std::variant<history::Value, history::Txn> value) {
    history::Op op;
    op.index = static_cast<int64_t>(history_.ops.size());
    op.time = op.index * 1000;
    op.type = type;
    op.process = std::move(process);
    op.f = std::move(f);
    op.value = std::move(value);
    history_.ops.push_back(std::move(op));
    return history_.ops.back().index;
  }

  const history::History& history() const { return history_; }

 private:
  history::History history_;
};

}  // namespace fl::checkers::testing
