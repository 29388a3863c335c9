// The official OpenAI Node SDK (npm "openai") as a real client of ukairo on
// 127.0.0.1: a plain chat completion, a streamed one (with the usage chunk),
// an embeddings call, the model list, and an error surfaced as an APIError.
// Usage: UKAIRO_PORT=<gateway port> node --test openai_sdk_test.mjs
import OpenAI from "openai";
import assert from "node:assert/strict";
import { test } from "node:test";

const port = process.env.UKAIRO_PORT;
const client = new OpenAI({ apiKey: "sk-client", baseURL: `http://127.0.0.1:${port}/v1`,
                            maxRetries: 0, timeout: 10_000 });

test("chat completion through ukairo", async () => {
  const { data, response } = await client.chat.completions
    .create({ model: "primary", max_tokens: 8,
              messages: [{ role: "user", content: "hello from the SDK" }] },
            { headers: { "x-ukairo-tag": "Build" } })
    .withResponse();
  assert.equal(data.object, "chat.completion");
  assert.match(data.choices[0].message.content, /fake reply/);
  assert.ok(data.usage.completion_tokens > 0);
  assert.equal(response.headers.get("x-ukairo-model-group"), "primary");
});

test("streamed chat completion ends with usage", async () => {
  const stream = await client.chat.completions.create({
    model: "primary", stream: true, stream_options: { include_usage: true },
    messages: [{ role: "user", content: "stream please" }],
  });
  let text = "";
  let usage = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  assert.match(text, /fake reply/);
  assert.ok(usage && usage.prompt_tokens > 0);
});

test("embeddings and models", async () => {
  const e = await client.embeddings.create({ model: "primary", input: "vector me" });
  assert.equal(e.data.length, 1);
  const models = [];
  for await (const m of client.models.list()) models.push(m.id);
  assert.ok(models.includes("primary"));
});

test("unknown model is an APIError with status 404", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "nope", messages: [] }),
    (err) => err instanceof OpenAI.APIError && err.status === 404 &&
             err.code === "model_not_found");
});
