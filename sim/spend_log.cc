#include "sim/spend_log.h"

#include <array>
#include <charconv>
#include <deque>
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/csv.h"
#include "sim/line_reader.h"
#include "sim/trace.h"

namespace ukairo::sim {
namespace {

// The columns read, in one order for both formats.
enum Field : size_t {
  kRequestId = 0,
  kStartTime,
  kEndTime,
  kModelGroup,
  kModelId,
  kModel,
  kApiBase,
  kPromptTokens,
  kCompletionTokens,
  kSpend,
  kRequestTags,
  kStatus,
  kApiKey,
  kFields
};
constexpr std::array<const char*, kFields> kNames = {
    "request_id", "startTime",     "endTime",           "model_group", "model_id",
    "model",      "api_base",      "prompt_tokens",     "completion_tokens",
    "spend",      "request_tags",  "status",            "api_key"};

int FieldOf(std::string_view name) {
  for (size_t f = 0; f < kFields; ++f) {
    if (name == kNames[f]) return static_cast<int>(f);
  }
  return -1;
}

// The cells of one row as text; `present` says which the row had.
struct Cells {
  std::array<std::string, kFields> text;
  std::array<bool, kFields> present{};
  void Clear() {
    for (auto& t : text) t.clear();
    present.fill(false);
  }
};

// request_tags: a JSON list (["Build","team-a"]) as text, or a bare tag.
std::string FirstTag(const std::string& text) {
  if (text.empty() || text[0] != '[') return text;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_string()) return v.get<std::string>();
    }
  }
  return std::string();
}

// Turns the cells of one line into a row; errors name the field.
class RowBuilder {
 public:
  Status Build(const Cells& c, uint64_t line, SpendLogRow* row) {
    row->line = line;
    for (Field required : {kStartTime, kEndTime, kPromptTokens, kCompletionTokens, kSpend}) {
      if (!c.present[required] || c.text[required].empty()) {
        return Status::InvalidArgument(std::string("missing ") + kNames[required]);
      }
    }
    row->request_id = c.text[kRequestId];
    UKAIRO_ASSIGN_OR_RETURN(row->start_micros, Time(c, kStartTime));
    UKAIRO_ASSIGN_OR_RETURN(row->end_micros, Time(c, kEndTime));
    if (row->end_micros < row->start_micros) {
      return Status::InvalidArgument("endTime is before startTime");
    }
    row->model_group = c.text[kModelGroup];
    row->model_id = c.text[kModelId];
    row->model = c.text[kModel];
    if (row->model_group.empty()) row->model_group = row->model;
    if (row->model_group.empty()) return Status::InvalidArgument("missing model_group and model");
    row->api_base = c.text[kApiBase];
    UKAIRO_ASSIGN_OR_RETURN(row->prompt_tokens, Tokens(c, kPromptTokens));
    UKAIRO_ASSIGN_OR_RETURN(row->completion_tokens, Tokens(c, kCompletionTokens));
    bool rounded = false;
    auto spend = ParseDecimalScaledRoundingUp(c.text[kSpend], 9, &rounded);
    if (!spend.ok()) return Status::InvalidArgument("spend: " + spend.status().message());
    row->spend_nanos = *spend;
    if (rounded) ++rounded_;
    row->tag = FirstTag(c.text[kRequestTags]);
    row->status = c.text[kStatus];
    if (!row->status.empty() && row->status != "success" && row->status != "failure") {
      return Status::InvalidArgument("status '" + row->status + "' is not success or failure");
    }
    row->api_key_hash = c.text[kApiKey];
    return Status::Ok();
  }
  uint64_t rounded() const { return rounded_; }

 private:
  static Result<int64_t> Time(const Cells& c, Field f) {
    auto t = ParseTraceTime(c.text[f]);
    if (!t.ok()) return Status::InvalidArgument(std::string(kNames[f]) + ": " + t.status().message());
    return *t;
  }
  static Result<int64_t> Tokens(const Cells& c, Field f) {
    const std::string& s = c.text[f];
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) {
      return Status::InvalidArgument(std::string(kNames[f]) + ": '" + s +
                                     "' is not a token count");
    }
    return v;
  }
  uint64_t rounded_ = 0;
};

// Collects the top-level fields of one JSON object as text. Numbers keep
// their source text (nlohmann's SAX interface hands it over), so a spend is
// never held in a double. Nested objects (metadata) are skipped; the first
// string of the request_tags list is kept.
class TopLevelSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit TopLevelSax(Cells* cells) : cells_(cells) {}
  const std::string& error() const { return error_; }

  bool null() override { return Scalar(""); }
  bool boolean(bool v) override { return Scalar(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return Scalar(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Scalar(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& text) override { return Scalar(text); }
  bool string(string_t& v) override { return Scalar(v); }
  bool binary(binary_t&) override { return Scalar(""); }
  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 1) object_seen_ = true;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ == 2) in_tags_ = field_ == kRequestTags;
    if (in_tags_) cells_->present[kRequestTags] = true;
    return true;
  }
  bool end_array() override {
    if (depth_ == 2) in_tags_ = false;
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) field_ = FieldOf(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    error_ = "not JSON at byte " + std::to_string(position) + ": " + e.what();
    return false;
  }
  bool object_seen() const { return object_seen_; }

 private:
  bool Scalar(const std::string& text) {
    if (depth_ == 1 && field_ >= 0) {
      cells_->text[static_cast<size_t>(field_)] = text;
      cells_->present[static_cast<size_t>(field_)] = true;
    } else if (depth_ == 2 && in_tags_ && cells_->text[kRequestTags].empty()) {
      cells_->text[kRequestTags] = text;
    }
    return true;
  }

  Cells* cells_;
  int depth_ = 0;
  int field_ = -1;
  bool in_tags_ = false;
  bool object_seen_ = false;
  std::string error_;
};

class LineSpendLogReader : public SpendLogReader {
 public:
  LineSpendLogReader(SpendLogFormat format) : format_(format) {}
  Status Open(const std::string& path) {
    UKAIRO_RETURN_IF_ERROR(lines_.Open(path));
    if (format_ == SpendLogFormat::kCsv) return ReadHeader();
    return Status::Ok();
  }

  Result<bool> Next(SpendLogRow* row) override {
    std::string_view line;
    for (;;) {
      UKAIRO_ASSIGN_OR_RETURN(bool more, lines_.Next(&line));
      if (!more) return false;
      if (line.find_first_not_of(" \t") != std::string_view::npos) break;  // skip blank lines
    }
    cells_.Clear();
    Status parsed = format_ == SpendLogFormat::kCsv ? CsvCells(line) : JsonCells(line);
    if (parsed.ok()) parsed = builder_.Build(cells_, lines_.line_number(), row);
    if (!parsed.ok()) return Status::InvalidArgument(Where() + parsed.message());
    return true;
  }
  uint64_t rows_spend_rounded() const override { return builder_.rounded(); }

 private:
  std::string Where() const {
    return lines_.path() + ":" + std::to_string(lines_.line_number()) + ": ";
  }

  Status ReadHeader() {
    std::string_view header;
    UKAIRO_ASSIGN_OR_RETURN(bool more, lines_.Next(&header));
    if (!more) return Status::InvalidArgument(Where() + "empty file, expected a header line");
    if (!SplitCsv(header, &fields_, &scratch_)) {
      return Status::InvalidArgument(Where() + "unterminated quote in the header");
    }
    column_field_.assign(fields_.size(), -1);
    for (size_t i = 0; i < fields_.size(); ++i) column_field_[i] = FieldOf(fields_[i]);
    return Status::Ok();
  }

  Status CsvCells(std::string_view line) {
    if (!SplitCsv(line, &fields_, &scratch_)) {
      return Status::InvalidArgument("unterminated quote or text after a closing quote");
    }
    if (fields_.size() != column_field_.size()) {
      return Status::InvalidArgument(std::to_string(fields_.size()) + " columns, the header has " +
                                     std::to_string(column_field_.size()));
    }
    for (size_t i = 0; i < fields_.size(); ++i) {
      const int f = column_field_[i];
      if (f < 0) continue;
      cells_.text[static_cast<size_t>(f)] = std::string(fields_[i]);
      cells_.present[static_cast<size_t>(f)] = true;
    }
    return Status::Ok();
  }

  Status JsonCells(std::string_view line) {
    TopLevelSax sax(&cells_);
    const bool ok = nlohmann::json::sax_parse(line, &sax);
    if (!ok) return Status::InvalidArgument(sax.error());
    if (!sax.object_seen()) return Status::InvalidArgument("expected a JSON object");
    return Status::Ok();
  }

  SpendLogFormat format_;
  LineReader lines_;
  Cells cells_;
  RowBuilder builder_;
  std::vector<std::string_view> fields_;
  std::deque<std::string> scratch_;
  std::vector<int> column_field_;  // per CSV column: Field, or -1 when not read
};

}  // namespace

Result<std::unique_ptr<SpendLogReader>> SpendLogReader::Open(const std::string& path,
                                                             SpendLogFormat format) {
  auto reader = std::make_unique<LineSpendLogReader>(format);
  UKAIRO_RETURN_IF_ERROR(reader->Open(path));
  return std::unique_ptr<SpendLogReader>(std::move(reader));
}

}  // namespace ukairo::sim
