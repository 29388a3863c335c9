// Invariant checks that stay on.
//
// UKAIRO_CHECK(cond[, message]) guards an invariant whose violation would
// corrupt the ledger or a budget (a sequence gap, a negative reservation, a
// container past its _max, an error Result read as a value). It is compiled
// into every build, release included: carrying on from a broken invariant
// would write a wrong event that can never be changed, so the process stops
// at once, naming file:line, the expression and the message. The message is
// evaluated only when the check fails, so it may build a string.
//
// UKAIRO_DCHECK(cond[, message]) is for hot paths whose invariant is cheap to
// break only by a bug already caught elsewhere (iterator validity, per-second
// window arithmetic). It is checked in Debug and sanitizer builds and compiled
// out under NDEBUG; the expression is still type-checked, never evaluated.
//
// Expected failures (bad input, I/O errors, a full queue) are never checks:
// they are Statuses or refusals the caller handles.
#pragma once

#include <string_view>

namespace ukairo::internal {

// Prints "ukairo: check failed: FILE:LINE: EXPR[: MESSAGE]" to stderr and aborts.
[[noreturn]] void CheckFailed(const char* file, int line, const char* expression,
                              std::string_view message);

// The optional message of a check: none (the expression says it all) or one.
inline std::string_view CheckMessage() { return {}; }
inline std::string_view CheckMessage(std::string_view message) { return message; }

}  // namespace ukairo::internal

#define UKAIRO_CHECK(cond, ...)                                             \
  do {                                                                      \
    if (__builtin_expect(!(cond), 0)) {                                     \
      ::ukairo::internal::CheckFailed(__FILE__, __LINE__, #cond,            \
                                      ::ukairo::internal::CheckMessage(__VA_ARGS__)); \
    }                                                                       \
  } while (0)

#ifdef NDEBUG
#define UKAIRO_DCHECK(cond, ...)                                  \
  do {                                                            \
    if (false && (cond)) {                                        \
      static_cast<void>(::ukairo::internal::CheckMessage(__VA_ARGS__)); \
    }                                                             \
  } while (0)
#else
#define UKAIRO_DCHECK(cond, ...) UKAIRO_CHECK(cond, __VA_ARGS__)
#endif
