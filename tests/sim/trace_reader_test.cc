// Goal: the trace readers parse every supported format exactly, stream the
// real shared Azure traces to their known row counts, and report malformed
// lines with file:line (or skip and count them). Method: small files written
// to a TempDir plus the read-only shared traces.
#include <fstream>

#include "ledger/period.h"
#include "sim/trace.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using ukairo::testing::TempDir;

std::string Write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.Sub(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<TraceRecord> ReadAll(TraceReader& r) {
  std::vector<TraceRecord> out;
  TraceRecord rec;
  for (;;) {
    auto more = r.Next(&rec);
    EXPECT_OK(more);
    if (!more.ok() || !*more) break;
    out.push_back(rec);
  }
  return out;
}

TEST(TraceReader, AzureFormatSevenDigitsNoTrailingNewline) {
  TempDir dir;
  auto path = Write(dir, "a.csv",
                    "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                    "2023-11-16 18:17:03.9799600,4808,10\r\n"
                    "2023-11-16 18:17:04.0319609,3180,8");
  auto reader = TraceReader::Open(path, {});
  ASSERT_OK(reader);
  auto recs = ReadAll(**reader);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].time_micros, MicrosFromCivil(2023, 11, 16, 18, 17, 3, 979960));
  EXPECT_EQ(recs[1].time_micros, MicrosFromCivil(2023, 11, 16, 18, 17, 4, 31960));  // truncated
  EXPECT_EQ(recs[0].input_tokens, 4808);
  EXPECT_EQ(recs[1].output_tokens, 8);
  EXPECT_EQ(recs[0].tag, "");
  // Rewind gives the same records again.
  ASSERT_OK((*reader)->Rewind());
  EXPECT_EQ(ReadAll(**reader).size(), 2u);
}

TEST(TraceReader, WholeAzureTracesParseFully) {
  struct Case {
    const char* file;
    size_t rows;
  } cases[] = {{"traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv", 8819},
               {"traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv", 19366}};
  for (const auto& c : cases) {
    auto reader = TraceReader::Open(ukairo::testing::DataPath(c.file), {});
    ASSERT_OK(reader);
    TraceRecord rec;
    size_t rows = 0;
    int64_t first = 0, last = 0;
    for (;;) {
      auto more = (*reader)->Next(&rec);
      ASSERT_OK(more);
      if (!*more) break;
      if (rows == 0) first = rec.time_micros;
      last = rec.time_micros;
      ++rows;
    }
    EXPECT_EQ(rows, c.rows) << c.file;
    EXPECT_EQ((*reader)->skipped_lines(), 0u);
    EXPECT_GT(last - first, 55LL * 60 * 1000000) << "spans about an hour";
    EXPECT_LT(last - first, 60LL * 60 * 1000000);
  }
}

TEST(TraceReader, MalformedLineNamesFileAndLine) {
  TempDir dir;
  auto path = Write(dir, "bad.csv",
                    "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                    "2023-11-16 18:17:03.9799600,4808,10\n"
                    "2023-11-16 18:17:04.0319600,abc,8\n"
                    "2023-11-16 18:17:05.0,12\n"
                    "2023-11-16 18:17:06.0,1,2\n");
  auto reader = TraceReader::Open(path, {});
  ASSERT_OK(reader);
  TraceRecord rec;
  ASSERT_OK((*reader)->Next(&rec));
  auto bad = (*reader)->Next(&rec);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.csv:3: input_tokens 'abc'"), std::string::npos)
      << bad.status().ToString();

  TraceReaderOptions skip;
  skip.on_malformed = MalformedPolicy::kSkip;
  auto lenient = TraceReader::Open(path, skip);
  ASSERT_OK(lenient);
  auto recs = ReadAll(**lenient);
  EXPECT_EQ(recs.size(), 2u);
  EXPECT_EQ((*lenient)->skipped_lines(), 2u);
  EXPECT_NE((*lenient)->first_skip_error().find(":3:"), std::string::npos);

  skip.skipped_lines_max = 1;
  auto strict = TraceReader::Open(path, skip);
  ASSERT_OK(strict);
  TraceRecord r2;
  ASSERT_OK((*strict)->Next(&r2));
  EXPECT_FALSE((*strict)->Next(&r2).ok()) << "more malformed lines than allowed";
}

TEST(TraceReader, BadTimestampAndMissingColumn) {
  TempDir dir;
  auto path = Write(dir, "t.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,1,2\n");
  auto reader = TraceReader::Open(path, {});
  ASSERT_OK(reader);
  TraceRecord rec;
  auto r = (*reader)->Next(&rec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("t.csv:2:"), std::string::npos);

  auto nohdr = Write(dir, "h.csv", "when,in,out\n1,2,3\n");
  auto missing = TraceReader::Open(nohdr, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("h.csv:1: no column named 'TIMESTAMP'"),
            std::string::npos);
}

TEST(TraceReader, CsvWithColumnMapAndQuotes) {
  TempDir dir;
  auto path = Write(dir, "m.csv",
                    "ts_ms,model,prompt,completion,tags,ok\n"
                    "1700000000123,\"claude-opus\",100,20,\"Spec\",200\n"
                    "1700000001000,gpt,\"5\",6,\"Bu\"\"ild\",500\n");
  auto map = ParseColumnMap(
      "timestamp=ts_ms:ms,input_tokens=prompt,output_tokens=completion,model=model,"
      "tag=tags,status=ok");
  ASSERT_OK(map);
  TraceReaderOptions opts;
  opts.format = TraceFormat::kCsv;
  opts.map = *map;
  auto reader = TraceReader::Open(path, opts);
  ASSERT_OK(reader);
  auto recs = ReadAll(**reader);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].time_micros, 1700000000123000);
  EXPECT_EQ(recs[0].model, "claude-opus");
  EXPECT_EQ(recs[0].tag, "Spec");
  EXPECT_EQ(recs[1].tag, "Bu\"ild");
  EXPECT_EQ(recs[1].input_tokens, 5);
  EXPECT_EQ(recs[1].status, "500");
}

TEST(TraceReader, JsonlWithNestedKeys) {
  TempDir dir;
  auto path = Write(dir, "t.jsonl",
                    "{\"t\": 1700000000.5, \"usage\": {\"in\": 10, \"out\": 3}, "
                    "\"request_tags\": [\"Review\"]}\n"
                    "\n"
                    "{\"t\": \"1700000001\", \"usage\": {\"in\": 11, \"out\": 4}}\n"
                    "{\"t\": 1700000002, \"usage\": {\"in\": -1, \"out\": 4}}\n"
                    "not json\n");
  auto map = ParseColumnMap(
      "timestamp=t:s,input_tokens=usage.in,output_tokens=usage.out,tag=request_tags");
  ASSERT_OK(map);
  TraceReaderOptions opts;
  opts.format = TraceFormat::kJsonl;
  opts.map = *map;
  opts.on_malformed = MalformedPolicy::kSkip;
  auto reader = TraceReader::Open(path, opts);
  ASSERT_OK(reader);
  auto recs = ReadAll(**reader);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].time_micros, 1700000000500000);
  EXPECT_EQ(recs[0].tag, "Review");
  EXPECT_EQ(recs[1].time_micros, 1700000001000000);
  EXPECT_EQ(recs[1].tag, "");
  EXPECT_EQ((*reader)->skipped_lines(), 2u);
  EXPECT_NE((*reader)->first_skip_error().find("t.jsonl:4: 'usage.in' is -1"), std::string::npos)
      << (*reader)->first_skip_error();
}

TEST(TraceReader, ColumnMapErrors) {
  EXPECT_FALSE(ParseColumnMap("timestamp=a:hours,input_tokens=b,output_tokens=c").ok());
  EXPECT_FALSE(ParseColumnMap("timestamp=a,input_tokens=b").ok());
  EXPECT_FALSE(ParseColumnMap("timestamp=a,input_tokens=b,output_tokens=c,colour=d").ok());
  EXPECT_FALSE(ParseTraceFormat("parquet").ok());
}

}  // namespace
}  // namespace ukairo::sim

namespace ukairo::sim {
namespace {

TEST(TraceReader, LiteLlmSpendLogsJsonlAndCsv) {
  ukairo::testing::TempDir dir;
  std::string jsonl = dir.Sub("spend.jsonl");
  std::ofstream(jsonl) << "{\"startTime\": \"2026-10-03T09:15:00.250000Z\", \"endTime\": "
                          "\"2026-10-03T09:15:02Z\", \"model\": \"anthropic/claude-opus-4-8\", "
                          "\"model_group\": \"claude-opus\", \"prompt_tokens\": 1200, "
                          "\"completion_tokens\": 300, \"spend\": 0.0135, "
                          "\"request_tags\": [\"Spec\"], \"status\": \"success\"}\n";
  TraceReaderOptions o;
  o.format = TraceFormat::kLiteLlm;
  auto r = TraceReader::Open(jsonl, o);
  ASSERT_OK(r);
  TraceRecord rec;
  ASSERT_TRUE(*(*r)->Next(&rec));
  EXPECT_EQ(rec.time_micros, MicrosFromCivil(2026, 10, 3, 9, 15, 0, 250000));
  EXPECT_EQ(rec.model, "claude-opus");
  EXPECT_EQ(rec.tag, "Spec");
  EXPECT_EQ(rec.input_tokens, 1200);
  EXPECT_EQ(rec.status, "success");

  std::string csv = dir.Sub("spend.csv");
  std::ofstream(csv) << "request_id,startTime,model_group,prompt_tokens,completion_tokens,"
                        "request_tags,status\n"
                        "a,2026-10-03 09:15:00,gpt-5.2,10,2,\"[\"\"Build\"\", \"\"x\"\"]\","
                        "failure\n"
                        "b,2026-10-03 09:16:00,gpt-5.2,10,2,[],success\n";
  o.format = TraceFormat::kLiteLlmCsv;
  auto c = TraceReader::Open(csv, o);
  ASSERT_OK(c);
  ASSERT_TRUE(*(*c)->Next(&rec));
  EXPECT_EQ(rec.tag, "Build");
  EXPECT_EQ(rec.status, "failure");
  ASSERT_TRUE(*(*c)->Next(&rec));
  EXPECT_EQ(rec.tag, "");
}

}  // namespace
}  // namespace ukairo::sim
