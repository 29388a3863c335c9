// Reader: typed, located access to YAML nodes (see config_internal.h).
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/strings.h"
#include "router/config/internal.h"

namespace ukairo::router::config_internal {
namespace {

constexpr std::string_view kEnvPrefix = "os.environ/";

const char* KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a scalar";
  }
}

}  // namespace

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

const YAML::Node* Fields::Get(std::string_view key) const {
  for (const auto& f : fields_) {
    if (f.key == key) return &f.value;
  }
  return nullptr;
}

std::string Reader::Where(const YAML::Node& at) const {
  if (!at.IsDefined()) return source_;
  YAML::Mark mark = at.Mark();
  if (mark.is_null()) return source_;
  return source_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool Reader::Fail(const YAML::Node& at, const std::string& path, const std::string& what) {
  if (error_.ok()) {
    std::string where = Where(at);
    error_ = Status::InvalidArgument(where + ": " + (path.empty() ? "" : path + ": ") + what);
  }
  return false;
}

void Reader::Warn(const YAML::Node& at, const std::string& what) {
  warnings_.push_back(Where(at) + ": " + what);
}

std::optional<Fields> Reader::Map(const YAML::Node& node, const std::string& path,
                                  std::initializer_list<std::string_view> known) {
  Fields fields;
  if (!node.IsDefined() || node.IsNull()) return fields;
  if (!node.IsMap()) {
    Fail(node, path, std::string("expected a map, got ") + KindName(node));
    return std::nullopt;
  }
  for (const auto& pair : node) {
    // Copies: yaml-cpp's iterator proxies are temporaries.
    YAML::Node key = pair.first;
    YAML::Node value = pair.second;
    if (!key.IsScalar()) {
      Fail(key, path, "map keys must be plain names");
      return std::nullopt;
    }
    std::string name = key.Scalar();
    if (fields.Get(name) != nullptr) {
      Fail(key, Child(path, name), "duplicate key");
      return std::nullopt;
    }
    bool is_known = known.size() == 0 ||
                    std::find(known.begin(), known.end(), std::string_view(name)) != known.end();
    if (!is_known) {
      Warn(key, "unknown key '" + name + "'" + (path.empty() ? "" : " at " + path) + " (ignored)");
    }
    fields.fields_.push_back(Field{name, key, value});
  }
  return fields;
}

std::optional<std::vector<YAML::Node>> Reader::Seq(const YAML::Node& node,
                                                   const std::string& path) {
  std::vector<YAML::Node> items;
  if (!node.IsDefined() || node.IsNull()) return items;
  if (!node.IsSequence()) {
    Fail(node, path, std::string("expected a list, got ") + KindName(node));
    return std::nullopt;
  }
  for (const auto& item : node) items.push_back(item);
  return items;
}

std::optional<std::string> Reader::EnvName(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  const std::string& text = node.Scalar();
  if (text.rfind(kEnvPrefix, 0) != 0 || text.size() == kEnvPrefix.size()) return std::nullopt;
  return text.substr(kEnvPrefix.size());
}

std::optional<std::string> Reader::Getenv(const std::string& name) const {
  auto it = file_env_.find(name);
  if (it != file_env_.end()) return it->second;
  if (env_) return env_(name);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> Reader::Scalar(const YAML::Node& node, const std::string& path,
                                          const char* expected) {
  if (!node.IsScalar()) {
    Fail(node, path, std::string("expected ") + expected + ", got " + KindName(node));
    return std::nullopt;
  }
  if (auto name = EnvName(node)) {
    auto value = Getenv(*name);
    if (!value) {
      Fail(node, path, "environment variable " + *name + " is not set");
      return std::nullopt;
    }
    return value;
  }
  return node.Scalar();
}

std::optional<std::string> Reader::String(const YAML::Node& node, const std::string& path) {
  return Scalar(node, path, "a string");
}

std::optional<int64_t> Reader::Int(const YAML::Node& node, const std::string& path, int64_t min,
                                   int64_t max) {
  auto text = Scalar(node, path, "an integer");
  if (!text) return std::nullopt;
  std::string_view s = *text;
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  // YAML 1.1 allows '_' between digits (80_000); yaml-cpp does not.
  int64_t value = 0;
  int digits = 0;
  bool valid = !s.empty() && s.front() != '_' && s.back() != '_';
  for (char c : s) {
    if (c == '_') continue;
    if (!std::isdigit(static_cast<unsigned char>(c)) || ++digits > 18) {
      valid = false;
      break;
    }
    value = value * 10 + (c - '0');
  }
  if (!valid) {
    Fail(node, path, "expected an integer, got '" + *text + "'");
    return std::nullopt;
  }
  if (negative) value = -value;
  if (value < min || value > max) {
    Fail(node, path,
         "value " + std::to_string(value) + " is outside " + std::to_string(min) + ".." +
             std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Reader::Bool(const YAML::Node& node, const std::string& path) {
  auto text = Scalar(node, path, "true or false");
  if (!text) return std::nullopt;
  std::string s = AsciiLower(*text);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  Fail(node, path, "expected true or false, got '" + *text + "'");
  return std::nullopt;
}

std::optional<NanoUsd> Reader::Usd(const YAML::Node& node, const std::string& path) {
  auto text = Scalar(node, path, "a USD amount");
  if (!text) return std::nullopt;
  if (!text->empty() && (*text)[0] == '-') {
    Fail(node, path, "negative amount '" + *text + "' (budgets must be >= 0)");
    return std::nullopt;
  }
  auto nanos = ParseUsd(*text);
  if (!nanos.ok()) {
    Fail(node, path, "expected a USD amount, got '" + *text + "': " + nanos.status().message());
    return std::nullopt;
  }
  return *nanos;
}

std::optional<PicoUsdPerToken> Reader::PricePerToken(const YAML::Node& node,
                                                     const std::string& path) {
  auto text = Scalar(node, path, "a USD-per-token price");
  if (!text) return std::nullopt;
  auto pico = ParsePricePerToken(*text);
  if (!pico.ok()) {
    Fail(node, path,
         "expected a USD-per-token price, got '" + *text + "': " + pico.status().message());
    return std::nullopt;
  }
  return *pico;
}

std::optional<int64_t> Reader::SecondsAsMillis(const YAML::Node& node, const std::string& path) {
  auto text = Scalar(node, path, "a number of seconds");
  if (!text) return std::nullopt;
  auto ms = ParseDecimalScaled(*text, 3);
  if (!ms.ok()) {
    Fail(node, path, "expected a number of seconds, got '" + *text + "'");
    return std::nullopt;
  }
  return *ms;
}

std::optional<std::vector<std::string>> Reader::StringList(const YAML::Node& node,
                                                           const std::string& path) {
  auto items = Seq(node, path);
  if (!items) return std::nullopt;
  std::vector<std::string> out;
  for (size_t i = 0; i < items->size(); ++i) {
    auto s = String((*items)[i], Index(path, i));
    if (!s) return std::nullopt;
    out.push_back(*s);
  }
  return out;
}

}  // namespace ukairo::router::config_internal
