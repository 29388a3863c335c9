// Goal: a short trace stretched to a month keeps its shape per slot, follows
// the daily/weekly profile, is identical under the same seed, and a tag mix
// assigns tags in the given integer proportions. Method: the shipped sample
// and a tiny synthetic trace.
#include "sim/traffic.h"

#include <fstream>

#include "ledger/period.h"
#include "sim/tag_mix.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

constexpr int64_t kHour = 3'600'000'000;

std::unique_ptr<TrafficSource> Month(uint64_t seed, int64_t days, TrafficProfile profile,
                                     uint64_t cached_records_max = uint64_t{1} << 20) {
  auto reader =
      TraceReader::Open(ukairo::testing::SourcePath("data/traces/azure_code_sample.csv"), {});
  EXPECT_OK(reader);
  StretchOptions o;
  o.start_micros = MicrosFromCivil(2026, 11, 2);  // a Monday
  o.days = days;
  o.seed = seed;
  o.profile = profile;
  o.cached_records_max = cached_records_max;
  auto src = MakeStretchedSource(std::move(*reader), o);
  EXPECT_OK(src);
  return std::move(*src);
}

TEST(Traffic, FullProfileRepeatsEveryRecordEverySlot) {
  TrafficProfile all;
  all.daily_permille.fill(1000);
  all.weekly_permille.fill(1000);
  auto src = Month(1, 1, all);
  TraceRecord r;
  uint64_t n = 0;
  int64_t prev = 0;
  for (;;) {
    auto more = src->Next(&r);
    ASSERT_OK(more);
    if (!*more) break;
    ASSERT_GE(r.time_micros, prev) << "time order kept";
    ASSERT_LT(r.time_micros, MicrosFromCivil(2026, 11, 3));
    prev = r.time_micros;
    ++n;
  }
  // The sample spans 14.2 min → 15-minute slots → 96 a day, 2000 each.
  EXPECT_EQ(n, 96u * 2000u);
}

TEST(Traffic, ProfileThinsNightsAndWeekendsDeterministically) {
  TrafficProfile p = TrafficProfile::Default();
  auto a = Month(5, 7, p), b = Month(5, 7, p);
  TraceRecord ra, rb;
  uint64_t by_hour[24] = {}, weekend = 0, total = 0;
  for (;;) {
    auto ma = a->Next(&ra);
    auto mb = b->Next(&rb);
    ASSERT_OK(ma);
    ASSERT_OK(mb);
    ASSERT_EQ(*ma, *mb);
    if (!*ma) break;
    ASSERT_EQ(ra.time_micros, rb.time_micros);
    CivilTime c = CivilFromMicros(ra.time_micros);
    ++by_hour[c.hour];
    if (c.day == 7 || c.day == 8) ++weekend;  // Sat 7th, Sun 8th Nov 2026
    ++total;
  }
  EXPECT_GT(by_hour[11], 10 * by_hour[3]) << "busy late morning, quiet night";
  // Mean weekend day below a third of the mean weekday (profile: ~22 %).
  EXPECT_LT(weekend * 15, (total - weekend) * 2);
  EXPECT_GT(total, 100000u);
}

// The in-memory copy of a short trace is only a cache: re-reading the file
// per slot (a trace longer than the cap) gives the same records.
TEST(Traffic, InMemoryTraceGivesTheSameRecordsAsRereading) {
  TrafficProfile p = TrafficProfile::Default();
  auto cached = Month(11, 3, p), reread = Month(11, 3, p, /*cached_records_max=*/1999);
  TraceRecord a, b;
  uint64_t n = 0;
  for (;;) {
    auto ma = cached->Next(&a);
    auto mb = reread->Next(&b);
    ASSERT_OK(ma);
    ASSERT_OK(mb);
    ASSERT_EQ(*ma, *mb) << "after " << n << " records";
    if (!*ma) break;
    ASSERT_EQ(a.time_micros, b.time_micros) << "record " << n;
    ASSERT_EQ(a.input_tokens, b.input_tokens) << "record " << n;
    ASSERT_EQ(a.output_tokens, b.output_tokens) << "record " << n;
    ++n;
  }
  EXPECT_GT(n, 20000u);
  EXPECT_EQ(cached->records_read(), reread->records_read());
}

TEST(TagMix, IntegerProportionsAndFixedTag) {
  auto mix = TagAssigner::Make("", "Spec=0.1,Build=0.5,Fix=0.4", 9);
  ASSERT_OK(mix);
  std::map<std::string, int> counts;
  for (int i = 0; i < 10000; ++i) ++counts[mix->Assign("")];
  EXPECT_NEAR(counts["Spec"], 1000, 150);
  EXPECT_NEAR(counts["Build"], 5000, 250);
  EXPECT_NEAR(counts["Fix"], 4000, 250);
  EXPECT_EQ(mix->Assign("Review"), "Review") << "a record's own tag wins";
  auto fixed = TagAssigner::Make("Build", "", 1);
  ASSERT_OK(fixed);
  EXPECT_EQ(fixed->Assign(""), "Build");
  EXPECT_FALSE(TagAssigner::Make("Build", "Spec=1", 1).ok());
  EXPECT_FALSE(TagAssigner::Make("", "Spec=x", 1).ok());
  EXPECT_FALSE(TagAssigner::Make("", "Spec=0", 1).ok());
}

// Times from 0 are offsets, not 1970 dates; the replay source places them
// where it is told and leaves dates alone with no shift.
TEST(Traffic, RelativeTimesAreThoseBefore2000AndReplayShiftsThem) {
  EXPECT_TRUE(IsRelativeTraceTime(0));
  EXPECT_TRUE(IsRelativeTraceTime(1'500'000));
  EXPECT_TRUE(IsRelativeTraceTime(MicrosFromCivil(1999, 12, 31)));
  EXPECT_FALSE(IsRelativeTraceTime(MicrosFromCivil(2000, 1, 1)));
  EXPECT_FALSE(IsRelativeTraceTime(MicrosFromCivil(2023, 11, 16)));

  ukairo::testing::TempDir dir;
  std::ofstream(dir.Sub("rel.csv")) << "ms,in,out\n0,10,1\n1500,20,2\n";
  TraceReaderOptions o;
  o.format = TraceFormat::kCsv;
  auto map = ParseColumnMap("timestamp=ms:ms,input_tokens=in,output_tokens=out");
  ASSERT_OK(map);
  o.map = *map;
  const int64_t zero = MicrosFromCivil(2026, 11, 1);
  for (int64_t shift : {int64_t{0}, zero}) {
    auto reader = TraceReader::Open(dir.Sub("rel.csv"), o);
    ASSERT_OK(reader);
    auto src = MakeReplaySource(std::move(*reader), shift);
    TraceRecord r;
    ASSERT_TRUE(*src->Next(&r));
    EXPECT_EQ(r.time_micros, shift);
    ASSERT_TRUE(*src->Next(&r));
    EXPECT_EQ(r.time_micros, shift + 1'500'000);
    EXPECT_EQ(r.input_tokens, 20);
    EXPECT_FALSE(*src->Next(&r));
    EXPECT_EQ(src->records_read(), 2u);
  }
}

}  // namespace
}  // namespace ukairo::sim
