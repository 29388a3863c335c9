#include "base/money.h"
#include "base/check.h"

#include <cctype>
#include <climits>

namespace ukairo {
namespace {
// 128-bit intermediate so tokens × price never overflows before rounding.
__extension__ typedef __int128 Int128;
}  // namespace

NanoUsd CostNanos(const TokenPrice& price, int64_t input_tokens, int64_t output_tokens,
                  int64_t cached_tokens, int64_t cache_write_tokens) {
  UKAIRO_CHECK(input_tokens >= 0 && output_tokens >= 0 && cached_tokens >= 0 &&
               cache_write_tokens >= 0);
  Int128 pico = static_cast<Int128>(input_tokens) * price.input_pico +
                  static_cast<Int128>(output_tokens) * price.output_pico +
                  static_cast<Int128>(cached_tokens) * price.cache_read_pico +
                  static_cast<Int128>(cache_write_tokens) * price.cache_write_pico;
  Int128 nanos = (pico + kPicoPerNano - 1) / kPicoPerNano;
  if (nanos > INT64_MAX) return INT64_MAX;
  return static_cast<NanoUsd>(nanos);
}

namespace {

// Splits plain or exponent decimal text into digits × 10^exponent.
// Returns false on anything else (sign handled by the caller).
bool SplitDecimal(std::string_view text, std::string* digits, int* exponent) {
  size_t i = 0;
  int frac_digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits->push_back(c);
      if (seen_point) ++frac_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits->empty()) return false;
  int exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (i >= text.size()) return false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      exp = exp * 10 + (text[i] - '0');
      if (exp > 400) return false;
    }
    if (negative) exp = -exp;
  }
  if (i != text.size()) return false;
  *exponent = exp - frac_digits;
  return true;
}

}  // namespace

Result<int64_t> ParseDecimalScaled(std::string_view text, int scale_digits) {
  const std::string quoted = "'" + std::string(text) + "'";
  size_t i = 0;
  if (i < text.size() && text[i] == '+') ++i;
  if (i < text.size() && text[i] == '-') {
    return Status::InvalidArgument("negative amount " + quoted);
  }
  // Collect significant digits and the position of the decimal point.
  std::string digits;
  int frac_digits = 0;
  bool seen_point = false, seen_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') continue;  // YAML 1.1 style digit separators: 80_000
    if (std::isdigit(static_cast<unsigned char>(c))) {
      seen_digit = true;
      digits.push_back(c);
      if (seen_point) ++frac_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return Status::InvalidArgument("not a decimal number: " + quoted);
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (i >= text.size()) return Status::InvalidArgument("missing exponent in " + quoted);
    int value = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      value = value * 10 + (text[i] - '0');
      if (value > 400) return Status::InvalidArgument("exponent out of range in " + quoted);
    }
    exponent = negative ? -value : value;
  }
  if (i != text.size()) return Status::InvalidArgument("trailing characters in " + quoted);

  // value = digits × 10^(exponent − frac_digits); we want value × 10^scale.
  int shift = exponent - frac_digits + scale_digits;
  // Strip leading zeros so the length check below is meaningful.
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return int64_t{0};
  digits = digits.substr(first);
  if (shift < 0) {
    // The last -shift digits fall below the unit: they must all be zero.
    size_t drop = static_cast<size_t>(-shift);
    if (drop >= digits.size()) {
      return Status::InvalidArgument("value " + quoted + " is finer than 1e-" +
                                     std::to_string(scale_digits) + " and cannot be stored");
    }
    for (size_t k = digits.size() - drop; k < digits.size(); ++k) {
      if (digits[k] != '0') {
        return Status::InvalidArgument("value " + quoted + " is finer than 1e-" +
                                       std::to_string(scale_digits) + " and cannot be stored");
      }
    }
    digits.resize(digits.size() - drop);
    shift = 0;
  }
  if (digits.size() + static_cast<size_t>(shift) > 18) {
    return Status::InvalidArgument("value " + quoted + " is too large");
  }
  int64_t result = 0;
  for (char c : digits) result = result * 10 + (c - '0');
  for (int k = 0; k < shift; ++k) result *= 10;
  return result;
}

std::string FormatNanosAsUsd(NanoUsd nanos) {
  bool negative = nanos < 0;
  // Work in unsigned to format INT64_MIN correctly.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  uint64_t whole = magnitude / kNanoPerUsd;
  uint64_t frac = magnitude % kNanoPerUsd;
  std::string out = negative ? "-" : "";
  out += std::to_string(whole);
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 9 - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

Result<int64_t> ParseDecimalScaledRoundingUp(std::string_view text, int scale_digits,
                                             bool* rounded) {
  *rounded = false;
  auto exact = ParseDecimalScaled(text, scale_digits);
  if (exact.ok()) return exact;
  std::string_view unsigned_text = text;
  if (!unsigned_text.empty() && unsigned_text[0] == '+') unsigned_text.remove_prefix(1);
  std::string digits;
  int exponent = 0;
  if (!SplitDecimal(unsigned_text, &digits, &exponent)) return exact.status();
  const int shift = exponent + scale_digits;
  if (shift >= 0) return exact.status();  // too large, not too fine
  const size_t drop = static_cast<size_t>(-shift);
  const std::string kept = drop >= digits.size() ? "0" : digits.substr(0, digits.size() - drop);
  UKAIRO_ASSIGN_OR_RETURN(int64_t truncated, ParseDecimalScaled(kept, 0));
  if (truncated == INT64_MAX) return exact.status();
  *rounded = true;
  return truncated + 1;  // only reached when some dropped digit is non-zero
}

}  // namespace ukairo
