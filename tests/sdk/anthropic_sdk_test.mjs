// The official Anthropic TypeScript SDK (npm "@anthropic-ai/sdk") as a real
// client of ukairo's Messages API on 127.0.0.1, in front of the fake
// provider speaking Anthropic's API: create, stream (the SDK's own stream
// parser), a tool-use round trip, countTokens, and an error the SDK types.
// Usage: UKAIRO_PORT=<gateway port> node --test anthropic_sdk_test.mjs
import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { test } from "node:test";

const port = process.env.UKAIRO_PORT;
const client = new Anthropic({ apiKey: "sk-client", baseURL: `http://127.0.0.1:${port}`,
                               maxRetries: 0, timeout: 10_000 });

const weatherTool = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } },
                  required: ["city"] },
};

test("messages.create through ukairo", async () => {
  const { data, response } = await client.messages
    .create({ model: "claude", max_tokens: 64,
              system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
              messages: [{ role: "user", content: "hello from the Anthropic SDK" }] },
            { headers: { "x-ukairo-tag": "Spec" } })
    .withResponse();
  assert.equal(data.type, "message");
  assert.equal(data.role, "assistant");
  assert.equal(data.stop_reason, "end_turn");
  assert.match(data.content[0].text, /fake reply/);
  assert.ok(data.usage.output_tokens > 0);
  assert.equal(response.headers.get("x-ukairo-model-group"), "claude");
});

test("messages.stream is parsed by the SDK to a final message", async () => {
  const stream = client.messages.stream({
    model: "claude", max_tokens: 64,
    messages: [{ role: "user", content: "stream please" }],
  });
  let text = "";
  stream.on("text", (delta) => { text += delta; });
  const message = await stream.finalMessage();
  assert.match(text, /fake reply/);
  assert.equal(message.content[0].text, text);
  assert.equal(message.stop_reason, "end_turn");
  // The final message_delta's count, not message_start's placeholder of 1.
  assert.equal(message.usage.output_tokens, 16);
});

test("tool use round trip", async () => {
  const messages = [{ role: "user", content: "What is the weather in Paris?" }];
  const first = await client.messages.create({ model: "claude", max_tokens: 256,
                                               tools: [weatherTool], messages });
  assert.equal(first.stop_reason, "tool_use");
  const call = first.content.find((b) => b.type === "tool_use");
  assert.ok(call, JSON.stringify(first.content));
  assert.equal(call.name, "get_weather");
  assert.equal(typeof call.input.city, "string");
  messages.push({ role: "assistant", content: first.content });
  messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: call.id,
                                             content: "Sunny, 21 C" }] });
  const second = await client.messages.create({ model: "claude", max_tokens: 256,
                                                tools: [weatherTool], messages });
  assert.equal(second.stop_reason, "end_turn");
  assert.match(second.content[0].text, /fake reply/);
});

test("streamed tool use is assembled by the SDK", async () => {
  const message = await client.messages.stream({
    model: "claude", max_tokens: 256, tools: [weatherTool],
    messages: [{ role: "user", content: "Weather in Oslo?" }],
  }).finalMessage();
  assert.equal(message.stop_reason, "tool_use");
  assert.deepEqual(message.content[0].input, { city: "fake" });
});

test("messages.countTokens", async () => {
  const counted = await client.messages.countTokens({
    model: "claude", messages: [{ role: "user", content: "x".repeat(400) }],
  });
  assert.equal(counted.input_tokens, 100);
});

test("unknown model is a NotFoundError in Anthropic's error shape", async () => {
  await assert.rejects(
    client.messages.create({ model: "nope", max_tokens: 8,
                             messages: [{ role: "user", content: "hi" }] }),
    (err) => err instanceof Anthropic.NotFoundError && err.status === 404 &&
             err.error?.error?.type === "not_found_error");
});
