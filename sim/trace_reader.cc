// The trace readers: Azure, CSV with a column map, JSONL with a key map.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>
#include <vector>

#include "ledger/period.h"
#include "sim/csv.h"
#include "sim/line_reader.h"
#include "sim/trace.h"

namespace ukairo::sim {
namespace {

// Integer digits, an optional fraction: "12", "12.5" → value × 10^scale,
// extra fraction digits truncated. Used for epoch seconds/millis/micros.
bool ParseScaled(std::string_view text, int scale, int64_t* out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  int64_t whole = 0;
  size_t digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    if (whole > (INT64_MAX / 10 - 9)) return false;
    whole = whole * 10 + (text[i] - '0');
  }
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (frac_digits < scale) {
        frac = frac * 10 + (text[i] - '0');
        ++frac_digits;
      }
      ++digits;
    }
  }
  if (digits == 0 || i != text.size()) return false;
  for (int k = frac_digits; k < scale; ++k) frac *= 10;
  int64_t mult = 1;
  for (int k = 0; k < scale; ++k) mult *= 10;
  if (whole > INT64_MAX / mult - 1) return false;
  *out = (negative ? -1 : 1) * (whole * mult + frac);
  return true;
}

bool ParseTokens(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out >= 0;
}

Status TimeFromText(std::string_view text, TimeUnit unit, int64_t* out) {
  if (unit == TimeUnit::kIso) {
    UKAIRO_ASSIGN_OR_RETURN(*out, ParseTraceTime(text));
    return Status::Ok();
  }
  int scale = unit == TimeUnit::kSeconds ? 6 : unit == TimeUnit::kMillis ? 3 : 0;
  if (!ParseScaled(text, scale, out)) {
    return Status::InvalidArgument("bad timestamp '" + std::string(text) + "'");
  }
  return Status::Ok();
}

// Shared loop: reads lines, skips blank ones, applies the malformed policy.
class LineTraceReader : public TraceReader {
 public:
  explicit LineTraceReader(const TraceReaderOptions& options) : options_(options) {}

  Status Open(const std::string& path) {
    UKAIRO_RETURN_IF_ERROR(lines_.Open(path, options_.line_bytes_max));
    return Start();
  }

  Result<bool> Next(TraceRecord* record) override {
    std::string_view line;
    for (;;) {
      UKAIRO_ASSIGN_OR_RETURN(bool more, lines_.Next(&line));
      if (!more) return false;
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      bool dropped = false;
      Status s = ParseLine(line, record, &dropped);
      if (s.ok()) {
        if (dropped) continue;
        return true;
      }
      std::string where = lines_.path() + ":" + std::to_string(lines_.line_number()) + ": ";
      if (options_.on_malformed == MalformedPolicy::kStop) {
        return Status::InvalidArgument(where + s.message());
      }
      if (first_skip_error_.empty()) first_skip_error_ = where + s.message();
      if (++skipped_ > options_.skipped_lines_max) {
        return Status::InvalidArgument("more than " + std::to_string(options_.skipped_lines_max) +
                                       " malformed lines; first: " + first_skip_error_);
      }
    }
  }

  Status Rewind() override {
    UKAIRO_RETURN_IF_ERROR(lines_.Rewind());
    skipped_pass_max_ = std::max(skipped_pass_max_, skipped_);
    skipped_ = 0;
    return Start();
  }
  uint64_t skipped_lines() const override { return std::max(skipped_pass_max_, skipped_); }
  const std::string& first_skip_error() const override { return first_skip_error_; }
  void SetTimeFilter(TimeFilter* filter) override { filter_ = filter; }

 protected:
  // Called after open and rewind, e.g. to read a header.
  virtual Status Start() { return Status::Ok(); }
  // Parses one non-blank line; the error message need not name file:line.
  // Sets *dropped (and may stop parsing) when filter_ rejects the time.
  virtual Status ParseLine(std::string_view line, TraceRecord* record, bool* dropped) = 0;
  bool Dropped(int64_t time_micros) { return filter_ != nullptr && !filter_->Keep(time_micros); }

  TraceReaderOptions options_;
  LineReader lines_;
  TimeFilter* filter_ = nullptr;
  uint64_t skipped_ = 0;           // in the current pass
  uint64_t skipped_pass_max_ = 0;  // most in any finished pass (a rewind starts one)
  std::string first_skip_error_;
};

// ---------------------------------------------------------------- CSV

// A CSV cell holding a JSON list of strings (LiteLLM writes request_tags as
// ["Build", "team-a"]) becomes its first element; other text is kept.
void FirstOfList(std::string* text) {
  if (text->empty() || (*text)[0] != '[') return;
  size_t open = text->find('"');
  size_t close = open == std::string::npos ? open : text->find('"', open + 1);
  if (close == std::string::npos) {
    text->clear();  // "[]" or a list without strings: no tag
    return;
  }
  *text = text->substr(open + 1, close - open - 1);
}

class CsvTraceReader : public LineTraceReader {
 public:
  using LineTraceReader::LineTraceReader;

 protected:
  Status Start() override {
    std::string_view header;
    UKAIRO_ASSIGN_OR_RETURN(bool more, lines_.Next(&header));
    std::string where = lines_.path() + ":1: ";
    if (!more) return Status::InvalidArgument(where + "empty file, expected a header line");
    if (!SplitCsv(header, &fields_, &scratch_)) {
      return Status::InvalidArgument(where + "unterminated quote in header");
    }
    const ColumnMap& m = options_.map;
    const std::string* names[] = {&m.timestamp, &m.input_tokens, &m.output_tokens,
                                  &m.model,     &m.tag,          &m.status};
    for (size_t k = 0; k < kFields; ++k) {
      index_[k] = -1;
      if (names[k]->empty()) continue;
      for (size_t c = 0; c < fields_.size(); ++c) {
        if (fields_[c] == *names[k]) index_[k] = static_cast<int>(c);
      }
      if (index_[k] < 0) {
        return Status::InvalidArgument(where + "no column named '" + *names[k] + "' in the header");
      }
    }
    return Status::Ok();
  }

  Status ParseLine(std::string_view line, TraceRecord* r, bool* dropped) override {
    if (!SplitCsv(line, &fields_, &scratch_)) {
      return Status::InvalidArgument("unterminated quote");
    }
    static const char* kNames[kFields] = {"timestamp", "input_tokens", "output_tokens",
                                          "model",     "tag",          "status"};
    for (size_t k = 0; k < kFields; ++k) {
      if (index_[k] >= static_cast<int>(fields_.size())) {
        return Status::InvalidArgument("expected " + std::to_string(index_[k] + 1) +
                                       " columns, got " + std::to_string(fields_.size()) + " (no " +
                                       kNames[k] + ")");
      }
    }
    Status s = TimeFromText(fields_[index_[0]], options_.map.timestamp_unit, &r->time_micros);
    if (!s.ok()) return s;
    if (Dropped(r->time_micros)) {
      *dropped = true;
      return Status::Ok();
    }
    if (!ParseTokens(fields_[index_[1]], &r->input_tokens)) {
      return Status::InvalidArgument("input_tokens '" + std::string(fields_[index_[1]]) +
                                     "' is not a non-negative integer");
    }
    if (!ParseTokens(fields_[index_[2]], &r->output_tokens)) {
      return Status::InvalidArgument("output_tokens '" + std::string(fields_[index_[2]]) +
                                     "' is not a non-negative integer");
    }
    Assign(3, &r->model);
    Assign(4, &r->tag);
    FirstOfList(&r->tag);
    Assign(5, &r->status);
    return Status::Ok();
  }

 private:
  static constexpr size_t kFields = 6;
  void Assign(size_t k, std::string* out) {
    if (index_[k] < 0) {
      out->clear();
    } else {
      out->assign(fields_[index_[k]]);
    }
  }
  int index_[kFields] = {-1, -1, -1, -1, -1, -1};
  std::vector<std::string_view> fields_;
  std::deque<std::string> scratch_;  // stable addresses: fields_ views point here
};

// ---------------------------------------------------------------- JSONL

const nlohmann::json* Lookup(const nlohmann::json& root, const std::string& path) {
  const nlohmann::json* node = &root;
  size_t start = 0;
  for (;;) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

class JsonlTraceReader : public LineTraceReader {
 public:
  using LineTraceReader::LineTraceReader;

 protected:
  Status ParseLine(std::string_view line, TraceRecord* r, bool* dropped) override {
    nlohmann::json doc = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Status::InvalidArgument("not valid JSON");
    if (!doc.is_object()) return Status::InvalidArgument("not a JSON object");
    const ColumnMap& m = options_.map;
    const nlohmann::json* ts = Lookup(doc, m.timestamp);
    if (ts == nullptr) return Status::InvalidArgument("missing key '" + m.timestamp + "'");
    std::string ts_text = ts->is_string() ? ts->get<std::string>() : ts->dump();
    UKAIRO_RETURN_IF_ERROR(TimeFromText(ts_text, m.timestamp_unit, &r->time_micros));
    if (Dropped(r->time_micros)) {
      *dropped = true;
      return Status::Ok();
    }
    UKAIRO_RETURN_IF_ERROR(Tokens(doc, m.input_tokens, &r->input_tokens));
    UKAIRO_RETURN_IF_ERROR(Tokens(doc, m.output_tokens, &r->output_tokens));
    Text(doc, m.model, &r->model);
    Text(doc, m.tag, &r->tag);
    Text(doc, m.status, &r->status);
    return Status::Ok();
  }

 private:
  static Status Tokens(const nlohmann::json& doc, const std::string& key, int64_t* out) {
    const nlohmann::json* v = Lookup(doc, key);
    if (v == nullptr) return Status::InvalidArgument("missing key '" + key + "'");
    if (!v->is_number_integer() || v->get<int64_t>() < 0) {
      return Status::InvalidArgument("'" + key + "' is " + v->dump() +
                                     ", not a non-negative integer");
    }
    *out = v->get<int64_t>();
    return Status::Ok();
  }
  static void Text(const nlohmann::json& doc, const std::string& key, std::string* out) {
    out->clear();
    if (key.empty()) return;
    const nlohmann::json* v = Lookup(doc, key);
    if (v == nullptr || v->is_null()) return;
    if (v->is_array() && !v->empty()) v = &(*v)[0];  // request_tags: ["Build"]
    *out = v->is_string() ? v->get<std::string>() : v->dump();
  }
};

}  // namespace

Result<TraceFormat> ParseTraceFormat(std::string_view name) {
  if (name == "azure") return TraceFormat::kAzure;
  if (name == "csv") return TraceFormat::kCsv;
  if (name == "jsonl") return TraceFormat::kJsonl;
  if (name == "litellm") return TraceFormat::kLiteLlm;
  if (name == "litellm-csv") return TraceFormat::kLiteLlmCsv;
  return Status::InvalidArgument("unknown trace format '" + std::string(name) +
                                 "' (azure, csv, jsonl, litellm, litellm-csv)");
}

ColumnMap AzureColumnMap() {
  ColumnMap m;
  m.timestamp = "TIMESTAMP";
  m.timestamp_unit = TimeUnit::kIso;
  m.input_tokens = "ContextTokens";
  m.output_tokens = "GeneratedTokens";
  return m;
}

ColumnMap LiteLlmColumnMap() {
  ColumnMap m;
  m.timestamp = "startTime";
  m.timestamp_unit = TimeUnit::kIso;
  m.input_tokens = "prompt_tokens";
  m.output_tokens = "completion_tokens";
  m.model = "model_group";
  m.tag = "request_tags";
  m.status = "status";
  return m;
}

bool HasFixedMap(TraceFormat format) {
  return format == TraceFormat::kAzure || format == TraceFormat::kLiteLlm ||
         format == TraceFormat::kLiteLlmCsv;
}

Result<ColumnMap> ParseColumnMap(std::string_view spec) {
  ColumnMap m;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string_view item =
        spec.substr(start, comma == std::string_view::npos ? spec.npos : comma - start);
    start = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq + 1 == item.size()) {
      return Status::InvalidArgument("--map item '" + std::string(item) + "' is not FIELD=COLUMN");
    }
    std::string_view field = item.substr(0, eq), column = item.substr(eq + 1);
    if (field == "timestamp") {
      size_t colon = column.rfind(':');
      if (colon != std::string_view::npos) {
        std::string_view unit = column.substr(colon + 1);
        column = column.substr(0, colon);
        if (unit == "s")
          m.timestamp_unit = TimeUnit::kSeconds;
        else if (unit == "ms")
          m.timestamp_unit = TimeUnit::kMillis;
        else if (unit == "us")
          m.timestamp_unit = TimeUnit::kMicros;
        else if (unit == "iso")
          m.timestamp_unit = TimeUnit::kIso;
        else {
          return Status::InvalidArgument("timestamp unit '" + std::string(unit) +
                                         "' is not s, ms, us or iso");
        }
      }
      m.timestamp = column;
    } else if (field == "input_tokens") {
      m.input_tokens = column;
    } else if (field == "output_tokens") {
      m.output_tokens = column;
    } else if (field == "model") {
      m.model = column;
    } else if (field == "tag") {
      m.tag = column;
    } else if (field == "status") {
      m.status = column;
    } else {
      return Status::InvalidArgument("unknown --map field '" + std::string(field) + "'");
    }
  }
  if (m.timestamp.empty() || m.input_tokens.empty() || m.output_tokens.empty()) {
    return Status::InvalidArgument("--map needs timestamp, input_tokens and output_tokens");
  }
  return m;
}

Result<int64_t> ParseTraceTime(std::string_view t) {
  // Fast path: "YYYY-MM-DD HH:MM:SS" + optional ".digits", all ASCII digits.
  auto digit = [&](size_t i) { return i < t.size() && t[i] >= '0' && t[i] <= '9'; };
  auto num = [&](size_t i, int n) {
    int v = 0;
    for (int k = 0; k < n; ++k) v = v * 10 + (t[i + k] - '0');
    return v;
  };
  if (t.size() >= 19 && t[4] == '-' && t[7] == '-' && t[10] == ' ' && t[13] == ':' &&
      t[16] == ':') {
    bool ok = true;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) ok = ok && digit(i);
    int micros = 0;
    size_t i = 19;
    if (ok && i < t.size() && t[i] == '.') {
      int n = 0;
      for (++i; digit(i); ++i, ++n) {
        if (n < 6) micros = micros * 10 + (t[i] - '0');
      }
      ok = n > 0;
      for (; n < 6; ++n) micros *= 10;
    }
    int mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
    if (ok && i == t.size() && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 &&
        s <= 60) {
      // Consecutive lines share their date: remember the last one's midnight.
      thread_local char last_date[10] = {};
      thread_local int64_t last_midnight_micros = 0;
      if (std::memcmp(last_date, t.data(), 10) != 0) {
        last_midnight_micros = MicrosFromCivil(num(0, 4), mo, d);
        std::memcpy(last_date, t.data(), 10);
      }
      return last_midnight_micros + ((h * 60LL + mi) * 60 + s) * 1'000'000 + micros;
    }
  }
  return ParseIso8601(std::string(t));
}

Result<std::unique_ptr<TraceReader>> TraceReader::Open(const std::string& path,
                                                       const TraceReaderOptions& options) {
  TraceReaderOptions opts = options;
  if (opts.format == TraceFormat::kAzure) opts.map = AzureColumnMap();
  if (opts.format == TraceFormat::kLiteLlm || opts.format == TraceFormat::kLiteLlmCsv) {
    opts.map = LiteLlmColumnMap();
  }
  std::unique_ptr<LineTraceReader> reader;
  if (opts.format == TraceFormat::kJsonl || opts.format == TraceFormat::kLiteLlm) {
    reader = std::make_unique<JsonlTraceReader>(opts);
  } else {
    reader = std::make_unique<CsvTraceReader>(opts);
  }
  UKAIRO_RETURN_IF_ERROR(reader->Open(path));
  return std::unique_ptr<TraceReader>(std::move(reader));
}

}  // namespace ukairo::sim
