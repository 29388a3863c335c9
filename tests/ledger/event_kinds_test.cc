// Goal: every event kind comes from the one table (UKAIRO_EVENT_KINDS in
// ledger/event.h) and none is missing from any per-kind piece of code: kind
// name, encode, decode, JSON, the audit line and EventHandler dispatch.
// Method: one sample of every kind (a missing sample does not compile),
// round-tripped through all of them; the stored bytes, JSON and audit lines
// of the samples are pinned (taken from the code before the table existed),
// so the refactor to one table changed no output.
#include <capnp/schema.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/event.h"
#include "ledger/event_codec.h"
#include "ledger/event_json.h"
#include "ledger/events.capnp.h"
#include "ledger/sha256.h"
// tools/ is an executable, not a library: compile its audit line in here.
#include "tools/audit_format.cc"

namespace ukairo::ledger {
namespace {

// One sample of each kind, every field away from its default. Overloads, not
// a list: a kind added to the table without a sample here does not compile.
EventBody SampleOf(std::type_identity<RequestAccepted>) {
  return RequestAccepted{"req-1", "team-a", "gold", "gpt-4o", "key-9f", 1200, 512, true};
}
EventBody SampleOf(std::type_identity<AttemptStarted>) {
  return AttemptStarted{"req-1", 2, 3, "dep-openai-1", "gpt-4o", "team-a", "gold", 777};
}
EventBody SampleOf(std::type_identity<AttemptFinished>) {
  return AttemptFinished{"req-1", 2, "dep-openai-1", "gpt-4o", "team-a", "gold",
                         Outcome::kAuthError, 403, 12345, 1000, 200, 50, 987654321, 7,
                         "forbidden", 0, 0, ""};
}
EventBody SampleOf(std::type_identity<RetryScheduled>) {
  return RetryScheduled{"req-1", 2, "dep-openai-1", 250, Outcome::kTimeout};
}
EventBody SampleOf(std::type_identity<FallbackTaken>) {
  return FallbackTaken{"req-1", "team-a", "gold", "dep-a", "gpt-4o", "dep-b", "claude",
                       FallbackReason::kBudget, ScopeKind::kTag, "team-a", false, 900,
                       1000, 150};
}
EventBody SampleOf(std::type_identity<RequestCompleted>) {
  return RequestCompleted{"req-1", "team-a", "gold", "dep-b", "claude", 200, "budget_x",
                          123456789, 3, 1, 99999, true};
}
EventBody SampleOf(std::type_identity<BudgetAlert>) {
  return BudgetAlert{ScopeKind::kTier, "gold", 90, AlertAction::kStopAndFallback, 900,
                     1000, 202611};
}
EventBody SampleOf(std::type_identity<BudgetStopped>) {
  return BudgetStopped{ScopeKind::kTag, "team-a", 1001, 1000, 202612};
}
EventBody SampleOf(std::type_identity<GateDecision>) {
  return GateDecision{ScopeKind::kModel, "gpt-4o", 202611, GateChoice::kRaiseLimit,
                      "claude", 5000, "alice", "ok for now"};
}
EventBody SampleOf(std::type_identity<HealthProbe>) {
  return HealthProbe{"dep-a", false, 4321, 503, "unavailable"};
}
EventBody SampleOf(std::type_identity<DeploymentStateChanged>) {
  return DeploymentStateChanged{"dep-a", DeploymentState::kCoolingDown,
                                DeploymentState::kMisconfigured, "401", 1700000000000000,
                                "bob"};
}
EventBody SampleOf(std::type_identity<Recovered>) {
  return Recovered{"dep-a", 1699999999000000, RecoveryConfirmation::kPeriodRollover};
}
EventBody SampleOf(std::type_identity<ConfigApplied>) {
  return ConfigApplied{std::string(64, 'a'), "model_list: []\n", "/etc/ukairo.yaml",
                       "carol"};
}
EventBody SampleOf(std::type_identity<NotificationSent>) {
  return NotificationSent{"webhook", "alert", 202, 2};
}
EventBody SampleOf(std::type_identity<NotificationFailed>) {
  return NotificationFailed{"email", "stop", 550, 3, "mailbox full"};
}
EventBody SampleOf(std::type_identity<ReservationExpired>) {
  return ReservationExpired{"req-2", 4, "dep-c", 31337};
}

KeySettings SampleKeySettings() {
  return KeySettings{"ci-bot", "dev@example.com", "team-x", 20'000'000'000, "30d", 60,
                     100000, {"gpt-4o", "gold"}, "Build", 1793491200000000,
                     R"({"env":"ci"})"};
}
TeamSettings SampleTeamSettings() {
  return TeamSettings{"Platform", 500'000'000'000, "1mo", 600, 1000000, {"gpt-4o"},
                      R"({"cost_center":"42"})"};
}
EventBody SampleOf(std::type_identity<KeyIssued>) {
  return KeyIssued{"k-0123456789ab", "sk-uk-AbCd", std::string(64, 'e'), SampleKeySettings(),
                   "admin"};
}
EventBody SampleOf(std::type_identity<KeyUpdated>) {
  KeySettings settings = SampleKeySettings();
  settings.max_budget_nanos = -1;
  return KeyUpdated{"k-0123456789ab", settings, "admin"};
}
EventBody SampleOf(std::type_identity<KeyRevoked>) {
  return KeyRevoked{"k-0123456789ab", "admin", "left the company"};
}
EventBody SampleOf(std::type_identity<TeamCreated>) {
  return TeamCreated{"team-x", SampleTeamSettings(), "admin"};
}
EventBody SampleOf(std::type_identity<TeamUpdated>) {
  return TeamUpdated{"team-x", TeamSettings{}, "erin"};
}

std::vector<EventBody> Samples() {
  std::vector<EventBody> out;
#define UKAIRO_SAMPLE_(Type, ...) out.push_back(SampleOf(std::type_identity<Type>{}));
  UKAIRO_EVENT_KINDS(UKAIRO_SAMPLE_)
#undef UKAIRO_SAMPLE_
  // Second samples of kinds with conditional fields.
  out.push_back(FallbackTaken{"req-3", "team-b", "", "", "", "dep-z", "mini",
                              FallbackReason::kRateLimit, ScopeKind::kGlobal, "", false, 0, 0,
                              0});
  out.push_back(FallbackTaken{"req-4", "team-b", "eco", "dep-y", "big", "", "",
                              FallbackReason::kBudget, ScopeKind::kGlobal, "", true, 5, 0, 0});
  out.push_back(GateDecision{ScopeKind::kGlobal, "", 202612, GateChoice::kContinueWithModel,
                             "mini", 0, "dave", ""});
  // An Anthropic attempt: cache writes and the provider's usage are shown.
  out.push_back(AttemptFinished{"req-5", 1, "claude-1", "claude", "Spec", "high", Outcome::kOk,
                                200, 900, 8011, 203, 5003, 15075150, -1, "", 2007, 0,
                                R"({"input_tokens":1001,"cache_read_input_tokens":5003})"});
  out.push_back(FallbackTaken{"req-5", "Spec", "high", "", "gpt", "claude-1", "claude",
                              FallbackReason::kUnsupported, ScopeKind::kGlobal, "", false, 0, 0,
                              0});
  return out;
}

Event MakeEvent(EventBody body, uint64_t seq) {
  Event e;
  e.seq = seq;
  e.time_micros = 1'793'491'200'000'000 + static_cast<int64_t>(seq) * 1'000'001;
  for (size_t i = 0; i < e.prev_hash.size(); ++i) e.prev_hash[i] = static_cast<uint8_t>(i * seq);
  e.body = std::move(body);
  return e;
}

struct Golden {
  const char* sha256;
  const char* json;
  const char* audit;
};

// Printed by UKAIRO_PRINT_GOLDEN=1 from the code before the table. The key
// and team kinds (rows 17-21) came later; adding them moved the second
// samples to rows 22-24, which changed their seq and time only.
const Golden kGolden[] = {
    {"150f1e0582b349e1c056f1cc563d0d54fcbc587b2803520f83df138c53416341",
     "{\"seq\":1,\"time_micros\":1793491201000001,\"time\":\"2026-11-01T00:00:01.000001Z\",\"kind\":\"request_accepted\",\"request_id\":\"req-1\",\"tag\":\"team-a\",\"tier\":\"gold\",\"requested_model\":\"gpt-4o\",\"client_key_id\":\"key-9f\",\"estimated_input_tokens\":1200,\"max_output_tokens\":512,\"stream\":true}",
     "accepted: tag team-a → tier gold, asked for gpt-4o, ~1200 tokens in, max 512 out"},
    {"a78fcf1ac47046abd9812b7bd619cf09dce3452f8e956fc6f0d88927ddc56f93",
     "{\"seq\":2,\"time_micros\":1793491202000002,\"time\":\"2026-11-01T00:00:02.000002Z\",\"kind\":\"attempt_started\",\"request_id\":\"req-1\",\"attempt\":2,\"try_on_deployment\":3,\"deployment\":\"dep-openai-1\",\"model_group\":\"gpt-4o\",\"tag\":\"team-a\",\"tier\":\"gold\",\"reserved_nanos\":777,\"reserved_usd\":\"0.000000777\"}",
     "attempt 2 → dep-openai-1 (gpt-4o, retry 2), reserved $0.000000777"},
    {"52d1a7a03a8d16d38b43e0bf439cd47e016a1302a54b255c79d60d2ba081c70f",
     "{\"seq\":3,\"time_micros\":1793491203000003,\"time\":\"2026-11-01T00:00:03.000003Z\",\"kind\":\"attempt_finished\",\"request_id\":\"req-1\",\"attempt\":2,\"deployment\":\"dep-openai-1\",\"model_group\":\"gpt-4o\",\"tag\":\"team-a\",\"tier\":\"gold\",\"outcome\":\"auth_error\",\"http_status\":403,\"latency_micros\":12345,\"input_tokens\":1000,\"output_tokens\":200,\"cached_tokens\":50,\"cost_nanos\":987654321,\"cost_usd\":\"0.987654321\",\"retry_after_ms\":7,\"error\":\"forbidden\"}",
     "attempt 2 on dep-openai-1: auth_error (403) in 12 ms, 1000/200 tokens, cost $0.987654321, Retry-After 7 ms, error: forbidden"},
    {"86eb081563f0694c3282a219e18a7a4cc2fd9a7af9881c456c0576cbcb2113fd",
     "{\"seq\":4,\"time_micros\":1793491204000004,\"time\":\"2026-11-01T00:00:04.000004Z\",\"kind\":\"retry_scheduled\",\"request_id\":\"req-1\",\"attempt\":2,\"deployment\":\"dep-openai-1\",\"backoff_ms\":250,\"cause\":\"timeout\"}",
     "retry of attempt 2 on dep-openai-1 in 250 ms (timeout)"},
    {"653d0d61aa4ab3820a101f003ced16ed14785ff8c62a707aca36564d4cc8b6d9",
     "{\"seq\":5,\"time_micros\":1793491205000005,\"time\":\"2026-11-01T00:00:05.000005Z\",\"kind\":\"fallback_taken\",\"request_id\":\"req-1\",\"tag\":\"team-a\",\"tier\":\"gold\",\"from_deployment\":\"dep-a\",\"from_model_group\":\"gpt-4o\",\"to_deployment\":\"dep-b\",\"to_model_group\":\"claude\",\"reason\":\"budget\",\"budget_scope_kind\":\"tag\",\"budget_scope_key\":\"team-a\",\"budget_scope_stopped\":false,\"budget_used_nanos\":900,\"budget_used_usd\":\"0.0000009\",\"budget_limit_nanos\":1000,\"budget_limit_usd\":\"0.000001\",\"reserve_nanos\":150,\"reserve_usd\":\"0.00000015\"}",
     "fallback (budget: tag:team-a, $0.0000009 of $0.000001 used, needs $0.00000015): gpt-4o → claude"},
    {"65259245402961f6d5bfa8123c411336f05f002ec9f2cb61e75b97891ae99497",
     "{\"seq\":6,\"time_micros\":1793491206000006,\"time\":\"2026-11-01T00:00:06.000006Z\",\"kind\":\"request_completed\",\"request_id\":\"req-1\",\"tag\":\"team-a\",\"tier\":\"gold\",\"final_deployment\":\"dep-b\",\"final_model_group\":\"claude\",\"http_status\":200,\"error_code\":\"budget_x\",\"total_cost_nanos\":123456789,\"total_cost_usd\":\"0.123456789\",\"attempts\":3,\"fallbacks\":1,\"latency_micros\":99999,\"last_resort\":true}",
     "completed 200 by dep-b after 3 attempts, 1 fallbacks, total $0.123456789 in 99 ms (last resort), error budget_x"},
    {"4b6b26929fc58c023542dfc3b49d2bbf34e09851ad8d68e111015e5c51e6d68a",
     "{\"seq\":7,\"time_micros\":1793491207000007,\"time\":\"2026-11-01T00:00:07.000007Z\",\"kind\":\"budget_alert\",\"scope_kind\":\"tier\",\"scope_key\":\"gold\",\"threshold_pct\":90,\"action\":\"stop_and_fallback\",\"spent_nanos\":900,\"spent_usd\":\"0.0000009\",\"limit_nanos\":1000,\"limit_usd\":\"0.000001\",\"period\":202611}",
     "alert 90% (stop_and_fallback) on tier:gold: $0.0000009 of $0.000001 in 202611"},
    {"666130ad4d5b8f6d5b723c916e0103c868154525d5b23c9d00b01cbea2bc59ed",
     "{\"seq\":8,\"time_micros\":1793491208000008,\"time\":\"2026-11-01T00:00:08.000008Z\",\"kind\":\"budget_stopped\",\"scope_kind\":\"tag\",\"scope_key\":\"team-a\",\"spent_nanos\":1001,\"spent_usd\":\"0.000001001\",\"limit_nanos\":1000,\"limit_usd\":\"0.000001\",\"period\":202612}",
     "stopped tag:team-a at $0.000001001 of $0.000001 in 202612"},
    {"4b06b1e59745ee476044ab61a38686b4f6edfce7c59dcdabc8e9d828de8b2e08",
     "{\"seq\":9,\"time_micros\":1793491209000009,\"time\":\"2026-11-01T00:00:09.000009Z\",\"kind\":\"gate_decision\",\"scope_kind\":\"model\",\"scope_key\":\"gpt-4o\",\"period\":202611,\"choice\":\"raise_limit\",\"model\":\"claude\",\"new_limit_nanos\":5000,\"new_limit_usd\":\"0.000005\",\"actor\":\"alice\",\"note\":\"ok for now\"}",
     "gate on model:gpt-4o: raise_limit to $0.000005 by alice (\"ok for now\")"},
    {"6d5da04436d3c256f00e2e2f1bc91debdf0e5e9d13e913342e1852d695aa06c8",
     "{\"seq\":10,\"time_micros\":1793491210000010,\"time\":\"2026-11-01T00:00:10.000010Z\",\"kind\":\"health_probe\",\"deployment\":\"dep-a\",\"ok\":false,\"latency_micros\":4321,\"http_status\":503,\"error\":\"unavailable\"}",
     "probe dep-a: failed in 4 ms, unavailable"},
    {"e1d2eea1b198368b38c4efd630e50d5b6f9bd19d4d3f125fdb994cc0a3091000",
     "{\"seq\":11,\"time_micros\":1793491211000011,\"time\":\"2026-11-01T00:00:11.000011Z\",\"kind\":\"deployment_state_changed\",\"deployment\":\"dep-a\",\"from\":\"cooling_down\",\"to\":\"misconfigured\",\"reason\":\"401\",\"until_micros\":1700000000000000,\"actor\":\"bob\"}",
     "dep-a: cooling_down → misconfigured (401) by bob"},
    {"da79241f2f3c564c1784abb60a5600c1f30a1ede0509299ce3cf919686ef2c56",
     "{\"seq\":12,\"time_micros\":1793491212000012,\"time\":\"2026-11-01T00:00:12.000012Z\",\"kind\":\"recovered\",\"deployment\":\"dep-a\",\"down_since_micros\":1699999999000000,\"confirmed_by\":\"period_rollover\"}",
     "dep-a recovered, confirmed by period_rollover"},
    {"f36a5dad7bb946af888d2fdbbeb4dafed24f74d1e3da1eaf263fe1e183c673fc",
     "{\"seq\":13,\"time_micros\":1793491213000013,\"time\":\"2026-11-01T00:00:13.000013Z\",\"kind\":\"config_applied\",\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"source\":\"/etc/ukairo.yaml\",\"actor\":\"carol\",\"text_bytes\":15}",
     "config aaaaaaaaaaaa applied from /etc/ukairo.yaml by carol"},
    {"126b9dc5469f992d40cdb5e336fe4cb483608fa8a253ceda53bf0523e10963c4",
     "{\"seq\":14,\"time_micros\":1793491214000014,\"time\":\"2026-11-01T00:00:14.000014Z\",\"kind\":\"notification_sent\",\"channel\":\"webhook\",\"subject\":\"alert\",\"http_status\":202,\"try_number\":2}",
     "notified webhook: alert"},
    {"a63850d071b108d1bc8e8441ee7fea550b20950848fbb07cc1d7b2fdf463158d",
     "{\"seq\":15,\"time_micros\":1793491215000015,\"time\":\"2026-11-01T00:00:15.000015Z\",\"kind\":\"notification_failed\",\"channel\":\"email\",\"subject\":\"stop\",\"http_status\":550,\"try_number\":3,\"error\":\"mailbox full\"}",
     "notification failed email: stop (mailbox full)"},
    {"c781b413db2cd64166235777937684b9e30bb3a0e894408135e26d5c28cc37ae",
     "{\"seq\":16,\"time_micros\":1793491216000016,\"time\":\"2026-11-01T00:00:16.000016Z\",\"kind\":\"reservation_expired\",\"request_id\":\"req-2\",\"attempt\":4,\"deployment\":\"dep-c\",\"reserved_nanos\":31337,\"reserved_usd\":\"0.000031337\"}",
     "reservation of attempt 4 on dep-c expired ($0.000031337)"},
    {"e5adf8711ea95780527d5a58613517d15934a452055df82af951925de0fa2947",
     "{\"seq\":17,\"time_micros\":1793491217000017,\"time\":\"2026-11-01T00:00:17.000017Z\",\"kind\":\"key_issued\",\"key_id\":\"k-0123456789ab\",\"key_prefix\":\"sk-uk-AbCd\",\"secret_sha256\":\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\",\"settings\":{\"name\":\"ci-bot\",\"owner\":\"dev@example.com\",\"team_id\":\"team-x\",\"max_budget_nanos\":20000000000,\"max_budget_usd\":\"20\",\"budget_duration\":\"30d\",\"rpm_limit\":60,\"tpm_limit\":100000,\"models\":[\"gpt-4o\",\"gold\"],\"default_tag\":\"Build\",\"expires_micros\":1793491200000000,\"metadata_json\":\"{\\\"env\\\":\\\"ci\\\"}\"},\"actor\":\"admin\"}",
     "key k-0123456789ab (sk-uk-AbCd) issued as ci-bot in team team-x, budget $20 per 30d by admin"},
    {"160eb88a73e5e8fd6a32fdd099701e49e398011b0a684f1952ff886ae6a4fd39",
     "{\"seq\":18,\"time_micros\":1793491218000018,\"time\":\"2026-11-01T00:00:18.000018Z\",\"kind\":\"key_updated\",\"key_id\":\"k-0123456789ab\",\"settings\":{\"name\":\"ci-bot\",\"owner\":\"dev@example.com\",\"team_id\":\"team-x\",\"max_budget_nanos\":null,\"budget_duration\":\"30d\",\"rpm_limit\":60,\"tpm_limit\":100000,\"models\":[\"gpt-4o\",\"gold\"],\"default_tag\":\"Build\",\"expires_micros\":1793491200000000,\"metadata_json\":\"{\\\"env\\\":\\\"ci\\\"}\"},\"actor\":\"admin\"}",
     "key k-0123456789ab updated: no budget by admin"},
    {"2379561ee17976845530331a461f02aeacd91b6a1c3e79e0ddcc5f0863e50701",
     "{\"seq\":19,\"time_micros\":1793491219000019,\"time\":\"2026-11-01T00:00:19.000019Z\",\"kind\":\"key_revoked\",\"key_id\":\"k-0123456789ab\",\"actor\":\"admin\",\"reason\":\"left the company\"}",
     "key k-0123456789ab revoked by admin (\"left the company\")"},
    {"805868b7ffe2dd3fe2db3629217a8d7913355c5d6e294aca935cbdd045bb0c88",
     "{\"seq\":20,\"time_micros\":1793491220000020,\"time\":\"2026-11-01T00:00:20.000020Z\",\"kind\":\"team_created\",\"team_id\":\"team-x\",\"settings\":{\"name\":\"Platform\",\"max_budget_nanos\":500000000000,\"max_budget_usd\":\"500\",\"budget_duration\":\"1mo\",\"rpm_limit\":600,\"tpm_limit\":1000000,\"models\":[\"gpt-4o\"],\"metadata_json\":\"{\\\"cost_center\\\":\\\"42\\\"}\"},\"actor\":\"admin\"}",
     "team team-x created, budget $500 per 1mo by admin"},
    {"a304ce96e7da8b6b2298d6d58cda84ccb69e460c521ede8ad077da670df13ebd",
     "{\"seq\":21,\"time_micros\":1793491221000021,\"time\":\"2026-11-01T00:00:21.000021Z\",\"kind\":\"team_updated\",\"team_id\":\"team-x\",\"settings\":{\"name\":\"\",\"max_budget_nanos\":null,\"budget_duration\":\"\",\"rpm_limit\":0,\"tpm_limit\":0,\"models\":[],\"metadata_json\":\"\"},\"actor\":\"erin\"}",
     "team team-x updated: no budget by erin"},
    {"26866201e61765fb78e822a2f7af3579b63ac6020ecfb3edec31d875038e7450",
     "{\"seq\":22,\"time_micros\":1793491222000022,\"time\":\"2026-11-01T00:00:22.000022Z\",\"kind\":\"fallback_taken\",\"request_id\":\"req-3\",\"tag\":\"team-b\",\"tier\":\"\",\"from_deployment\":\"\",\"from_model_group\":\"\",\"to_deployment\":\"dep-z\",\"to_model_group\":\"mini\",\"reason\":\"rate_limit\"}",
     "fallback (rate_limit): - → mini"},
    {"137e9b5ac13d17a6dc58998575b06839733ac84a148189ab7c306524259779a3",
     "{\"seq\":23,\"time_micros\":1793491223000023,\"time\":\"2026-11-01T00:00:23.000023Z\",\"kind\":\"fallback_taken\",\"request_id\":\"req-4\",\"tag\":\"team-b\",\"tier\":\"eco\",\"from_deployment\":\"dep-y\",\"from_model_group\":\"big\",\"to_deployment\":\"\",\"to_model_group\":\"\",\"reason\":\"budget\",\"budget_scope_kind\":\"global\",\"budget_scope_key\":\"\",\"budget_scope_stopped\":true,\"budget_used_nanos\":5,\"budget_used_usd\":\"0.000000005\",\"budget_limit_nanos\":0,\"budget_limit_usd\":\"0\",\"reserve_nanos\":0,\"reserve_usd\":\"0\"}",
     "fallback (budget: global stopped, $0.000000005 of $0 used): big → nothing left"},
    {"37ff85c35ded29a19b55291a2920bfb00558a8b5b4a1936fc2e7d27043633d2e",
     "{\"seq\":24,\"time_micros\":1793491224000024,\"time\":\"2026-11-01T00:00:24.000024Z\",\"kind\":\"gate_decision\",\"scope_kind\":\"global\",\"scope_key\":\"\",\"period\":202612,\"choice\":\"continue_with_model\",\"model\":\"mini\",\"new_limit_nanos\":0,\"new_limit_usd\":\"0\",\"actor\":\"dave\",\"note\":\"\"}",
     "gate on global: continue_with_model mini by dave"},
    {"e9416060487612ccbea59a83488ee67a1db2ecb566cd835d1462c839fc5e0ff4",
     "{\"seq\":25,\"time_micros\":1793491225000025,\"time\":\"2026-11-01T00:00:25.000025Z\",\"kind\":\"attempt_finished\",\"request_id\":\"req-5\",\"attempt\":1,\"deployment\":\"claude-1\",\"model_group\":\"claude\",\"tag\":\"Spec\",\"tier\":\"high\",\"outcome\":\"ok\",\"http_status\":200,\"latency_micros\":900,\"input_tokens\":8011,\"output_tokens\":203,\"cached_tokens\":5003,\"cost_nanos\":15075150,\"cost_usd\":\"0.01507515\",\"retry_after_ms\":-1,\"error\":\"\",\"cache_write_tokens\":2007,\"usage\":{\"input_tokens\":1001,\"cache_read_input_tokens\":5003}}",
     "attempt 1 on claude-1: ok (200) in 0 ms, 8011/203 tokens, cost $0.01507515"},
    {"5ee68eba15737a4239dbdf5022cd17334018eb37525943c73fbbc6cef9d88ba7",
     "{\"seq\":26,\"time_micros\":1793491226000026,\"time\":\"2026-11-01T00:00:26.000026Z\",\"kind\":\"fallback_taken\",\"request_id\":\"req-5\",\"tag\":\"Spec\",\"tier\":\"high\",\"from_deployment\":\"\",\"from_model_group\":\"gpt\",\"to_deployment\":\"claude-1\",\"to_model_group\":\"claude\",\"reason\":\"unsupported\"}",
     "fallback (unsupported): gpt → claude"},
};

TEST(EventKinds, OutputsArePinned) {
  const std::vector<EventBody> samples = Samples();
  const bool print = std::getenv("UKAIRO_PRINT_GOLDEN") != nullptr;
  for (size_t i = 0; i < samples.size(); ++i) {
    const Event e = MakeEvent(samples[i], i + 1);
    const std::string sha = Sha256Hex(Sha256Of(EncodeEvent(e)));
    const std::string json = EventToJson(e);
    const std::string audit = tools::DescribeEvent(e);
    if (print) {
      std::printf("    {\"%s\",\n     %s,\n     %s},\n", sha.c_str(),
                  nlohmann::json(json).dump().c_str(), nlohmann::json(audit).dump().c_str());
      continue;
    }
    ASSERT_LT(i, std::size(kGolden));
    EXPECT_EQ(sha, kGolden[i].sha256) << i;
    EXPECT_EQ(json, kGolden[i].json) << i;
    EXPECT_EQ(audit, kGolden[i].audit) << i;
  }
  if (!print) {
    EXPECT_EQ(samples.size(), std::size(kGolden));
  }
}

TEST(EventKinds, TableCoversEveryAlternative) {
  static_assert(kEventKindCount == std::variant_size_v<EventBody>);
  const std::vector<EventBody> samples = Samples();
  ASSERT_GE(samples.size(), kEventKindCount);
  for (size_t i = 0; i < kEventKindCount; ++i) EXPECT_EQ(samples[i].index(), i);
}

TEST(EventKinds, NamesAreUniqueNonEmptySnakeCase) {
  std::set<std::string> seen;
  for (size_t i = 0; i < kEventKindCount; ++i) {
    ASSERT_NE(kEventKindNames[i], nullptr) << i;
    const std::string name = kEventKindNames[i];
    EXPECT_FALSE(name.empty()) << i;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos) << name;
    EXPECT_TRUE(seen.insert(name).second) << "duplicate kind name " << name;
  }
  const std::vector<EventBody> samples = Samples();
  for (const EventBody& body : samples) {
    EXPECT_STREQ(KindName(body), kEventKindNames[body.index()]);
  }
}

// The table against events.capnp: one row per member of Event.body, in
// ordinal order, with the member's name (a member added to the schema but
// not to the table fails here).
TEST(EventKinds, TableMatchesTheCapnpUnion) {
  const capnp::StructSchema body = capnp::Schema::from<schema::Event::Body>();
  const capnp::StructSchema::FieldSubset members = body.getUnionFields();
  ASSERT_EQ(members.size(), kEventKindCount);
  const char* const wire_fields[] = {
#define UKAIRO_WIRE_FIELD_(Type, WireField, ...) #WireField,
      UKAIRO_EVENT_KINDS(UKAIRO_WIRE_FIELD_)
#undef UKAIRO_WIRE_FIELD_
  };
  for (size_t i = 0; i < kEventKindCount; ++i) {
    const capnp::StructSchema::Field member = members[static_cast<unsigned>(i)];
    EXPECT_EQ(member.getProto().getDiscriminantValue(), i);
    std::string expected = wire_fields[i];
    expected[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(expected[0])));
    EXPECT_EQ(std::string(member.getProto().getName().cStr()), expected) << i;
  }
}

// Records which callback Dispatch called, for every kind of the table.
class Recorder : public EventHandler {
 public:
  std::vector<size_t> calls;
  std::vector<const void*> bodies;
#define UKAIRO_RECORD_(Type, ...)                             \
  void On##Type(const Event&, const Type& body) override {    \
    calls.push_back(EventKindIndex<Type>());                  \
    bodies.push_back(&body);                                  \
  }
  UKAIRO_EVENT_KINDS(UKAIRO_RECORD_)
#undef UKAIRO_RECORD_
};

TEST(EventKinds, EveryKindThroughEveryPiece) {
  const std::vector<EventBody> samples = Samples();
  for (size_t i = 0; i < samples.size(); ++i) {
    SCOPED_TRACE(KindName(samples[i]));
    const Event e = MakeEvent(samples[i], i + 1);
    // encode -> decode, whole and header only
    const std::string bytes = EncodeEvent(e);
    Result<Event> decoded = DecodeEvent(bytes, e.seq);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, e);
    Result<EventHeader> header = DecodeEventHeader(bytes, e.seq);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->kind_index, e.body.index());
    EXPECT_EQ(header->seq, e.seq);
    // decode into an event holding every other kind
    for (size_t j = 0; j < kEventKindCount; ++j) {
      Event reused = MakeEvent(samples[j], 99);
      ASSERT_TRUE(DecodeEventInto(bytes, e.seq, &reused).ok());
      EXPECT_EQ(reused, e) << "reusing " << kEventKindNames[j];
    }
    // JSON
    const nlohmann::json json = nlohmann::json::parse(EventToJson(e));
    EXPECT_EQ(json.at("kind"), KindName(e.body));
    EXPECT_EQ(json.at("seq"), e.seq);
    EXPECT_GT(json.size(), 4u);  // the envelope and at least one field
    // audit line
    EXPECT_FALSE(DescribeEventBody(e.body).empty());
    EXPECT_EQ(tools::DescribeEvent(e), DescribeEventBody(e.body));
    // EventHandler
    Recorder recorder;
    Dispatch(e, recorder);
    ASSERT_EQ(recorder.calls.size(), 1u);
    EXPECT_EQ(recorder.calls[0], e.body.index());
    EXPECT_EQ(recorder.bodies[0],
              std::visit([](const auto& b) -> const void* { return &b; }, e.body));
  }
}

}  // namespace
}  // namespace ukairo::ledger
