// Helpers shared by the repairs sources; not part of the public API.
// Payload readers never throw: a fold must survive any payload a remote replica sends.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store.h"
#include "repairs/repairs.h"
#include "util/civil_time.h"

namespace houqin::repairs::detail {

inline std::string Str(const Json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline std::int64_t Int(const Json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
inline bool Bool(const Json& j, std::string_view key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}
inline const Json& Obj(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}
inline const Json& Arr(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::array();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}
inline std::vector<std::string> Strings(const Json& j, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& v : Arr(j, key))
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}
inline std::optional<LocalTime> Time(const Json& j, std::string_view key) { return LocalTime::Parse(Str(j, key)); }
inline std::optional<Date> DateOf(const Json& j, std::string_view key) { return Date::Parse(Str(j, key)); }

inline std::string Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

inline bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
template <typename List>
bool OneOf(const List& list, std::string_view x) {
  return std::find(std::begin(list), std::end(list), x) != std::end(list);
}

inline Status Missing(const std::string& field, const std::string& what_en, const std::string& what_zh) {
  return Status::Invalid(field, {what_en + " is required", "请填写" + what_zh});
}
inline Status Bad(const std::string& field, std::string en, std::string zh) {
  return Status::Invalid(field, {std::move(en), std::move(zh)});
}
inline Status No(const std::string& field, std::string en, std::string zh) {
  return Status::Refused(field, {std::move(en), std::move(zh)});
}

inline std::optional<RecordView> Load(Store& store, std::string_view type, const std::string& id) {
  if (id.empty()) return std::nullopt;
  auto r = store.Get(std::string(type), id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return std::move(**r);
}

inline std::string Fen(std::int64_t fen) {
  const bool negative = fen < 0;
  const std::int64_t a = negative ? -fen : fen;
  std::string cents = std::to_string(a % 100);
  if (cents.size() < 2) cents = "0" + cents;
  return (negative ? "-" : "") + std::to_string(a / 100) + "." + cents;
}

// Rounded half up; 0 when there is nothing to divide.
inline int Ratio(std::int64_t num, std::int64_t den, std::int64_t scale) {
  return den <= 0 ? 0 : static_cast<int>((num * scale * 2 + den) / (den * 2));
}

Json LocationJson(const Location& l);
Location LocationOf(const Json& j);
Json PhotosJson(const std::vector<Photo>& photos);
std::vector<Photo> PhotosOf(const Json& j);

// The checks shared by ReportRepair and a finding that becomes a repair request: the draft of
// the repair.reported event, with `source` merged into the payload.
Result<Draft> ReportDraft(Store& store, const Author& actor, const RepairInput& input, const Json& source,
                          LocalTime now);

}  // namespace houqin::repairs::detail
