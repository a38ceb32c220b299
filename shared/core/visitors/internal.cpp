#include "visitors/internal.h"

namespace houqin::visitors::internal {

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Int(const Json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

bool Bool(const Json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::optional<LocalTime> Time(const Json& j, const char* key) { return LocalTime::Parse(Str(j, key)); }

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.is_object()) return out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

Status Missing(const std::string& field, const std::string& en, const std::string& zh) {
  return Status::Invalid(field, {en + " is required", "请填写" + zh});
}

Status Bad(std::string field, std::string en, std::string zh) {
  return Status::Invalid(std::move(field), {std::move(en), std::move(zh)});
}

Status No(std::string field, std::string en, std::string zh) {
  return Status::Refused(std::move(field), {std::move(en), std::move(zh)});
}

std::optional<RecordView> Load(Store& store, std::string_view type, const std::string& id) {
  if (id.empty()) return std::nullopt;
  auto r = store.Get(std::string(type), id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return std::move(**r);
}

bool PersonalOf(const Event& e, Json& out) {
  if (e.personal_purged) {
    out = Json{{"purged", true}};
    return true;
  }
  if (e.personal.is_object()) {
    out = e.personal;
    return true;
  }
  return false;
}

}  // namespace houqin::visitors::internal
