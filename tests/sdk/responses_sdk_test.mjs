// The official OpenAI Node SDK (npm "openai") against ukairo's Responses API
// (POST /v1/responses, what Codex CLI speaks) on 127.0.0.1: a plain
// responses.create, a streamed one read event by event, the SDK's stream
// helper accumulating the events into its final response, a function call
// round trip, and a request ukairo cannot serve surfacing as a 400 APIError.
// Usage: UKAIRO_PORT=<gateway port> node --test responses_sdk_test.mjs
import OpenAI from "openai";
import assert from "node:assert/strict";
import { test } from "node:test";

const port = process.env.UKAIRO_PORT;
const client = new OpenAI({ apiKey: "sk-client", baseURL: `http://127.0.0.1:${port}/v1`,
                            maxRetries: 0, timeout: 10_000 });

test("responses.create through ukairo", async () => {
  const { data, response } = await client.responses
    .create({ model: "primary", instructions: "be brief", input: "hello from the SDK",
              max_output_tokens: 8 },
            { headers: { "x-ukairo-tag": "Build" } })
    .withResponse();
  assert.equal(data.object, "response");
  assert.equal(data.status, "completed");
  assert.equal(data.instructions, "be brief");
  assert.match(data.output_text, /fake reply/);
  assert.ok(data.usage.input_tokens > 0);
  assert.equal(data.usage.output_tokens, 8);
  assert.equal(data.usage.input_tokens_details.cached_tokens, 0);
  assert.equal(data.usage.output_tokens_details.reasoning_tokens, 0);
  assert.equal(data.id, `resp_${response.headers.get("x-ukairo-request-id")}`);
  assert.equal(response.headers.get("x-ukairo-model-group"), "primary");
});

test("streamed responses.create yields the Responses events", async () => {
  const stream = await client.responses.create({ model: "primary", input: "stream please",
                                                 stream: true });
  const types = [];
  let text = "";
  let completed = null;
  let sequence = 0;
  for await (const event of stream) {
    assert.equal(event.sequence_number, sequence++);
    types.push(event.type);
    if (event.type === "response.output_text.delta") text += event.delta;
    if (event.type === "response.completed") completed = event.response;
  }
  assert.deepEqual(types, [
    "response.created", "response.in_progress", "response.output_item.added",
    "response.content_part.added", "response.output_text.delta", "response.output_text.done",
    "response.content_part.done", "response.output_item.done", "response.completed"]);
  assert.match(text, /fake reply/);
  assert.equal(completed.output[0].content[0].text, text);
  assert.ok(completed.usage.output_tokens > 0);
});

test("the SDK's stream helper accumulates the final response", async () => {
  const stream = client.responses.stream({ model: "primary", input: "stream please" });
  let deltas = "";
  stream.on("response.output_text.delta", (event) => { deltas += event.delta; });
  const final = await stream.finalResponse();
  assert.equal(final.status, "completed");
  // (output_text is a convenience create() adds; the helper's final response
  // is the accumulated snapshot)
  const text = final.output[0].content[0].text;
  assert.match(text, /fake reply/);
  assert.equal(deltas, text);
  assert.ok(final.usage.total_tokens > 0);
});

test("function call round trip", async () => {
  const tools = [{ type: "function", name: "get_weather", description: "Weather in a city",
                   strict: false,
                   parameters: { type: "object", properties: { city: { type: "string" } } } }];
  const input = [{ role: "user", content: "weather in Paris?" }];
  // The model's turn, streamed: a function call.
  const first = await client.responses.stream({ model: "primary", input, tools }).finalResponse();
  const call = first.output.find((item) => item.type === "function_call");
  assert.ok(call, JSON.stringify(first.output));
  assert.equal(call.name, "get_weather");
  assert.equal(call.status, "completed");
  assert.deepEqual(JSON.parse(call.arguments), {});
  // The client runs it and sends the conversation back with the result.
  input.push(...first.output);
  input.push({ type: "function_call_output", call_id: call.call_id,
               output: JSON.stringify({ temperature_c: 21 }) });
  const second = await client.responses.create({ model: "primary", input, tools });
  assert.equal(second.status, "completed");
  assert.match(second.output_text, /tool said: \{"temperature_c":21\}/);
});

test("what ukairo cannot serve is a 400 APIError naming the param", async () => {
  await assert.rejects(
    client.responses.create({ model: "primary", input: "x", previous_response_id: "resp_1" }),
    (err) => err instanceof OpenAI.BadRequestError && err.param === "previous_response_id");
  await assert.rejects(
    client.responses.create({ model: "primary", input: "x", tools: [{ type: "web_search" }] }),
    (err) => err instanceof OpenAI.BadRequestError && err.param === "tools[0].type");
});
