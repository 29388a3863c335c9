// Token lengths for synthetic traffic, fitted from a trace.
//
// One streaming pass over any TrafficSource (e.g. the Azure CSV through
// MakeReplaySource) keeps
//   * a seeded reservoir sample (Vitter's algorithm R) of (input, output)
//     pairs, bounded by reservoir_pairs_max, for the empirical model, and
//   * the mean vector and covariance of (ln input, ln output) accumulated
//     with Welford's update in Eigen, for the log-normal model.
// Memory is bounded by the reservoir whatever the trace size.
//
// Models draw a (input, output) pair from a caller's seeded Rng:
//   * empirical — a uniformly chosen reservoir pair (so input/output stay
//     correlated as recorded and every value was observed);
//   * log-normal — bivariate normal in log space (the 2×2 Cholesky factor of
//     the fitted covariance), normals by Box–Muller from integer-derived
//     uniforms, exp, rounded, clamped to the observed range (a trace capped
//     at max_tokens stays capped).
// The log-normal fit is the maximum-likelihood one (mean and stddev of the
// logs): it matches the trace's mean tokens (what cost depends on) better
// than its median when the data is not log-symmetric; Describe() prints both.
//
// Thread safety: a model is immutable; the Rng passed in carries the state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sim/rng.h"
#include "sim/traffic.h"

namespace ukairo::sim {

struct TokenPair {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
};

// Parameters of ln(tokens) for input [0] and output [1]. ln(max(tokens, 1)).
struct LogNormalParams {
  double mean_log[2] = {0, 0};
  double stddev_log[2] = {0, 0};  // population stddev
  double correlation = 0;         // of the two logs, in [-1, 1]
  int64_t tokens_min[2] = {1, 1};
  int64_t tokens_max[2] = {1, 1};
  // Fitted by maximum likelihood on the Azure LLM conversation trace
  // (2023, 19,366 requests): input median e^μ ≈ 760 (data 1,020), output
  // e^μ ≈ 151 (data 129). Used when no trace is given to fit.
  static LogNormalParams AzureConversationDefault();
  Status Validate() const;
};

struct TokenFitOptions {
  uint64_t seed = 1;  // the reservoir's draws
  size_t reservoir_pairs_max = 1 << 16;
  uint64_t records_max = uint64_t{1} << 32;  // refuse absurd traces
};

struct TokenFit {
  uint64_t records = 0;
  int64_t first_time_micros = 0;  // the trace's span, for its mean rate
  int64_t last_time_micros = 0;
  std::vector<TokenPair> reservoir;  // a uniform sample of the records
  LogNormalParams lognormal;         // min/max = the observed range
  // Medians of the reservoir (exact when it holds every record).
  int64_t median_tokens[2] = {0, 0};
  // Mean tokens of all records (floor), for comparison with the model.
  int64_t mean_tokens[2] = {0, 0};

  // One line per field, for the startup report.
  std::string Describe() const;
};

// Reads `source` to its end. InvalidArgument when it has no records.
Result<TokenFit> FitTokens(TrafficSource& source, const TokenFitOptions& options);
// The same over a trace reader, which stays the caller's (for its
// skipped-line counts).
Result<TokenFit> FitTokens(TraceReader& reader, const TokenFitOptions& options);

enum class TokenModelKind : uint8_t { kEmpirical = 0, kLogNormal };
Result<TokenModelKind> ParseTokenModelKind(std::string_view name);

class TokenModel {
 public:
  virtual ~TokenModel() = default;
  virtual TokenPair Draw(Rng& rng) const = 0;
  virtual std::string Describe() const = 0;
};

// REQUIRES: !fit.reservoir.empty() (FitTokens guarantees it).
std::unique_ptr<TokenModel> MakeEmpiricalTokenModel(const TokenFit& fit);
Result<std::unique_ptr<TokenModel>> MakeLogNormalTokenModel(const LogNormalParams& params);
Result<std::unique_ptr<TokenModel>> MakeTokenModel(TokenModelKind kind, const TokenFit& fit);

// A standard normal pair by Box–Muller from two 53-bit integer uniforms.
void StandardNormalPair(Rng& rng, double* z0, double* z1);

}  // namespace ukairo::sim
