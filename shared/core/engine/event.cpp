#include "engine/event.h"

#include "util/uuid.h"

namespace houqin {

namespace {

Status CheckName(const std::string& value, const char* field) {
  if (value.empty())
    return Status::Invalid(field, {std::string(field) + " must not be empty", std::string(field) + " 不能为空"});
  if (value.size() > kMaxNameBytes)
    return Status::Invalid(field, {std::string(field) + " is longer than 128 bytes",
                                   std::string(field) + " 超过128字节"});
  return Status::Ok();
}

Status CheckPayloadValue(const Json& v, std::string_view field, int depth) {
  if (depth > 32)
    return Status::Invalid(std::string(field), {"payload is nested too deeply", "载荷嵌套层级过深"});
  switch (v.type()) {
    case Json::value_t::number_float:
      return Status::Invalid(std::string(field), {"payload must not hold floating-point numbers (use integer units)",
                                                  "载荷不能包含浮点数(请使用整数单位)"});
    case Json::value_t::object:
      for (const auto& [k, item] : v.items()) {
        Status s = CheckPayloadValue(item, std::string(field) + "." + k, depth + 1);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    case Json::value_t::array:
      for (const auto& item : v) {
        Status s = CheckPayloadValue(item, field, depth + 1);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    case Json::value_t::binary:
    case Json::value_t::discarded:
      return Status::Invalid(std::string(field), {"payload holds a value JSON cannot carry", "载荷包含无法表示的值"});
    default:
      return Status::Ok();
  }
}

}  // namespace

Status ValidatePayload(const Json& payload, std::string_view field) {
  if (!payload.is_object())
    return Status::Invalid(std::string(field), {"payload must be a JSON object", "载荷必须是JSON对象"});
  return CheckPayloadValue(payload, field, 0);
}

Result<std::string> SerializePayload(const Json& payload) {
  std::string text;
  try {
    text = payload.dump();
  } catch (const Json::type_error&) {
    return Status::Invalid("payload", {"payload text is not valid UTF-8", "载荷文本不是有效的UTF-8"});
  }
  if (text.size() > kMaxPayloadBytes)
    return Status::Invalid("payload", {"payload is larger than 64 KiB", "载荷超过64 KiB"});
  return text;
}

Status ValidateEvent(const Event& e) {
  if (!ParseUuid(e.id))
    return Status::Invalid("id", {"event id must be a lowercase canonical UUID", "事件ID必须是小写标准UUID"});
  for (auto [value, field] : {std::pair{&e.entity_type, "type"}, {&e.entity_id, "entity"}, {&e.kind, "kind"},
                              {&e.author.user, "user"}, {&e.author.role, "role"}, {&e.author.device, "device"}}) {
    Status s = CheckName(*value, field);
    if (!s.ok()) return s;
  }
  if (e.seq == 0)
    return Status::Invalid("seq", {"sequence number must start at 1", "序号必须从1开始"});
  if (e.hlc == 0)
    return Status::Invalid("hlc", {"clock stamp is missing", "缺少时钟戳"});
  // The 64 KiB bound is checked where the payload is serialised for storage.
  return ValidatePayload(e.payload);
}

std::string HlcToHex(std::uint64_t stamp) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, stamp >>= 4) s[i] = kHex[stamp & 0xf];
  return s;
}

bool HlcFromHex(std::string_view hex, std::uint64_t* out) {
  if (hex.size() != 16) return false;
  std::uint64_t v = 0;
  for (char c : hex) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint64_t>(c - 'a' + 10);
    else return false;
  }
  *out = v;
  return true;
}

std::string CanonicalBytes(const Event& e) {
  // Version 1 layout: a fixed-order array; object keys sorted by nlohmann's std::map.
  Json a = Json::array({1, e.id, e.entity_type, e.entity_id, e.kind, e.author.user, e.author.role,
                        e.author.device, e.seq, HlcToHex(e.hlc), e.payload});
  return a.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Digest EventHash(const Event& e) { return Sha256(CanonicalBytes(e)); }

Json ToJson(const Event& e) {
  return Json{{"id", e.id},         {"type", e.entity_type},   {"entity", e.entity_id},
              {"kind", e.kind},     {"payload", e.payload},    {"user", e.author.user},
              {"role", e.author.role}, {"device", e.author.device}, {"seq", e.seq},
              {"hlc", HlcToHex(e.hlc)}};
}

Result<Event> EventFromJson(const Json& j) {
  if (!j.is_object()) return Status::Invalid("event", {"an event must be a JSON object", "事件必须是JSON对象"});
  Event e;
  auto str = [&](const char* key, std::string* out) -> Status {
    auto it = j.find(key);
    if (it == j.end())
      return Status::Invalid(key, {std::string("missing field ") + key, std::string("缺少字段 ") + key});
    if (!it->is_string())
      return Status::Invalid(key, {std::string(key) + " must be a string", std::string(key) + " 必须是字符串"});
    *out = it->get<std::string>();
    return Status::Ok();
  };
  for (auto [key, out] : {std::pair{"id", &e.id}, {"type", &e.entity_type}, {"entity", &e.entity_id},
                          {"kind", &e.kind}, {"user", &e.author.user}, {"role", &e.author.role},
                          {"device", &e.author.device}}) {
    Status s = str(key, out);
    if (!s.ok()) return s;
  }
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned())
    return Status::Invalid("seq", {"seq must be a positive integer", "seq 必须是正整数"});
  e.seq = seq->get<std::uint64_t>();
  std::string hlc_hex;
  if (Status s = str("hlc", &hlc_hex); !s.ok()) return s;
  if (!HlcFromHex(hlc_hex, &e.hlc))
    return Status::Invalid("hlc", {"hlc must be 16 lowercase hex digits", "hlc 必须是16位小写十六进制数"});
  auto payload = j.find("payload");
  if (payload == j.end()) return Status::Invalid("payload", {"missing field payload", "缺少字段 payload"});
  e.payload = *payload;
  if (Status s = ValidateEvent(e); !s.ok()) return s;
  return e;
}

}  // namespace houqin
