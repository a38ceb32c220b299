// Helpers shared by the visitors area's source files; not part of the public API.
// Thread safety: free functions; the Store is single-threaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fold.h"
#include "engine/store.h"
#include "util/civil_time.h"
#include "util/status.h"

namespace houqin::visitors::internal {

// Constraint names.
inline constexpr std::string_view kInviteUse = "visitor_invite_use";
inline constexpr std::string_view kBlocklist = "visitor_blocklist";
inline constexpr std::string_view kOnSiteIndex = "visitor_on_site";
inline constexpr std::string_view kIdentityIndex = "visitor_identity";
inline constexpr std::string_view kDayIndex = "visitor_day";

// The engine applies personal.purged itself (ApplyEvent); folds skip it should one reach them.
inline constexpr std::string_view kPersonalPurged = kPersonalPurgedKind;

std::string Str(const Json& j, const char* key);
std::int64_t Int(const Json& j, const char* key);
bool Bool(const Json& j, const char* key);
std::optional<LocalTime> Time(const Json& j, const char* key);
std::vector<std::string> Strings(const Json& j, const char* key);
std::string Trim(std::string_view s);

Status Missing(const std::string& field, const std::string& en, const std::string& zh);
Status Bad(std::string field, std::string en, std::string zh);
Status No(std::string field, std::string en, std::string zh);

std::optional<RecordView> Load(Store& store, std::string_view type, const std::string& id);

// The personal object a fold keeps for a record: e.personal as written, or the purged marker
// when the engine has purged it. Returns false when the event carries no personal data at all.
bool PersonalOf(const Event& e, Json& out);

// The days an invite window touches, capped (invites.cpp); groups of the day index.
std::vector<Date> InviteDays(const Json& invite_fields);

}  // namespace houqin::visitors::internal
