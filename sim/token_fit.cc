#include "sim/token_fit.h"
#include "base/check.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ukairo::sim {
namespace {

constexpr int64_t kTokensMax = 10'000'000;  // beyond any context window
constexpr double kTwoPi = 6.283185307179586476925286766559;

int64_t ClampTokens(int64_t v) { return std::clamp<int64_t>(v, 0, kTokensMax); }

int64_t MedianOf(std::vector<int64_t> values) {
  UKAIRO_CHECK(!values.empty());
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  int64_t upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  int64_t lower = *std::max_element(values.begin(), values.begin() + mid);
  return lower + (upper - lower) / 2;  // floor of the midpoint
}

class EmpiricalModel : public TokenModel {
 public:
  explicit EmpiricalModel(std::vector<TokenPair> pairs) : pairs_(std::move(pairs)) {
    UKAIRO_CHECK(!pairs_.empty());
  }
  TokenPair Draw(Rng& rng) const override { return pairs_[rng.Below(pairs_.size())]; }
  std::string Describe() const override {
    return "empirical: uniform draws from " + std::to_string(pairs_.size()) +
           " recorded (input, output) pairs";
  }

 private:
  std::vector<TokenPair> pairs_;
};

class LogNormalModel : public TokenModel {
 public:
  explicit LogNormalModel(const LogNormalParams& p) : p_(p) {
    // Cholesky factor of [[s0², ρ s0 s1], [ρ s0 s1, s1²]] written out: it
    // stays defined when a stddev is 0 (a constant column).
    l10_ = p.correlation * p.stddev_log[1];
    l11_ = std::sqrt(std::max(0.0, 1 - p.correlation * p.correlation)) * p.stddev_log[1];
  }
  TokenPair Draw(Rng& rng) const override {
    double z0, z1;
    StandardNormalPair(rng, &z0, &z1);
    const double x0 = p_.mean_log[0] + p_.stddev_log[0] * z0;
    const double x1 = p_.mean_log[1] + l10_ * z0 + l11_ * z1;
    return {Tokens(x0, 0), Tokens(x1, 1)};
  }
  std::string Describe() const override {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "log-normal: input median %.0f (σ_ln %.3f), output median %.0f (σ_ln %.3f), "
                  "ρ_ln %.3f, clamped to [%lld, %lld] / [%lld, %lld]",
                  std::exp(p_.mean_log[0]), p_.stddev_log[0], std::exp(p_.mean_log[1]),
                  p_.stddev_log[1], p_.correlation, static_cast<long long>(p_.tokens_min[0]),
                  static_cast<long long>(p_.tokens_max[0]),
                  static_cast<long long>(p_.tokens_min[1]),
                  static_cast<long long>(p_.tokens_max[1]));
    return buf;
  }

 private:
  int64_t Tokens(double log_tokens, int i) const {
    // Clamp in log space first so exp cannot overflow.
    const double lo = std::log(static_cast<double>(std::max<int64_t>(p_.tokens_min[i], 1)));
    const double hi = std::log(static_cast<double>(p_.tokens_max[i]));
    const double x = std::clamp(log_tokens, lo, hi);
    const int64_t t = std::llround(std::exp(x));
    return std::clamp(t, p_.tokens_min[i], p_.tokens_max[i]);
  }
  LogNormalParams p_;
  double l10_ = 0, l11_ = 0;
};

}  // namespace

LogNormalParams LogNormalParams::AzureConversationDefault() {
  LogNormalParams p;
  p.mean_log[0] = 6.633312928174552;  // e^μ ≈ 760
  p.mean_log[1] = 5.018996887187218;  // e^μ ≈ 151
  p.stddev_log[0] = 0.985154270093309;
  p.stddev_log[1] = 0.8590092837592839;
  p.correlation = 0.0875;
  p.tokens_min[0] = 2;
  p.tokens_min[1] = 7;
  p.tokens_max[0] = 14050;
  p.tokens_max[1] = 1000;
  return p;
}

Status LogNormalParams::Validate() const {
  for (int i = 0; i < 2; ++i) {
    if (!std::isfinite(mean_log[i]) || !std::isfinite(stddev_log[i]) || stddev_log[i] < 0) {
      return Status::InvalidArgument("log-normal token parameters are not finite");
    }
    if (tokens_min[i] < 0 || tokens_max[i] < 1 || tokens_min[i] > tokens_max[i] ||
        tokens_max[i] > kTokensMax) {
      return Status::InvalidArgument("log-normal token range is empty or too large");
    }
  }
  if (!(correlation >= -1 && correlation <= 1)) {
    return Status::InvalidArgument("log-normal token correlation outside [-1, 1]");
  }
  return Status::Ok();
}

void StandardNormalPair(Rng& rng, double* z0, double* z1) {
  constexpr double kUnit = 1.0 / 9007199254740992.0;  // 2^-53
  // u1 in (0, 1] so the log is finite; u2 in [0, 1).
  const double u1 = static_cast<double>((rng.Next() >> 11) + 1) * kUnit;
  const double u2 = static_cast<double>(rng.Next() >> 11) * kUnit;
  const double radius = std::sqrt(-2.0 * std::log(u1));
  *z0 = radius * std::cos(kTwoPi * u2);
  *z1 = radius * std::sin(kTwoPi * u2);
}

Result<TokenFit> FitTokens(TrafficSource& source, const TokenFitOptions& options) {
  if (options.reservoir_pairs_max == 0) {
    return Status::InvalidArgument("token fit needs a reservoir of at least one pair");
  }
  TokenFit fit;
  Rng rng(options.seed, /*stream=*/0x70f17);
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  Eigen::Matrix2d m2 = Eigen::Matrix2d::Zero();  // Σ (x − mean)(x − mean)ᵀ, Welford
  __extension__ typedef __int128 I128;
  I128 sum[2] = {0, 0};
  TraceRecord r;
  for (;;) {
    UKAIRO_ASSIGN_OR_RETURN(bool more, source.Next(&r));
    if (!more) break;
    if (fit.records >= options.records_max) {
      return Status::InvalidArgument("token fit: trace has more than " +
                                     std::to_string(options.records_max) + " records");
    }
    const TokenPair pair{ClampTokens(r.input_tokens), ClampTokens(r.output_tokens)};
    if (fit.records == 0) {
      fit.first_time_micros = fit.last_time_micros = r.time_micros;
      fit.lognormal.tokens_min[0] = fit.lognormal.tokens_max[0] = pair.input_tokens;
      fit.lognormal.tokens_min[1] = fit.lognormal.tokens_max[1] = pair.output_tokens;
    }
    fit.first_time_micros = std::min(fit.first_time_micros, r.time_micros);
    fit.last_time_micros = std::max(fit.last_time_micros, r.time_micros);
    const int64_t v[2] = {pair.input_tokens, pair.output_tokens};
    for (int i = 0; i < 2; ++i) {
      fit.lognormal.tokens_min[i] = std::min(fit.lognormal.tokens_min[i], v[i]);
      fit.lognormal.tokens_max[i] = std::max(fit.lognormal.tokens_max[i], v[i]);
      sum[i] += v[i];
    }
    // Reservoir (algorithm R): record n replaces a random slot w.p. k/(n+1).
    if (fit.reservoir.size() < options.reservoir_pairs_max) {
      fit.reservoir.push_back(pair);
    } else {
      const uint64_t j = rng.Below(fit.records + 1);
      if (j < options.reservoir_pairs_max) fit.reservoir[j] = pair;
    }
    ++fit.records;
    const Eigen::Vector2d x(std::log(static_cast<double>(std::max<int64_t>(v[0], 1))),
                            std::log(static_cast<double>(std::max<int64_t>(v[1], 1))));
    const Eigen::Vector2d delta = x - mean;
    mean += delta / static_cast<double>(fit.records);
    m2 += delta * (x - mean).transpose();
  }
  if (fit.records == 0) return Status::InvalidArgument("token fit: the trace has no records");
  UKAIRO_CHECK(fit.reservoir.size() == std::min<uint64_t>(fit.records, options.reservoir_pairs_max));
  const Eigen::Matrix2d cov = m2 / static_cast<double>(fit.records);
  for (int i = 0; i < 2; ++i) {
    fit.lognormal.mean_log[i] = mean(i);
    fit.lognormal.stddev_log[i] = std::sqrt(std::max(0.0, cov(i, i)));
    fit.lognormal.tokens_min[i] = std::max<int64_t>(fit.lognormal.tokens_min[i], 1);
    fit.lognormal.tokens_max[i] = std::max<int64_t>(fit.lognormal.tokens_max[i], 1);
    fit.mean_tokens[i] = static_cast<int64_t>(sum[i] / static_cast<I128>(fit.records));
  }
  const double sd = fit.lognormal.stddev_log[0] * fit.lognormal.stddev_log[1];
  fit.lognormal.correlation = sd > 0 ? std::clamp(cov(0, 1) / sd, -1.0, 1.0) : 0.0;
  std::vector<int64_t> column(fit.reservoir.size());
  for (int i = 0; i < 2; ++i) {
    for (size_t k = 0; k < fit.reservoir.size(); ++k) {
      column[k] = i == 0 ? fit.reservoir[k].input_tokens : fit.reservoir[k].output_tokens;
    }
    fit.median_tokens[i] = MedianOf(column);
  }
  UKAIRO_RETURN_IF_ERROR(fit.lognormal.Validate());
  return fit;
}

Result<TokenFit> FitTokens(TraceReader& reader, const TokenFitOptions& options) {
  // A non-owning view of the reader as a source.
  class ReaderSource : public TrafficSource {
   public:
    explicit ReaderSource(TraceReader* reader) : reader_(reader) {}
    Result<bool> Next(TraceRecord* record) override { return reader_->Next(record); }
    uint64_t records_read() const override { return 0; }

   private:
    TraceReader* reader_;
  };
  ReaderSource source(&reader);
  return FitTokens(static_cast<TrafficSource&>(source), options);
}

std::string TokenFit::Describe() const {
  char buf[512];
  const LogNormalParams& p = lognormal;
  std::snprintf(buf, sizeof buf,
                "token fit: %llu records (reservoir %zu); input median %lld, mean %lld, range "
                "[%lld, %lld], log-normal median %.0f σ_ln %.3f; output median %lld, mean %lld, "
                "range [%lld, %lld], log-normal median %.0f σ_ln %.3f; ρ_ln %.3f\n",
                static_cast<unsigned long long>(records), reservoir.size(),
                static_cast<long long>(median_tokens[0]), static_cast<long long>(mean_tokens[0]),
                static_cast<long long>(p.tokens_min[0]), static_cast<long long>(p.tokens_max[0]),
                std::exp(p.mean_log[0]), p.stddev_log[0], static_cast<long long>(median_tokens[1]),
                static_cast<long long>(mean_tokens[1]), static_cast<long long>(p.tokens_min[1]),
                static_cast<long long>(p.tokens_max[1]), std::exp(p.mean_log[1]), p.stddev_log[1],
                p.correlation);
  return buf;
}

Result<TokenModelKind> ParseTokenModelKind(std::string_view name) {
  if (name == "empirical") return TokenModelKind::kEmpirical;
  if (name == "lognormal" || name == "log-normal") return TokenModelKind::kLogNormal;
  return Status::InvalidArgument("token model '" + std::string(name) +
                                 "' is not empirical or lognormal");
}

std::unique_ptr<TokenModel> MakeEmpiricalTokenModel(const TokenFit& fit) {
  return std::make_unique<EmpiricalModel>(fit.reservoir);
}

Result<std::unique_ptr<TokenModel>> MakeLogNormalTokenModel(const LogNormalParams& params) {
  UKAIRO_RETURN_IF_ERROR(params.Validate());
  return std::unique_ptr<TokenModel>(std::make_unique<LogNormalModel>(params));
}

Result<std::unique_ptr<TokenModel>> MakeTokenModel(TokenModelKind kind, const TokenFit& fit) {
  if (kind == TokenModelKind::kEmpirical) {
    if (fit.reservoir.empty()) return Status::InvalidArgument("empirical model without records");
    return MakeEmpiricalTokenModel(fit);
  }
  return MakeLogNormalTokenModel(fit.lognormal);
}

}  // namespace ukairo::sim
