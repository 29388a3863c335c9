// Chat-completions stream chunks → Responses events (responses_api.h). At
// most one reasoning item and one message item are open at a time (a new
// kind of output closes the other); function calls stay open until the end,
// since a chunk may add arguments to any of them by index. Events are
// appended one statement at a time: each takes the next sequence_number, and
// the operands of one `+` may be evaluated in either order.
#include <map>

#include "router/gateway/responses_api.h"
#include "router/gateway/responses_internal.h"

namespace ukairo::gateway {

using namespace responses_internal;

namespace {
constexpr size_t kNone = static_cast<size_t>(-1);
enum class Part : uint8_t { kNone = 0, kText, kRefusal };
}  // namespace

struct ResponsesStream::State {
  std::string response_id;
  int64_t created_at_s = 0;
  Json echo;
  Json model = "";
  int64_t sequence = 0;
  bool started = false;
  bool finished = false;
  std::string broken;  // why translation stopped; "" while it goes on
  std::string line;    // an incomplete line of the upstream stream
  Json output = Json::array();
  size_t reasoning_item = kNone;
  std::string reasoning_text;
  size_t message_item = kNone;
  Part part = Part::kNone;
  size_t part_index = 0;
  std::string part_text;
  std::map<int64_t, size_t> tool_items;  // chat tool_calls index → output index
  // The arguments of custom tool calls (output index → JSON text so far):
  // their input is told whole when they close, once the JSON is complete.
  std::map<size_t, std::string> custom_arguments;
  Json finish_reason = nullptr;
  Json usage = nullptr;

  std::string Event(const char* type, Json payload) {
    payload["type"] = type;
    payload["sequence_number"] = sequence++;
    return std::string("event: ") + type + "\ndata: " + payload.dump() + "\n\n";
  }
  Json Snapshot(const char* status) {
    Json r = BaseResponse(response_id, created_at_s, echo, model, status);
    r["output"] = output;
    return r;
  }
  std::string Start() {
    if (started) return "";
    started = true;
    Json r = Snapshot("in_progress");
    std::string out = Event("response.created", {{"response", r}});
    return out + Event("response.in_progress", {{"response", r}});
  }
  std::string AddItem(Json item, size_t* index) {
    *index = output.size();
    output.push_back(item);
    return Event("response.output_item.added", {{"output_index", *index}, {"item", item}});
  }
  std::string ItemDone(size_t index) {
    return Event("response.output_item.done", {{"output_index", index}, {"item", output[index]}});
  }

  std::string CloseReasoning() {
    if (reasoning_item == kNone) return "";
    const size_t i = reasoning_item;
    reasoning_item = kNone;
    const Json id = output[i]["id"];
    output[i] = ReasoningItem(id.get<std::string>(), reasoning_text);
    Json part{{"type", "reasoning_text"}, {"text", reasoning_text}};
    std::string out = Event("response.reasoning_text.done",
                            {{"item_id", id}, {"output_index", i}, {"content_index", 0},
                             {"text", reasoning_text}});
    out += Event("response.content_part.done",
                 {{"item_id", id}, {"output_index", i}, {"content_index", 0}, {"part", part}});
    return out + ItemDone(i);
  }
  std::string ClosePart() {
    if (part == Part::kNone) return "";
    const size_t i = message_item;
    const Json id = output[i]["id"];
    const bool text = part == Part::kText;
    Json done = text ? TextPart(part_text) : RefusalPart(part_text);
    output[i]["content"][part_index] = done;
    part = Part::kNone;
    Json where{{"item_id", id}, {"output_index", i}, {"content_index", part_index}};
    Json finished_part = where;
    finished_part[text ? "text" : "refusal"] = part_text;
    Json part_done = where;
    part_done["part"] = done;
    std::string out =
        Event(text ? "response.output_text.done" : "response.refusal.done", finished_part);
    return out + Event("response.content_part.done", part_done);
  }
  std::string CloseMessage() {
    if (message_item == kNone) return "";
    std::string out = ClosePart();
    output[message_item]["status"] = "completed";
    out += ItemDone(message_item);
    message_item = kNone;
    return out;
  }

  std::string OnReasoning(const std::string& delta) {
    std::string out = CloseMessage();
    if (reasoning_item == kNone) {
      reasoning_text.clear();
      Json item{{"id", ItemId("rs_", response_id, output.size())}, {"type", "reasoning"},
                {"summary", Json::array()}, {"content", Json::array()}};
      out += AddItem(item, &reasoning_item);
      output[reasoning_item]["content"].push_back({{"type", "reasoning_text"}, {"text", ""}});
      out += Event("response.content_part.added",
                   {{"item_id", item["id"]}, {"output_index", reasoning_item},
                    {"content_index", 0}, {"part", {{"type", "reasoning_text"}, {"text", ""}}}});
    }
    reasoning_text += delta;
    return out + Event("response.reasoning_text.delta",
                       {{"item_id", output[reasoning_item]["id"]},
                        {"output_index", reasoning_item}, {"content_index", 0}, {"delta", delta}});
  }
  std::string OnMessage(Part kind, const std::string& delta) {
    std::string out = CloseReasoning();
    if (message_item == kNone) {
      out += AddItem(MessageItem(ItemId("msg_", response_id, output.size()), Json::array(),
                                 "in_progress"),
                     &message_item);
    }
    const Json id = output[message_item]["id"];
    if (part != kind) {
      out += ClosePart();
      part = kind;
      part_text.clear();
      part_index = output[message_item]["content"].size();
      Json empty = kind == Part::kText ? TextPart("") : RefusalPart("");
      output[message_item]["content"].push_back(empty);
      out += Event("response.content_part.added", {{"item_id", id},
                                                   {"output_index", message_item},
                                                   {"content_index", part_index},
                                                   {"part", empty}});
    }
    part_text += delta;
    Json event{{"item_id", id}, {"output_index", message_item}, {"content_index", part_index},
               {"delta", delta}};
    if (kind == Part::kText) event["logprobs"] = Json::array();
    return out + Event(kind == Part::kText ? "response.output_text.delta"
                                           : "response.refusal.delta",
                       event);
  }
  std::string OnToolCall(const Json& call) {
    const int64_t index = call.contains("index") && call["index"].is_number_integer()
                              ? call["index"].get<int64_t>()
                              : 0;
    const Json function = call.contains("function") && call["function"].is_object()
                              ? call["function"]
                              : Json::object();
    std::string out;
    auto found = tool_items.find(index);
    if (found == tool_items.end()) {
      if (tool_items.size() >= kToolCallsMax) {
        broken = "the upstream streamed more than " + std::to_string(kToolCallsMax) +
                 " tool calls";
        return "";
      }
      out += CloseReasoning();
      out += CloseMessage();
      size_t item = 0;
      const Json name = function.value("name", Json(""));
      if (IsCustomTool(echo, name)) {
        out += AddItem(CustomToolCallItem(ItemId("ctc_", response_id, output.size()),
                                          call.value("id", Json("")), name, "", "in_progress"),
                       &item);
        custom_arguments[item];
      } else {
        out += AddItem(FunctionCallItem(ItemId("fc_", response_id, output.size()),
                                        call.value("id", Json("")), name, "", "in_progress"),
                       &item);
      }
      found = tool_items.emplace(index, item).first;
    }
    const size_t i = found->second;
    if (function.contains("arguments") && function["arguments"].is_string() &&
        !function["arguments"].get_ref<const std::string&>().empty()) {
      const std::string& delta = function["arguments"].get_ref<const std::string&>();
      if (auto custom = custom_arguments.find(i); custom != custom_arguments.end()) {
        custom->second += delta;
        return out;
      }
      output[i]["arguments"] = output[i]["arguments"].get<std::string>() + delta;
      out += Event("response.function_call_arguments.delta",
                   {{"item_id", output[i]["id"]}, {"output_index", i}, {"delta", delta}});
    }
    return out;
  }
  std::string CloseAll() {
    std::string out = CloseReasoning();
    out += CloseMessage();
    for (const auto& [index, i] : tool_items) {
      if (output[i]["status"] == "completed") continue;
      output[i]["status"] = "completed";
      if (auto custom = custom_arguments.find(i); custom != custom_arguments.end()) {
        const std::string input = CustomToolInput(custom->second);
        output[i]["input"] = input;
        Json where{{"item_id", output[i]["id"]}, {"output_index", i}};
        Json delta = where, done = where;
        delta["delta"] = input;
        done["input"] = input;
        out += Event("response.custom_tool_call_input.delta", delta);
        out += Event("response.custom_tool_call_input.done", done);
        out += ItemDone(i);
        continue;
      }
      out += Event("response.function_call_arguments.done",
                   {{"item_id", output[i]["id"]}, {"output_index", i},
                    {"name", output[i]["name"]}, {"arguments", output[i]["arguments"]}});
      out += ItemDone(i);
    }
    return out;
  }

  std::string OnChunk(const Json& chunk) {
    if (!chunk.is_object()) return "";
    if (model == "" && chunk.contains("model") && chunk["model"].is_string()) {
      model = chunk["model"];
    }
    std::string out = Start();
    if (chunk.contains("error") && !chunk["error"].is_null()) {
      // Some providers report a failure inside a 200 stream.
      const Json& error = chunk["error"];
      broken = "the upstream reported an error in its stream: " +
               (error.is_object() && error.contains("message") && error["message"].is_string()
                    ? error["message"].get<std::string>()
                    : error.dump());
      return out;
    }
    if (chunk.contains("usage") && chunk["usage"].is_object()) usage = chunk["usage"];
    if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty()) {
      return out;
    }
    const Json& choice = chunk["choices"][0];
    if (!choice.is_object()) return out;
    if (choice.contains("delta") && choice["delta"].is_object()) {
      const Json& delta = choice["delta"];
      auto text = [&](const char* key) -> const std::string* {
        if (!delta.contains(key) || !delta[key].is_string()) return nullptr;
        const std::string& s = delta[key].get_ref<const std::string&>();
        return s.empty() ? nullptr : &s;
      };
      // vLLM, DeepSeek and llama.cpp say reasoning_content, OpenRouter and Ollama reasoning.
      if (const std::string* s = text("reasoning_content")) out += OnReasoning(*s);
      if (const std::string* s = text("reasoning")) out += OnReasoning(*s);
      if (const std::string* s = text("content")) out += OnMessage(Part::kText, *s);
      if (const std::string* s = text("refusal")) out += OnMessage(Part::kRefusal, *s);
      if (delta.contains("tool_calls") && delta["tool_calls"].is_array()) {
        for (const Json& call : delta["tool_calls"]) {
          if (call.is_object()) out += OnToolCall(call);
          if (!broken.empty()) return out;
        }
      }
    }
    if (choice.contains("finish_reason") && !choice["finish_reason"].is_null()) {
      finish_reason = choice["finish_reason"];
    }
    return out;
  }
  std::string OnLine(std::string_view line) {
    if (line.substr(0, 5) != "data:") return "";  // comments, event names, blank lines
    line.remove_prefix(5);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty() || line == "[DONE]") return "";
    Json chunk = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (chunk.is_discarded()) {
      broken = "the upstream sent a stream chunk that is not JSON";
      return "";
    }
    return OnChunk(chunk);
  }
};

ResponsesStream::ResponsesStream(std::string response_id, int64_t created_at_s,
                                 std::string_view echo_json)
    : state_(std::make_unique<State>()) {
  state_->response_id = std::move(response_id);
  state_->created_at_s = created_at_s;
  state_->echo = Json::parse(echo_json, nullptr, false);
  if (!state_->echo.is_object()) state_->echo = Json::object();
}

ResponsesStream::~ResponsesStream() = default;

std::string ResponsesStream::Feed(std::string_view bytes) {
  State& s = *state_;
  std::string out;
  while (!bytes.empty() && s.broken.empty() && !s.finished) {
    const size_t end = bytes.find('\n');
    if (end == std::string_view::npos) {
      s.line.append(bytes);
      if (s.line.size() > kLineBytesMax) {
        s.broken = "an upstream stream line exceeds " + std::to_string(kLineBytesMax) + " bytes";
      }
      break;
    }
    s.line.append(bytes.substr(0, end));
    bytes.remove_prefix(end + 1);
    if (!s.line.empty() && s.line.back() == '\r') s.line.pop_back();
    out += s.OnLine(s.line);
    s.line.clear();
  }
  return out;
}

std::string ResponsesStream::Finish(bool ok, std::string_view error_code,
                                    std::string_view error_message) {
  State& s = *state_;
  if (s.finished) return "";
  std::string out;
  if (ok && s.broken.empty() && !s.line.empty()) out += s.OnLine(s.line);  // no final newline
  s.finished = true;
  out += s.Start();
  if (!s.broken.empty() && ok) {
    ok = false;
    error_code = "stream_translation_failed";
    error_message = s.broken;
  }
  if (!ok) {
    Json r = s.Snapshot("failed");
    r["error"] = {{"code", error_code}, {"message", error_message}};
    return out + s.Event("response.failed", {{"response", r}});
  }
  out += s.CloseAll();
  Json r = s.Snapshot("completed");
  ApplyFinishReason(s.finish_reason, &r);
  r["usage"] = MapUsage(s.usage);
  const bool complete = r["status"] == "completed";
  return out + s.Event(complete ? "response.completed" : "response.incomplete", {{"response", r}});
}

}  // namespace ukairo::gateway
