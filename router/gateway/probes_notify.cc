// Health probes (R-2205) and webhook notifications (R-2206) for the
// gateway: real requests to the deployment / the Slack-compatible webhook,
// their results fed back to the core or recorded in the ledger.
#include <chrono>
#include <nlohmann/json.hpp>

#include "router/gateway/gateway_impl.h"

namespace ukairo::gateway {

using Json = nlohmann::json;

void GatewayImpl::Probe(const router::ProbeDeployment& probe) {
  const router::Deployment* d = core_->config().FindDeployment(probe.deployment);
  const std::string name = probe.deployment;
  auto report = [this, name](bool ok, int64_t latency, uint32_t status, std::string error) {
    net::post(core_strand_, [=, this] {
      router::ProbeResult r{name, ok, latency, status, error};
      core_->OnProbeResult(r, NowMicros(), actions_);
      Execute();
    });
  };
  if (d == nullptr) return report(false, 0, 0, "unknown deployment");
  Result<UpstreamUrl> url = DeploymentUrl(*d);
  if (!url.ok()) return report(false, 0, 0, url.status().message());
  UpstreamCall call;
  call.url = *url;
  call.method = "GET";
  call.path = "/models";
  call.bearer_token = DeploymentKey(*d);
  call.timeout_ms = 10'000;
  if (core_->config().health.mode == "completion") {
    call.method = "POST";
    call.path = "/chat/completions";
    call.body = Json{{"model", UpstreamModelName(d->provider_model)},
                     {"max_tokens", 1},
                     {"messages", Json::array({{{"role", "user"}, {"content", "ping"}}})}}
                    .dump();
  }
  upstream_->Send(std::move(call), [report](UpstreamReply r) {
    report(r.outcome == ledger::Outcome::kOk, r.latency_micros, r.http_status,
           r.error.empty() ? (r.outcome == ledger::Outcome::kOk ? "" : r.body.substr(0, 200))
                           : r.error);
  });
}

void GatewayImpl::SendNotification(const router::Notify& note, uint32_t try_number) {
  const std::shared_ptr<const router::Config> config = CurrentConfig();
  const router::NotifySettings& settings = config->notify;
  auto record = [this, note, try_number](bool ok, uint32_t status, std::string error) {
    std::vector<ledger::Event> events(1);
    events[0].time_micros = NowMicros();
    if (ok) {
      events[0].body = ledger::NotificationSent{"webhook", note.subject, status, try_number};
    } else {
      events[0].body =
          ledger::NotificationFailed{"webhook", note.subject, status, try_number, error};
    }
    Enqueue(std::move(events), nullptr);
  };
  if (settings.webhook_url.empty()) {
    record(false, 0, "no webhook configured: recorded only");
    return;
  }
  Result<UpstreamUrl> url = ParseUpstreamUrl(settings.webhook_url);
  if (!url.ok()) {
    record(false, 0, url.status().message());
    return;
  }
  size_t path_start = settings.webhook_url.find('/', settings.webhook_url.find("//") + 2);
  UpstreamCall call;
  call.url = *url;
  call.url.base_path = "";
  call.path = path_start == std::string::npos ? "/" : settings.webhook_url.substr(path_start);
  call.body = Json{{"text", "[ukairo] " + note.subject + ": " + note.text}}.dump();
  call.timeout_ms = 10'000;
  upstream_->Send(std::move(call), [this, note, try_number, record](UpstreamReply r) {
    net::post(core_strand_, [this, note, try_number, record, r] {
      const bool ok = r.http_status >= 200 && r.http_status < 300;
      record(ok, r.http_status, r.error.empty() ? r.body.substr(0, 200) : r.error);
      if (ok || try_number > CurrentConfig()->notify.retries || stopping_) return;
      auto t = std::make_shared<net::steady_timer>(core_strand_);
      t->expires_after(std::chrono::seconds(1u << std::min<uint32_t>(try_number, 5)));
      t->async_wait([this, t, note, try_number](boost::system::error_code ec) {
        if (!ec && !stopping_) SendNotification(note, try_number + 1);
      });
    });
  });
}

}  // namespace ukairo::gateway
