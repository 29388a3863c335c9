// Goal: prices from LiteLLM's JSON become exact integer pico-USD per token.
// Method: parse small hand-written tables and the whole shared snapshot
// (2,983 models), compare against values computed by hand, and cross-check
// every price against an independent double parse to within one pico-USD.
#include "router/config/price_table.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/util/test_util.h"

namespace ukairo::router {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(PriceTable, ParsesNumbersFromTheirSourceText) {
  auto table = PriceTable::Parse(R"({
    "m": {"input_cost_per_token": 1e-07, "output_cost_per_token": 2.5e-06,
          "cache_read_input_token_cost": 3e-08, "max_input_tokens": 1048576,
          "max_tokens": 8192, "litellm_provider": "gemini", "mode": "chat",
          "search_context_cost_per_query": {"input_cost_per_token": 9}}
  })",
                                 "t.json");
  ASSERT_OK(table);
  const PriceEntry* m = table->Find("m");
  ASSERT_NE(m, nullptr);
  // 1e-07 × 1e12 in doubles is 99999.99999999999; from the text it is exact.
  EXPECT_EQ(m->price.input_pico, 100'000);
  EXPECT_EQ(m->price.output_pico, 2'500'000);
  EXPECT_EQ(m->price.cache_read_pico, 30'000);
  EXPECT_TRUE(m->has_input_price);
  EXPECT_TRUE(m->has_output_price);
  EXPECT_EQ(m->max_input_tokens, 1'048'576);
  EXPECT_EQ(m->max_output_tokens, 8192);  // from legacy max_tokens
  EXPECT_EQ(m->provider, "gemini");
  EXPECT_EQ(m->mode, "chat");
  EXPECT_TRUE(table->issues().empty());
}

TEST(PriceTable, IntegerAndPlainDecimalPrices) {
  auto table = PriceTable::Parse(
      R"({"a": {"input_cost_per_token": 0, "output_cost_per_token": 0.000015},
          "b": {"input_cost_per_token": 1.25E-7, "output_cost_per_token": 1}})",
      "t.json");
  ASSERT_OK(table);
  EXPECT_EQ(table->Find("a")->price.input_pico, 0);
  EXPECT_EQ(table->Find("a")->price.output_pico, 15'000'000);
  EXPECT_EQ(table->Find("b")->price.input_pico, 125'000);
  EXPECT_EQ(table->Find("b")->price.output_pico, 1'000'000'000'000);
}

TEST(PriceTable, FinerThanPicoRoundsUpAndIsReported) {
  auto table = PriceTable::Parse(
      R"({"x": {"input_cost_per_token": 2.9999900000000002e-06,
                "output_cost_per_token": 1e-13}})",
      "t.json");
  ASSERT_OK(table);
  const PriceEntry* x = table->Find("x");
  // 2999990.0000000002 pico → 2999991; 0.1 pico → 1. Never rounded down.
  EXPECT_EQ(x->price.input_pico, 2'999'991);
  EXPECT_EQ(x->price.output_pico, 1);
  ASSERT_EQ(table->issues().size(), 2u);
  EXPECT_EQ(table->issues()[0].model, "x");
  EXPECT_EQ(table->issues()[0].field, "input_cost_per_token");
  EXPECT_EQ(table->issues()[0].text, "2.9999900000000002e-06");
  EXPECT_NE(table->issues()[0].problem.find("rounded up"), std::string::npos);
}

TEST(PriceTable, NegativePriceIsReportedAndLeftUnknown) {
  auto table = PriceTable::Parse(
      R"({"neg": {"input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06}})", "t.json");
  ASSERT_OK(table);
  EXPECT_FALSE(table->Find("neg")->has_input_price);
  EXPECT_TRUE(table->Find("neg")->has_output_price);
  ASSERT_EQ(table->issues().size(), 1u);
  EXPECT_NE(table->issues()[0].problem.find("negative"), std::string::npos);
}

TEST(PriceTable, FindTriesExactKeyThenStripsProviderPrefix) {
  auto table = PriceTable::Parse(R"({"gpt-5.2": {"input_cost_per_token": 1.75e-06},
      "gemini-2.5-flash": {"input_cost_per_token": 1e-06},
      "gemini/gemini-2.5-flash": {"input_cost_per_token": 3e-07}})",
                                 "t.json");
  ASSERT_OK(table);
  ASSERT_NE(table->Find("openai/gpt-5.2"), nullptr);
  EXPECT_EQ(table->Find("openai/gpt-5.2")->model, "gpt-5.2");
  EXPECT_EQ(table->Find("gemini/gemini-2.5-flash")->price.input_pico, 300'000);
  EXPECT_EQ(table->Find("gpt-9"), nullptr);
  EXPECT_EQ(table->Find("openai/gpt-9"), nullptr);
}

TEST(PriceTable, MalformedJsonNamesLineAndColumn) {
  auto table =
      PriceTable::Parse("{\n  \"a\": {\n    \"input_cost_per_token\": 1e-07,,\n}", "p.json");
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsInvalidArgument());
  EXPECT_EQ(table.status().message().rfind("p.json:3:35: ", 0), 0u) << table.status().message();
}

TEST(PriceTable, TopLevelMustBeAnObject) {
  auto table = PriceTable::Parse("[1, 2]", "p.json");
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("JSON object"), std::string::npos);
}

TEST(PriceTable, MissingFileIsIOError) {
  auto table = PriceTable::LoadFile("/nonexistent/prices.json");
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsIOError());
}

TEST(PriceTable, FormatsUsdPerMillionTokensExactly) {
  EXPECT_EQ(FormatUsdPerMillion(5'000'000), "5");
  EXPECT_EQ(FormatUsdPerMillion(1'750'000), "1.75");
  EXPECT_EQ(FormatUsdPerMillion(175'000), "0.175");
  EXPECT_EQ(FormatUsdPerMillion(100'000), "0.1");
  EXPECT_EQ(FormatUsdPerMillion(1), "0.000001");
  EXPECT_EQ(FormatUsdPerMillion(0), "0");
}

// The whole public snapshot: every price parses (or is reported), and the
// hand-checked models carry the prices their vendors publish.
TEST(PriceTable, WholeLiteLlmSnapshot) {
  const std::string path = testing::DataPath("prices/model_prices_and_context_window.json");
  auto table = PriceTable::LoadFile(path);
  ASSERT_OK(table);
  // 2,985 keys less "sample_spec" (documentation) and "last_updated" (a string).
  EXPECT_EQ(table->size(), 2983u);
  for (const PriceIssue& issue : table->issues()) {
    // Upstream float noise such as 2.9999900000000002e-06 (Databricks rows).
    EXPECT_NE(issue.problem.find("rounded up"), std::string::npos)
        << issue.model << " " << issue.field << " " << issue.text << ": " << issue.problem;
  }
  EXPECT_EQ(table->issues().size(), 31u);

  struct Expect {
    const char* model;
    PicoUsdPerToken input, output, cache_read;
  };
  for (Expect e : {Expect{"claude-opus-4-8", 5'000'000, 25'000'000, 500'000},
                   Expect{"claude-sonnet-4-6", 3'000'000, 15'000'000, 300'000},
                   Expect{"gpt-5.2", 1'750'000, 14'000'000, 175'000},
                   Expect{"gemini-3-pro-preview", 2'000'000, 12'000'000, 200'000},
                   Expect{"gemini-2.5-flash", 300'000, 2'500'000, 30'000},
                   Expect{"zai.glm-4.7", 600'000, 2'200'000, 0},
                   Expect{"gpt-4o-mini", 150'000, 600'000, 75'000},
                   Expect{"databricks/databricks-claude-3-7-sonnet", 2'999'991, 15'000'021, 0}}) {
    const PriceEntry* entry = table->Find(e.model);
    ASSERT_NE(entry, nullptr) << e.model;
    EXPECT_EQ(entry->price.input_pico, e.input) << e.model;
    EXPECT_EQ(entry->price.output_pico, e.output) << e.model;
    EXPECT_EQ(entry->price.cache_read_pico, e.cache_read) << e.model;
  }
  EXPECT_EQ(table->Find("claude-opus-4-8")->max_input_tokens, 1'000'000);
  EXPECT_EQ(table->Find("claude-opus-4-8")->max_output_tokens, 128'000);

  // Independent cross-check: a double parse agrees within one pico-USD
  // (the doubles themselves are off by far less than that).
  nlohmann::json dom = nlohmann::json::parse(ReadAll(path));
  size_t checked = 0;
  for (const auto& [model, entry] : table->entries()) {
    const auto& j = dom.at(model);
    for (auto [field, pico] : {std::pair{"input_cost_per_token", entry.price.input_pico},
                               std::pair{"output_cost_per_token", entry.price.output_pico}}) {
      if (!j.contains(field)) continue;
      double usd = j.at(field).get<double>();
      EXPECT_LE(std::fabs(static_cast<double>(pico) - usd * 1e12), 1.0) << model << " " << field;
      ++checked;
    }
  }
  EXPECT_GT(checked, 5000u);
}

// data/prices/model_prices.json is a subset of the whole snapshot beside it.
TEST(PriceTable, TrimmedCopyMatchesTheSnapshot) {
  auto full =
      PriceTable::LoadFile(testing::DataPath("prices/model_prices_and_context_window.json"));
  auto trimmed = PriceTable::LoadFile(testing::SourcePath("data/prices/model_prices.json"));
  ASSERT_OK(full);
  ASSERT_OK(trimmed);
  EXPECT_EQ(trimmed->size(), 7u);
  for (const auto& [model, entry] : trimmed->entries()) {
    const PriceEntry* source = full->Find(model);
    ASSERT_NE(source, nullptr) << model;
    EXPECT_EQ(entry.price, source->price) << model;
    EXPECT_EQ(entry.max_input_tokens, source->max_input_tokens) << model;
    EXPECT_EQ(entry.max_output_tokens, source->max_output_tokens) << model;
  }
}

}  // namespace
}  // namespace ukairo::router
