// base/status.h: errors as values.
//
// [status.1] A success carries no allocation: Status::success() holds a null
//            pointer, and ok() is one comparison.
// [status.2] Errors come from a closed set of named factories; kCorruption,
//            kIoError and kNotFound are distinct codes and are never merged
//            (merging them is the `error-as-missing` bug).
// [status.3] injected() tells a fault that faultvfs injected from one that the
//            operating system reported, so logs and reports can separate them.
// [status.4] Result<T> holds either a T or a non-ok Status, never both.
//
// No exception crosses a module boundary; a thrown exception from third-party
// code is caught at the edge and converted with one of these factories.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace fl {

enum class Code : uint8_t {
  kOk,
  kNotFound,
  kCorruption,
  kIoError,
  kNoSpace,
  kInvalidArgument,
  kNotSupported,
  kConflict,
  kPoisoned,  // the component refused work after an earlier failure
  kBusy,      // a lock is held by someone else
};

constexpr std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not-found";
    case Code::kCorruption: return "corruption";
    case Code::kIoError: return "io-error";
    case Code::kNoSpace: return "no-space";
    case Code::kInvalidArgument: return "invalid-argument";
    case Code::kNotSupported: return "not-supported";
    case Code::kConflict: return "conflict";
    case Code::kPoisoned: return "poisoned";
    case Code::kBusy: return "busy";
  }
  return "unknown";
}

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(const Status& other)
      : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status success() { return Status(); }
  static Status not_found(std::string_view where, std::string_view what = {}) {
    return Status(Code::kNotFound, where, what, 0, false);
  }
  static Status corruption(std::string_view where, std::string_view what) {
    return Status(Code::kCorruption, where, what, 0, false);
  }
  // An I/O error with its errno. ENOSPC becomes kNoSpace so callers can tell
  // "the disk is full" (a definite failure) from "the device failed".
  static Status io_error(std::string_view where, int err, bool injected = false) {
    Code code = err == ENOSPC ? Code::kNoSpace : Code::kIoError;
    return Status(code, where, errno_name(err), err, injected);
  }
  static Status invalid_argument(std::string_view where, std::string_view what) {
    return Status(Code::kInvalidArgument, where, what, 0, false);
  }
  static Status not_supported(std::string_view where, std::string_view what) {
    return Status(Code::kNotSupported, where, what, 0, false);
  }
  static Status conflict(std::string_view where, std::string_view what) {
    return Status(Code::kConflict, where, what, 0, false);
  }
  static Status poisoned(std::string_view where, std::string_view what) {
    return Status(Code::kPoisoned, where, what, 0, false);
  }
  static Status busy(std::string_view where, std::string_view what) {
    return Status(Code::kBusy, where, what, 0, false);
  }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  int err() const { return rep_ ? rep_->err : 0; }
  bool injected() const { return rep_ && rep_->injected; }
  bool is(Code code) const { return this->code() == code; }

  // "io-error: db/wal: EIO (injected)"
  std::string to_string() const {
    if (!rep_) return "ok";
    std::string out(code_name(rep_->code));
    out += ": ";
    out += rep_->where;
    if (!rep_->what.empty()) {
      out += ": ";
      out += rep_->what;
    }
    if (rep_->injected) out += " (injected)";
    return out;
  }
  std::string_view message() const { return rep_ ? std::string_view(rep_->what) : ""; }

  static std::string errno_name(int err) {
    switch (err) {
      case EIO: return "EIO";
      case ENOSPC: return "ENOSPC";
      case EROFS: return "EROFS";
      case EDQUOT: return "EDQUOT";
      case EBADF: return "EBADF";
      case ENOENT: return "ENOENT";
      case EEXIST: return "EEXIST";
      case EISDIR: return "EISDIR";
      case ENOTDIR: return "ENOTDIR";
      case ENOTEMPTY: return "ENOTEMPTY";
      case EINVAL: return "EINVAL";
      case EAGAIN: return "EAGAIN";
      default: return std::string("errno ") + std::to_string(err) + " (" + std::strerror(err) + ")";
    }
  }

 private:
  struct Rep {
    Code code;
    int err;
    bool injected;
    std::string where;
    std::string what;
  };
  Status(Code code, std::string_view where, std::string_view what, int err, bool injected)
      : rep_(std::make_unique<Rep>(Rep{code, err, injected, std::string(where), std::string(what)})) {
    FL_ASSERT(code != Code::kOk);
  }
  std::unique_ptr<Rep> rep_;
};

// Returns early from the enclosing function when `expr` is not ok.
#define FL_TRY(expr)                        \
  do {                                      \
    ::fl::Status fl_try_status_ = (expr);   \
    if (!fl_try_status_.ok()) return fl_try_status_; \
  } while (0)

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    FL_ASSERT(!std::get<Status>(v_).ok());  // [status.4]
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kSuccess;
    return ok() ? kSuccess : std::get<Status>(v_);
  }
  Status take_status() { return ok() ? Status() : std::get<Status>(std::move(v_)); }
  T& value() & { FL_ASSERT(ok()); return std::get<T>(v_); }
  const T& value() const& { FL_ASSERT(ok()); return std::get<T>(v_); }
  T&& value() && { FL_ASSERT(ok()); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

// Assigns the value of a Result expression to `lhs`, or returns its Status.
#define FL_CONCAT_INNER(a, b) a##b
#define FL_CONCAT(a, b) FL_CONCAT_INNER(a, b)
#define FL_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto FL_CONCAT(fl_result_, __LINE__) = (expr);                \
  if (!FL_CONCAT(fl_result_, __LINE__).ok())                    \
    return FL_CONCAT(fl_result_, __LINE__).take_status();       \
  lhs = std::move(FL_CONCAT(fl_result_, __LINE__)).value()

}  // namespace fl
