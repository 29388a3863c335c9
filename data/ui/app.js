// The ukairo dashboard: plain JS, no build step, no network beyond the gateway.
//
// It polls the admin endpoints (one poll at a time, never overlapping), updates
// the DOM in place (so a half-filled gate form survives every poll), keeps every
// list capped (so a tab left open for days stays small), and shows a
// "disconnected" state with backoff when the gateway does not answer.
"use strict";

(() => {
  const KEY_STORAGE = "ukairo.masterKey";
  const params = new URLSearchParams(location.search);
  // ?poll=ms lets tests poll faster; bounded so a typo cannot hammer the gateway.
  const POLL_MS = Math.min(60000, Math.max(250, Number(params.get("poll")) || 3000));
  const BACKOFF_MAX_MS = 15000;
  const FETCH_TIMEOUT_MS = 8000;
  const EVENTS_MAX = 200;          // timeline items kept in the DOM
  const REQUEST_EVENTS_MAX = 500;  // one request's life
  const MODELS_EVERY_POLLS = 20;   // the model list rarely changes

  const $ = (id) => document.getElementById(id);
  let key = sessionStorage.getItem(KEY_STORAGE) || "";
  let timer = null;
  let failures = 0;
  let polls = 0;
  let cursor = 0;           // /timeline after_seq
  let models = [];          // model groups (continue_with_model choices)
  let generation = 0;       // bumps on sign-in/out so stale polls are dropped
  let formCounter = 0;

  // ---------- HTTP ----------

  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(path, options = {}) {
    const ctrl = new AbortController();
    const t = setTimeout(() => ctrl.abort(), FETCH_TIMEOUT_MS);
    try {
      const headers = Object.assign({ "Authorization": "Bearer " + key }, options.headers || {});
      const r = await fetch(path, Object.assign({}, options, { headers, signal: ctrl.signal,
                                                               cache: "no-store" }));
      const text = await r.text();
      let body = null;
      try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
      if (!r.ok) {
        const msg = body && body.error && body.error.message ? body.error.message : r.statusText;
        throw new HttpError(r.status, msg || ("HTTP " + r.status));
      }
      return body;
    } finally {
      clearTimeout(t);
    }
  }

  // ---------- formatting ----------

  function usd(text) {
    if (text === undefined || text === null || text === "") return "–";
    return "$" + text;
  }
  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    if (isNaN(d)) return iso;
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
  }
  function pct(bp) { return (bp / 100).toFixed(bp % 100 ? 2 : 0) + " %"; }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function announce(text) { $("announce").textContent = text; }

  // ---------- connection state ----------

  function setConn(state, text) {
    const c = $("conn");
    c.dataset.state = state;
    setText(c, text);
  }

  // ---------- sign in / out ----------

  function showDashboard(on) {
    $("login").hidden = on;
    $("dash").hidden = !on;
    $("signout").hidden = !on;
  }

  function signOut(message) {
    generation++;
    clearTimeout(timer);
    key = "";
    sessionStorage.removeItem(KEY_STORAGE);
    showDashboard(false);
    setConn("idle", "Not signed in");
    setText($("updated"), "");
    $("login-error").textContent = message || "";
    $("key").focus();
  }

  function signIn(newKey) {
    key = newKey;
    sessionStorage.setItem(KEY_STORAGE, key);
    generation++;
    failures = 0;
    polls = 0;
    cursor = 0;
    $("events").replaceChildren();
    $("scopes").replaceChildren();
    showDashboard(true);
    setConn("connecting", "Connecting…");
    setText($("updated"), "");
    poll(generation);
  }

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const candidate = $("key").value.trim();
    if (!candidate) return;
    key = candidate;
    $("login-error").textContent = "";
    try {
      await api("/budgets");  // checks the key before showing anything
      $("key").value = "";
      signIn(candidate);
      $("budgets-h").focus();
    } catch (e) {
      key = "";
      $("login-error").textContent = e.status === 401 ? "That key was refused." :
                                     "The gateway did not answer: " + e.message;
    }
  });
  $("signout").addEventListener("click", () => signOut(""));

  // ---------- polling ----------

  async function poll(gen) {
    if (gen !== generation) return;
    try {
      if (polls % MODELS_EVERY_POLLS === 0) await loadModels();
      const [budgets, deployments, timeline] = await Promise.all([
        api("/budgets"), api("/deployments"), api(timelinePath())]);
      if (gen !== generation) return;
      renderBudgets(budgets);
      renderDeployments(deployments);
      renderTimeline(timeline);
      polls++;
      failures = 0;
      // Only state changes go to the live region; the time is outside it, so a
      // screen reader is not told "updated" every few seconds.
      setConn("live", "Live");
      setText($("updated"), "updated " + new Date().toLocaleTimeString());
    } catch (e) {
      if (gen !== generation) return;
      if (e.status === 401) return signOut("The gateway no longer accepts this key.");
      failures++;
      setConn("down", "Disconnected (" + (e.name === "AbortError" ? "timeout" : e.message) +
                      "), retrying…");
    }
    if (gen !== generation) return;
    const delay = failures ? Math.min(BACKOFF_MAX_MS, POLL_MS * 2 ** Math.min(failures - 1, 4))
                           : POLL_MS;
    timer = setTimeout(() => poll(gen), delay);
  }

  // An immediate poll (after a decision), without a second loop running.
  function pollNow() {
    clearTimeout(timer);
    generation++;
    poll(generation);
  }

  async function loadModels() {
    const r = await api("/v1/models");
    models = (r && r.data ? r.data : []).filter((m) => m.owned_by === "ukairo").map((m) => m.id);
    for (const select of document.querySelectorAll("form.gate select[name=model]")) {
      fillModels(select);
    }
  }

  function fillModels(select) {
    const current = select.value;
    const have = Array.from(select.options).map((o) => o.value).join("\n");
    if (have === models.join("\n")) return;
    select.replaceChildren(...models.map((m) => el("option", { value: m, text: m })));
    if (models.includes(current)) select.value = current;
  }

  // ---------- budgets ----------

  function renderBudgets(b) {
    setText($("period"), "Period " + b.period + " (" + when(b.period_start) + " to " +
            when(b.period_end) + "), " + pct(b.period_elapsed_basis_points) + " elapsed.");
    const container = $("scopes");
    const seen = new Set();
    for (const s of b.scopes) {
      const id = "scope-" + s.scope_kind + "-" + s.scope_key.replace(/[^A-Za-z0-9_-]/g, "_");
      seen.add(id);
      let card = document.getElementById(id);
      if (!card) {
        card = $("scope-template").content.firstElementChild.cloneNode(true);
        card.id = id;
        card.dataset.kind = s.scope_kind;
        card.dataset.key = s.scope_key;
        card.setAttribute("aria-labelledby", id + "-h");
        const h = card.querySelector(".scope-name");
        h.id = id + "-h";
        h.textContent = s.scope_key ? s.scope_kind + " · " + s.scope_key : s.scope_kind;
        container.append(card);
      }
      updateScope(card, s);
    }
    for (const card of Array.from(container.children)) {
      if (!seen.has(card.id)) card.remove();
    }
  }

  function updateScope(card, s) {
    const fired = s.alerts_fired_pct || [];
    const previous = card.dataset.fired || "";
    const firedText = fired.join(",");
    if (previous !== firedText && card.dataset.loaded) {
      const newest = fired.filter((p) => !previous.split(",").includes(String(p)));
      if (newest.length) {
        announce("Budget " + s.scope_kind + " " + s.scope_key + " reached " +
                 newest.join(", ") + " %" + (s.stopped ? " and is stopped." : "."));
      }
    }
    card.dataset.loaded = "1";
    card.dataset.fired = firedText;
    card.dataset.stopped = s.stopped ? "true" : "false";

    const spentBp = s.spent_basis_points, reservedBp = s.reserved_basis_points || 0;
    const level = s.stopped ? "stopped" : fired.includes(100) ? "a100" : fired.includes(90) ? "a90"
                : fired.includes(80) ? "a80" : "ok";
    card.dataset.level = level;
    const badge = card.querySelector(".badge");
    setText(badge, { stopped: "Stopped", a100: "100 % reached", a90: "90 % reached",
                     a80: "80 % reached", ok: "Within budget" }[level]);

    // The bar spans 0..110 % of the limit so the 100 % mark stays visible.
    const scale = (bp) => Math.min(100, bp / 110) + "%";
    const bar = card.querySelector(".bar");
    bar.querySelector(".bar-spent").style.width = scale(spentBp);
    bar.querySelector(".bar-reserved").style.left = scale(spentBp);
    bar.querySelector(".bar-reserved").style.width =
      Math.max(0, Math.min(100, (spentBp + reservedBp) / 110) - Math.min(100, spentBp / 110)) + "%";
    for (const m of [80, 90, 100]) {
      const mark = bar.querySelector(".mark-" + m);
      mark.style.left = scale(m * 100);
      mark.classList.toggle("fired", fired.includes(m));
    }
    bar.querySelector(".mark-forecast").style.left = scale(s.forecast_basis_points);
    bar.setAttribute("aria-label", "Spent " + pct(spentBp) + " of the limit, reserved " +
                     pct(reservedBp) + ", forecast " + pct(s.forecast_basis_points) +
                     "; alerts at 80, 90 and 100 %" +
                     (fired.length ? ", fired: " + fired.join(", ") + " %" : ", none fired"));

    setText(card.querySelector(".f-spent"), usd(s.spent_usd) + " (" + pct(spentBp) + ")");
    setText(card.querySelector(".f-reserved"), usd(s.reserved_usd));
    setText(card.querySelector(".f-remaining"), usd(s.remaining_usd));
    setText(card.querySelector(".f-limit"), usd(s.limit_usd));
    setText(card.querySelector(".f-forecast"),
            usd(s.forecast_usd) + " (" + pct(s.forecast_basis_points) + " of limit)");
    setText(card.querySelector(".f-alerts"), fired.length ? fired.map((p) => p + " %").join(", ")
                                                          : "none");

    const decision = card.querySelector(".decision");
    const g = s.gate;
    if (g && g.decided) {
      const what = g.choice === "continue_with_model" ? "continue with " + g.continue_model
                 : g.choice === "raise_limit" ? "raise the limit to " + usd(s.limit_usd)
                 : "stop";
      setText(decision, "Decided by " + g.actor + " at " + when(g.decided_at) + ": " + what +
                        (g.note ? " — “" + g.note + "”" : "") + ".");
      decision.hidden = false;
    } else if (g && g.stopped) {
      setText(decision, "Stopped: waiting for a decision.");
      decision.hidden = false;
    } else {
      decision.hidden = true;
    }

    const slot = card.querySelector(".gate-slot");
    if (s.stopped && !slot.firstElementChild) {
      slot.append(gateForm(s.scope_kind, s.scope_key));
    } else if (!s.stopped && slot.firstElementChild) {
      slot.replaceChildren();
    }
  }

  function gateForm(kind, key) {
    const form = $("gate-template").content.firstElementChild.cloneNode(true);
    const n = ++formCounter;
    // Unique ids so every label names its control.
    const pairs = [
      [".l-continue", "input[value=continue_with_model]"], [".l-raise", "input[value=raise_limit]"],
      [".l-stop", "input[value=stop]"], [".l-actor", "input[name=actor]"],
      [".l-note", "input[name=note]"]];
    for (const [label, control] of pairs) {
      const c = form.querySelector(control);
      c.id = "gate" + n + "-" + (c.value || c.name);
      form.querySelector(label).htmlFor = c.id;
    }
    for (const r of form.querySelectorAll("input[type=radio]")) r.name = "choice" + n;
    form.setAttribute("aria-label", "Gate decision for " + kind + " " + key);
    const select = form.querySelector("select[name=model]");
    fillModels(select);
    // Picking a model or typing a limit chooses that option.
    select.addEventListener("change", () => { form.querySelector("input[value=continue_with_model]").checked = true; });
    form.querySelector("input[name=new_limit_usd]").addEventListener("input", () => {
      form.querySelector("input[value=raise_limit]").checked = true;
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const error = form.querySelector(".error");
      error.textContent = "";
      const checked = form.querySelector("input[type=radio]:checked");
      const body = { scope_kind: kind, scope_key: key, choice: checked ? checked.value : "",
                     actor: form.querySelector("input[name=actor]").value.trim(),
                     note: form.querySelector("input[name=note]").value.trim() };
      if (body.choice === "continue_with_model") body.model = select.value;
      if (body.choice === "raise_limit") {
        body.new_limit_usd = form.querySelector("input[name=new_limit_usd]").value.trim();
        if (!/^[0-9]+(\.[0-9]+)?$/.test(body.new_limit_usd)) {
          error.textContent = "Enter the new limit as a decimal number of dollars, e.g. 25.50.";
          return;
        }
      }
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        await api("/gate", { method: "POST", body: JSON.stringify(body),
                             headers: { "Content-Type": "application/json" } });
        announce("Decision recorded for " + kind + " " + key + ": " + body.choice.replace(/_/g, " ") + ".");
        pollNow();
      } catch (e) {
        error.textContent = "Not recorded: " + e.message;
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  // ---------- deployments ----------

  function renderDeployments(d) {
    const body = $("deployments-body");
    const rows = d.deployments.map((x) => {
      const state = el("td", {}, el("span", { class: "state state-" + x.state, text: x.state }));
      const probe = x.last_probe ? when(x.last_probe) + (x.last_probe_ok ? " (ok)" : " (failed)") : "–";
      return el("tr", { "data-deployment": x.id },
                el("th", { scope: "row", text: x.id }), el("td", { text: x.model_group }), state,
                el("td", { text: when(x.since) }), el("td", { text: when(x.until) }),
                el("td", { text: x.reason || "–" }), el("td", { text: probe }));
    });
    // Replace only when something changed: keeps focus and selection stable.
    const signature = JSON.stringify(d.deployments);
    if (body.dataset.signature !== signature) {
      body.dataset.signature = signature;
      body.replaceChildren(...rows);
    }
  }

  // ---------- timeline ----------

  function timelinePath() {
    let p = "/timeline?limit=" + EVENTS_MAX + "&after_seq=" + cursor;
    if (cursor === 0) p += "&since=" + encodeURIComponent(new Date(Date.now() - 7 * 86400e3).toISOString());
    return p;
  }

  const CATEGORY = {
    fallback_taken: "fallback", retry_scheduled: "retry", budget_alert: "alert",
    budget_stopped: "alert", gate_decision: "gate", deployment_state_changed: "deployment",
    recovered: "deployment",
  };

  function describe(e) {
    switch (e.kind) {
      case "fallback_taken":
        return "Fallback " + e.from_model_group + " → " + e.to_model_group + " (" + e.reason + ")";
      case "retry_scheduled":
        return "Retry on " + e.deployment + " after " + e.backoff_ms + " ms (" + e.cause + ")";
      case "budget_alert":
        return "Budget " + e.scope_kind + " " + e.scope_key + " reached " + e.threshold_pct +
               " % (" + usd(e.spent_usd) + " of " + usd(e.limit_usd) + "): " + e.action;
      case "budget_stopped":
        return "Budget " + e.scope_kind + " " + e.scope_key + " stopped at " + usd(e.spent_usd) +
               " of " + usd(e.limit_usd);
      case "gate_decision":
        return "Gate " + e.scope_kind + " " + e.scope_key + ": " + e.actor + " chose " +
               e.choice.replace(/_/g, " ") +
               (e.choice === "continue_with_model" ? " " + e.model : "") +
               (e.choice === "raise_limit" ? " to " + usd(e.new_limit_usd) : "") +
               (e.note ? " — “" + e.note + "”" : "");
      case "deployment_state_changed":
        return "Deployment " + e.deployment + ": " + e.from + " → " + e.to +
               (e.reason ? " (" + e.reason + ")" : "");
      case "recovered":
        return "Deployment " + e.deployment + " recovered (" + e.confirmed_by + ")";
      case "reservation_expired":
        return "Reservation of " + usd(e.reserved_usd) + " expired on " + e.deployment;
      case "notification_failed":
        return "Notification “" + e.subject + "” to " + e.channel + " not delivered: " + e.error;
      case "config_applied":
        return "Config applied by " + e.actor + " (" + String(e.sha256).slice(0, 12) + ")";
      default:
        return e.kind;
    }
  }

  function eventItem(e) {
    const li = el("li", { class: "event kind-" + e.kind, "data-kind": e.kind,
                          "data-cat": CATEGORY[e.kind] || "other", "data-seq": String(e.seq) },
                  el("time", { datetime: e.time, text: when(e.time) }), " ",
                  el("span", { class: "what", text: describe(e) }));
    if (e.request_id) {
      const b = el("button", { type: "button", class: "link", text: e.request_id,
                               "aria-label": "Show the life of request " + e.request_id });
      b.addEventListener("click", () => { $("request-id").value = e.request_id; searchRequest(); });
      li.append(" ", b);
    }
    return li;
  }

  function renderTimeline(t) {
    cursor = t.cursor;
    const list = $("events");
    // Newest first; the list never holds more than EVENTS_MAX items.
    for (const e of t.events) list.prepend(eventItem(e));
    while (list.children.length > EVENTS_MAX) list.lastElementChild.remove();
    applyFilters();
  }

  function applyFilters() {
    const on = new Set(Array.from(document.querySelectorAll("input[name=cat]:checked"))
                       .map((c) => c.value));
    let visible = 0;
    for (const li of $("events").children) {
      li.hidden = !on.has(li.dataset.cat);
      if (!li.hidden) visible++;
    }
    $("timeline-empty").hidden = visible > 0;
  }
  for (const c of document.querySelectorAll("input[name=cat]")) c.addEventListener("change", applyFilters);

  // ---------- request search ----------

  async function searchRequest() {
    const id = $("request-id").value.trim();
    const list = $("request-events");
    if (!id) return;
    setText($("request-status"), "Searching…");
    try {
      const r = await api("/audit?request=" + encodeURIComponent(id));
      const events = r.events.slice(0, REQUEST_EVENTS_MAX);
      list.replaceChildren(...events.map((e) => {
        const li = el("li", { class: "event kind-" + e.kind, "data-kind": e.kind },
                      el("time", { datetime: e.time, text: when(e.time) }), " ",
                      el("span", { class: "what", text: requestStep(e) }));
        return li;
      }));
      setText($("request-status"), events.length ? events.length + " events for " + id + "."
                                                 : "No request " + id + " in the ledger.");
    } catch (e) {
      list.replaceChildren();
      setText($("request-status"), "Search failed: " + e.message);
    }
  }

  function requestStep(e) {
    switch (e.kind) {
      case "request_accepted":
        return "Accepted: tag " + e.tag + ", tier " + e.tier +
               (e.requested_model ? ", model " + e.requested_model : "") + ", ~" +
               e.estimated_input_tokens + " input tokens, max " + e.max_output_tokens + " output";
      case "attempt_started":
        return "Attempt " + e.attempt + " on " + e.deployment + " (" + e.model_group +
               "), reserved " + usd(e.reserved_usd);
      case "attempt_finished":
        return "Attempt " + e.attempt + " " + e.outcome + " (HTTP " + e.http_status + ", " +
               e.input_tokens + "+" + e.output_tokens + " tokens, " + usd(e.cost_usd) + ", " +
               Math.round(e.latency_micros / 1000) + " ms)" + (e.error ? ": " + e.error : "");
      case "request_completed":
        return "Completed on " + (e.final_model_group || "–") + " (HTTP " + e.http_status +
               ", " + e.attempts + " attempts, " + e.fallbacks + " fallbacks, " +
               usd(e.total_cost_usd) + ")" + (e.error_code ? ": " + e.error_code : "");
      default:
        return describe(e);
    }
  }

  $("request-form").addEventListener("submit", (ev) => { ev.preventDefault(); searchRequest(); });

  // ---------- start ----------

  // Poll again at once when the tab comes back or the network returns.
  window.addEventListener("online", () => { if (key) pollNow(); });
  document.addEventListener("visibilitychange", () => {
    if (key && document.visibilityState === "visible" && failures) pollNow();
  });

  if (key) {
    signIn(key);
  } else {
    showDashboard(false);
    $("key").focus();
  }
})();
