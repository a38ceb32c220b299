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
