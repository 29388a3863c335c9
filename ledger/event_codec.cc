// Event <-> Cap'n Proto. The layout is described in event_codec.h; field
// meaning lives in events.capnp. Each body type has one Put (encode) and one
// Get (decode) function, kept side by side so a new field is added to both.
#include "ledger/event_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "ledger/check.h"
#include "ledger/events.capnp.h"

namespace ukairo::ledger {
namespace {

namespace s = ::ukairo::ledger::schema;

// Scratch for the first segment: most events fit in 8 KiB, so encoding does
// not allocate for the builder. Cap'n Proto zeroes it again on destruction.
constexpr size_t kScratchWords = 1024;
// Decoding reads each field once, so a sound message is traversed in at
// most its own size; a crafted one that makes the reader visit more words
// (amplification through repeated pointers) is cut off at this multiple.
constexpr uint64_t kTraversalLimitPerWord = 2;
constexpr uint64_t kTraversalLimitSlackWords = 64;
// Misaligned input is copied into a per-thread buffer of this size (64 KiB).
constexpr size_t kAlignedScratchWordsMax = 8 * 1024;

template <typename From, typename To>
To CastEnum(From v) {
  return static_cast<To>(static_cast<uint16_t>(v));
}

// Tracks the first decode problem; enum range checks do not throw.
struct Checker {
  const char* problem = nullptr;
  template <typename To, typename From>
  To Enum(From v, To last, const char* what) {
    auto raw = static_cast<uint16_t>(v);
    if (raw > static_cast<uint16_t>(last)) {
      if (problem == nullptr) problem = what;
      return To{};
    }
    return static_cast<To>(raw);
  }
};

template <typename T, size_t I = 0>
constexpr size_t variant_index_of() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, EventBody>, T>) {
    return I;
  } else {
    return variant_index_of<T, I + 1>();
  }
}

// Assigns in place: a reused Event keeps its strings' capacity, so replay
// decodes without allocating (see DecodeEventInto).
void Assign(std::string* out, capnp::Text::Reader r) { out->assign(r.begin(), r.size()); }

// --- encode -----------------------------------------------------------------

struct Encoder {
  s::Event::Body::Builder b;

  void operator()(const RequestAccepted& v) {
    auto o = b.initRequestAccepted();
    o.setRequestId(v.request_id);
    o.setTag(v.tag);
    o.setTier(v.tier);
    o.setRequestedModel(v.requested_model);
    o.setClientKeyId(v.client_key_id);
    o.setEstimatedInputTokens(v.estimated_input_tokens);
    o.setMaxOutputTokens(v.max_output_tokens);
    o.setStream(v.stream);
  }
  void operator()(const AttemptStarted& v) {
    auto o = b.initAttemptStarted();
    o.setRequestId(v.request_id);
    o.setAttempt(v.attempt);
    o.setTryOnDeployment(v.try_on_deployment);
    o.setDeployment(v.deployment);
    o.setModelGroup(v.model_group);
    o.setTag(v.tag);
    o.setTier(v.tier);
    o.setReservedNanos(v.reserved_nanos);
  }
  void operator()(const AttemptFinished& v) {
    auto o = b.initAttemptFinished();
    o.setRequestId(v.request_id);
    o.setAttempt(v.attempt);
    o.setDeployment(v.deployment);
    o.setModelGroup(v.model_group);
    o.setTag(v.tag);
    o.setTier(v.tier);
    o.setOutcome(CastEnum<Outcome, s::Outcome>(v.outcome));
    o.setHttpStatus(v.http_status);
    o.setLatencyMicros(v.latency_micros);
    o.setInputTokens(v.input_tokens);
    o.setOutputTokens(v.output_tokens);
    o.setCachedTokens(v.cached_tokens);
    o.setCostNanos(v.cost_nanos);
    o.setRetryAfterMs(v.retry_after_ms);
    o.setError(v.error);
  }
  void operator()(const RetryScheduled& v) {
    auto o = b.initRetryScheduled();
    o.setRequestId(v.request_id);
    o.setAttempt(v.attempt);
    o.setDeployment(v.deployment);
    o.setBackoffMs(v.backoff_ms);
    o.setCause(CastEnum<Outcome, s::Outcome>(v.cause));
  }
  void operator()(const FallbackTaken& v) {
    auto o = b.initFallbackTaken();
    o.setRequestId(v.request_id);
    o.setTag(v.tag);
    o.setTier(v.tier);
    o.setFromDeployment(v.from_deployment);
    o.setFromModelGroup(v.from_model_group);
    o.setToDeployment(v.to_deployment);
    o.setToModelGroup(v.to_model_group);
    o.setReason(CastEnum<FallbackReason, s::FallbackReason>(v.reason));
    if (v.reason == FallbackReason::kBudget) {
      o.setBudgetScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.budget_scope_kind));
      o.setBudgetScopeKey(v.budget_scope_key);
      o.setBudgetScopeStopped(v.budget_scope_stopped);
      o.setBudgetUsedNanos(v.budget_used_nanos);
      o.setBudgetLimitNanos(v.budget_limit_nanos);
      o.setReserveNanos(v.reserve_nanos);
    }
  }
  void operator()(const RequestCompleted& v) {
    auto o = b.initRequestCompleted();
    o.setRequestId(v.request_id);
    o.setTag(v.tag);
    o.setTier(v.tier);
    o.setFinalDeployment(v.final_deployment);
    o.setFinalModelGroup(v.final_model_group);
    o.setHttpStatus(v.http_status);
    o.setErrorCode(v.error_code);
    o.setTotalCostNanos(v.total_cost_nanos);
    o.setAttempts(v.attempts);
    o.setFallbacks(v.fallbacks);
    o.setLatencyMicros(v.latency_micros);
    o.setLastResort(v.last_resort);
  }
  void operator()(const BudgetAlert& v) {
    auto o = b.initBudgetAlert();
    o.setScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.scope_kind));
    o.setScopeKey(v.scope_key);
    o.setThresholdPct(v.threshold_pct);
    o.setAction(CastEnum<AlertAction, s::AlertAction>(v.action));
    o.setSpentNanos(v.spent_nanos);
    o.setLimitNanos(v.limit_nanos);
    o.setPeriod(v.period);
  }
  void operator()(const BudgetStopped& v) {
    auto o = b.initBudgetStopped();
    o.setScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.scope_kind));
    o.setScopeKey(v.scope_key);
    o.setSpentNanos(v.spent_nanos);
    o.setLimitNanos(v.limit_nanos);
    o.setPeriod(v.period);
  }
  void operator()(const GateDecision& v) {
    auto o = b.initGateDecision();
    o.setScopeKind(CastEnum<ScopeKind, s::ScopeKind>(v.scope_kind));
    o.setScopeKey(v.scope_key);
    o.setPeriod(v.period);
    o.setChoice(CastEnum<GateChoice, s::GateChoice>(v.choice));
    o.setModel(v.model);
    o.setNewLimitNanos(v.new_limit_nanos);
    o.setActor(v.actor);
    o.setNote(v.note);
  }
  void operator()(const HealthProbe& v) {
    auto o = b.initHealthProbe();
    o.setDeployment(v.deployment);
    o.setOk(v.ok);
    o.setLatencyMicros(v.latency_micros);
    o.setHttpStatus(v.http_status);
    o.setError(v.error);
  }
  void operator()(const DeploymentStateChanged& v) {
    auto o = b.initDeploymentStateChanged();
    o.setDeployment(v.deployment);
    o.setFrom(CastEnum<DeploymentState, s::DeploymentState>(v.from));
    o.setTo(CastEnum<DeploymentState, s::DeploymentState>(v.to));
    o.setReason(v.reason);
    o.setUntilMicros(v.until_micros);
    o.setActor(v.actor);
  }
  void operator()(const Recovered& v) {
    auto o = b.initRecovered();
    o.setDeployment(v.deployment);
    o.setDownSinceMicros(v.down_since_micros);
    o.setConfirmedBy(CastEnum<RecoveryConfirmation, s::RecoveryConfirmation>(v.confirmed_by));
  }
  void operator()(const ConfigApplied& v) {
    auto o = b.initConfigApplied();
    o.setSha256Hex(v.sha256_hex);
    o.setText(v.text);
    o.setSource(v.source);
    o.setActor(v.actor);
  }
  void operator()(const NotificationSent& v) {
    auto o = b.initNotificationSent();
    o.setChannel(v.channel);
    o.setSubject(v.subject);
    o.setHttpStatus(v.http_status);
    o.setTryNumber(v.try_number);
  }
  void operator()(const NotificationFailed& v) {
    auto o = b.initNotificationFailed();
    o.setChannel(v.channel);
    o.setSubject(v.subject);
    o.setHttpStatus(v.http_status);
    o.setTryNumber(v.try_number);
    o.setError(v.error);
  }
  void operator()(const ReservationExpired& v) {
    auto o = b.initReservationExpired();
    o.setRequestId(v.request_id);
    o.setAttempt(v.attempt);
    o.setDeployment(v.deployment);
    o.setReservedNanos(v.reserved_nanos);
  }
};

void FillRoot(const Event& event, s::Event::Builder root) {
  root.setSeq(event.seq);
  root.setTimeMicros(event.time_micros);
  root.setPrevHash(capnp::Data::Reader(event.prev_hash.data(), event.prev_hash.size()));
  std::visit(Encoder{root.initBody()}, event.body);
}

// Appends exactly what capnp::messageToFlatArray(segments) returns for one
// segment (the segment table, then the segment), without its temporary
// array: u32 LE segment count - 1 (0), u32 LE size in words, the words.
void AppendFlat(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments, std::string* out) {
  UKAIRO_CHECK(segments.size() == 1);
  const kj::ArrayPtr<const capnp::word> segment = segments[0];
  const uint32_t words = static_cast<uint32_t>(segment.size());
  const unsigned char table[8] = {0, 0, 0, 0,
                                  static_cast<unsigned char>(words),
                                  static_cast<unsigned char>(words >> 8),
                                  static_cast<unsigned char>(words >> 16),
                                  static_cast<unsigned char>(words >> 24)};
  const size_t start = out->size();
  out->resize(start + sizeof(table) + words * sizeof(capnp::word));
  std::memcpy(out->data() + start, table, sizeof(table));
  std::memcpy(out->data() + start + sizeof(table), segment.begin(),
              words * sizeof(capnp::word));
}

// --- decode -----------------------------------------------------------------

void Get(s::RequestAccepted::Reader r, Checker&, RequestAccepted& v) {
  v = RequestAccepted{};
  Assign(&v.request_id, r.getRequestId());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  Assign(&v.requested_model, r.getRequestedModel());
  Assign(&v.client_key_id, r.getClientKeyId());
  v.estimated_input_tokens = r.getEstimatedInputTokens();
  v.max_output_tokens = r.getMaxOutputTokens();
  v.stream = r.getStream();
}
void Get(s::AttemptStarted::Reader r, Checker&, AttemptStarted& v) {
  v = AttemptStarted{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  v.try_on_deployment = r.getTryOnDeployment();
  Assign(&v.deployment, r.getDeployment());
  Assign(&v.model_group, r.getModelGroup());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  v.reserved_nanos = r.getReservedNanos();
}
void Get(s::AttemptFinished::Reader r, Checker& c, AttemptFinished& v) {
  v = AttemptFinished{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  Assign(&v.deployment, r.getDeployment());
  Assign(&v.model_group, r.getModelGroup());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  v.outcome = c.Enum(r.getOutcome(), Outcome::kAuthError, "outcome");
  v.http_status = r.getHttpStatus();
  v.latency_micros = r.getLatencyMicros();
  v.input_tokens = r.getInputTokens();
  v.output_tokens = r.getOutputTokens();
  v.cached_tokens = r.getCachedTokens();
  v.cost_nanos = r.getCostNanos();
  v.retry_after_ms = r.getRetryAfterMs();
  Assign(&v.error, r.getError());
}
void Get(s::RetryScheduled::Reader r, Checker& c, RetryScheduled& v) {
  v = RetryScheduled{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  Assign(&v.deployment, r.getDeployment());
  v.backoff_ms = r.getBackoffMs();
  v.cause = c.Enum(r.getCause(), Outcome::kAuthError, "cause");
}
void Get(s::FallbackTaken::Reader r, Checker& c, FallbackTaken& v) {
  v = FallbackTaken{};
  Assign(&v.request_id, r.getRequestId());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  Assign(&v.from_deployment, r.getFromDeployment());
  Assign(&v.from_model_group, r.getFromModelGroup());
  Assign(&v.to_deployment, r.getToDeployment());
  Assign(&v.to_model_group, r.getToModelGroup());
  v.reason = c.Enum(r.getReason(), FallbackReason::kMisconfigured, "reason");
  if (v.reason == FallbackReason::kBudget && r.hasBudgetScopeKey()) {
    v.budget_scope_kind = c.Enum(r.getBudgetScopeKind(), ScopeKind::kGlobal, "budget_scope_kind");
    Assign(&v.budget_scope_key, r.getBudgetScopeKey());
    v.budget_scope_stopped = r.getBudgetScopeStopped();
    v.budget_used_nanos = r.getBudgetUsedNanos();
    v.budget_limit_nanos = r.getBudgetLimitNanos();
    v.reserve_nanos = r.getReserveNanos();
  }
}
void Get(s::RequestCompleted::Reader r, Checker&, RequestCompleted& v) {
  v = RequestCompleted{};
  Assign(&v.request_id, r.getRequestId());
  Assign(&v.tag, r.getTag());
  Assign(&v.tier, r.getTier());
  Assign(&v.final_deployment, r.getFinalDeployment());
  Assign(&v.final_model_group, r.getFinalModelGroup());
  v.http_status = r.getHttpStatus();
  Assign(&v.error_code, r.getErrorCode());
  v.total_cost_nanos = r.getTotalCostNanos();
  v.attempts = r.getAttempts();
  v.fallbacks = r.getFallbacks();
  v.latency_micros = r.getLatencyMicros();
  v.last_resort = r.getLastResort();
}
void Get(s::BudgetAlert::Reader r, Checker& c, BudgetAlert& v) {
  v = BudgetAlert{};
  v.scope_kind = c.Enum(r.getScopeKind(), ScopeKind::kGlobal, "scope_kind");
  Assign(&v.scope_key, r.getScopeKey());
  v.threshold_pct = r.getThresholdPct();
  v.action = c.Enum(r.getAction(), AlertAction::kStopAndFallback, "action");
  v.spent_nanos = r.getSpentNanos();
  v.limit_nanos = r.getLimitNanos();
  v.period = r.getPeriod();
}
void Get(s::BudgetStopped::Reader r, Checker& c, BudgetStopped& v) {
  v = BudgetStopped{};
  v.scope_kind = c.Enum(r.getScopeKind(), ScopeKind::kGlobal, "scope_kind");
  Assign(&v.scope_key, r.getScopeKey());
  v.spent_nanos = r.getSpentNanos();
  v.limit_nanos = r.getLimitNanos();
  v.period = r.getPeriod();
}
void Get(s::GateDecision::Reader r, Checker& c, GateDecision& v) {
  v = GateDecision{};
  v.scope_kind = c.Enum(r.getScopeKind(), ScopeKind::kGlobal, "scope_kind");
  Assign(&v.scope_key, r.getScopeKey());
  v.period = r.getPeriod();
  v.choice = c.Enum(r.getChoice(), GateChoice::kStop, "choice");
  Assign(&v.model, r.getModel());
  v.new_limit_nanos = r.getNewLimitNanos();
  Assign(&v.actor, r.getActor());
  Assign(&v.note, r.getNote());
}
void Get(s::HealthProbe::Reader r, Checker&, HealthProbe& v) {
  v = HealthProbe{};
  Assign(&v.deployment, r.getDeployment());
  v.ok = r.getOk();
  v.latency_micros = r.getLatencyMicros();
  v.http_status = r.getHttpStatus();
  Assign(&v.error, r.getError());
}
void Get(s::DeploymentStateChanged::Reader r, Checker& c, DeploymentStateChanged& v) {
  v = DeploymentStateChanged{};
  Assign(&v.deployment, r.getDeployment());
  v.from = c.Enum(r.getFrom(), DeploymentState::kMisconfigured, "from");
  v.to = c.Enum(r.getTo(), DeploymentState::kMisconfigured, "to");
  Assign(&v.reason, r.getReason());
  v.until_micros = r.getUntilMicros();
  Assign(&v.actor, r.getActor());
}
void Get(s::Recovered::Reader r, Checker& c, Recovered& v) {
  v = Recovered{};
  Assign(&v.deployment, r.getDeployment());
  v.down_since_micros = r.getDownSinceMicros();
  v.confirmed_by =
      c.Enum(r.getConfirmedBy(), RecoveryConfirmation::kPeriodRollover, "confirmed_by");
}
void Get(s::ConfigApplied::Reader r, Checker&, ConfigApplied& v) {
  v = ConfigApplied{};
  Assign(&v.sha256_hex, r.getSha256Hex());
  Assign(&v.text, r.getText());
  Assign(&v.source, r.getSource());
  Assign(&v.actor, r.getActor());
}
void Get(s::NotificationSent::Reader r, Checker&, NotificationSent& v) {
  v = NotificationSent{};
  Assign(&v.channel, r.getChannel());
  Assign(&v.subject, r.getSubject());
  v.http_status = r.getHttpStatus();
  v.try_number = r.getTryNumber();
}
void Get(s::NotificationFailed::Reader r, Checker&, NotificationFailed& v) {
  v = NotificationFailed{};
  Assign(&v.channel, r.getChannel());
  Assign(&v.subject, r.getSubject());
  v.http_status = r.getHttpStatus();
  v.try_number = r.getTryNumber();
  Assign(&v.error, r.getError());
}
void Get(s::ReservationExpired::Reader r, Checker&, ReservationExpired& v) {
  v = ReservationExpired{};
  Assign(&v.request_id, r.getRequestId());
  v.attempt = r.getAttempt();
  Assign(&v.deployment, r.getDeployment());
  v.reserved_nanos = r.getReservedNanos();
}

// The union's member order is EventBody's alternative order, so which() is
// the variant index (DecodeEventHeader relies on it).
static_assert(static_cast<size_t>(s::Event::Body::REQUEST_ACCEPTED) ==
              variant_index_of<RequestAccepted>());
static_assert(static_cast<size_t>(s::Event::Body::RESERVATION_EXPIRED) ==
              variant_index_of<ReservationExpired>());
static_assert(static_cast<size_t>(s::Event::Body::CONFIG_APPLIED) ==
              variant_index_of<ConfigApplied>());

// Decodes into *out, reusing the alternative already there when it is of
// the same type. Each Get starts with `v = T{}` so that no field of the
// previous event survives; with libstdc++ that move-assignment of empty
// (short) strings copies into the existing buffers, keeping their capacity.
template <typename T, typename Reader>
void GetInto(Reader r, Checker& c, EventBody* out) {
  T* v = std::get_if<T>(out);
  if (v == nullptr) v = &out->emplace<T>();
  Get(r, c, *v);
}

// Returns false for a union member this build does not know.
bool GetBody(s::Event::Body::Reader b, Checker& c, EventBody* out) {
  using W = s::Event::Body;
  switch (b.which()) {
    case W::REQUEST_ACCEPTED: GetInto<RequestAccepted>(b.getRequestAccepted(), c, out); return true;
    case W::ATTEMPT_STARTED: GetInto<AttemptStarted>(b.getAttemptStarted(), c, out); return true;
    case W::ATTEMPT_FINISHED: GetInto<AttemptFinished>(b.getAttemptFinished(), c, out); return true;
    case W::RETRY_SCHEDULED: GetInto<RetryScheduled>(b.getRetryScheduled(), c, out); return true;
    case W::FALLBACK_TAKEN: GetInto<FallbackTaken>(b.getFallbackTaken(), c, out); return true;
    case W::REQUEST_COMPLETED:
      GetInto<RequestCompleted>(b.getRequestCompleted(), c, out);
      return true;
    case W::BUDGET_ALERT: GetInto<BudgetAlert>(b.getBudgetAlert(), c, out); return true;
    case W::BUDGET_STOPPED: GetInto<BudgetStopped>(b.getBudgetStopped(), c, out); return true;
    case W::GATE_DECISION: GetInto<GateDecision>(b.getGateDecision(), c, out); return true;
    case W::HEALTH_PROBE: GetInto<HealthProbe>(b.getHealthProbe(), c, out); return true;
    case W::DEPLOYMENT_STATE_CHANGED:
      GetInto<DeploymentStateChanged>(b.getDeploymentStateChanged(), c, out);
      return true;
    case W::RECOVERED: GetInto<Recovered>(b.getRecovered(), c, out); return true;
    case W::CONFIG_APPLIED: GetInto<ConfigApplied>(b.getConfigApplied(), c, out); return true;
    case W::NOTIFICATION_SENT:
      GetInto<NotificationSent>(b.getNotificationSent(), c, out);
      return true;
    case W::NOTIFICATION_FAILED:
      GetInto<NotificationFailed>(b.getNotificationFailed(), c, out);
      return true;
    case W::RESERVATION_EXPIRED:
      GetInto<ReservationExpired>(b.getReservationExpired(), c, out);
      return true;
  }
  return false;
}

Status Bad(uint64_t seq, std::string_view why) {
  return Status::Corruption("event seq " + std::to_string(seq) + ": " + std::string(why));
}

// Runs `fn(root)` over a validated message; converts every Cap'n Proto
// exception into Corruption. Copies to an aligned buffer when needed, since
// RocksDB values carry no alignment guarantee.
template <typename Fn>
Status WithRoot(std::string_view bytes, uint64_t seq, Fn&& fn) {
  if (bytes.size() < 8 || bytes.size() % sizeof(capnp::word) != 0) {
    return Bad(seq, "stored size " + std::to_string(bytes.size()) + " is not a whole message");
  }
  const size_t words = bytes.size() / sizeof(capnp::word);
  // Values inside RocksDB blocks are rarely 8-aligned: copy into a per-thread
  // buffer (kept up to kAlignedScratchWordsMax, so one huge event does not
  // pin memory), uninitialized since it is overwritten at once.
  thread_local std::unique_ptr<capnp::word[]> scratch;
  thread_local size_t scratch_words = 0;
  std::unique_ptr<capnp::word[]> oversized;
  const capnp::word* begin = reinterpret_cast<const capnp::word*>(bytes.data());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    capnp::word* target;
    if (words > kAlignedScratchWordsMax) {
      oversized.reset(new capnp::word[words]);
      target = oversized.get();
    } else {
      if (words > scratch_words) {
        scratch.reset(new capnp::word[kAlignedScratchWordsMax]);
        scratch_words = kAlignedScratchWordsMax;
      }
      target = scratch.get();
    }
    std::memcpy(target, bytes.data(), bytes.size());
    begin = target;
  }
  kj::ArrayPtr<const capnp::word> array(begin, words);
  capnp::ReaderOptions options;
  options.traversalLimitInWords = words * kTraversalLimitPerWord + kTraversalLimitSlackWords;
  Status status;
  KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() {
                capnp::FlatArrayMessageReader reader(array, options);
                if (reader.getEnd() != array.end()) {
                  status = Bad(seq, "trailing bytes after the message");
                  return;
                }
                status = fn(reader.getRoot<s::Event>());
              })) {
    return Bad(seq, "malformed Cap'n Proto: " + std::string(e->getDescription().cStr()));
  }
  return status;
}

}  // namespace

void EncodeEvent(const Event& event, std::string* out) {
  UKAIRO_DCHECK(out != nullptr);
  thread_local std::array<capnp::word, kScratchWords> scratch{};
  capnp::MallocMessageBuilder message(kj::ArrayPtr<capnp::word>(scratch.data(), scratch.size()));
  auto root = message.initRoot<s::Event>();
  FillRoot(event, root);
  auto segments = message.getSegmentsForOutput();
  if (segments.size() == 1) {
    AppendFlat(segments, out);
    return;
  }
  // Large event (e.g. a config text): copy into one segment sized to fit.
  const size_t words = root.totalSize().wordCount + 1;  // + the root pointer
  capnp::MallocMessageBuilder exact(words, capnp::AllocationStrategy::FIXED_SIZE);
  exact.setRoot(root.asReader());
  AppendFlat(exact.getSegmentsForOutput(), out);
}

std::string EncodeEvent(const Event& event) {
  std::string out;
  EncodeEvent(event, &out);
  return out;
}

Result<Event> DecodeEvent(std::string_view bytes, uint64_t seq_for_errors) {
  Event event;
  UKAIRO_RETURN_IF_ERROR(DecodeEventInto(bytes, seq_for_errors, &event));
  return event;
}

Status DecodeEventInto(std::string_view bytes, uint64_t seq_for_errors, Event* out) {
  return WithRoot(bytes, seq_for_errors, [&](s::Event::Reader root) -> Status {
    Event& event = *out;
    event.seq = root.getSeq();
    event.time_micros = root.getTimeMicros();
    capnp::Data::Reader hash = root.getPrevHash();
    if (hash.size() != event.prev_hash.size()) {
      return Bad(seq_for_errors, "prev_hash is " + std::to_string(hash.size()) + " bytes");
    }
    std::memcpy(event.prev_hash.data(), hash.begin(), hash.size());
    Checker checker;
    if (!GetBody(root.getBody(), checker, &event.body)) {
      return Bad(seq_for_errors,
                 "unknown event kind " + std::to_string(uint16_t(root.getBody().which())));
    }
    if (checker.problem != nullptr) {
      return Bad(seq_for_errors, std::string("enum out of range: ") + checker.problem);
    }
    return Status::Ok();
  });
}

Result<EventHeader> DecodeEventHeader(std::string_view bytes, uint64_t seq_for_errors) {
  EventHeader header;
  Status status = WithRoot(bytes, seq_for_errors, [&](s::Event::Reader root) -> Status {
    header.seq = root.getSeq();
    header.time_micros = root.getTimeMicros();
    header.kind_index = static_cast<size_t>(root.getBody().which());
    if (header.kind_index >= std::variant_size_v<EventBody>) {
      return Bad(seq_for_errors, "unknown event kind " + std::to_string(header.kind_index));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return header;
}

const std::string& RequestIdOf(const EventBody& body) {
  static const std::string kNone;
  return std::visit(
      [](const auto& b) -> const std::string& {
        if constexpr (requires { b.request_id; }) {
          return b.request_id;
        } else {
          return kNone;
        }
      },
      body);
}

}  // namespace ukairo::ledger
