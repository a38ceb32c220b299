#include "engine/event.h"

#include <openssl/rand.h>

#include <algorithm>

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

// What a checked value is called in messages: a payload or personal data.
struct Noun {
  const char* en;
  const char* zh;
};
constexpr Noun kPayloadNoun{"payload", "载荷"};
constexpr Noun kPersonalNoun{"personal data", "个人数据"};

Status CheckValue(const Json& v, std::string_view field, int depth, const Noun& noun) {
  if (depth > 32)
    return Status::Invalid(std::string(field), {std::string(noun.en) + " is nested too deeply",
                                                std::string(noun.zh) + "嵌套层级过深"});
  switch (v.type()) {
    case Json::value_t::number_float:
      return Status::Invalid(std::string(field),
                             {std::string(noun.en) + " must not hold floating-point numbers (use integer units)",
                              std::string(noun.zh) + "不能包含浮点数(请使用整数单位)"});
    case Json::value_t::object:
      for (const auto& [k, item] : v.items()) {
        Status s = CheckValue(item, std::string(field) + "." + k, depth + 1, noun);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    case Json::value_t::array:
      for (const auto& item : v) {
        Status s = CheckValue(item, field, depth + 1, noun);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    case Json::value_t::binary:
    case Json::value_t::discarded:
      return Status::Invalid(std::string(field), {std::string(noun.en) + " holds a value JSON cannot carry",
                                                  std::string(noun.zh) + "包含无法表示的值"});
    default:
      return Status::Ok();
  }
}

// What CheckValue accepts, without naming anything: every event's payload
// passes here, and building each key's field name costs more than the check.
bool ValueAcceptable(const Json& v, int depth) {
  if (depth > 32) return false;
  switch (v.type()) {
    case Json::value_t::number_float:
    case Json::value_t::binary:
    case Json::value_t::discarded:
      return false;
    case Json::value_t::object:
      for (const auto& [k, item] : v.get_ref<const Json::object_t&>())
        if (!ValueAcceptable(item, depth + 1)) return false;
      return true;
    case Json::value_t::array:
      for (const auto& item : v.get_ref<const Json::array_t&>())
        if (!ValueAcceptable(item, depth + 1)) return false;
      return true;
    default:
      return true;
  }
}

Status CheckObject(const Json& v, std::string_view field, const Noun& noun) {
  if (!v.is_object())
    return Status::Invalid(std::string(field), {std::string(noun.en) + " must be a JSON object",
                                                std::string(noun.zh) + "必须是JSON对象"});
  if (ValueAcceptable(v, 0)) return Status::Ok();
  return CheckValue(v, field, 0, noun);  // finds and names what is wrong
}

Status NotUtf8(const char* field, const Noun& noun) {
  return Status::Invalid(field, {std::string(noun.en) + " text is not valid UTF-8",
                                 std::string(noun.zh) + "文本不是有效的UTF-8"});
}

Status CheckSize(std::size_t json_bytes, const char* field, const Noun& noun) {
  if (json_bytes > kMaxPayloadBytes)
    return Status::Invalid(field,
                           {std::string(noun.en) + " is larger than 64 KiB", std::string(noun.zh) + "超过64 KiB"});
  return Status::Ok();
}

Result<std::string> Serialize(const Json& v, const char* field, const Noun& noun) {
  std::string text;
  try {
    text = v.dump();
  } catch (const Json::type_error&) {
    return NotUtf8(field, noun);
  }
  if (Status s = CheckSize(text.size(), field, noun); !s.ok()) return s;
  return text;
}

bool IsLowerHex(std::string_view s, std::size_t digits) {
  return s.size() == digits &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string HexToBytes(std::string_view hex) {
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(nib(hex[2 * i]) << 4 | nib(hex[2 * i + 1]));
  return out;
}

std::string DigestOf(std::string_view salt_hex, const std::string& text) {
  return ToHex(Sha256(HexToBytes(salt_hex) + text));
}

// The personal part of an event: none at all, data matching its salted
// digest, or purged (the digest only: the salt goes with the data, because
// with the salt a phone number could be found again by trying every number).
Status CheckPersonal(const Event& e) {
  if (e.personal_digest.empty()) {
    if (e.personal.is_null() && e.personal_salt.empty() && !e.personal_purged) return Status::Ok();
    return Status::Invalid("personal", {"personal data needs its salt and digest", "个人数据缺少盐值和摘要"});
  }
  if (!IsLowerHex(e.personal_digest, 64))
    return Status::Invalid("personal_digest", {"personal_digest must be 64 lowercase hex digits",
                                               "personal_digest 必须是64位小写十六进制数"});
  if (e.personal_purged) {
    if (!e.personal.is_null())
      return Status::Invalid("personal", {"a purged event carries no personal data", "已清除的事件不能携带个人数据"});
    if (!e.personal_salt.empty())
      return Status::Invalid("personal_salt", {"a purged event keeps no salt (it would let the digest be guessed)",
                                               "已清除的事件不保留盐值(否则摘要可被猜出)"});
    return Status::Ok();
  }
  if (e.personal.is_null())
    return Status::Invalid("personal", {"personal data is missing; an event whose data was purged must say so",
                                        "缺少个人数据;已清除的事件必须标明"});
  if (Status s = ValidatePersonal(e.personal); !s.ok()) return s;
  if (!IsLowerHex(e.personal_salt, 2 * kPersonalSaltBytes))
    return Status::Invalid("personal_salt", {"personal_salt must be 32 lowercase hex digits",
                                             "personal_salt 必须是32位小写十六进制数"});
  auto text = SerializePersonal(e.personal);
  if (!text) return text.status();
  if (DigestOf(e.personal_salt, *text) != e.personal_digest)
    return Status::Invalid("personal", {"personal data does not match its digest", "个人数据与其摘要不符"});
  return Status::Ok();
}

}  // namespace

Status ValidatePayload(const Json& payload, std::string_view field) { return CheckObject(payload, field, kPayloadNoun); }

Result<std::string> SerializePayload(const Json& payload) { return Serialize(payload, "payload", kPayloadNoun); }

Status PayloadNotUtf8() { return NotUtf8("payload", kPayloadNoun); }

Status CheckPayloadSize(std::size_t json_bytes) { return CheckSize(json_bytes, "payload", kPayloadNoun); }

Status ValidatePersonal(const Json& personal) { return CheckObject(personal, "personal", kPersonalNoun); }

Result<std::string> SerializePersonal(const Json& personal) { return Serialize(personal, "personal", kPersonalNoun); }

std::string NewPersonalSalt() {
  unsigned char salt[kPersonalSaltBytes];
  if (RAND_bytes(salt, static_cast<int>(sizeof salt)) != 1) return {};
  return ToHex(salt, sizeof salt);
}

std::string PersonalDigest(std::string_view salt_hex, const Json& personal) {
  if (!IsLowerHex(salt_hex, 2 * kPersonalSaltBytes)) return {};
  auto text = SerializePersonal(personal);
  if (!text) return {};
  return DigestOf(salt_hex, *text);
}

void ForgetPersonal(Event& e) {
  if (e.personal_digest.empty()) return;
  e.personal = nullptr;
  e.personal_salt.clear();
  e.personal_purged = true;
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
  if (Status s = ValidatePayload(e.payload); !s.ok()) return s;
  return CheckPersonal(e);
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
  // Only the digest: the data can then be purged while the event keeps its hash.
  if (!e.personal_digest.empty()) a.push_back(e.personal_digest);
  return a.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Digest EventHash(const Event& e) { return Sha256(CanonicalBytes(e)); }

Json ToJson(const Event& e) {
  Json j{{"id", e.id},         {"type", e.entity_type},   {"entity", e.entity_id},
          {"kind", e.kind},     {"payload", e.payload},    {"user", e.author.user},
          {"role", e.author.role}, {"device", e.author.device}, {"seq", e.seq},
          {"hlc", HlcToHex(e.hlc)}};
  if (!e.personal.is_null()) j["personal"] = e.personal;
  if (!e.personal_salt.empty()) j["personal_salt"] = e.personal_salt;
  if (!e.personal_digest.empty()) j["personal_digest"] = e.personal_digest;
  if (e.personal_purged) j["personal_purged"] = true;
  return j;
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
  // Personal data is optional: events written before it existed have none of these keys.
  if (auto it = j.find("personal"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return Status::Invalid("personal", {"personal must be a JSON object", "personal 必须是JSON对象"});
    e.personal = *it;
  }
  for (auto [key, out] : {std::pair{"personal_salt", &e.personal_salt}, {"personal_digest", &e.personal_digest}}) {
    if (!j.contains(key)) continue;
    if (Status s = str(key, out); !s.ok()) return s;
  }
  if (auto it = j.find("personal_purged"); it != j.end()) {
    if (!it->is_boolean())
      return Status::Invalid("personal_purged",
                             {"personal_purged must be true or false", "personal_purged 必须是布尔值"});
    e.personal_purged = it->get<bool>();
  }
  if (Status s = ValidateEvent(e); !s.ok()) return s;
  return e;
}

}  // namespace houqin
