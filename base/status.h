// Status and Result<T>: how every call that can fail reports it.
//
// A Status is cheap when OK (no allocation) and carries a code and a message
// otherwise. Expected failures (bad YAML, a corrupt record, a 429) are
// Statuses; broken internal invariants are UKAIRO_CHECKs (base/check.h). No exceptions cross a
// module boundary: yaml-cpp, Cap'n Proto and RocksDB errors become Statuses at
// the edge where they are caught.
//
// Thread safety: values; const methods are safe to call concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/check.h"

namespace ukairo {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kCorruption,
    kInvalidArgument,
    kIOError,
    kUnavailable,       // a resource is exhausted or closed for now
    kFailedPrecondition,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status FailedPrecondition(std::string_view msg) {
    return Status(Code::kFailedPrecondition, msg);
  }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsIOError() const { return code() == Code::kIOError; }
  bool IsUnavailable() const { return code() == Code::kUnavailable; }

  // The message alone ("" when OK).
  const std::string& message() const;
  // "Corruption: <message>" or "OK".
  std::string ToString() const;

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view msg)
      : rep_(std::make_shared<const Rep>(Rep{code, std::string(msg)})) {}
  // Shared so that copying a failed Status is cheap; the Rep is immutable.
  std::shared_ptr<const Rep> rep_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    UKAIRO_CHECK(!status_.ok(), "Result built from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & {
    UKAIRO_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    UKAIRO_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    UKAIRO_CHECK(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ukairo

// Returns early from the enclosing function when `expr` is not OK.
#define UKAIRO_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::ukairo::Status ukairo_status_ = (expr);   \
    if (!ukairo_status_.ok()) return ukairo_status_; \
  } while (0)

// Assigns the value of a Result expression to `lhs`, or returns its Status.
#define UKAIRO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
#define UKAIRO_CONCAT_INNER(a, b) a##b
#define UKAIRO_CONCAT(a, b) UKAIRO_CONCAT_INNER(a, b)
#define UKAIRO_ASSIGN_OR_RETURN(lhs, expr) \
  UKAIRO_ASSIGN_OR_RETURN_IMPL(UKAIRO_CONCAT(ukairo_result_, __LINE__), lhs, expr)
