// Goal: `ukairo simulate` keeps its CLI contract: --help works, a malformed
// trace line is an input error (exit 2) naming file:line, --seed gives a
// byte-identical --out file, and --ledger writes every event. Method: runs
// the built binary on small files in a TempDir.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using ukairo::testing::SourcePath;
using ukairo::testing::TempDir;

// `ukairo ARGS 2>&1` and a file's text (tests/util).
ukairo::testing::CommandOutcome Sh(const std::string& args) {
  return ukairo::testing::RunUkairo(args);
}
std::string Slurp(const std::string& path) { return ukairo::testing::ReadFileText(path); }

std::string Common() {
  return "simulate --config " + SourcePath("data/litellm_config.yaml") + " --scenario " +
         SourcePath("data/scenarios/fault_month.yaml") + " --days 2 -q";
}

TEST(CmdSimulate, HelpListsTheFlags) {
  auto o = Sh("simulate --help");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  for (const char* flag : {"--config", "--trace", "--format", "--map", "--scenario", "--days",
                           "--seed", "--tag-mix", "--out", "--ledger"}) {
    EXPECT_NE(o.output.find(flag), std::string::npos) << flag;
  }
}

TEST(CmdSimulate, MalformedTraceIsAnInputErrorNamingTheLine) {
  TempDir dir;
  std::ofstream(dir.Sub("bad.csv")) << "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                       "2023-11-16 18:17:03.9799600,4808,10\n"
                                       "2023-11-16 18:17:04.0319600,4808\n";
  auto o = Sh(Common() + " --trace " + dir.Sub("bad.csv"));
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("bad.csv:3: expected 3 columns"), std::string::npos) << o.output;
  auto skipped = Sh(Common() + " --on-malformed skip --trace " + dir.Sub("bad.csv"));
  EXPECT_EQ(skipped.exit_code, 0) << skipped.output;
  EXPECT_NE(skipped.output.find("\"trace_lines_skipped\": 1"), std::string::npos);
}

TEST(CmdSimulate, SeededOutIsByteIdenticalAndLedgerHoldsEveryEvent) {
  TempDir dir;
  std::string trace = " --trace " + SourcePath("data/traces/azure_conv_sample.csv");
  auto a = Sh(Common() + trace + " --seed 5 --out " + dir.Sub("a.json"));
  auto b = Sh(Common() + trace + " --seed 5 --out " + dir.Sub("b.json") + " --ledger " +
              dir.Sub("ledger"));
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  std::string ja = Slurp(dir.Sub("a.json"));
  EXPECT_EQ(ja, Slurp(dir.Sub("b.json")));
  EXPECT_NE(ja.find("\"requests_total\""), std::string::npos);
  {
    auto ledger = ledger::Ledger::Open(dir.Sub("ledger"), {});
    ASSERT_OK(ledger);
    std::string events = "\"events\": " + std::to_string((*ledger)->LastSeq()) + "\n";
    EXPECT_GT((*ledger)->LastSeq(), 1000u);
    EXPECT_NE(ja.find(events), std::string::npos) << events;
  }  // closed: RocksDB allows one process at a time
  auto again = Sh(Common() + trace + " --ledger " + dir.Sub("ledger"));
  EXPECT_EQ(again.exit_code, 2) << "a used ledger is refused: " << again.output;
}

TEST(CmdSimulate, DaysZeroReplaysAtRecordedTimes) {
  auto o = Sh("simulate -q --days 0 --tag Build --config " +
              SourcePath("data/litellm_config.yaml") + " --trace " +
              SourcePath("data/traces/azure_conv_sample.csv"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("\"start\": \"2023-11-16T18:15:46.680590Z\""), std::string::npos)
      << o.output;
  EXPECT_NE(o.output.find("\"requests_total\": 2000,"), std::string::npos);
  EXPECT_NE(o.output.find("\"arrivals_out_of_order\": 0,"), std::string::npos);
}

// A trace of times from 0 (ms since it began), as a tool writes it.
std::string RelativeTrace(const TempDir& dir) {
  std::ofstream(dir.Sub("rel.csv")) << "ms,in,out\n0,1000,50\n1500,2000,60\n60000,3000,70\n";
  return " --format csv --map timestamp=ms:ms,input_tokens=in,output_tokens=out --trace " +
         dir.Sub("rel.csv");
}

// When each request was accepted, from the ledger the run wrote.
std::vector<int64_t> AcceptedTimes(const std::string& ledger_dir) {
  std::vector<int64_t> times;
  for (const auto& e : ukairo::testing::ReadLedgerEvents(ledger_dir)) {
    if (ledger::KindName(e.body) == std::string("request_accepted")) {
      times.push_back(e.time_micros);
    }
  }
  return times;
}

// A trace's model column means what the gateway's "model" means: "auto" and
// model groups are routed, a name nothing serves is refused 404
// model_not_found (counted in requests_refused, not routed, not recorded).
TEST(CmdSimulate, UnknownModelInTheTraceIsRefusedNotRouted) {
  TempDir dir;
  std::ofstream(dir.Sub("models.csv")) << "ts,in,out,model,tag\n"
                                          "1,100,50,auto,Spec\n"
                                          "2,100,50,claude-opus,Build\n"
                                          "3,100,50,gpt-4o-mini,Spec\n"
                                          "4,100,50,nope,Build\n";
  auto o = Sh("simulate -q --days 0 --config " + SourcePath("data/litellm_config.yaml") +
              " --format csv --map timestamp=ts:s,input_tokens=in,output_tokens=out,model=model,"
              "tag=tag --trace " + dir.Sub("models.csv") + " --ledger " + dir.Sub("ledger"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("\"requests_total\": 2,"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("\"requests_refused\": {\n    \"model_not_found\": 2\n  }"),
            std::string::npos)
      << o.output;
  EXPECT_EQ(AcceptedTimes(dir.Sub("ledger")).size(), 2u);
}

TEST(CmdSimulate, DaysZeroPlacesARelativeTraceAtStart) {
  TempDir dir;
  const std::string run = "simulate -q --days 0 --tag Build --config " +
                          SourcePath("data/litellm_config.yaml") + RelativeTrace(dir);
  // The default --start: never 1970, never today's date.
  auto o = Sh(run + " --ledger " + dir.Sub("default"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("\"start\": \"2026-11-01T00:00:00Z\""), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("\"trace_times\": \"relative\""), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("\"trace_time_zero\": \"2026-11-01T00:00:00Z\""), std::string::npos)
      << o.output;
  const int64_t zero = MicrosFromCivil(2026, 11, 1);
  EXPECT_EQ(AcceptedTimes(dir.Sub("default")),
            (std::vector<int64_t>{zero, zero + 1'500'000, zero + 60'000'000}));

  auto at = Sh(run + " --start 2025-03-04T05:06:07Z --ledger " + dir.Sub("explicit"));
  ASSERT_EQ(at.exit_code, 0) << at.output;
  EXPECT_NE(at.output.find("\"start\": \"2025-03-04T05:06:07Z\""), std::string::npos)
      << at.output;
  EXPECT_NE(at.output.find("\"trace_time_zero\": \"2025-03-04T05:06:07Z\""), std::string::npos)
      << at.output;
  const int64_t there = MicrosFromCivil(2025, 3, 4, 5, 6, 7);
  EXPECT_EQ(AcceptedTimes(dir.Sub("explicit")),
            (std::vector<int64_t>{there, there + 1'500'000, there + 60'000'000}));

  // The printed line says it too.
  auto said = Sh("simulate --days 0 --tag Build --out /dev/null --config " +
                 SourcePath("data/litellm_config.yaml") + RelativeTrace(dir));
  EXPECT_NE(said.output.find("relative times, zero placed at 2026-11-01T00:00:00Z"),
            std::string::npos)
      << said.output;
}

// Dates stay as recorded, whatever --start says; stretched runs carry no
// trace_times (their start is --start).
TEST(CmdSimulate, AbsoluteTraceKeepsItsDates) {
  TempDir dir;
  const std::string run = "simulate -q --days 0 --tag Build --config " +
                          SourcePath("data/litellm_config.yaml") + " --trace " +
                          SourcePath("data/traces/azure_conv_sample.csv");
  auto plain = Sh(run + " --ledger " + dir.Sub("plain"));
  auto with_start = Sh(run + " --start 2025-03-04");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(plain.output, with_start.output);
  EXPECT_NE(plain.output.find("\"trace_times\": \"absolute\""), std::string::npos);
  EXPECT_EQ(plain.output.find("trace_time_zero"), std::string::npos);
  const auto times = AcceptedTimes(dir.Sub("plain"));
  ASSERT_FALSE(times.empty());
  EXPECT_EQ(times.front(), MicrosFromCivil(2023, 11, 16, 18, 15, 46) + 680'590);

  auto month = Sh(Common() + RelativeTrace(dir));
  ASSERT_EQ(month.exit_code, 0) << month.output;
  EXPECT_EQ(month.output.find("trace_times"), std::string::npos);
  EXPECT_NE(month.output.find("\"start\": \"2026-11-01T00:00:00Z\""), std::string::npos);
}

TEST(CmdSimulate, BadScenarioNamesFileAndLine) {
  TempDir dir;
  std::ofstream(dir.Sub("s.yaml")) << "name: x\ndeployments:\n  claude-opus:\n    rpm: many\n";
  auto o = Sh("simulate --config " + SourcePath("data/litellm_config.yaml") + " --trace " +
              SourcePath("data/traces/azure_code_sample.csv") + " --scenario " + dir.Sub("s.yaml"));
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("s.yaml:4: rpm must be an integer"), std::string::npos) << o.output;
}

}  // namespace
}  // namespace ukairo::sim
