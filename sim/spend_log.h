// LiteLLM spend logs (the LiteLLM_SpendLogs table, exported as JSONL or CSV)
// read row by row, with every field `ukairo import` turns into ledger events.
//
// Columns (LiteLLM names): request_id, startTime, endTime, model_group,
// model_id (the deployment: model_info.id in the LiteLLM config), model,
// api_base, prompt_tokens, completion_tokens, spend, request_tags, status,
// api_key (LiteLLM stores a SHA-256 of the key). Required: startTime,
// endTime, model_group or model, prompt_tokens, completion_tokens, spend.
//
// Money: `spend` is read from its decimal text, never through a double (the
// JSONL reader takes the number's source text from the JSON parser); a
// spend finer than a nano-USD is rounded up and counted in
// rows_spend_rounded(). Times are ISO-8601 (LiteLLM writes
// "2026-11-02T10:00:00.123456+00:00" or "2026-11-02 10:00:00.123"), UTC.
//
// Streamed: memory is bounded by one line. A malformed row is an error
// naming file:line and the field.
//
// Thread safety: a reader is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/money.h"
#include "base/status.h"

namespace ukairo::sim {

struct SpendLogRow {
  uint64_t line = 0;  // 1-based line of the file it came from
  std::string request_id;
  int64_t start_micros = 0;
  int64_t end_micros = 0;  // >= start_micros
  std::string model_group;  // the model the client asked for
  std::string model_id;     // the deployment ("" when the export has none)
  std::string model;        // the provider model, e.g. "anthropic/claude-opus-4-8"
  std::string api_base;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  NanoUsd spend_nanos = 0;
  std::string tag;     // the first request tag, "" when none
  std::string status;  // "success", "failure", or "" (then: success)
  std::string api_key_hash;  // as exported; the import keeps only a prefix of a hash
};

enum class SpendLogFormat : uint8_t { kJsonl = 0, kCsv };

class SpendLogReader {
 public:
  virtual ~SpendLogReader() = default;
  static Result<std::unique_ptr<SpendLogReader>> Open(const std::string& path,
                                                      SpendLogFormat format);
  // Reads the next row into *row and returns true, or false at the end.
  virtual Result<bool> Next(SpendLogRow* row) = 0;
  virtual uint64_t rows_spend_rounded() const = 0;
};

}  // namespace ukairo::sim
