#include "sim/provider_model.h"
#include "base/check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ukairo::sim {
namespace {

// Inverse of the standard normal CDF (Acklam's rational approximation,
// relative error < 1.2e-9). Used only to tabulate latency quantiles once.
double NormalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549671010115819e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double low = 0.02425, high = 1 - low;
  if (p < low) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > high) {
    double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

void Merge(const DeploymentFaults& f, DeploymentFaults* into) {
  if (f.latency) into->latency = f.latency;
  if (f.failure) into->failure = f.failure;
  if (f.failure_status) into->failure_status = f.failure_status;
  if (f.rpm > 0) into->rpm = f.rpm;
  if (f.tpm > 0) into->tpm = f.tpm;
  if (f.max_input_tokens > 0) into->max_input_tokens = f.max_input_tokens;
  into->outages.insert(into->outages.end(), f.outages.begin(), f.outages.end());
  into->rate_limited.insert(into->rate_limited.end(), f.rate_limited.begin(), f.rate_limited.end());
}

const FaultWindow* Inside(const std::vector<FaultWindow>& windows, int64_t now) {
  for (const auto& w : windows) {
    if (now >= w.start_micros && now < w.end_micros) return &w;
  }
  return nullptr;
}

}  // namespace

Result<ProviderModel> ProviderModel::Make(const Scenario& scenario, const router::Config& config,
                                          uint64_t seed, const FittedLatencies* fitted) {
  for (const auto& f : scenario.deployments) {
    if (config.FindDeployment(f.match) == nullptr && config.FindGroup(f.match) == nullptr) {
      return Status::InvalidArgument("scenario '" + scenario.name + "' names '" + f.match +
                                     "', which is neither a deployment nor a model group "
                                     "of the config");
    }
  }
  ProviderModel out;
  out.models_.resize(config.deployments.size());
  for (size_t i = 0; i < config.deployments.size(); ++i) {
    const router::Deployment& dep = config.deployments[i];
    DeploymentFaults f = Scenario::Healthy().defaults;
    Merge(scenario.defaults, &f);
    bool named_latency = false;
    for (const auto& g : scenario.deployments) {
      if (g.match == dep.model_group && g.match != dep.id) {
        Merge(g, &f);
        named_latency |= g.latency.has_value();
      }
    }
    for (const auto& g : scenario.deployments) {
      if (g.match == dep.id) {
        Merge(g, &f);
        named_latency |= g.latency.has_value();
      }
    }
    Model& m = out.models_[i];
    m.latency = *f.latency;
    m.failure = *f.failure;
    m.failure_status = *f.failure_status;
    m.rpm = f.rpm;
    m.tpm = f.tpm;
    m.max_input_tokens = f.max_input_tokens > 0 ? f.max_input_tokens : dep.max_input_tokens;
    m.outages = std::move(f.outages);
    m.rate_limited = std::move(f.rate_limited);
    m.rng = Rng(seed, 0x9e0000 + i);
    // Log-normal: median = e^mu, p99 = e^(mu + 2.3263 sigma).
    const double mu = std::log(static_cast<double>(m.latency.median_ms) * 1000.0);
    const double sigma = (std::log(static_cast<double>(m.latency.p99_ms)) -
                          std::log(static_cast<double>(m.latency.median_ms))) /
                         2.3263478740408408;
    for (size_t k = 0; k <= kLatencyPoints; ++k) {
      // Midpoints of kLatencyPoints+1 equal-probability bins.
      double p = (static_cast<double>(k) + 0.5) / static_cast<double>(kLatencyPoints + 1);
      m.latency_micros[k] =
          static_cast<int64_t>(std::llround(std::exp(mu + sigma * NormalQuantile(p))));
      UKAIRO_CHECK(k == 0 || m.latency_micros[k] >= m.latency_micros[k - 1]);
    }
    if (fitted != nullptr && !named_latency) {
      auto it = fitted->find(dep.id);
      if (it != fitted->end() && it->second.samples > 0) {
        const std::vector<int64_t>& points = it->second.points_micros;
        if (points.size() != kLatencyPoints + 1) {
          return Status::InvalidArgument("fitted latency table of '" + dep.id + "' has " +
                                         std::to_string(points.size()) + " points");
        }
        for (size_t k = 0; k <= kLatencyPoints; ++k) {
          if (points[k] < 0 || (k > 0 && points[k] < points[k - 1])) {
            return Status::InvalidArgument("fitted latency table of '" + dep.id +
                                           "' is not ascending");
          }
          m.latency_micros[k] = points[k];
        }
        m.fitted_samples = it->second.samples;
      }
    }
  }
  return out;
}

int64_t ProviderModel::SampleLatency(Model& m) {
  uint64_t draw = m.rng.Next();
  size_t k = static_cast<size_t>(draw >> 54);  // 10 bits: 0..1023
  int64_t frac = static_cast<int64_t>(draw & 0xFFFF);
  int64_t lo = m.latency_micros[k], hi = m.latency_micros[k + 1];
  int64_t v = lo + (hi - lo) * frac / 0x10000;
  UKAIRO_CHECK(v >= lo && v <= hi);
  return v < 1 ? 1 : v;
}

CallResult ProviderModel::Call(uint32_t index, int64_t now_micros, int64_t input_tokens,
                               int64_t output_tokens, int64_t timeout_ms) {
  UKAIRO_CHECK(index < models_.size());
  Model& m = models_[index];
  CallResult r;
  const int64_t quick_micros = m.latency_micros[0];  // errors answer fast
  if (const FaultWindow* w = Inside(m.outages, now_micros)) {
    r.http_status = w->http_status;
    r.outcome =
        w->http_status == 0 ? ledger::Outcome::kConnectionError : ledger::Outcome::kServerError;
    r.latency_micros = quick_micros;
    r.error = w->http_status == 0 ? "connection refused (outage)" : "service unavailable";
    return r;
  }
  if (m.max_input_tokens > 0 && input_tokens > m.max_input_tokens) {
    r.outcome = ledger::Outcome::kContextWindow;
    r.http_status = 400;
    r.latency_micros = quick_micros;
    r.error = "context_length_exceeded";
    return r;
  }
  if (const FaultWindow* w = Inside(m.rate_limited, now_micros)) {
    r.outcome = ledger::Outcome::kRateLimited;
    r.http_status = 429;
    r.latency_micros = quick_micros;
    r.retry_after_ms =
        w->retry_after_ms >= 0 ? w->retry_after_ms : (w->end_micros - now_micros + 999) / 1000;
    r.error = "rate limit exceeded";
    return r;
  }
  if (m.rpm > 0) {
    const int64_t minute = now_micros / 60'000'000;
    if (minute != m.minute) {
      m.minute = minute;
      m.minute_count = 0;
    }
    if (m.minute_count >= m.rpm) {
      r.outcome = ledger::Outcome::kRateLimited;
      r.http_status = 429;
      r.latency_micros = quick_micros;
      r.retry_after_ms = ((minute + 1) * 60'000'000 - now_micros + 999) / 1000;
      r.error = "rate limit exceeded (rpm)";
      return r;
    }
  }
  if (m.tpm > 0) {
    const int64_t tokens = std::max<int64_t>(0, input_tokens) + std::max<int64_t>(0, output_tokens);
    while (!m.tpm_window.empty() && m.tpm_window.front().first + kTpmWindowMicros <= now_micros) {
      m.tpm_window_tokens -= m.tpm_window.front().second;
      m.tpm_window.pop_front();
    }
    if (!m.tpm_window.empty() && m.tpm_window_tokens + tokens > m.tpm) {
      // The earliest time enough admitted tokens have aged out for this call
      // (at the latest: when the window is empty).
      int64_t left = m.tpm_window_tokens;
      int64_t free_at = now_micros;
      for (const auto& [time, used] : m.tpm_window) {
        left -= used;
        free_at = time + kTpmWindowMicros;
        if (left + tokens <= m.tpm) break;
      }
      UKAIRO_CHECK(free_at > now_micros);
      r.outcome = ledger::Outcome::kRateLimited;
      r.http_status = 429;
      r.latency_micros = quick_micros;
      r.retry_after_ms = (free_at - now_micros + 999) / 1000;
      r.error = "rate limit exceeded (tpm)";
      return r;
    }
    if (tokens > 0) {
      m.tpm_window.emplace_back(now_micros, tokens);
      m.tpm_window_tokens += tokens;
    }
  }
  if (m.rpm > 0) ++m.minute_count;
  const int64_t latency = SampleLatency(m);
  if (timeout_ms > 0 && latency > timeout_ms * 1000) {
    r.outcome = ledger::Outcome::kTimeout;
    r.http_status = 0;
    r.latency_micros = timeout_ms * 1000;
    r.error = "timed out";
    return r;
  }
  if (m.rng.Chance(m.failure)) {
    r.outcome = ledger::Outcome::kServerError;
    r.http_status = m.failure_status;
    r.latency_micros = latency;
    r.error = "internal server error";
    return r;
  }
  r.latency_micros = latency;
  r.output_tokens = output_tokens;
  return r;
}

ProbeOutcome ProviderModel::Probe(uint32_t index, int64_t now_micros) {
  UKAIRO_CHECK(index < models_.size());
  Model& m = models_[index];
  ProbeOutcome p;
  p.latency_micros = m.latency_micros[0];
  if (const FaultWindow* w = Inside(m.outages, now_micros)) {
    p.ok = false;
    p.http_status = w->http_status;
  }
  return p;
}

std::string ProviderModel::Describe(const router::Config& config) const {
  std::string out;
  char line[512];
  for (size_t i = 0; i < models_.size(); ++i) {
    const Model& m = models_[i];
    std::snprintf(line, sizeof line,
                  "  %s: latency median %lld ms p99 %lld ms, failure %llu/%llu (%u), "
                  "rpm %lld, context %lld, outages %zu, rate-limited windows %zu\n",
                  config.deployments[i].id.c_str(), (long long)m.latency.median_ms,
                  (long long)m.latency.p99_ms, (unsigned long long)m.failure.numerator,
                  (unsigned long long)m.failure.denominator, m.failure_status, (long long)m.rpm,
                  (long long)m.max_input_tokens, m.outages.size(), m.rate_limited.size());
    out += line;
    if (m.tpm > 0 || m.fitted_samples > 0) {
      // Only when set, so runs without them print as before.
      std::snprintf(line, sizeof line,
                    "    tpm %lld, latency fitted from %llu recorded (p50 %lld ms)\n",
                    (long long)m.tpm, (unsigned long long)m.fitted_samples,
                    (long long)(m.latency_micros[kLatencyPoints / 2] / 1000));
      out += line;
    }
  }
  return out;
}

}  // namespace ukairo::sim
