// Traffic traces: records of past requests, read one at a time.
//
// Formats:
//   * azure — the Azure LLM inference trace (TIMESTAMP with seven fractional
//     digits, ContextTokens, GeneratedTokens); Patel et al., Splitwise, 2024.
//   * csv   — a header line and a ColumnMap naming the columns.
//   * jsonl — one JSON object per line and a ColumnMap naming the keys
//     ("a.b" reaches into nested objects).
//   * litellm / litellm-csv — LiteLLM spend-log exports (JSONL or CSV) with
//     a fixed map: startTime, prompt_tokens, completion_tokens, model_group,
//     request_tags (the first tag), status.
// Readers stream: memory is bounded by one line, whatever the trace size.
// A malformed line is an error naming file:line and what is wrong, or, with
// MalformedPolicy::kSkip, is counted and skipped.
//
// Thread safety: a reader is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ukairo::sim {

struct TraceRecord {
  int64_t time_micros = 0;  // Unix epoch, UTC
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  std::string model;   // "" when the trace has none
  std::string tag;     // "" when the trace has none
  std::string status;  // recorded outcome, "" when none
  // The client's max_tokens (the core's reservation cap); 0 = the config's
  // default. Only ledger replays know it.
  int64_t max_output_tokens = 0;
};

enum class TraceFormat : uint8_t { kAzure = 0, kCsv, kJsonl, kLiteLlm, kLiteLlmCsv };
Result<TraceFormat> ParseTraceFormat(std::string_view name);

enum class TimeUnit : uint8_t { kSeconds = 0, kMillis, kMicros, kIso };

// Which column (CSV header name) or key (JSONL) holds each field.
// Empty names are absent fields. timestamp, input_tokens and output_tokens
// are required.
struct ColumnMap {
  std::string timestamp;
  TimeUnit timestamp_unit = TimeUnit::kIso;
  std::string input_tokens;
  std::string output_tokens;
  std::string model;
  std::string tag;
  std::string status;
};

// Parses "timestamp=COL:s|ms|us|iso,input_tokens=COL,output_tokens=COL,
// model=COL,tag=COL,status=COL". Unknown fields are errors.
Result<ColumnMap> ParseColumnMap(std::string_view spec);
// The fixed maps of the Azure and LiteLLM spend-log formats.
ColumnMap AzureColumnMap();
ColumnMap LiteLlmColumnMap();
// Whether `format` brings its own map (no --map needed).
bool HasFixedMap(TraceFormat format);

enum class MalformedPolicy : uint8_t { kStop = 0, kSkip };

struct TraceReaderOptions {
  TraceFormat format = TraceFormat::kAzure;
  ColumnMap map;  // ignored when HasFixedMap(format)
  MalformedPolicy on_malformed = MalformedPolicy::kStop;
  size_t line_bytes_max = 1 << 20;
  uint64_t skipped_lines_max = UINT64_MAX;  // kSkip gives up past this many
};

// Decides from a record's time alone whether it is wanted, so a reader can
// skip the rest of an unwanted line (a stretched month thins most records).
class TimeFilter {
 public:
  virtual ~TimeFilter() = default;
  virtual bool Keep(int64_t time_micros) = 0;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;

  static Result<std::unique_ptr<TraceReader>> Open(const std::string& path,
                                                   const TraceReaderOptions& options);

  // Reads the next record into *record and returns true, or returns false at
  // the end. A malformed line returns InvalidArgument("file:line: why")
  // under kStop; under kSkip it is counted in skipped_lines() and skipped.
  virtual Result<bool> Next(TraceRecord* record) = 0;
  // Starts over from the first record (a stretched month reads the trace
  // once per time slot instead of holding it in memory).
  virtual Status Rewind() = 0;
  // Malformed lines skipped in one pass over the file (the most of any
  // pass, so re-reading the trace per slot does not multiply the count).
  virtual uint64_t skipped_lines() const = 0;
  // Records whose time `filter` rejects are skipped before the rest of their
  // line is parsed or checked (so a pass with a filter may miss a malformed
  // token that a pass without one reports). nullptr: no filter. Not owned.
  virtual void SetTimeFilter(TimeFilter* filter) = 0;
  // The first skipped line's error, for the report ("" when none).
  virtual const std::string& first_skip_error() const = 0;
};

// Fast path for "YYYY-MM-DD HH:MM:SS[.fffffff]" and ISO-8601 times; digits
// beyond microseconds are truncated.
Result<int64_t> ParseTraceTime(std::string_view text);

}  // namespace ukairo::sim
