#include "tools/traffic_open.h"

#include "ledger/period.h"
#include "base/time_units.h"
#include "sim/simulator.h"
#include "sim/synthetic.h"
#include "sim/token_fit.h"

namespace ukairo::tools {
namespace {

Result<int64_t> StartMicros(const TrafficFlags& f) {
  auto start = ParseIso8601(f.start);
  if (!start.ok()) return Status::InvalidArgument("--start: " + start.status().message());
  return *start;
}

// --synthetic: tokens fitted from --fit-tokens (read with --fit-format and
// the trace flags --map / --on-malformed), else the built-in log-normal.
Result<OpenedTraffic> OpenSynthetic(const TrafficFlags& f, int64_t start_micros, uint64_t seed,
                                    const sim::Scenario& scenario, std::ostream* log,
                                    const char* log_prefix) {
  sim::SyntheticOptions so;
  so.start_micros = start_micros;
  so.days = f.days;
  so.seed = sim::DeriveSeed(seed, sim::kSeedStreamTraffic);
  if (scenario.profile) {
    so.hourly_permille = scenario.profile->daily_permille;
    so.weekly_permille = scenario.profile->weekly_permille;
  }
  if (!f.hourly_profile.empty()) {
    UKAIRO_RETURN_IF_ERROR(sim::ParseHourlyProfile(f.hourly_profile, &so));
  }
  if (!f.weekly_profile.empty()) {
    UKAIRO_RETURN_IF_ERROR(sim::ParseWeeklyProfile(f.weekly_profile, &so));
  }
  for (const std::string& b : f.bursts) {
    UKAIRO_ASSIGN_OR_RETURN(sim::BurstWindow burst, sim::ParseBurst(b));
    so.bursts.push_back(burst);
  }
  UKAIRO_ASSIGN_OR_RETURN(sim::TokenModelKind kind, sim::ParseTokenModelKind(f.token_model));
  std::unique_ptr<sim::TraceReader> fit_reader;
  std::unique_ptr<sim::TokenModel> tokens;
  if (!f.fit_tokens.empty()) {
    UKAIRO_ASSIGN_OR_RETURN(sim::TraceReaderOptions ropts,
                            ReaderOptions(f, f.fit_tokens, f.fit_format));
    UKAIRO_ASSIGN_OR_RETURN(fit_reader, sim::TraceReader::Open(f.fit_tokens, ropts));
    sim::TokenFitOptions fo;
    fo.seed = so.seed;
    UKAIRO_ASSIGN_OR_RETURN(sim::TokenFit fit, sim::FitTokens(*fit_reader, fo));
    UKAIRO_ASSIGN_OR_RETURN(tokens, sim::MakeTokenModel(kind, fit));
    if (f.rate.empty() && fit.records > 1 && fit.last_time_micros > fit.first_time_micros) {
      so.rate_numerator = (fit.records - 1) * 1'000'000;  // the trace's mean rate
      so.rate_denominator = static_cast<uint64_t>(fit.last_time_micros - fit.first_time_micros);
    }
    if (log != nullptr) *log << log_prefix << fit.Describe();
  } else if (kind == sim::TokenModelKind::kEmpirical) {
    return Status::InvalidArgument("--token-model empirical needs --fit-tokens TRACE");
  }
  if (!f.rate.empty()) {
    UKAIRO_RETURN_IF_ERROR(sim::ParseRate(f.rate, &so));
  } else if (f.fit_tokens.empty()) {
    return Status::InvalidArgument("--synthetic needs --rate (or --fit-tokens for its rate)");
  }
  UKAIRO_ASSIGN_OR_RETURN(auto source,
                          sim::SyntheticSource::Make(so, std::move(tokens), std::move(fit_reader)));
  if (log != nullptr) *log << log_prefix << so.Describe();
  OpenedTraffic out;
  out.reader = source->reader();
  out.source = std::move(source);
  out.end_micros = start_micros + f.days * kMicrosPerDay;
  return out;
}

}  // namespace

Result<sim::TraceReaderOptions> ReaderOptions(const TrafficFlags& f, const std::string& trace,
                                              const std::string& format) {
  if (trace.empty()) return Status::InvalidArgument("give --trace FILE, or --synthetic");
  UKAIRO_ASSIGN_OR_RETURN(sim::TraceFormat parsed, sim::ParseTraceFormat(format));
  sim::TraceReaderOptions ropts;
  ropts.format = parsed;
  if (!sim::HasFixedMap(parsed)) {
    if (f.map.empty()) return Status::InvalidArgument("--format " + format + " needs --map");
    UKAIRO_ASSIGN_OR_RETURN(ropts.map, sim::ParseColumnMap(f.map));
  }
  if (f.on_malformed == "skip") {
    ropts.on_malformed = sim::MalformedPolicy::kSkip;
  } else if (f.on_malformed != "stop") {
    return Status::InvalidArgument("--on-malformed is stop or skip");
  }
  return ropts;
}

Result<RunTiming> PlanRunTiming(const TrafficFlags& f) {
  RunTiming timing;
  if (f.days > 0 || f.synthetic) {
    UKAIRO_ASSIGN_OR_RETURN(timing.start_micros, StartMicros(f));
    return timing;
  }
  // Replay at recorded times: the run (and scenario offsets) start at the
  // trace's first record, which also tells dates from times since zero.
  UKAIRO_ASSIGN_OR_RETURN(sim::TraceReaderOptions ropts, ReaderOptions(f, f.trace, f.format));
  UKAIRO_ASSIGN_OR_RETURN(auto reader, sim::TraceReader::Open(f.trace, ropts));
  sim::TraceRecord record;
  UKAIRO_ASSIGN_OR_RETURN(bool any, reader->Next(&record));
  if (!any) return Status::InvalidArgument(f.trace + ": the trace has no records");
  timing.own_times = true;
  timing.relative = sim::IsRelativeTraceTime(record.time_micros);
  // Dates leave --start unused (so a bad one is still no error there);
  // times from zero are placed at it.
  if (timing.relative) {
    UKAIRO_ASSIGN_OR_RETURN(timing.shift_micros, StartMicros(f));
  }
  timing.start_micros = record.time_micros + timing.shift_micros;
  return timing;
}

std::string DescribeRunTiming(const TrafficFlags& f, const RunTiming& timing) {
  if (!timing.own_times) {
    return std::to_string(f.days) + " days from " + FormatIso8601(timing.start_micros);
  }
  if (!timing.relative) return "trace replayed at its own times (absolute dates)";
  return "trace replayed at its own times (relative times, zero placed at " +
         FormatIso8601(timing.shift_micros) + ")";
}

Result<OpenedTraffic> OpenTraffic(const TrafficFlags& f, const RunTiming& timing, uint64_t seed,
                                  const sim::Scenario& scenario, std::ostream* log,
                                  const char* log_prefix) {
  const int64_t start_micros = timing.start_micros;
  if (f.synthetic) {
    if (!f.trace.empty()) return Status::InvalidArgument("give --trace or --synthetic, not both");
    if (f.days <= 0) return Status::InvalidArgument("--synthetic needs --days of 1 or more");
    return OpenSynthetic(f, start_micros, seed, scenario, log, log_prefix);
  }
  UKAIRO_ASSIGN_OR_RETURN(sim::TraceReaderOptions ropts, ReaderOptions(f, f.trace, f.format));
  UKAIRO_ASSIGN_OR_RETURN(auto reader, sim::TraceReader::Open(f.trace, ropts));
  OpenedTraffic out;
  out.reader = reader.get();
  if (f.days <= 0) {
    out.source = sim::MakeReplaySource(std::move(reader), timing.shift_micros);
    return out;
  }
  sim::StretchOptions so;
  so.start_micros = start_micros;
  so.days = f.days;
  so.seed = sim::DeriveSeed(seed, sim::kSeedStreamTraffic);
  if (scenario.profile) so.profile = *scenario.profile;
  UKAIRO_ASSIGN_OR_RETURN(out.source, sim::MakeStretchedSource(std::move(reader), so));
  out.end_micros = start_micros + f.days * kMicrosPerDay;
  return out;
}

}  // namespace ukairo::tools
