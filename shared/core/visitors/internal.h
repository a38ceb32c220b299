// Helpers shared by the visitors area's source files; not part of the public API.
// Thread safety: free functions; the Store is single-threaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/fold.h"
#include "engine/payload.h"
#include "engine/workflow.h"
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

using payload::Bad;
using payload::Bool;
using payload::Int;
using payload::Load;
using payload::Missing;
using payload::No;
using payload::Str;
using payload::Strings;
using payload::Time;
using payload::Trim;

// The personal object a fold keeps for a record: e.personal as written, or the purged marker
// when the engine has purged it. Returns false when the event carries no personal data at all.
bool PersonalOf(const Event& e, Json& out);

// A lifecycle step that only needs a reason (revoke a device key, cancel a
// delegation): the table's check for `current` (the record's fields), a
// non-empty reason (`what_zh` names it to people), and one draft {reason, at}.
Result<Command> StepWithReason(const Workflow& table, std::string_view entity, const std::string& id,
                               const Json& current, std::string_view kind, const Author& actor,
                               const std::string& reason, const char* what_zh, LocalTime now);

// The days an invite window touches, capped (invites.cpp); groups of the day index.
std::vector<Date> InviteDays(const Json& invite_fields);

}  // namespace houqin::visitors::internal
