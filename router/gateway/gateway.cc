// The gateway's core strand: restoring state, driving RouterCore, executing
// its actions (ledger first, then clients, upstreams, timers, probes).
#include <chrono>
#include <cstdlib>
#include <future>
#include <nlohmann/json.hpp>

#include "ledger/period.h"
#include "router/config/redact.h"
#include "router/gateway/anthropic_api.h"
#include "router/gateway/gateway_impl.h"
#include "router/gateway/messages_translate.h"

namespace ukairo::gateway {

using router::Actions;
using Json = nlohmann::json;

void LatencyHistogram::Observe(int64_t micros) {
  size_t i = 0;
  while (i < kBuckets && micros > kBucketsMicros[i]) ++i;
  counts[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros.fetch_add(static_cast<uint64_t>(micros), std::memory_order_relaxed);
  total.fetch_add(1, std::memory_order_relaxed);
}

GatewayImpl::GatewayImpl(const GatewayOptions& options,
                         std::shared_ptr<const router::Config> config)
    : options_(options), config_(std::move(config)), ioc_(options.threads),
      core_strand_(net::make_strand(ioc_)), acceptor_(net::make_strand(ioc_)),
      durable_(config_->budget_period) {}

GatewayImpl::~GatewayImpl() { Stop(); }

int64_t GatewayImpl::NowMicros() {
  // The live clock. The ledger requires event times never to go backwards,
  // so a wall clock stepped back by NTP holds at the last time seen.
  int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (now < last_now_micros_) now = last_now_micros_;
  last_now_micros_ = now;
  return now;
}

Status GatewayImpl::Init() {
  const std::shared_ptr<const router::Config> config = CurrentConfig();
  ledger::LedgerOptions lopts;
  lopts.durability = options_.durability;
  lopts.group_commit_window_micros = options_.group_commit_window_micros;
  UKAIRO_ASSIGN_OR_RETURN(ledger_, ledger::Ledger::Open(options_.ledger_dir, lopts));
  UKAIRO_ASSIGN_OR_RETURN(durable_, ledger::LoadProjection(*ledger_, config->budget_period));
  last_now_micros_ = ledger_->LastTimeMicros();
  const int64_t now = NowMicros();

  core_ = std::make_unique<router::RouterCore>(config, durable_, options_.seed);
  RefreshKeyDirectory();
  // Sliding windows and failure counts are folds over the recent tail.
  const int64_t warm_micros =
      std::max<int64_t>(config->cooldown.cooldown_time_ms, 60'000) * 1000;
  ledger::ScanOptions tail;
  tail.time_min_micros = now - warm_micros;
  auto it = ledger_->Scan(tail);
  for (it->SeekToFirst(); it->Valid(); it->Next()) core_->WarmUp(it->event());
  UKAIRO_RETURN_IF_ERROR(it->status());

  snapshotter_ = std::make_unique<ledger::Snapshotter>(*ledger_, options_.snapshot_every_events);
  UpstreamClientOptions upstream_options;
  upstream_options.ca_file = options_.ca_file;
  UKAIRO_ASSIGN_OR_RETURN(upstream_, UpstreamClient::Create(ioc_, upstream_options));
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "req-%llx-", static_cast<unsigned long long>(now));
  request_prefix_ = prefix;

  if (durable_.config_sha256_hex() != config->sha256_hex) {
    std::vector<ledger::Event> events(1);
    events[0].time_micros = now;
    events[0].body = router::ConfigAppliedEvent(*config, "ukairo serve");
    UKAIRO_RETURN_IF_ERROR(AppendEvents(&events));
  }
  writer_ = std::thread([this] { WriterLoop(); });
  // Expire reservations a crash left open; arm probes for sick deployments.
  core_->Start(now, actions_);
  Execute();
  UKAIRO_RETURN_IF_ERROR(Listen());
  work_.emplace(ioc_.get_executor());
  for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { ioc_.run(); });
  return Status::Ok();
}

void GatewayImpl::Execute() {
  // 1. The ledger first: a response goes out only once the events of its
  // call are in the WAL. Sends, timers and probes need not wait.
  AfterDurable deliver;
  if (!actions_.responses.empty()) {
    deliver = [this, responses = std::move(actions_.responses)](const Status& s) mutable {
      net::post(core_strand_, [this, responses = std::move(responses), s] {
        for (const router::Respond& r : responses) {
          if (s.ok()) {
            DeliverResponse(r);
            continue;
          }
          auto p = pending_.find(r.request_id);
          if (p == pending_.end()) continue;
          ++http_errors_;
          p->second.reply(HttpReply{503, "application/json",
                                    ErrorJson("the ledger could not record this request: " +
                                                  s.message(),
                                              "server_error", "ledger_unavailable"),
                                    {}});
          pending_.erase(p);
        }
      });
    };
  }
  Enqueue(std::move(actions_.events), std::move(deliver));
  actions_.events.clear();
  actions_.responses.clear();
  for (const auto& send : actions_.sends) SendAttempt(send);
  for (const auto& timer : actions_.timers) ArmTimer(timer);
  for (const auto& probe : actions_.probes) Probe(probe);
  for (const auto& note : actions_.notifications) SendNotification(note, 1);
  actions_.Clear();
}

void GatewayImpl::SubmitRequest(Endpoint endpoint, HttpCall call, ClientRequest request,
                                ReplyFn reply) {
  net::dispatch(core_strand_, [this, endpoint, call = std::move(call),
                               request = std::move(request), reply = std::move(reply)]() mutable {
    if (stopping_) {
      reply(HttpReply{503, "application/json",
                      ErrorJson("the gateway is shutting down", "server_error", "shutting_down"),
                      {}});
      return;
    }
    if (std::optional<HttpReply> refusal = AdmissionRefusal()) {
      ++http_errors_;
      reply(std::move(*refusal));
      return;
    }
    router::RequestInput in;
    in.request_id = request_prefix_ + std::to_string(++request_counter_);
    in.tag = request.tag;
    // The core decides what "model" means ("auto", a tier, a group) and
    // answers an unknown one with 404 model_not_found (router/core/core.h).
    in.requested_model = request.model;
    in.client_key_id = call.client_key_id;  // an id, never the key itself
    in.input_tokens = request.input_tokens;
    in.max_output_tokens = request.max_output_tokens;
    in.stream = request.stream;
    if (endpoint == Endpoint::kMessages) {
      in.api = router::ClientApi::kAnthropicMessages;
      in.untranslatable_feature = request.untranslatable_feature;
    }
    Pending& p = pending_[in.request_id];
    p.anthropic_version = std::move(call.anthropic_version);
    p.anthropic_beta = std::move(call.anthropic_beta);
    p.body = std::move(call.body);
    p.endpoint = endpoint;
    p.stream = request.stream;
    p.reply = std::move(reply);
    p.stream_writer = std::move(call.stream);
    p.responses_api = request.responses_api;
    p.responses_echo_json = std::move(request.responses_echo_json);
    p.accepted_micros = NowMicros();
    core_->OnRequest(in, p.accepted_micros, actions_);
    Execute();
  });
}

std::optional<HttpReply> GatewayImpl::AdmissionRefusal() {
  auto refuse = [](std::string message, const char* code) {
    HttpReply r{503, "application/json", ErrorJson(message, "server_error", code), {}};
    // Both limits clear within a request's lifetime; a second is a fair wait.
    r.headers.emplace_back("Retry-After", "1");
    return r;
  };
  if (pending_.size() >= options_.requests_in_flight_max) {
    refused_overload_.fetch_add(1, std::memory_order_relaxed);
    return refuse("the gateway is at its limit of " +
                      std::to_string(options_.requests_in_flight_max) +
                      " requests in flight (--requests-in-flight-max); retry shortly",
                  "overloaded");
  }
  const size_t queued = writer_queue_events_.load(std::memory_order_relaxed);
  if (queued >= options_.ledger_queue_events_max) {
    refused_ledger_queue_.fetch_add(1, std::memory_order_relaxed);
    return refuse("the ledger writer is behind: " + std::to_string(queued) +
                      " events wait to be recorded (--ledger-queue-events-max " +
                      std::to_string(options_.ledger_queue_events_max) + "); retry shortly",
                  "ledger_queue_full");
  }
  return std::nullopt;
}

void GatewayImpl::DeliverResponse(const router::Respond& r) {
  auto p = pending_.find(r.request_id);
  if (p == pending_.end()) return;
  if (p->second.streamed_attempt != 0) {
    // The body went out as it came; its events are in the WAL now, so the
    // stream may end. An error after output is told in the stream itself.
    if (!r.ok()) ++http_errors_;
    if (p->second.responses_stream) {
      p->second.stream_writer->Write(
          p->second.responses_stream->Finish(r.ok(), r.error.code, r.error.message));
    } else if (!r.ok() && p->second.endpoint == Endpoint::kMessages) {
      // Anthropic's stream error; not twice when the provider's went out.
      if (!p->second.stream_error_forwarded) {
        p->second.stream_writer->Write(
            "event: error\ndata: " +
            AnthropicErrorJson(AnthropicErrorType(r.http_status), r.error.message) + "\n\n");
      }
    } else if (!r.ok()) {
      p->second.stream_writer->Write(
          "data: " + ErrorJson(r.error.message, r.error.type, r.error.code) + "\n\n");
    }
    p->second.stream_writer->Finish();
    pending_.erase(p);
    return;
  }
  HttpReply reply;
  reply.status = r.http_status;
  std::string reasons;
  for (auto reason : r.fallback_reasons) {
    reasons += (reasons.empty() ? "" : ",") + std::string(ledger::FallbackReasonName(reason));
  }
  reply.headers = {{"x-ukairo-request-id", r.request_id},
                   {"x-ukairo-attempts", std::to_string(r.attempts)}};
  if (!r.deployment.empty()) {
    reply.headers.emplace_back("x-ukairo-deployment", r.deployment);
    reply.headers.emplace_back("x-ukairo-model-group", r.model_group);
  }
  if (!reasons.empty()) reply.headers.emplace_back("x-ukairo-fallback-reason", reasons);
  if (r.last_resort) reply.headers.emplace_back("x-ukairo-last-resort", "true");
  reply.headers.emplace_back("x-ukairo-cost-usd", FormatNanosAsUsd(r.total_cost_nanos));
  if (r.retry_after_ms >= 0) {
    reply.headers.emplace_back("Retry-After", std::to_string((r.retry_after_ms + 999) / 1000));
  }
  auto served = p->second.replies.find(r.served_attempt);
  if (served != p->second.replies.end() && (r.ok() || r.error.code.empty())) {
    reply.body = std::move(served->second.body);
    if (!served->second.content_type.empty()) reply.content_type = served->second.content_type;
  } else if (!r.ok() && served != p->second.replies.end() &&
             served->second.outcome == ledger::Outcome::kClientError) {
    // A client error from the provider goes back as the provider wrote it.
    reply.body = std::move(served->second.body);
  } else {
    ++http_errors_;
    Json error{{"message", r.error.message}, {"type", r.error.type}, {"param", nullptr},
               {"code", r.error.code}};
    if (!r.attempt_list.empty()) {
      Json attempts = Json::array();
      for (const auto& a : r.attempt_list) {
        attempts.push_back({{"attempt", a.attempt}, {"deployment", a.deployment},
                            {"model_group", a.model_group},
                            {"outcome", ledger::OutcomeName(a.outcome)},
                            {"http_status", a.http_status}});
      }
      error["attempts"] = attempts;
    }
    reply.body = Json{{"error", error}}.dump();
    reply.content_type = "application/json";
  }
  if (p->second.responses_api && r.ok() && served != p->second.replies.end()) {
    ToResponsesReply(r.request_id, p->second.responses_echo_json, p->second.stream,
                     NowMicros() / 1'000'000, &reply);
  }
  p->second.reply(std::move(reply));
  pending_.erase(p);
}

Result<UpstreamUrl> GatewayImpl::DeploymentUrl(const router::Deployment& d) const {
  if (!d.api_base.empty()) return ParseUpstreamUrl(d.api_base);
  // Each provider's OpenAI-compatible endpoint.
  const std::string& m = d.provider_model;
  auto starts = [&](const char* p) { return m.rfind(p, 0) == 0; };
  if (starts("anthropic/")) return ParseUpstreamUrl("https://api.anthropic.com/v1");
  if (starts("gemini/")) {
    return ParseUpstreamUrl("https://generativelanguage.googleapis.com/v1beta/openai");
  }
  if (starts("zai/") || starts("glm")) return ParseUpstreamUrl("https://api.z.ai/api/paas/v4");
  if (starts("ollama/")) return ParseUpstreamUrl("http://127.0.0.1:11434/v1");
  return ParseUpstreamUrl("https://api.openai.com/v1");
}

std::string GatewayImpl::DeploymentKey(const router::Deployment& d) const {
  if (d.api_key_env.empty()) return "";
  const char* value = std::getenv(d.api_key_env.c_str());
  return value ? value : "";
}

namespace {
// A provider's usage object kept in the ledger: a few hundred bytes in
// practice; a larger one is cut, not refused.
constexpr size_t kUsageJsonBytesMax = 4096;

const char* EndpointPath(Endpoint e) {
  switch (e) {
    case Endpoint::kChatCompletions: return "/chat/completions";
    case Endpoint::kCompletions: return "/completions";
    case Endpoint::kEmbeddings: return "/embeddings";
    case Endpoint::kMessages: return "/messages";
  }
  return "/chat/completions";
}
}  // namespace

void GatewayImpl::SendAttempt(const router::SendAttempt& send) {
  const std::string rid = send.request_id;
  const uint32_t attempt = send.attempt;
  auto fail_now = [&](const std::string& why) {
    UpstreamReply r;
    r.outcome = ledger::Outcome::kConnectionError;
    r.error = why;
    net::post(core_strand_, [this, rid, attempt, r]() mutable {
      router::UpstreamResult res;
      res.request_id = rid;
      res.attempt = attempt;
      res.outcome = r.outcome;
      res.error = r.error;
      core_->OnUpstreamResult(res, NowMicros(), actions_);
      Execute();
    });
  };
  const router::Deployment* d = core_->config().FindDeployment(send.deployment);
  auto p = pending_.find(rid);
  if (d == nullptr || p == pending_.end()) return fail_now("deployment or request vanished");
  UpstreamCall call;
  const Endpoint endpoint = p->second.endpoint;
  // A Messages request to an OpenAI-compatible deployment: translated (the
  // core sends only translatable ones there).
  const bool translated = endpoint == Endpoint::kMessages && !d->speaks_anthropic();
  if (translated) {
    Result<UpstreamUrl> url = DeploymentUrl(*d);
    if (!url.ok()) return fail_now(url.status().message());
    Result<std::string> body =
        MessagesToChatBody(p->second.body, UpstreamModelName(d->provider_model));
    if (!body.ok()) return fail_now(body.status().message());
    call.url = *url;
    call.path = "/chat/completions";
    call.body = std::move(*body);
    call.bearer_token = DeploymentKey(*d);
  } else if (endpoint == Endpoint::kMessages) {
    Result<UpstreamCall> messages = MessagesCall(*d, p->second);
    if (!messages.ok()) return fail_now(messages.status().message());
    call = std::move(*messages);
  } else {
    Result<UpstreamUrl> url = DeploymentUrl(*d);
    if (!url.ok()) return fail_now(url.status().message());
    Result<std::string> body =
        UpstreamBody(p->second.body, UpstreamModelName(d->provider_model), p->second.stream);
    if (!body.ok()) return fail_now(body.status().message());
    call.url = *url;
    call.path = EndpointPath(endpoint);
    call.body = std::move(*body);
    call.bearer_token = DeploymentKey(*d);
  }
  call.timeout_ms = send.timeout_ms;
  const bool stream = p->second.stream;
  if (stream && p->second.stream_writer) {
    // Server-sent events go to the client as they arrive. The first piece
    // of a 2xx answer commits the client to this attempt (see
    // UpstreamResult::delivered_partially); the end of the body waits for
    // the ledger like every answer.
    const std::string deployment = d->id, group = d->model_group;
    call.on_body_piece = [this, rid, attempt, deployment, group](std::string_view piece) {
      net::post(core_strand_, [this, rid, attempt, deployment, group,
                               bytes = std::string(piece)]() mutable {
        auto p = pending_.find(rid);
        if (p == pending_.end()) return;
        Pending& pending = p->second;
        if (pending.streamed_attempt == 0) {
          pending.streamed_attempt = attempt;
          if (pending.responses_api) {
            pending.responses_stream = std::make_shared<ResponsesStream>(
                "resp_" + rid, NowMicros() / 1'000'000, pending.responses_echo_json);
          }
          metrics_.ObserveFirstToken(group, NowMicros() - pending.accepted_micros);
          pending.stream_writer->Start(
              200, "text/event-stream",
              {{"x-ukairo-request-id", rid}, {"x-ukairo-deployment", deployment},
               {"x-ukairo-model-group", group}, {"x-ukairo-attempts", std::to_string(attempt)}});
        }
        if (pending.streamed_attempt != attempt) return;
        if (pending.responses_stream) bytes = pending.responses_stream->Feed(bytes);
        pending.stream_writer->Write(std::move(bytes));
      });
    };
  }
  upstream_->Send(std::move(call), [this, rid, attempt, stream, endpoint,
                                    translated](UpstreamReply reply) {
    net::post(core_strand_, [this, rid, attempt, stream, endpoint, translated,
                             reply = std::move(reply)]() mutable {
      router::UpstreamResult res;
      res.request_id = rid;
      res.attempt = attempt;
      res.outcome = reply.outcome;
      res.http_status = reply.http_status;
      res.latency_micros = reply.latency_micros;
      res.error = reply.error.substr(0, 200);
      res.retry_after_ms = ParseRetryAfterMs(reply.retry_after, NowMicros() / 1'000'000);
      if (reply.outcome == ledger::Outcome::kOk) {
        Result<Usage> usage = endpoint == Endpoint::kMessages && !translated
                                  ? ParseMessagesUsage(reply.body, stream)
                                  : ParseUsage(reply.body, stream);
        if (usage.ok() && translated) {
          // The client gets a Messages answer; one that cannot be made is
          // the provider's failure like any malformed reply.
          Result<std::string> answer = ChatToMessagesBody(reply.body);
          if (answer.ok()) reply.body = std::move(*answer);
          if (!answer.ok()) usage = answer.status();
        }
        if (!usage.ok()) {
          // A 200 whose body is not what the API promises is the
          // provider's failure, named as such in the ledger.
          res.outcome = ledger::Outcome::kServerError;
          res.error = "malformed upstream reply: " + usage.status().message();
        } else {
          res.input_tokens = usage->input_tokens;
          res.output_tokens = usage->output_tokens;
          res.cached_tokens = usage->cached_tokens;
          res.cache_write_tokens = usage->cache_write_tokens;
          res.reasoning_tokens = usage->reasoning_tokens;
          res.usage_json = usage->raw_json.substr(0, kUsageJsonBytesMax);
          if (!usage->stream_error_type.empty()) {
            // A 200 stream that ended in the provider's error event.
            res.outcome = StreamErrorOutcome(usage->stream_error_type);
            res.error = "stream error event: " + usage->stream_error_type;
          }
        }
      } else if (reply.error.empty()) {
        res.error = reply.body.substr(0, 200);
      }
      auto p = pending_.find(rid);
      if (p != pending_.end()) {
        res.delivered_partially =
            p->second.streamed_attempt == attempt && res.outcome != ledger::Outcome::kOk;
        if (res.delivered_partially && reply.outcome == ledger::Outcome::kOk) {
          p->second.stream_error_forwarded = true;  // its error event went out with the stream
        }
        p->second.replies[attempt] = std::move(reply);
      }
      core_->OnUpstreamResult(res, NowMicros(), actions_);
      Execute();
    });
  });
}

void GatewayImpl::ArmTimer(const router::StartTimer& timer) {
  auto t = std::make_shared<net::steady_timer>(core_strand_);
  const int64_t delay_micros = std::max<int64_t>(0, timer.fire_at_micros - NowMicros());
  t->expires_after(std::chrono::microseconds(delay_micros));
  const uint64_t id = timer.timer_id;
  t->async_wait([this, t, id](boost::system::error_code ec) {
    if (ec || stopping_) return;
    core_->OnTimer(id, NowMicros(), actions_);
    Execute();
  });
}

void GatewayImpl::Stop() {
  std::call_once(stop_once_, [this] {
    stopping_ = true;
    net::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    // Drain: wait for requests in flight, up to the deadline.
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(options_.drain_deadline_ms);
    while (!workers_.empty() && std::chrono::steady_clock::now() < deadline) {
      std::promise<size_t> left;
      auto future = left.get_future();
      net::post(core_strand_, [&] { left.set_value(pending_.size()); });
      if (future.wait_for(std::chrono::seconds(1)) == std::future_status::ready &&
          future.get() == 0) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Everything queued reaches the ledger before the writer ends.
    {
      std::lock_guard<std::mutex> lock(writer_mu_);
      writer_stop_ = true;
    }
    writer_cv_.notify_one();
    if (writer_.joinable()) writer_.join();
    work_.reset();
    ioc_.stop();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
    workers_.clear();
    ledger_.reset();  // closes RocksDB: WAL flushed
  });
}

GatewayCounters GatewayImpl::counters() const {
  return GatewayCounters{http_requests_.load(),         http_errors_.load(),
                         ledger_appends_.load(),         ledger_events_.load(),
                         refused_overload_.load(),       refused_ledger_queue_.load()};
}

Result<std::unique_ptr<Gateway>> Gateway::Start(const GatewayOptions& options,
                                                std::shared_ptr<const router::Config> config) {
  if (options.threads < 1 || options.threads > 64) {
    return Status::InvalidArgument("threads must be 1..64");
  }
  if (options.ledger_dir.empty()) return Status::InvalidArgument("a ledger directory is required");
  if (options.requests_in_flight_max < 1 ||
      options.requests_in_flight_max > router::RouterCore::kRequestsInFlightMax) {
    return Status::InvalidArgument("requests_in_flight_max must be 1.." +
                                   std::to_string(router::RouterCore::kRequestsInFlightMax));
  }
  if (options.ledger_queue_events_max < 1 || options.ledger_queue_events_max > (size_t{1} << 24)) {
    return Status::InvalidArgument("ledger_queue_events_max must be 1..16777216");
  }
  auto impl = std::make_unique<GatewayImpl>(options, std::move(config));
  UKAIRO_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Gateway>(std::move(impl));
}

}  // namespace ukairo::gateway
