# The ledger's event schema: the one source of truth for every stored event.
#
# Evolution rules (capnproto.org/language.html, "Evolving Your Protocol"):
# add fields and union members only with higher ordinals; never renumber a
# field, change its type or its default. Events are never rewritten.
#
# Units: times are microseconds since the Unix epoch (UTC) from the injected
# clock; durations carry their unit in the name; money is Int64 nano-USD
# (1 USD = 1e9), prices Int64 pico-USD per token (see base/money.h).
#
# Stored form (ledger/store_format.h): each event is one Cap'n Proto message
# (single segment, unpacked, messageToFlatArray), the value of key
# big-endian(seq) in the "log" column family. prevHash is the SHA-256 of the
# previous event's stored bytes; the first event's prevHash is 32 zero bytes.
@0xaf9efbe9c68a7137;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ukairo::ledger::schema");

enum Outcome {
  ok @0; rateLimited @1; serverError @2; timeout @3; connectionError @4;
  clientError @5; contextWindow @6; authError @7;
}
enum FallbackReason {
  rateLimit @0; failure @1; budget @2; cooldown @3; gate @4; contextWindow @5;
  misconfigured @6; unsupported @7;
}
enum ScopeKind { model @0; tag @1; tier @2; global @3; key @4; team @5; }
enum AlertAction { notify @0; warn @1; stopAndFallback @2; }
enum GateChoice { continueWithModel @0; raiseLimit @1; stop @2; }
enum DeploymentState {
  healthy @0; rateLimited @1; coolingDown @2; down @3; budgetStopped @4; gated @5;
  misconfigured @6;
}
enum RecoveryConfirmation {
  probe @0; request @1; deadlinePassed @2; manual @3; gate @4; periodRollover @5;
}

struct RequestAccepted {
  requestId @0 :Text;
  tag @1 :Text;
  tier @2 :Text;
  requestedModel @3 :Text;
  clientKeyId @4 :Text;        # an id of the key, never the key itself
  estimatedInputTokens @5 :Int64;
  maxOutputTokens @6 :Int64;
  stream @7 :Bool;
}

struct AttemptStarted {
  requestId @0 :Text;
  attempt @1 :UInt32;          # 1-based over the whole request
  tryOnDeployment @2 :UInt32;  # 1 = first try on this deployment
  deployment @3 :Text;
  modelGroup @4 :Text;
  tag @5 :Text;
  tier @6 :Text;
  reservedNanos @7 :Int64;     # worst-case cost reserved in every scope
}

struct AttemptFinished {
  requestId @0 :Text;
  attempt @1 :UInt32;
  deployment @2 :Text;
  modelGroup @3 :Text;
  tag @4 :Text;
  tier @5 :Text;
  outcome @6 :Outcome;
  httpStatus @7 :UInt32;       # 0: no HTTP answer
  latencyMicros @8 :Int64;
  inputTokens @9 :Int64;
  outputTokens @10 :Int64;
  cachedTokens @11 :Int64;
  costNanos @12 :Int64;        # settled actual cost
  retryAfterMs @13 :Int64 = -1;  # -1: none sent
  error @14 :Text;
  cacheWriteTokens @15 :Int64;   # part of inputTokens written to the prompt cache
  reasoningTokens @16 :Int64;    # part of outputTokens
  usageJson @17 :Text;           # the provider's usage object as sent
}

struct RetryScheduled {
  requestId @0 :Text;
  attempt @1 :UInt32;
  deployment @2 :Text;
  backoffMs @3 :Int64;
  cause @4 :Outcome;
}

struct FallbackTaken {
  requestId @0 :Text;
  tag @1 :Text;
  tier @2 :Text;
  fromDeployment @3 :Text;
  fromModelGroup @4 :Text;
  toDeployment @5 :Text;
  toModelGroup @6 :Text;
  reason @7 :FallbackReason;
  # reason budget only: the scope that refused the deployment and its state
  # then, so that "why did request X go there?" needs no other event. Added
  # after the first ledgers: older events read as unset (scope key "").
  budgetScopeKind @8 :ScopeKind;
  budgetScopeKey @9 :Text;       # "" for global
  budgetScopeStopped @10 :Bool;  # stopped at the gate, rather than too full
  budgetUsedNanos @11 :Int64;    # spent + reserved in the scope then
  budgetLimitNanos @12 :Int64;   # its limit then
  reserveNanos @13 :Int64;       # what the attempt would have reserved
}

struct RequestCompleted {
  requestId @0 :Text;
  tag @1 :Text;
  tier @2 :Text;
  finalDeployment @3 :Text;
  finalModelGroup @4 :Text;
  httpStatus @5 :UInt32;
  errorCode @6 :Text;
  totalCostNanos @7 :Int64;
  attempts @8 :UInt32;
  fallbacks @9 :UInt32;
  latencyMicros @10 :Int64;
  lastResort @11 :Bool;
}

struct BudgetAlert {
  scopeKind @0 :ScopeKind;
  scopeKey @1 :Text;
  thresholdPct @2 :UInt32;
  action @3 :AlertAction;
  spentNanos @4 :Int64;
  limitNanos @5 :Int64;
  period @6 :Int32;            # YYYYMM for a calendar month
}

struct BudgetStopped {
  scopeKind @0 :ScopeKind;
  scopeKey @1 :Text;
  spentNanos @2 :Int64;
  limitNanos @3 :Int64;
  period @4 :Int32;
}

struct GateDecision {
  scopeKind @0 :ScopeKind;
  scopeKey @1 :Text;
  period @2 :Int32;
  choice @3 :GateChoice;
  model @4 :Text;
  newLimitNanos @5 :Int64;
  actor @6 :Text;
  note @7 :Text;
}

struct HealthProbe {
  deployment @0 :Text;
  ok @1 :Bool;
  latencyMicros @2 :Int64;
  httpStatus @3 :UInt32;
  error @4 :Text;
}

struct DeploymentStateChanged {
  deployment @0 :Text;
  from @1 :DeploymentState;
  to @2 :DeploymentState;
  reason @3 :Text;
  untilMicros @4 :Int64;       # 0: no deadline
  actor @5 :Text;
}

struct Recovered {
  deployment @0 :Text;
  downSinceMicros @1 :Int64;
  confirmedBy @2 :RecoveryConfirmation;
}

struct ConfigApplied {
  sha256Hex @0 :Text;
  text @1 :Text;
  source @2 :Text;
  actor @3 :Text;
}

struct NotificationSent {
  channel @0 :Text;
  subject @1 :Text;
  httpStatus @2 :UInt32;
  tryNumber @3 :UInt32;
}

struct NotificationFailed {
  channel @0 :Text;
  subject @1 :Text;
  httpStatus @2 :UInt32;
  tryNumber @3 :UInt32;
  error @4 :Text;
}

struct ReservationExpired {
  requestId @0 :Text;
  attempt @1 :UInt32;
  deployment @2 :Text;
  reservedNanos @3 :Int64;
}

# Client keys and teams (issue #13). The secret of a key is never stored:
# only its SHA-256 and a short prefix.
struct KeySettings {
  name @0 :Text;               # LiteLLM key_alias
  owner @1 :Text;              # LiteLLM user_id
  teamId @2 :Text;
  maxBudgetNanos @3 :Int64 = -1;  # per budget period; -1: none
  budgetDuration @4 :Text;
  rpmLimit @5 :Int64;          # 0: none
  tpmLimit @6 :Int64;          # 0: none
  models @7 :List(Text);       # allowed model groups / tiers; empty: all
  defaultTag @8 :Text;
  expiresMicros @9 :Int64;     # 0: never
  metadataJson @10 :Text;
}

struct KeyIssued {
  keyId @0 :Text;
  keyPrefix @1 :Text;
  secretSha256Hex @2 :Text;
  settings @3 :KeySettings;
  actor @4 :Text;
}

struct KeyUpdated {
  keyId @0 :Text;
  settings @1 :KeySettings;    # the complete new settings
  actor @2 :Text;
}

struct KeyRevoked {
  keyId @0 :Text;
  actor @1 :Text;
  reason @2 :Text;
}

struct TeamSettings {
  name @0 :Text;               # LiteLLM team_alias
  maxBudgetNanos @1 :Int64 = -1;
  budgetDuration @2 :Text;
  rpmLimit @3 :Int64;
  tpmLimit @4 :Int64;
  models @5 :List(Text);
  metadataJson @6 :Text;
}

struct TeamCreated {
  teamId @0 :Text;
  settings @1 :TeamSettings;
  actor @2 :Text;
}

struct TeamUpdated {
  teamId @0 :Text;
  settings @1 :TeamSettings;
  actor @2 :Text;
}

struct Event {
  seq @0 :UInt64;
  timeMicros @1 :Int64;
  prevHash @2 :Data;           # 32 bytes
  body :union {
    requestAccepted @3 :RequestAccepted;
    attemptStarted @4 :AttemptStarted;
    attemptFinished @5 :AttemptFinished;
    retryScheduled @6 :RetryScheduled;
    fallbackTaken @7 :FallbackTaken;
    requestCompleted @8 :RequestCompleted;
    budgetAlert @9 :BudgetAlert;
    budgetStopped @10 :BudgetStopped;
    gateDecision @11 :GateDecision;
    healthProbe @12 :HealthProbe;
    deploymentStateChanged @13 :DeploymentStateChanged;
    recovered @14 :Recovered;
    configApplied @15 :ConfigApplied;
    notificationSent @16 :NotificationSent;
    notificationFailed @17 :NotificationFailed;
    reservationExpired @18 :ReservationExpired;
    keyIssued @19 :KeyIssued;
    keyUpdated @20 :KeyUpdated;
    keyRevoked @21 :KeyRevoked;
    teamCreated @22 :TeamCreated;
    teamUpdated @23 :TeamUpdated;
  }
}
