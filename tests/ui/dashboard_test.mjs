// The dashboard (/ui) in Debian's headless Chromium, driven by playwright-core,
// against a real `ukairo serve` with fake providers (started by run.sh).
// Method: chat requests push the premium model's tiny budget across 80, 90
// and 100 %; after each one the page must show what /budgets says (fired
// marks, stopped badge, gate form); a screenshot is saved during the stop;
// then the gate form is filled and submitted by keyboard and clicks, and the
// decision must be in the ledger (/audit?kind=gate_decision) and change the
// next request's route. Also: request search, the disconnected state and its
// recovery, labels, and a narrow window. Every wait is a bounded condition.
// Usage: UKAIRO_PORT=<port> UKAIRO_ARTIFACTS=<dir> node --test dashboard_test.mjs
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const port = process.env.UKAIRO_PORT;
const artifacts = process.env.UKAIRO_ARTIFACTS;
const base = `http://127.0.0.1:${port}`;
const masterKey = "sk-ui-test-master";
const admin = { authorization: `Bearer ${masterKey}` };
const WAIT_MS = 10_000;

let context, page, profile;
const pageErrors = [];

async function chat(tag = "Spec", wantStatus = 200) {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-ukairo-tag": tag, ...admin },
    body: JSON.stringify({ model: "high", max_tokens: 10,
                           messages: [{ role: "user", content: "hello world, hello" }] }),
  });
  const text = await r.text();
  if (wantStatus !== null) assert.equal(r.status, wantStatus, text);
  return { status: r.status, group: r.headers.get("x-ukairo-model-group"),
           id: r.headers.get("x-ukairo-request-id") };
}

async function adminGet(path) {
  const r = await fetch(base + path, { headers: admin });
  assert.equal(r.status, 200);
  return r.json();
}

const premium = () => page.locator("#scope-model-premium");

// What the page shows for the premium scope, read from the DOM.
async function shown() {
  return premium().evaluate((card) => ({
    fired: [80, 90, 100].filter((m) => card.querySelector(".mark-" + m).classList.contains("fired")),
    stopped: card.dataset.stopped === "true",
    badge: card.querySelector(".badge").textContent,
    spent: card.querySelector(".f-spent").textContent,
    gateForm: card.querySelector("form.gate") !== null,
  }));
}

before(async () => {
  profile = mkdtempSync(join(tmpdir(), "ukairo-ui-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(WAIT_MS);
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => pageErrors.push(String(e)));
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("a wrong key is refused, the master key signs in", async () => {
  await page.goto(`${base}/ui?poll=250`);
  await page.getByLabel("Master key").fill("sk-wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "refused" }).waitFor();
  await page.getByLabel("Master key").fill(masterKey);
  await page.keyboard.press("Enter");
  await page.locator("#conn[data-state=live]").waitFor();
  for (const id of ["scope-model-premium", "scope-tag-Spec", "scope-tag-Design", "scope-tier-high",
                    "scope-global-"]) {
    await page.locator("#" + id).waitFor();
  }
  assert.match(await premium().locator(".badge").textContent(), /Within budget/);
  // Both deployments listed, healthy.
  await page.locator("#deployments-body tr").nth(1).waitFor();
  assert.equal(await page.locator("#deployments-body .state-healthy").count(), 2);
});

test("the budget crosses 80, 90 and 100 %, the page follows, the gate form appears", async () => {
  const steps = [];
  for (let i = 0; i < 8; i++) {
    const { group } = await chat();
    const b = (await adminGet("/budgets")).scopes.find((s) => s.scope_key === "premium");
    // The page catches up with the server within a few polls.
    await page.waitForFunction(
      ([want, stopped, spent]) => {
        const card = document.getElementById("scope-model-premium");
        const fired = [80, 90, 100].filter(
          (m) => card.querySelector(".mark-" + m).classList.contains("fired"));
        return fired.join() === want.join() && card.dataset.stopped === String(stopped) &&
               card.querySelector(".f-spent").textContent.startsWith("$" + spent + " ");
      },
      [b.alerts_fired_pct, b.stopped, b.spent_usd], { timeout: WAIT_MS });
    const s = await shown();
    steps.push({ group, ...s });
    if (b.stopped) break;
  }
  // 80 (and 90) were shown before the stop, then all three and the stop.
  assert.ok(steps.some((s) => s.fired.includes(80) && !s.stopped), JSON.stringify(steps));
  const last = steps.at(-1);
  assert.deepEqual(last.fired, [80, 90, 100]);
  assert.equal(last.stopped, true);
  assert.equal(last.badge, "Stopped");
  assert.equal(last.gateForm, true);
  assert.equal(last.group, "backup", "the stopped scope falls back");
  // The timeline shows the alerts, the stop and the budget fallback.
  const events = page.locator("#events");
  await events.locator("[data-kind=budget_stopped]").waitFor();
  assert.equal(await events.locator("[data-kind=budget_alert]").count(), 3);
  await events.locator("[data-kind=fallback_taken]", { hasText: "(budget)" }).first().waitFor();
  // A screen reader hears about it.
  assert.match(await page.locator("#announce").textContent(), /premium reached .*100 %/);

  await premium().scrollIntoViewIfNeeded();
  const shot = join(artifacts, "dashboard_budget_stop.png");
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 10_000);
});

test("readable on a narrow window, gate form included: no sideways scrolling", async () => {
  await page.setViewportSize({ width: 360, height: 800 });
  await premium().locator("form.gate").scrollIntoViewIfNeeded();
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
  await page.screenshot({ path: join(artifacts, "dashboard_narrow.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("every gate form control has a label", async () => {
  const unlabeled = await premium().locator("form.gate").evaluate((form) =>
    Array.from(form.querySelectorAll("input, select"))
      .filter((c) => c.labels.length === 0 && !c.getAttribute("aria-label"))
      .map((c) => c.outerHTML));
  assert.deepEqual(unlabeled, []);
});

test("a decision made by clicking is in the ledger and changes routing", async () => {
  const form = premium().locator("form.gate");
  // The choices list the model groups from /v1/models (not the tiers).
  assert.deepEqual((await form.locator("select option").allTextContents()).sort(),
                   ["backup", "premium"]);
  await form.getByLabel("Raise the limit to (USD)").check();
  await form.getByLabel("New limit in USD").fill("1");
  await form.getByLabel("Your name").fill("alice");
  await form.getByLabel("Note").fill("release week");
  // Polls keep running while the form is filled: the values must survive them.
  for (let i = 0; i < 2; i++) await page.waitForResponse((r) => r.url().endsWith("/budgets"));
  assert.equal(await form.getByLabel("Your name").inputValue(), "alice");
  await form.getByRole("button", { name: "Record decision" }).click();

  await premium().locator(".decision", { hasText: "Decided by alice" }).waitFor();
  const decision = await premium().locator(".decision").textContent();
  assert.match(decision, /raise the limit to \$1/);
  assert.match(decision, /release week/);
  await page.waitForFunction(() =>
    document.querySelector("#scope-model-premium form.gate") === null &&
    document.getElementById("scope-model-premium").dataset.stopped === "false");
  await page.locator("#events [data-kind=gate_decision]", { hasText: "alice" }).waitFor();

  const audit = await adminGet("/audit?kind=gate_decision");
  assert.equal(audit.count, 1);
  const e = audit.events[0];
  assert.equal(e.scope_kind, "model");
  assert.equal(e.scope_key, "premium");
  assert.equal(e.choice, "raise_limit");
  assert.equal(e.new_limit_usd, "1");
  assert.equal(e.actor, "alice");
  assert.equal(e.note, "release week");
  // Routing changed at once: premium serves again.
  assert.equal((await chat()).group, "premium");
});

test("continuing a stopped tag with a named model, chosen by keyboard", async () => {
  // Design requests run the tag's $0.003 down until it stops; then refused.
  let last;
  for (let i = 0; i < 15; i++) {
    last = await chat("Design", null);
    if (last.status !== 200) break;
  }
  assert.equal(last.status, 429, "a stopped tag refuses its requests");
  const card = page.locator("#scope-tag-Design");
  const form = card.locator("form.gate");
  await form.waitFor();
  assert.equal(await card.locator(".badge").textContent(), "Stopped");
  // Picking the model chooses that option; then type, Tab to the note, Enter.
  await form.getByLabel("Model to continue with").selectOption("backup");
  assert.equal(await form.getByLabel("Continue with model").isChecked(), true);
  await form.getByLabel("Your name").focus();
  await page.keyboard.type("bob");
  await page.keyboard.press("Tab");
  await page.keyboard.type("cheap model until the 1st");
  await page.keyboard.press("Enter");

  await card.locator(".decision", { hasText: "Decided by bob" }).waitFor();
  assert.match(await card.locator(".decision").textContent(), /continue with backup/);
  await card.locator("form.gate").waitFor({ state: "detached" });
  const audit = await adminGet("/audit?kind=gate_decision&after_seq=0");
  const e = audit.events.find((x) => x.scope_key === "Design");
  assert.ok(e, JSON.stringify(audit));
  assert.equal(e.scope_kind, "tag");
  assert.equal(e.choice, "continue_with_model");
  assert.equal(e.model, "backup");
  assert.equal(e.actor, "bob");
  assert.equal(e.note, "cheap model until the 1st");
  // The refused tag is served again, by the model chosen.
  const next = await chat("Design");
  assert.equal(next.group, "backup");
});

test("request search shows one request's life", async () => {
  const { id } = await chat();
  const search = page.getByRole("search");
  await search.getByLabel("Request id").fill(id);
  await search.getByRole("button", { name: "Show its life" }).click();
  const list = page.locator("#request-events");
  await list.locator("[data-kind=request_completed]").waitFor();
  for (const kind of ["request_accepted", "attempt_started", "attempt_finished"]) {
    assert.equal(await list.locator(`[data-kind=${kind}]`).count(), 1, kind);
  }
  assert.match(await list.locator("[data-kind=request_completed]").textContent(), /premium/);
  await search.getByLabel("Request id").fill("req-nope");
  await search.getByRole("button", { name: "Show its life" }).click();
  await page.locator("#request-status", { hasText: "No request req-nope" }).waitFor();
});

test("a lost gateway shows 'disconnected', then recovers", async () => {
  await page.route("**/budgets", (route) => route.abort());
  await page.locator("#conn[data-state=down]", { hasText: "Disconnected" }).waitFor();
  await page.unroute("**/budgets");
  await page.locator("#conn[data-state=live]").waitFor({ timeout: 20_000 });
});

test("lists stay capped and the timeline reads only new events", async () => {
  assert.equal(await page.locator("#scopes > article").count(), 5);
  // A burst of 300 events (served by a stub of /timeline, once): the page
  // keeps the newest 200, newest first.
  const { cursor } = await adminGet("/timeline?limit=1");
  const burst = Array.from({ length: 300 }, (_, i) => ({
    seq: cursor + 1 + i, time: new Date().toISOString(), kind: "fallback_taken",
    request_id: `req-burst-${i}`, from_model_group: "premium", to_model_group: "backup",
    reason: "rate_limit" }));
  await page.route("**/timeline?*", (route) => route.fulfill({
    status: 200, contentType: "application/json",
    body: JSON.stringify({ events: burst, count: burst.length, cursor: cursor + 300, more: false }),
  }), { times: 1 });
  await page.locator("#events [data-seq='" + (cursor + 300) + "']").waitFor();
  assert.equal(await page.locator("#events > li").count(), 200);
  assert.equal(await page.locator("#events > li").first().getAttribute("data-seq"),
               String(cursor + 300));
  assert.equal(await page.locator("#events > li").last().getAttribute("data-seq"),
               String(cursor + 101));
  // Filters hide by category without refetching.
  await page.getByLabel("Fallbacks").uncheck();
  assert.equal(await page.locator("#events > li:visible").count(), 0);
  await page.getByLabel("Fallbacks").check();

  // The live region says "Live" once, not on every poll.
  const updated = await page.locator("#updated").textContent();
  await page.locator("#updated").filter({ hasNotText: updated }).waitFor();
  assert.equal(await page.locator("#conn").textContent(), "Live");

  // The server side: a cursor past everything reads nothing.
  const t = await adminGet("/timeline?after_seq=0&limit=2");
  assert.equal(t.count, 2);
  const again = await adminGet(`/timeline?after_seq=${t.cursor}`);
  assert.equal(again.count, 0);
});

test("no script errors on the page", () => {
  assert.deepEqual(pageErrors, []);
});
