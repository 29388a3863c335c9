// PriceTable: per-token prices from LiteLLM's model_prices_and_context_window.json.
//
// The file writes prices as JSON floats ("1e-07", "2.5e-06"). They are read
// from the number's *source text* and converted to integer pico-USD per token
// exactly (base/money.h ParseDecimalScaled), never through a double: a
// double would make 1e-07 × 1e12 = 99999.99999999999. A few upstream entries
// carry float noise finer than a pico-USD ("2.9999900000000002e-06"); those are
// rounded *up* to the next pico-USD, so cost is never under-counted, and each
// is listed in issues().
//
// Lookup (Find): the exact key first ("gemini/gemini-2.5-flash"), then the
// key with its leading provider prefix stripped ("openai/gpt-5.2" → "gpt-5.2").
//
// Thread safety: immutable after Load; const methods are safe concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"

namespace ukairo::router {

struct PriceEntry {
  std::string model;     // the table key, e.g. "claude-opus-4-8"
  std::string provider;  // litellm_provider, e.g. "anthropic"
  std::string mode;      // "chat", "embedding", ...
  TokenPrice price;
  bool has_input_price = false;   // input_cost_per_token present
  bool has_output_price = false;  // output_cost_per_token present
  int64_t max_input_tokens = 0;   // 0 = not given
  int64_t max_output_tokens = 0;  // 0 = not given (falls back to max_tokens)
};

// A number the loader could not take exactly.
struct PriceIssue {
  std::string model;
  std::string field;
  std::string text;     // the number as written in the file
  std::string problem;  // "rounded up to 3000000 pico-USD", "negative", ...
};

class PriceTable {
 public:
  static constexpr size_t kEntriesMax = 100'000;
  static constexpr size_t kFileBytesMax = 64u << 20;

  PriceTable() = default;

  // Parses the JSON text. Errors: InvalidArgument naming source:line:col for
  // malformed JSON or a top level that is not an object.
  static Result<PriceTable> Parse(std::string_view json_text, const std::string& source);
  // Reads and parses a file. Errors: IOError when unreadable, else as Parse.
  static Result<PriceTable> LoadFile(const std::string& path);

  // nullptr when neither the name nor its prefix-stripped form is present.
  const PriceEntry* Find(std::string_view model) const;

  size_t size() const { return entries_.size(); }
  const std::map<std::string, PriceEntry, std::less<>>& entries() const { return entries_; }
  const std::vector<PriceIssue>& issues() const { return issues_; }
  const std::string& source() const { return source_; }

 private:
  friend class PriceTableBuilder;
  std::map<std::string, PriceEntry, std::less<>> entries_;
  std::vector<PriceIssue> issues_;
  std::string source_;
};

// Exact decimal text of a price in USD per million tokens: 5'000'000 pico-USD
// per token → "5"; 175'000 → "0.175".
std::string FormatUsdPerMillion(PicoUsdPerToken pico);

// Like ParseDecimalScaled(text, 12) but rounds a value finer than a pico-USD
// up instead of failing; *rounded tells whether it did. Negative → error.
Result<PicoUsdPerToken> ParsePicoRoundingUp(std::string_view text, bool* rounded);

}  // namespace ukairo::router
