// Helpers shared by the duty area's source files; not part of the public API.
// Thread safety: free functions; the Store is single-threaded.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/directory.h"
#include "engine/payload.h"
#include "duty/duty.h"

namespace houqin::duty::internal {

// Constraint names.
inline constexpr std::string_view kRosterConstraint = "duty_roster";
inline constexpr std::string_view kShiftRecords = "duty_shift_records";
inline constexpr std::string_view kMonthIndex = "duty_month";
inline constexpr std::string_view kInboxIndex = "duty_inbox";

// A shift lasts at most this long (our decision): it bounds the roster groups to three days.
inline constexpr std::int64_t kMaxShiftMinutes = 48 * 60;

using payload::Bad;
using payload::Bool;
using payload::Contains;
using payload::Int;
using payload::Load;
using payload::Missing;
using payload::No;
using payload::Str;
using payload::Strings;
using payload::Time;
using payload::Trim;

Result<RecordView> LoadShift(Store& store, const std::string& shift_id);

using directory::ActorHolds;
using directory::CheckStep;

// Is `user` an officer or the leader of this shift record?
bool OnShift(const Json& shift_fields, const std::string& user);
// Refused (field "officer") unless the actor is an officer or the leader of the shift.
Status OnThisShift(const RecordView& shift, const Author& actor);
// The refusal of an edit to a log sealed at the handover (field "entry").
Status Sealed(const RecordView& shift);
// The days a [start, end) window touches; an end at midnight does not touch its day.
std::vector<Date> DaysOf(LocalTime start, LocalTime end);
bool ShiftIsLive(std::string_view status);

// Checkpoint codes are stored as SHA-256 over the checkpoint id and the code.
std::string CodeHash(const std::string& checkpoint_id, const std::string& code);

ShiftInfo ToShiftInfo(const RecordView& v);
PlanInfo ToPlanInfo(const RecordView& v);
Json PlanJson(const PlanInfo& p);
PlanInfo PlanFromJson(const Json& j);

}  // namespace houqin::duty::internal
