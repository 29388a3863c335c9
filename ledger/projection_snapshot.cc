// Projection <-> ledger/snapshot.capnp.
//
// Layout: one ProjectionSnapshot message, flat (messageToFlatArray), each
// list in the ascending order of the std::map it mirrors. Reading checks
// everything a later fold relies on, so a damaged snapshot becomes a
// Corruption status here instead of a wrong budget decision later:
// framing (Cap'n Proto bounds checks; no trailing bytes), format version,
// enum ranges, scope keys (none for global), strictly ascending
// keys, and that every reserved total equals the sum of the open
// reservations in that scope.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <string>

#include "ledger/event_kinds.h"
#include "ledger/projection.h"
#include "ledger/snapshot.capnp.h"

namespace ukairo::ledger {
namespace {

namespace schema = ukairo::ledger::schema;

constexpr uint32_t kFormatVersion = 1;
constexpr uint16_t kScopeKindMax = static_cast<uint16_t>(ScopeKind::kTeam);
constexpr uint16_t kGateChoiceMax = static_cast<uint16_t>(GateChoice::kStop);
constexpr uint16_t kDeploymentStateMax = static_cast<uint16_t>(DeploymentState::kMisconfigured);
constexpr uint8_t kPeriodKindMax = static_cast<uint8_t>(PeriodKind::kDay);

static_assert(static_cast<uint16_t>(schema::ScopeKind::TEAM) == kScopeKindMax);
static_assert(static_cast<uint16_t>(schema::GateChoice::STOP) == kGateChoiceMax);
static_assert(static_cast<uint16_t>(schema::DeploymentState::MISCONFIGURED) ==
              kDeploymentStateMax);

capnp::Text::Reader AsText(const std::string& s) { return {s.data(), s.size()}; }
std::string FromText(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

void WriteScope(const ScopeId& scope, schema::Scope::Builder out) {
  out.setKind(static_cast<schema::ScopeKind>(scope.kind));
  out.setKey(AsText(scope.key));
}

// The fold gives global scopes no key, and spend / reserved scopes of other
// kinds always one; alerts and gates keep whatever key their event named.
enum class KeyRule { kNonEmptyUnlessGlobal, kAny };

Status ReadScope(schema::Scope::Reader in, ScopeId* scope, KeyRule rule) {
  uint16_t kind = static_cast<uint16_t>(in.getKind());
  if (kind > kScopeKindMax) return Status::Corruption("snapshot: unknown scope kind");
  scope->kind = static_cast<ScopeKind>(kind);
  scope->key = FromText(in.getKey());
  if (scope->kind == ScopeKind::kGlobal && !scope->key.empty()) {
    return Status::Corruption("snapshot: global scope with a key");
  }
  if (rule == KeyRule::kNonEmptyUnlessGlobal && scope->kind != ScopeKind::kGlobal &&
      scope->key.empty()) {
    return Status::Corruption("snapshot: " + std::string(ScopeKindName(scope->kind)) +
                              " scope without a key");
  }
  return Status::Ok();
}

// Appends (key, value) at the end of `map`, which must stay strictly
// ascending: a snapshot never repeats or reorders keys.
template <typename Map, typename Key, typename Value>
Status AppendAscending(Map& map, Key&& key, Value&& value, const char* what) {
  if (!map.empty() && !(std::prev(map.end())->first < key)) {
    return Status::Corruption(std::string("snapshot: ") + what + " keys not ascending");
  }
  map.emplace_hint(map.end(), std::forward<Key>(key), std::forward<Value>(value));
  return Status::Ok();
}

}  // namespace

// Fills a fresh Projection's private maps from a snapshot (a friend of
// Projection, so the public class needs no Cap'n Proto types).
struct ProjectionSnapshotReader {
  static Status Read(schema::ProjectionSnapshot::Reader in, Projection* p);
  static Status ReadGate(schema::GateEntry::Reader in, Projection* p);
  static Status ReadDeployment(schema::DeploymentEntry::Reader in, Projection* p);
  static Status ReadOpen(schema::OpenReservationEntry::Reader in,
                         std::map<Projection::ReservationKey, OpenReservation>* open);
  static Status ReadKeys(schema::ProjectionSnapshot::Reader in, Projection* p);
  static Status CheckReservedTotals(
      const std::map<Projection::ReservationKey, OpenReservation>& open,
      const std::map<ScopeId, NanoUsd>& reserved);
};

Status ProjectionSnapshotReader::Read(schema::ProjectionSnapshot::Reader in, Projection* p) {
  if (in.getFormatVersion() != kFormatVersion) {
    return Status::Corruption("snapshot: unsupported format version " +
                              std::to_string(in.getFormatVersion()));
  }
  if (in.getPeriodKind() > kPeriodKindMax) {
    return Status::Corruption("snapshot: unknown period kind");
  }
  p->period_kind_ = static_cast<PeriodKind>(in.getPeriodKind());
  p->last_seq_ = in.getLastSeq();
  p->last_time_micros_ = in.getLastTimeMicros();
  // Spend, reserved totals and open reservations are read into sorted maps
  // (the snapshot's own order, so checking it is an append) and handed to
  // the projection's slots once validated.
  std::map<std::pair<int32_t, ScopeId>, NanoUsd> spend;
  std::map<ScopeId, NanoUsd> reserved;
  std::map<Projection::ReservationKey, OpenReservation> open;
  for (auto e : in.getSpend()) {
    std::pair<int32_t, ScopeId> key;
    key.first = e.getPeriod();
    UKAIRO_RETURN_IF_ERROR(
        ReadScope(e.getScope(), &key.second, KeyRule::kNonEmptyUnlessGlobal));
    UKAIRO_RETURN_IF_ERROR(AppendAscending(spend, std::move(key), e.getSpentNanos(), "spend"));
  }
  for (auto e : in.getReserved()) {
    ScopeId scope;
    UKAIRO_RETURN_IF_ERROR(ReadScope(e.getScope(), &scope, KeyRule::kNonEmptyUnlessGlobal));
    UKAIRO_RETURN_IF_ERROR(
        AppendAscending(reserved, std::move(scope), e.getReservedNanos(), "reserved"));
  }
  for (auto e : in.getAlertsFired()) {
    ScopeId scope;
    UKAIRO_RETURN_IF_ERROR(ReadScope(e.getScope(), &scope, KeyRule::kAny));
    Projection::AlertKey key(e.getPeriod(), std::move(scope), e.getThresholdPct());
    if (!p->alerts_fired_.empty() && !(*std::prev(p->alerts_fired_.end()) < key)) {
      return Status::Corruption("snapshot: alert keys not ascending");
    }
    p->alerts_fired_.insert(p->alerts_fired_.end(), std::move(key));
  }
  for (auto e : in.getGates()) UKAIRO_RETURN_IF_ERROR(ReadGate(e, p));
  for (auto e : in.getDeployments()) UKAIRO_RETURN_IF_ERROR(ReadDeployment(e, p));
  for (auto e : in.getOpenReservations()) UKAIRO_RETURN_IF_ERROR(ReadOpen(e, &open));
  p->config_sha256_hex_ = FromText(in.getConfigSha256Hex());
  auto anomalies = in.getAnomalies();
  p->anomalies_.unknown_releases = anomalies.getUnknownReleases();
  p->anomalies_.duplicate_reservations = anomalies.getDuplicateReservations();
  p->anomalies_.stale_gate_events = anomalies.getStaleGateEvents();
  p->anomalies_.key_events_ignored = anomalies.getKeyEventsIgnored();
  UKAIRO_RETURN_IF_ERROR(ReadKeys(in, p));
  UKAIRO_RETURN_IF_ERROR(CheckReservedTotals(open, reserved));
  p->AdoptSnapshot(spend, reserved, open);
  return Status::Ok();
}

Status ProjectionSnapshotReader::ReadGate(schema::GateEntry::Reader in, Projection* p) {
  ScopeId scope;
  UKAIRO_RETURN_IF_ERROR(ReadScope(in.getScope(), &scope, KeyRule::kAny));
  uint16_t choice = static_cast<uint16_t>(in.getChoice());
  if (choice > kGateChoiceMax) return Status::Corruption("snapshot: unknown gate choice");
  ScopeGate g;
  g.stopped = in.getStopped();
  g.period = in.getPeriod();
  g.stopped_micros = in.getStoppedMicros();
  g.decided = in.getDecided();
  g.choice = static_cast<GateChoice>(choice);
  g.continue_model = FromText(in.getContinueModel());
  g.limit_override_nanos = in.getLimitOverrideNanos();
  g.actor = FromText(in.getActor());
  g.note = FromText(in.getNote());
  g.decided_micros = in.getDecidedMicros();
  return AppendAscending(p->gates_, std::move(scope), std::move(g), "gate");
}

Status ProjectionSnapshotReader::ReadDeployment(schema::DeploymentEntry::Reader in,
                                                Projection* p) {
  uint16_t state = static_cast<uint16_t>(in.getState());
  if (state > kDeploymentStateMax) return Status::Corruption("snapshot: unknown state");
  DeploymentStatus d;
  d.state = static_cast<DeploymentState>(state);
  d.since_micros = in.getSinceMicros();
  d.until_micros = in.getUntilMicros();
  d.down_since_micros = in.getDownSinceMicros();
  d.reason = FromText(in.getReason());
  d.last_probe_micros = in.getLastProbeMicros();
  d.last_probe_ok = in.getLastProbeOk();
  return AppendAscending(p->deployments_, FromText(in.getDeployment()), std::move(d),
                         "deployment");
}

Status ProjectionSnapshotReader::ReadOpen(
    schema::OpenReservationEntry::Reader in,
    std::map<Projection::ReservationKey, OpenReservation>* open) {
  OpenReservation r;
  r.deployment = FromText(in.getDeployment());
  r.model_group = FromText(in.getModelGroup());
  r.tag = FromText(in.getTag());
  r.tier = FromText(in.getTier());
  r.reserved_nanos = in.getReservedNanos();
  r.started_micros = in.getStartedMicros();
  Projection::ReservationKey key(FromText(in.getRequestId()), in.getAttempt());
  return AppendAscending(*open, std::move(key), std::move(r), "open reservation");
}

Status ProjectionSnapshotReader::ReadKeys(schema::ProjectionSnapshot::Reader in,
                                          Projection* p) {
  for (auto e : in.getKeys()) {
    KeyState k;
    k.key_prefix = FromText(e.getKeyPrefix());
    k.secret_sha256_hex = FromText(e.getSecretSha256Hex());
    event_kinds::GetSettings(e.getSettings(), k.settings);
    k.revoked = e.getRevoked();
    k.created_micros = e.getCreatedMicros();
    k.updated_micros = e.getUpdatedMicros();
    k.revoked_micros = e.getRevokedMicros();
    k.created_by = FromText(e.getCreatedBy());
    UKAIRO_RETURN_IF_ERROR(AppendAscending(p->keys_, FromText(e.getKeyId()), std::move(k), "key"));
  }
  for (auto e : in.getTeams()) {
    TeamState t;
    event_kinds::GetSettings(e.getSettings(), t.settings);
    t.created_micros = e.getCreatedMicros();
    t.updated_micros = e.getUpdatedMicros();
    UKAIRO_RETURN_IF_ERROR(
        AppendAscending(p->teams_, FromText(e.getTeamId()), std::move(t), "team"));
  }
  std::string previous;
  for (auto e : in.getRequestKeys()) {
    std::string request_id = FromText(e.getRequestId());
    if (!p->request_keys_.empty() && !(previous < request_id)) {
      return Status::Corruption("snapshot: request key entries not ascending");
    }
    previous = request_id;
    p->request_keys_.emplace(std::move(request_id), FromText(e.getKeyId()));
  }
  return Status::Ok();
}

// The fold keeps reserved_[scope] == the sum of the open reservations in
// that scope; a snapshot that breaks it would release into the wrong totals.
Status ProjectionSnapshotReader::CheckReservedTotals(
    const std::map<Projection::ReservationKey, OpenReservation>& open,
    const std::map<ScopeId, NanoUsd>& reserved) {
  std::map<ScopeId, NanoUsd> sums;
  for (const auto& [key, r] : open) {
    Projection::ForEachScope(r.model_group, r.tag, r.tier,
                             [&](ScopeKind kind, const std::string& scope_key) {
                               sums[ScopeId{kind, scope_key}] += r.reserved_nanos;
                             });
  }
  for (const auto& [scope, nanos] : reserved) {
    auto it = sums.find(scope);
    NanoUsd expected = it == sums.end() ? 0 : it->second;
    if (nanos != expected) {
      return Status::Corruption("snapshot: reserved total of " + ScopeName(scope) +
                                " disagrees with its open reservations");
    }
    if (it != sums.end()) sums.erase(it);
  }
  if (!sums.empty()) {
    return Status::Corruption("snapshot: open reservation in " + ScopeName(sums.begin()->first) +
                              " has no reserved total");
  }
  return Status::Ok();
}

namespace {

void WriteGates(const std::map<ScopeId, ScopeGate>& gates,
                capnp::List<schema::GateEntry>::Builder out) {
  unsigned i = 0;
  for (const auto& [scope, g] : gates) {
    auto e = out[i++];
    WriteScope(scope, e.initScope());
    e.setStopped(g.stopped);
    e.setPeriod(g.period);
    e.setStoppedMicros(g.stopped_micros);
    e.setDecided(g.decided);
    e.setChoice(static_cast<schema::GateChoice>(g.choice));
    e.setContinueModel(AsText(g.continue_model));
    e.setLimitOverrideNanos(g.limit_override_nanos);
    e.setActor(AsText(g.actor));
    e.setNote(AsText(g.note));
    e.setDecidedMicros(g.decided_micros);
  }
}

void WriteDeployments(const std::map<std::string, DeploymentStatus>& deployments,
                      capnp::List<schema::DeploymentEntry>::Builder out) {
  unsigned i = 0;
  for (const auto& [name, d] : deployments) {
    auto e = out[i++];
    e.setDeployment(AsText(name));
    e.setState(static_cast<schema::DeploymentState>(d.state));
    e.setSinceMicros(d.since_micros);
    e.setUntilMicros(d.until_micros);
    e.setDownSinceMicros(d.down_since_micros);
    e.setReason(AsText(d.reason));
    e.setLastProbeMicros(d.last_probe_micros);
    e.setLastProbeOk(d.last_probe_ok);
  }
}

void WriteOpen(const std::map<Projection::ReservationKey, OpenReservation>& open,
               capnp::List<schema::OpenReservationEntry>::Builder out) {
  unsigned i = 0;
  for (const auto& [key, r] : open) {
    auto e = out[i++];
    e.setRequestId(AsText(key.first));
    e.setAttempt(key.second);
    e.setDeployment(AsText(r.deployment));
    e.setModelGroup(AsText(r.model_group));
    e.setTag(AsText(r.tag));
    e.setTier(AsText(r.tier));
    e.setReservedNanos(r.reserved_nanos);
    e.setStartedMicros(r.started_micros);
  }
}

}  // namespace

std::string Projection::Serialize() const {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::ProjectionSnapshot>();
  root.setFormatVersion(kFormatVersion);
  root.setLastSeq(last_seq_);
  root.setLastTimeMicros(last_time_micros_);
  root.setPeriodKind(static_cast<uint8_t>(period_kind_));

  // Sorted views of the slots: the byte layout is that of the std::maps the
  // projection used to keep (ascending keys), so equal projections give
  // equal bytes and older snapshots still load.
  const std::map<std::pair<int32_t, ScopeId>, NanoUsd> spend_sorted = spend();
  const std::map<ScopeId, NanoUsd> reserved_sorted = reserved();
  auto spend = root.initSpend(static_cast<unsigned>(spend_sorted.size()));
  unsigned i = 0;
  for (const auto& [key, nanos] : spend_sorted) {
    auto e = spend[i++];
    e.setPeriod(key.first);
    WriteScope(key.second, e.initScope());
    e.setSpentNanos(nanos);
  }
  auto reserved = root.initReserved(static_cast<unsigned>(reserved_sorted.size()));
  i = 0;
  for (const auto& [scope, nanos] : reserved_sorted) {
    auto e = reserved[i++];
    WriteScope(scope, e.initScope());
    e.setReservedNanos(nanos);
  }
  auto alerts = root.initAlertsFired(static_cast<unsigned>(alerts_fired_.size()));
  i = 0;
  for (const auto& [period, scope, pct] : alerts_fired_) {
    auto e = alerts[i++];
    e.setPeriod(period);
    WriteScope(scope, e.initScope());
    e.setThresholdPct(pct);
  }
  WriteGates(gates_, root.initGates(static_cast<unsigned>(gates_.size())));
  WriteDeployments(deployments_,
                   root.initDeployments(static_cast<unsigned>(deployments_.size())));
  const std::map<ReservationKey, OpenReservation> open_sorted = open_reservations();
  WriteOpen(open_sorted, root.initOpenReservations(static_cast<unsigned>(open_sorted.size())));
  root.setConfigSha256Hex(AsText(config_sha256_hex_));
  auto anomalies = root.initAnomalies();
  anomalies.setUnknownReleases(anomalies_.unknown_releases);
  anomalies.setDuplicateReservations(anomalies_.duplicate_reservations);
  anomalies.setStaleGateEvents(anomalies_.stale_gate_events);
  anomalies.setKeyEventsIgnored(anomalies_.key_events_ignored);
  auto keys = root.initKeys(static_cast<unsigned>(keys_.size()));
  i = 0;
  for (const auto& [id, k] : keys_) {
    auto e = keys[i++];
    e.setKeyId(AsText(id));
    e.setKeyPrefix(AsText(k.key_prefix));
    e.setSecretSha256Hex(AsText(k.secret_sha256_hex));
    event_kinds::PutSettings(k.settings, e.initSettings());
    e.setRevoked(k.revoked);
    e.setCreatedMicros(k.created_micros);
    e.setUpdatedMicros(k.updated_micros);
    e.setRevokedMicros(k.revoked_micros);
    e.setCreatedBy(AsText(k.created_by));
  }
  auto teams = root.initTeams(static_cast<unsigned>(teams_.size()));
  i = 0;
  for (const auto& [id, t] : teams_) {
    auto e = teams[i++];
    e.setTeamId(AsText(id));
    event_kinds::PutSettings(t.settings, e.initSettings());
    e.setCreatedMicros(t.created_micros);
    e.setUpdatedMicros(t.updated_micros);
  }
  const std::map<std::string, std::string> request_keys_sorted = request_keys();
  auto request_keys = root.initRequestKeys(static_cast<unsigned>(request_keys_sorted.size()));
  i = 0;
  for (const auto& [request_id, key_id] : request_keys_sorted) {
    auto e = request_keys[i++];
    e.setRequestId(AsText(request_id));
    e.setKeyId(AsText(key_id));
  }

  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<Projection> Projection::Deserialize(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return Status::Corruption("snapshot: size is not a positive multiple of 8 bytes");
  }
  // Cap'n Proto reads words in place; the caller's bytes may be unaligned.
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  capnp::ReaderOptions options;
  // Every word is read at most a few times; a bound proportional to the
  // input still stops a crafted amplification.
  options.traversalLimitInWords = 4 * words.size() + 1024;

  Projection p;
  Status status;
  KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() {
    capnp::FlatArrayMessageReader reader(words.asPtr(), options);
    if (reader.getEnd() != words.end()) {
      status = Status::Corruption("snapshot: trailing bytes after the message");
      return;
    }
    status = ProjectionSnapshotReader::Read(reader.getRoot<schema::ProjectionSnapshot>(), &p);
  })) {
    return Status::Corruption(std::string("snapshot: ") + e->getDescription().cStr());
  }
  if (!status.ok()) return status;
  if (!p.WithinLimits()) return Status::Corruption("snapshot: " + p.LimitStatus().message());
  return p;
}

}  // namespace ukairo::ledger
