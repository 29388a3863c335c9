#include "router/config/price_table.h"
#include "base/check.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ukairo::router {
namespace {

}  // namespace

Result<PicoUsdPerToken> ParsePicoRoundingUp(std::string_view text, bool* rounded) {
  if (!text.empty() && text[0] == '-') {
    *rounded = false;
    return Status::InvalidArgument("negative price '" + std::string(text) + "'");
  }
  return ParseDecimalScaledRoundingUp(text, 12, rounded);
}

std::string FormatUsdPerMillion(PicoUsdPerToken pico) {
  // USD per 1e6 tokens = pico × 1e6 / 1e12 = (pico × 1000) nano-USD.
  UKAIRO_CHECK(pico >= 0 && pico <= INT64_MAX / 1000);
  return FormatNanosAsUsd(pico * 1000);
}

// Streams the JSON once with nlohmann's SAX interface so that each number
// arrives with its source text. Depth 1 = the top object, depth 2 = one
// model's object; deeper values (search_context_cost_per_query, ...) are
// skipped.
class PriceTableBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit PriceTableBuilder(PriceTable* table) : table_(table) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return Number(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Number(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& s) override { return Number(s); }
  bool string(string_t& s) override {
    if (depth_ != 2) return true;
    if (key_ == "litellm_provider") current_.provider = s;
    if (key_ == "mode") current_.mode = s;
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (!started_) top_is_object_ = true;
    started_ = true;
    ++depth_;
    if (depth_ == 2) {
      current_ = PriceEntry{};
      current_.model = model_key_;
    }
    return true;
  }
  bool end_object() override {
    if (depth_ == 2) Finish();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    started_ = true;
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) model_key_ = k;
    if (depth_ == 2) key_ = k;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_position_ = position;
    error_ = ex.what();
    return false;
  }

  size_t error_position() const { return error_position_; }
  const std::string& error() const { return error_; }
  bool too_many() const { return too_many_; }
  bool top_is_object() const { return top_is_object_; }

 private:
  bool Number(const std::string& text) {
    if (depth_ != 2) return true;
    if (key_ == "input_cost_per_token") {
      current_.has_input_price = Price(text, &current_.price.input_pico);
    } else if (key_ == "output_cost_per_token") {
      current_.has_output_price = Price(text, &current_.price.output_pico);
    } else if (key_ == "cache_read_input_token_cost") {
      Price(text, &current_.price.cache_read_pico);
    } else if (key_ == "cache_creation_input_token_cost") {
      Price(text, &current_.price.cache_write_pico);
    } else if (key_ == "max_input_tokens") {
      Tokens(text, &current_.max_input_tokens);
    } else if (key_ == "max_output_tokens") {
      Tokens(text, &current_.max_output_tokens);
    } else if (key_ == "max_tokens") {
      Tokens(text, &max_tokens_);
    }
    return true;
  }

  bool Price(const std::string& text, PicoUsdPerToken* out) {
    bool rounded = false;
    auto pico = ParsePicoRoundingUp(text, &rounded);
    if (!pico.ok()) {
      Issue(text, pico.status().message());
      return false;
    }
    *out = *pico;
    if (rounded) Issue(text, "finer than 1 pico-USD; rounded up to " + std::to_string(*pico));
    return true;
  }

  void Tokens(const std::string& text, int64_t* out) {
    auto n = ParseDecimalScaled(text, 0);
    if (!n.ok()) {
      Issue(text, n.status().message());
      return;
    }
    *out = *n;
  }

  void Issue(const std::string& text, const std::string& problem) {
    table_->issues_.push_back(PriceIssue{model_key_, key_, text, problem});
  }

  void Finish() {
    if (current_.max_output_tokens == 0) current_.max_output_tokens = max_tokens_;
    max_tokens_ = 0;
    key_.clear();
    // "sample_spec" documents the format; it is not a model.
    if (current_.model == "sample_spec") return;
    if (table_->entries_.size() >= PriceTable::kEntriesMax) {
      too_many_ = true;
      return;
    }
    table_->entries_[current_.model] = std::move(current_);
  }

  PriceTable* table_;
  int depth_ = 0;
  std::string model_key_;
  std::string key_;
  PriceEntry current_;
  int64_t max_tokens_ = 0;
  size_t error_position_ = 0;
  std::string error_;
  bool too_many_ = false;
  bool started_ = false;
  bool top_is_object_ = false;
};

Result<PriceTable> PriceTable::Parse(std::string_view json_text, const std::string& source) {
  PriceTable table;
  table.source_ = source;
  PriceTableBuilder builder(&table);
  bool ok = nlohmann::json::sax_parse(json_text.begin(), json_text.end(), &builder);
  if (!ok) {
    // Position is a 1-based byte count; turn it into line:column.
    size_t pos = std::min(builder.error_position(), json_text.size());
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < pos; ++i) {
      if (json_text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return Status::InvalidArgument(source + ":" + std::to_string(line) + ":" + std::to_string(col) +
                                   ": " + builder.error());
  }
  if (!builder.top_is_object()) {
    return Status::InvalidArgument(source + ": the price table must be a JSON object");
  }
  if (builder.too_many()) {
    return Status::InvalidArgument(source + ": more than " + std::to_string(kEntriesMax) +
                                   " price entries");
  }
  return table;
}

Result<PriceTable> PriceTable::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open price table");
  std::error_code ec;
  auto size_bytes = std::filesystem::file_size(path, ec);
  if (!ec && size_bytes > kFileBytesMax) {
    return Status::InvalidArgument(path + ": price table too large");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > kFileBytesMax) return Status::InvalidArgument(path + ": price table too large");
  return Parse(text, path);
}

const PriceEntry* PriceTable::Find(std::string_view model) const {
  auto it = entries_.find(model);
  if (it != entries_.end()) return &it->second;
  size_t slash = model.find('/');
  if (slash == std::string_view::npos) return nullptr;
  it = entries_.find(model.substr(slash + 1));
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace ukairo::router
