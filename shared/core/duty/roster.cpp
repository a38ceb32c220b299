// Roster, check-in at the duty room, spot checks and the compliance summaries.
#include <set>

#include "duty/duty.h"
#include "duty/internal.h"

namespace houqin::duty {

using namespace internal;

namespace {

Status CheckPeople(Store& store, const std::vector<std::string>& officers, const std::string& leader) {
  if (officers.empty()) return Missing("officers", "at least one duty officer", "至少一名值班人员");
  std::set<std::string> seen;
  for (const auto& id : officers) {
    if (!seen.insert(id).second)
      return Bad("officers", "officer " + id + " is listed twice", "值班人员 " + id + " 重复");
    auto user = directory::FindUser(store, id);
    if (!user || !user->HasRole(role::kDutyOfficer))
      return Bad("officers", id + " is not a duty officer", id + " 不是值班人员");
  }
  if (leader.empty()) return Missing("leader", "the duty leader (带班领导)", "带班领导");
  auto user = directory::FindUser(store, leader);
  if (!user || !user->HasRole(role::kDutyLeader)) return Bad("leader", leader + " is not a duty leader", leader + " 不是带班领导");
  if (seen.count(leader) != 0)
    return Bad("leader", "the duty leader leads the shift and is not also one of its officers",
               "带班领导不能同时排为本班值班人员");
  return Status::Ok();
}

Status CheckWindow(LocalTime start, LocalTime end, LocalTime now) {
  if (!(start < end)) return Bad("end", "the shift must end after it starts", "班次结束时间必须晚于开始时间");
  if (end.MinutesSinceEpoch() - start.MinutesSinceEpoch() > kMaxShiftMinutes)
    return Bad("end", "a shift lasts at most 48 hours", "一个班次最长48小时");
  if (end <= now) return Bad("end", "the shift has already ended (" + end.ToString() + ")", "该班次已结束(" + end.ToString() + ")");
  return Status::Ok();
}

// Another live shift of one of these officers whose window overlaps, on this replica.
Status CheckOfficersFree(Store& store, const std::vector<std::string>& officers, LocalTime start, LocalTime end,
                         const std::string& except_shift) {
  for (const auto& officer : officers)
    for (const Date& d : DaysOf(start, end)) {
      auto members = store.GroupMembers(kRosterConstraint, officer + "@" + d.ToString());
      if (!members.ok()) continue;
      for (const auto& m : *members) {
        if (m.key.id == except_shift) continue;
        auto s = Time(m.fields, "start"), e = Time(m.fields, "end");
        if (s && e && start < *e && *s < end)
          return No("officers", "officer " + officer + " is already on shift " + m.key.id + " at an overlapping time",
                    "值班人员 " + officer + " 已排在时间重叠的班次 " + m.key.id);
      }
    }
  return Status::Ok();
}

Status CheckRoom(Store& store, const std::string& room, const std::string& site) {
  if (room.empty()) return Missing("room", "the duty room", "值班室");
  auto cp = FindCheckpoint(store, room);
  if (!cp) return Status::NotFound("room", {"no duty room " + room, "没有值班室 " + room});
  if (cp->kind != checkpoint_kind::kDutyRoom || cp->site != site)
    return Bad("room", room + " is not a duty room of site " + site, room + " 不是院区 " + site + " 的值班室");
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------
// Roster

Result<Command> RosterShift(Store& store, const Author& actor, const ShiftInput& in, LocalTime now) {
  if (Status s = CheckStep(store, ShiftWorkflow(), "", kind::kRostered, actor); !s.ok()) return s;
  if (in.id.empty()) return Missing("id", "a shift id", "班次编号");
  if (Load(store, entity::kShift, in.id))
    return No("id", "shift " + in.id + " exists already", "班次 " + in.id + " 已存在");
  const std::string site = Trim(in.site);
  if (site.empty()) return Missing("site", "the site", "院区");
  if (Status s = CheckRoom(store, in.room, site); !s.ok()) return s;
  if (!in.date) return Missing("date", "the duty date", "值班日期");
  if (!in.start) return Missing("start", "the start time", "开始时间");
  if (!in.end) return Missing("end", "the end time", "结束时间");
  if (in.start->date != *in.date)
    return Bad("start", "the shift starts on its duty date " + in.date->ToString(),
               "班次应在值班日期 " + in.date->ToString() + " 开始");
  if (Status s = CheckWindow(*in.start, *in.end, now); !s.ok()) return s;
  if (Status s = CheckPeople(store, in.officers, in.leader); !s.ok()) return s;
  if (Status s = CheckOfficersFree(store, in.officers, *in.start, *in.end, in.id); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kShift), in.id, std::string(kind::kRostered),
                        Json{{"site", site},
                             {"room", in.room},
                             {"date", in.date->ToString()},
                             {"start", in.start->ToString()},
                             {"end", in.end->ToString()},
                             {"officers", in.officers},
                             {"leader", in.leader},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> ChangeRoster(Store& store, const Author& actor, const std::string& shift_id, const RosterChange& ch,
                             LocalTime now) {
  auto shift = LoadShift(store, shift_id);
  if (!shift.ok()) return shift.status();
  const Json& f = shift->fields;
  if (Status s = CheckStep(store, ShiftWorkflow(), Str(f, "status"), kind::kRosterChanged, actor); !s.ok()) return s;
  if (Trim(ch.reason).empty()) return Missing("reason", "a reason for the change", "调整理由");
  const auto officers = ch.officers.value_or(Strings(f, "officers"));
  const std::string leader = ch.leader.value_or(Str(f, "leader"));
  const LocalTime start = ch.start.value_or(Time(f, "start").value_or(LocalTime{}));
  const LocalTime end = ch.end.value_or(Time(f, "end").value_or(LocalTime{}));
  if (!ch.officers && !ch.leader && !ch.start && !ch.end)
    return Missing("officers", "a change of officers, leader or times", "调整的人员或时间");
  if (Status s = CheckWindow(start, end, now); !s.ok()) return s;
  if (Status s = CheckPeople(store, officers, leader); !s.ok()) return s;
  if (Status s = CheckOfficersFree(store, officers, start, end, shift_id); !s.ok()) return s;
  Json payload{{"reason", Trim(ch.reason)}, {"at", now.ToString()}};
  if (ch.officers) payload["officers"] = officers;
  if (ch.leader) payload["leader"] = leader;
  if (ch.start) {
    payload["start"] = start.ToString();
    payload["date"] = start.date.ToString();
  }
  if (ch.end) payload["end"] = end.ToString();
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kShift), shift_id, std::string(kind::kRosterChanged), std::move(payload)});
  return cmd;
}

Result<Command> CancelShift(Store& store, const Author& actor, const std::string& shift_id, const std::string& reason,
                            LocalTime now) {
  auto shift = LoadShift(store, shift_id);
  if (!shift.ok()) return shift.status();
  if (Status s = CheckStep(store, ShiftWorkflow(), Str(shift->fields, "status"), kind::kShiftCancelled, actor); !s.ok())
    return s;
  if (Trim(reason).empty()) return Missing("reason", "a reason for the cancellation", "取消理由");
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kShift), shift_id, std::string(kind::kShiftCancelled),
                        Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> CheckIn(Store& store, const Author& actor, const std::string& shift_id, const std::string& scanned_code,
                        LocalTime now) {
  auto shift = LoadShift(store, shift_id);
  if (!shift.ok()) return shift.status();
  const Json& f = shift->fields;
  if (Status s = CheckStep(store, ShiftWorkflow(), Str(f, "status"), kind::kCheckedIn, actor); !s.ok()) return s;
  if (!OnShift(f, actor.user))
    return No("officer", actor.user + " is not on the roster of shift " + shift_id,
              actor.user + " 不在班次 " + shift_id + " 的排班中");
  if (auto it = f.find("checkins"); it != f.end() && it->contains(actor.user))
    return No("officer", actor.user + " checked in already at " + Str(*it, actor.user.c_str()),
              actor.user + " 已于 " + Str(*it, actor.user.c_str()) + " 签到");
  const Rules rules = LoadRules(store);
  const LocalTime start = Time(f, "start").value_or(LocalTime{}), end = Time(f, "end").value_or(LocalTime{});
  const LocalTime opens = start.AddMinutes(-rules.checkin_early_minutes);
  if (now < opens)
    return No("at", "check-in opens at " + opens.ToString(), "签到时间从 " + opens.ToString() + " 开始");
  if (now >= end) return No("at", "the shift ended at " + end.ToString(), "该班次已于 " + end.ToString() + " 结束");
  if (Trim(scanned_code).empty()) return Missing("code", "the duty room's code (scan it)", "值班室识别码(请扫码)");
  const std::string room = Str(f, "room");
  if (!CodeMatches(store, room, Trim(scanned_code)))
    return No("code", "this is not the code of duty room " + room + "; scan the code in the duty room",
              "这不是值班室 " + room + " 的识别码, 请在值班室扫码");
  Command cmd;
  const bool late = now > start.AddMinutes(rules.checkin_grace_minutes);
  if (late)
    cmd.warnings.push_back({"late_checkin",
                            {"late check-in: the shift started at " + start.ToString(),
                             "签到迟到: 班次于 " + start.ToString() + " 开始"}});
  cmd.drafts.push_back({std::string(entity::kShift), shift_id, std::string(kind::kCheckedIn),
                        Json{{"officer", actor.user}, {"at", now.ToString()}, {"late", late}}});
  return cmd;
}

std::optional<ShiftInfo> FindShift(Store& store, const std::string& shift_id) {
  auto v = Load(store, entity::kShift, shift_id);
  if (!v) return std::nullopt;
  return ToShiftInfo(*v);
}

std::vector<ShiftInfo> ShiftsOn(Store& store, const std::string& site, Date date) {
  std::vector<ShiftInfo> out;
  auto members = store.GroupMembers(kMonthIndex, site + "@" + date.Month());
  if (!members.ok()) return out;
  for (const auto& m : *members) {
    ShiftInfo s = ToShiftInfo(m);
    if (s.date == date) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const ShiftInfo& a, const ShiftInfo& b) { return std::tie(a.start, a.id) < std::tie(b.start, b.id); });
  return out;
}

// ---------------------------------------------------------------------------
// Spot checks

Result<Command> RecordSpotCheck(Store& store, const Author& actor, const SpotCheckInput& in, LocalTime now) {
  if (Status s = CheckStep(store, SpotCheckWorkflow(), "", kind::kSpotChecked, actor); !s.ok()) return s;
  if (in.id.empty()) return Missing("id", "a spot-check id", "抽查记录编号");
  if (Load(store, entity::kSpotCheck, in.id))
    return No("id", "spot check " + in.id + " exists already", "抽查记录 " + in.id + " 已存在");
  auto shift = LoadShift(store, in.shift);
  if (!shift.ok()) return shift.status();
  const Json& f = shift->fields;
  const std::string status = Str(f, "status");
  if (status != "rostered" && status != "on_duty") {
    const Text st = ShiftWorkflow().StatusText(status);
    return No("shift", "shift " + in.shift + " is " + st.en + "; spot checks are made during a shift",
              "班次 " + in.shift + " 状态为“" + st.zh + "”, 抽查应在值班期间进行");
  }
  const LocalTime start = Time(f, "start").value_or(LocalTime{}), end = Time(f, "end").value_or(LocalTime{});
  if (now < start || now >= end)
    return No("at", "spot checks are made during the shift (" + start.ToString() + " – " + end.ToString() + ")",
              "抽查应在值班时间内进行(" + start.ToString() + " – " + end.ToString() + ")");
  if (in.officer.empty()) return Missing("officer", "the officer checked", "被抽查的值班人员");
  if (!Contains(Strings(f, "officers"), in.officer))
    return No("officer", in.officer + " is not an officer of shift " + in.shift,
              in.officer + " 不是班次 " + in.shift + " 的值班人员");
  if (in.officer == actor.user) return No("checker", "nobody spot-checks themselves", "不能抽查自己");
  const Rules rules = LoadRules(store);
  Json payload{{"shift", in.shift},          {"officer", in.officer},  {"present", in.present},
               {"regular", in.regular},       {"note", Trim(in.note)},  {"at", now.ToString()},
               {"fine_fen", 0},               {"fined", Json::array()}};
  Command cmd;
  if (!in.present) {
    std::vector<std::string> fined = Strings(f, "officers");
    if (rules.fine_includes_leader && !Str(f, "leader").empty()) fined.push_back(Str(f, "leader"));
    const std::int64_t fine = rules.absence_fine_enabled ? rules.absence_fine_fen : 0;
    payload["fine_fen"] = fine;
    payload["fined"] = fined;
    std::string names;
    for (const auto& p : fined) names += (names.empty() ? "" : ", ") + p;
    const std::string amount = std::to_string(fine / 100) + "." + (fine % 100 < 10 ? "0" : "") + std::to_string(fine % 100);
    cmd.warnings.push_back(
        {"absence_recorded",
         {in.officer + " absent from duty without cause (无故不值班); recorded: " + amount + " CNY for each of " + names,
          in.officer + " 抽查不在岗, 按无故不值班处理; 已记录当天值班人员 " + names + " 每人 " + amount + " 元"}});
  }
  cmd.drafts.push_back({std::string(entity::kSpotCheck), in.id, std::string(kind::kSpotChecked), std::move(payload)});
  return cmd;
}

Result<Command> VoidSpotCheck(Store& store, const Author& actor, const std::string& id, const std::string& reason,
                              LocalTime now) {
  auto v = Load(store, entity::kSpotCheck, id);
  if (!v) return Status::NotFound("spot_check", {"no spot check " + id, "没有抽查记录 " + id});
  if (Status s = CheckStep(store, SpotCheckWorkflow(), Str(v->fields, "status"), kind::kSpotCheckVoided, actor); !s.ok())
    return s;
  if (Trim(reason).empty()) return Missing("reason", "a reason", "作废理由");
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kSpotCheck), id, std::string(kind::kSpotCheckVoided),
                        Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  return cmd;
}

// ---------------------------------------------------------------------------
// Compliance

namespace {

ShiftCompliance Summarise(const RecordView& shift, const std::vector<RecordView>& members, const Rules& rules) {
  const Json& f = shift.fields;
  ShiftCompliance c;
  c.shift = shift.key.id;
  c.site = Str(f, "site");
  c.status = Str(f, "status");
  c.leader = Str(f, "leader");
  c.date = Date::Parse(Str(f, "date")).value_or(Date{});
  c.officers = Strings(f, "officers");
  const Json checkins = f.value("checkins", Json::object());
  for (const auto& o : c.officers) (checkins.contains(o) ? c.checked_in : c.not_checked_in).push_back(o);
  c.late_checkins = Strings(f, "late_checkins");
  c.conflicts = shift.conflicts.size();
  for (const auto& m : members) {
    if (m.key.type == entity::kSpotCheck) {
      c.conflicts += m.conflicts.size();
      if (Str(m.fields, "status") != "recorded") continue;
      ++c.spot_checks;
      if (Bool(m.fields, "present")) continue;
      c.absences.push_back({m.key.id, Str(m.fields, "officer"), Str(m.fields, "checker"), Str(m.fields, "at")});
      const std::int64_t fine = Int(m.fields, "fine_fen");
      for (const auto& p : Strings(m.fields, "fined")) {
        c.fines_fen[p] += fine;
        c.total_fine_fen += fine;
      }
    } else if (m.key.type == entity::kEscalation && Str(m.fields, "status") == "open") {
      ++c.open_escalations;
    }
  }
  c.handed_over = c.status == "handed_over";
  if (auto h = f.find("handover"); h != f.end() && h->is_object()) {
    c.checklist_failed = Strings(*h, "checklist_failed");
    auto at = Time(*h, "at");
    auto end = Time(f, "end");
    c.handover_late = at && end && *at > end->AddMinutes(rules.handover_grace_minutes);
  }
  c.late_entries = static_cast<int>(Strings(f, "late").size());
  return c;
}

}  // namespace

std::optional<ShiftCompliance> ShiftComplianceOf(Store& store, const std::string& shift_id) {
  auto shift = Load(store, entity::kShift, shift_id);
  if (!shift) return std::nullopt;
  auto members = store.GroupMembers(kShiftRecords, shift_id);
  return Summarise(*shift, members.ok() ? *members : std::vector<RecordView>{}, LoadRules(store));
}

MonthCompliance MonthComplianceOf(Store& store, const std::string& site, int year, int month, LocalTime now) {
  MonthCompliance out;
  out.site = site;
  out.month = Date{year, month, 1}.Month();
  const Rules rules = LoadRules(store);
  auto shifts = store.GroupMembers(kMonthIndex, site + "@" + out.month);
  if (!shifts.ok()) return out;
  std::map<std::string, OfficerMonth> officers;
  for (const auto& shift : *shifts) {
    if (Str(shift.fields, "status") == "cancelled") continue;
    auto members = store.GroupMembers(kShiftRecords, shift.key.id);
    ShiftCompliance c = Summarise(shift, members.ok() ? *members : std::vector<RecordView>{}, rules);
    const auto end = Time(shift.fields, "end");
    const bool over = end && *end <= now;
    for (const auto& o : c.officers) {
      OfficerMonth& row = officers[o];
      row.officer = o;
      ++row.shifts;
      if (over && !Contains(c.checked_in, o)) ++row.missed_checkins;
      if (Contains(c.late_checkins, o)) ++row.late_checkins;
    }
    for (const auto& a : c.absences) {
      OfficerMonth& row = officers[a.officer];
      row.officer = a.officer;
      ++row.absences;
    }
    for (const auto& [person, fen] : c.fines_fen) {
      OfficerMonth& row = officers[person];
      row.officer = person;
      row.fine_fen += fen;
    }
    out.spot_checks += c.spot_checks;
    out.absences += static_cast<int>(c.absences.size());
    out.total_fine_fen += c.total_fine_fen;
    if (c.handover_late) ++out.late_handovers;
    if (Contains(c.checklist_failed, checklist_item::kRoomClean)) ++out.rooms_not_clean;
    if (!c.handed_over && end && end->AddMinutes(rules.handover_grace_minutes) < now) ++out.not_handed_over;
    out.shifts.push_back(std::move(c));
  }
  std::sort(out.shifts.begin(), out.shifts.end(), [](const ShiftCompliance& a, const ShiftCompliance& b) {
    return std::tie(a.date, a.shift) < std::tie(b.date, b.shift);
  });
  for (auto& [id, row] : officers) out.officers.push_back(std::move(row));
  return out;
}

}  // namespace houqin::duty
