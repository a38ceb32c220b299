// Readers of the fields of a Json payload (event payloads, record fields, rule overrides).
// They never throw: a fold must survive any payload a remote replica sends, so a missing
// field, a field of another type or a payload that is not an object all give the default.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"
#include "engine/store.h"
#include "util/civil_time.h"
#include "util/status.h"

namespace houqin::payload {

// A string field; a number or any other type is not read as text.
inline std::string Str(const Json& j, std::string_view key, std::string_view def = {}) {
  if (!j.is_object()) return std::string(def);
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string(def);
}

// A whole number (signed or unsigned; a float is not one). An unsigned value above
// INT64_MAX wraps as nlohmann's get<std::int64_t> does.
inline std::int64_t Int(const Json& j, std::string_view key, std::int64_t def = 0) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : def;
}

inline bool Bool(const Json& j, std::string_view key, bool def = false) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : def;
}

inline bool Has(const Json& j, std::string_view key) { return j.is_object() && j.find(key) != j.end(); }

// An object field, or an empty object.
inline const Json& Obj(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

// An array field, or an empty array.
inline const Json& Arr(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::array();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

// The string elements of an array field; elements of other types are skipped.
inline std::vector<std::string> Strings(const Json& j, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& v : Arr(j, key))
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

inline std::optional<LocalTime> Time(const Json& j, std::string_view key) { return LocalTime::Parse(Str(j, key)); }
inline std::optional<Date> DateOf(const Json& j, std::string_view key) { return Date::Parse(Str(j, key)); }

// Reads a rule override into `out`; an absent or null field, or a value of the wrong type,
// keeps the default already in `out` (the admin tool validates before writing).
template <typename T>
void Take(const Json& j, std::string_view key, T& out) {
  if (!j.is_object()) return;
  if (auto it = j.find(key); it != j.end() && !it->is_null()) {
    try {
      out = it->get<T>();
    } catch (const Json::exception&) {
    }
  }
}

// Text typed by people: surrounding ASCII white space removed.
inline std::string Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

inline bool Contains(const std::vector<std::string>& list, std::string_view x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

// The errors an area gives for one field of its input, English and Chinese.
inline Status Missing(const std::string& field, const std::string& what_en, const std::string& what_zh) {
  return Status::Invalid(field, {what_en + " is required", "请填写" + what_zh});
}
inline Status Bad(std::string field, std::string en, std::string zh) {
  return Status::Invalid(std::move(field), {std::move(en), std::move(zh)});
}
inline Status No(std::string field, std::string en, std::string zh) {
  return Status::Refused(std::move(field), {std::move(en), std::move(zh)});
}

// The record `type`/`id`; nullopt when the id is empty, no such record exists or it cannot be read.
inline std::optional<RecordView> Load(Store& store, std::string_view type, const std::string& id) {
  if (id.empty()) return std::nullopt;
  auto r = store.Get(std::string(type), id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return std::move(**r);
}

}  // namespace houqin::payload
