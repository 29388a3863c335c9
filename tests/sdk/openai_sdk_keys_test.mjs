// A client key made with LiteLLM's /key/generate, used by the official
// OpenAI Node SDK against ukairo on 127.0.0.1 (issue 13): it works, a wrong
// key is an AuthenticationError (401), and after /key/delete the same key is
// refused on its next request.
// Usage: UKAIRO_PORT=<port> UKAIRO_MASTER_KEY=<master key> node --test openai_sdk_keys_test.mjs
import OpenAI from "openai";
import assert from "node:assert/strict";
import { test } from "node:test";

const base = `http://127.0.0.1:${process.env.UKAIRO_PORT}`;
const admin = { "authorization": `Bearer ${process.env.UKAIRO_MASTER_KEY}`,
                "content-type": "application/json" };
const sdk = (apiKey) => new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0,
                                     timeout: 10_000 });
const hello = { model: "primary", max_tokens: 8,
                messages: [{ role: "user", content: "hello with a client key" }] };

test("a generated key works with the SDK until it is deleted", async () => {
  const made = await fetch(`${base}/key/generate`, {
    method: "POST", headers: admin,
    body: JSON.stringify({ key_alias: "sdk", max_budget: 1, models: ["primary"] }) });
  assert.equal(made.status, 200);
  const { key } = await made.json();
  assert.match(key, /^sk-uk-/);
  const reply = await sdk(key).chat.completions.create(hello);
  assert.match(reply.choices[0].message.content, /fake reply/);
  const info = await (await fetch(`${base}/key/info?key=${key}`, { headers: admin })).json();
  assert.ok(info.info.spend > 0);
  const gone = await fetch(`${base}/key/delete`, {
    method: "POST", headers: admin, body: JSON.stringify({ keys: [key] }) });
  assert.equal(gone.status, 200);
  await assert.rejects(sdk(key).chat.completions.create(hello),
                       (err) => err instanceof OpenAI.AuthenticationError && err.status === 401);
});

test("a wrong key is an AuthenticationError", async () => {
  await assert.rejects(sdk("sk-uk-wrong").chat.completions.create(hello),
                       (err) => err instanceof OpenAI.AuthenticationError &&
                                err.code === "invalid_api_key");
});
