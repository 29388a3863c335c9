#include "sim/rng.h"

#include <string>

#include "base/money.h"

namespace ukairo::sim {

Result<Ratio> ParseRatio(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    auto num = ParseDecimalScaled(text.substr(0, slash), 0);
    auto den = ParseDecimalScaled(text.substr(slash + 1), 0);
    if (!num.ok() || !den.ok() || *den <= 0 || *num > *den) {
      return Status::InvalidArgument("ratio " + quoted + " is not N/D with 0 <= N <= D, D > 0");
    }
    return Ratio{static_cast<uint64_t>(*num), static_cast<uint64_t>(*den)};
  }
  // Decimal probability or percentage, exact to 1e-9.
  bool percent = !text.empty() && text.back() == '%';
  std::string_view digits = percent ? text.substr(0, text.size() - 1) : text;
  auto scaled = ParseDecimalScaled(digits, percent ? 7 : 9);
  if (!scaled.ok())
    return Status::InvalidArgument("ratio " + quoted + ": " + scaled.status().message());
  if (*scaled > 1'000'000'000) return Status::InvalidArgument("ratio " + quoted + " above 1");
  return Ratio{static_cast<uint64_t>(*scaled), 1'000'000'000};
}

}  // namespace ukairo::sim
