#include "sync/protocol.h"

#include <charconv>

namespace houqin::sync {

Json EventsToJson(const std::vector<Event>& events) {
  Json list = Json::array();
  for (const Event& e : events) list.push_back(ToJson(e));
  return Json{{"events", std::move(list)}};
}

Result<std::vector<Event>> EventsFromJson(const Json& body) {
  if (!body.is_object()) return Status::Invalid("body", {"the body must be a JSON object", "请求体必须是JSON对象"});
  auto it = body.find("events");
  if (it == body.end() || !it->is_array())
    return Status::Invalid("events", {"\"events\" must be an array of events", "\"events\" 必须是事件数组"});
  std::vector<Event> out;
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string where = "events[" + std::to_string(i) + "]";
    auto e = EventFromJson((*it)[i]);
    if (!e) return Status::Invalid(where + (e.status().field().empty() ? "" : "." + e.status().field()), e.status().message());
    if (Status s = ValidateEvent(*e); !s.ok())
      return Status::Invalid(where + (s.field().empty() ? "" : "." + s.field()), s.message());
    out.push_back(std::move(*e));
  }
  return out;
}

Result<std::vector<Event>> EventsFromJson(Json&& body) {
  if (!body.is_object()) return EventsFromJson(static_cast<const Json&>(body));
  auto it = body.find("events");
  if (it == body.end() || !it->is_array()) return EventsFromJson(static_cast<const Json&>(body));
  std::vector<Event> out;
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string where = "events[" + std::to_string(i) + "]";
    Json& item = (*it)[i];
    // EventFromJson reads an empty object in the payload's place; the payload's own checks are ValidateEvent's.
    Json payload;
    bool moved = false;
    if (item.is_object()) {
      if (auto p = item.find("payload"); p != item.end()) {
        payload = std::move(*p);
        *p = Json::object();
        moved = true;
      }
    }
    auto e = EventFromJson(item);
    if (!e) return Status::Invalid(where + (e.status().field().empty() ? "" : "." + e.status().field()), e.status().message());
    if (moved) e->payload = std::move(payload);
    if (Status s = ValidateEvent(*e); !s.ok())
      return Status::Invalid(where + (s.field().empty() ? "" : "." + s.field()), s.message());
    out.push_back(std::move(*e));
  }
  return out;
}

namespace {

// Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF),
// the same bytes nlohmann's serializer accepts; anything else goes to it.
bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c == 0xE0) {
      n = 2, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      n = 2;
    } else if (c == 0xED) {
      n = 2, hi = 0x9F;
    } else if (c == 0xF0) {
      n = 3, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      n = 3;
    } else if (c == 0xF4) {
      n = 3, hi = 0x8F;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int k = 2; k <= n; ++k)
      if (p[k] < 0x80 || p[k] > 0xBF) return false;
    p += n + 1;
  }
  return true;
}

void AppendString(std::string& out, const std::string& s) {
  if (!ValidUtf8(s)) {
    out += Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
    return;
  }
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(s, run, s.size() - run);
  out.push_back('"');
}

template <typename T>
void AppendInteger(std::string& out, T v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

}  // namespace

void AppendJson(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : j.items()) {
        if (!first) out.push_back(',');
        first = false;
        AppendString(out, key);
        out.push_back(':');
        AppendJson(out, value);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& value : j) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(out, value);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::string:
      AppendString(out, j.get_ref<const std::string&>());
      return;
    case Json::value_t::number_integer:
      AppendInteger(out, j.get<std::int64_t>());
      return;
    case Json::value_t::number_unsigned:
      AppendInteger(out, j.get<std::uint64_t>());
      return;
    case Json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    default:  // floats (refused in payloads), binary, discarded: nlohmann's own text
      out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

std::string EventText(const Event& e) {
  std::string out;
  out.reserve(768);
  AppendJson(out, ToJson(e));
  return out;
}

std::string PullResponseFromTexts(const std::vector<std::string_view>& event_texts, std::int64_t cursor, bool more) {
  std::size_t size = 64;
  for (std::string_view t : event_texts) size += t.size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"cursor\":";
  AppendString(out, CursorToString(cursor));
  out += ",\"events\":[";
  for (std::size_t i = 0; i < event_texts.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += event_texts[i];
  }
  out += "],\"more\":";
  out += more ? "true" : "false";
  out.push_back('}');
  return out;
}

std::string PullResponseText(std::vector<Event>& events, std::int64_t cursor, bool more) {
  std::vector<std::string> texts;
  texts.reserve(events.size());
  for (Event& e : events) texts.push_back(EventText(e));
  return PullResponseFromTexts({texts.begin(), texts.end()}, cursor, more);
}

Json ErrorBody(std::string_view code, const Text& message, std::string_view field) {
  Json err{{"code", code}, {"message", message.en}, {"message_zh", message.zh}};
  err["field"] = field.empty() ? Json(nullptr) : Json(field);
  return Json{{"error", std::move(err)}};
}

std::string CursorToString(std::int64_t cursor) { return std::to_string(cursor); }

bool CursorFromString(std::string_view text, std::int64_t* cursor) {
  if (text.empty()) {
    *cursor = 0;
    return true;
  }
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) return false;
  *cursor = v;
  return true;
}

}  // namespace houqin::sync
