// Helpers shared by the repairs sources; not part of the public API.
// Payload readers never throw: a fold must survive any payload a remote replica sends.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/payload.h"
#include "engine/store.h"
#include "repairs/repairs.h"
#include "util/civil_time.h"

namespace houqin::repairs::detail {

using payload::Arr;
using payload::Bad;
using payload::Bool;
using payload::Contains;
using payload::DateOf;
using payload::Int;
using payload::Load;
using payload::Missing;
using payload::No;
using payload::Obj;
using payload::Str;
using payload::Strings;
using payload::Time;
using payload::Trim;

template <typename List>
bool OneOf(const List& list, std::string_view x) {
  return std::find(std::begin(list), std::end(list), x) != std::end(list);
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
