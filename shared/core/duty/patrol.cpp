// Patrols (巡查): a route's checkpoints scanned in order with the time, skipped
// ones with a reason, and findings that become repair requests in one step.
#include "duty/duty.h"
#include "duty/internal.h"

namespace houqin::duty {

using namespace internal;

namespace {

Result<RecordView> LoadPatrol(Store& store, const std::string& patrol_id) {
  if (patrol_id.empty()) return Missing("patrol", "the patrol", "巡查记录");
  auto v = Load(store, entity::kPatrol, patrol_id);
  if (!v) return Status::NotFound("patrol", {"no patrol " + patrol_id, "没有巡查记录 " + patrol_id});
  return std::move(*v);
}

// The step, the role held, and the patroller: a patrol is one person's walk.
Status CheckPatrolStep(Store& store, const RecordView& patrol, std::string_view step, const Author& actor) {
  if (Status s = CheckStep(store, PatrolWorkflow(), Str(patrol.fields, "status"), step, actor); !s.ok()) return s;
  if (actor.user != Str(patrol.fields, "patroller"))
    return No("patroller", "only " + Str(patrol.fields, "patroller") + ", who walks this patrol, records it",
              "只有巡查人 " + Str(patrol.fields, "patroller") + " 可以记录本次巡查");
  return Status::Ok();
}

// The checkpoint the route expects next, or a refusal when none is left.
Result<std::string> NextCheckpoint(const RecordView& patrol) {
  const auto route = Strings(patrol.fields, "checkpoints");
  const auto next = static_cast<std::size_t>(Int(patrol.fields, "next"));
  if (next >= route.size())
    return No("code", "every checkpoint of the route is done; finish the patrol", "路线上的巡查点已全部完成, 请结束巡查");
  return route[next];
}

}  // namespace

Result<Command> StartPatrol(Store& store, const Author& actor, const PatrolInput& in, LocalTime now) {
  if (Status s = CheckStep(store, PatrolWorkflow(), "", kind::kPatrolStarted, actor); !s.ok()) return s;
  if (in.id.empty()) return Missing("id", "a patrol id", "巡查记录编号");
  if (Load(store, entity::kPatrol, in.id)) return No("id", "patrol " + in.id + " exists already", "巡查记录 " + in.id + " 已存在");
  if (in.route.empty()) return Missing("route", "the patrol route", "巡查路线");
  auto route = Load(store, entity::kRoute, in.route);
  if (!route) return Status::NotFound("route", {"no patrol route " + in.route, "没有巡查路线 " + in.route});
  const std::string site = Str(route->fields, "site");
  const auto checkpoints = Strings(route->fields, "checkpoints");
  if (checkpoints.empty()) return No("route", "route " + in.route + " has no checkpoints", "巡查路线 " + in.route + " 没有巡查点");
  if (!in.shift.empty()) {
    auto shift = LoadShift(store, in.shift);
    if (!shift.ok()) return shift.status();
    if (Str(shift->fields, "status") != "on_duty")
      return No("shift", "shift " + in.shift + " is not on duty", "班次 " + in.shift + " 不在值班中");
    if (Str(shift->fields, "site") != site)
      return Bad("route", "route " + in.route + " belongs to another site than shift " + in.shift,
                 "巡查路线 " + in.route + " 与班次 " + in.shift + " 不在同一院区");
  }
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kPatrol), in.id, std::string(kind::kPatrolStarted),
                        Json{{"route", in.route},
                             {"shift", in.shift},
                             {"site", site},
                             {"checkpoints", checkpoints},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> ScanCheckpoint(Store& store, const Author& actor, const std::string& patrol_id,
                               const std::string& scanned_code, LocalTime now) {
  auto patrol = LoadPatrol(store, patrol_id);
  if (!patrol.ok()) return patrol.status();
  if (Status s = CheckPatrolStep(store, *patrol, kind::kCheckpointScanned, actor); !s.ok()) return s;
  const std::string code = Trim(scanned_code);
  if (code.empty()) return Missing("code", "the checkpoint's code (scan it)", "巡查点识别码(请扫码)");
  auto expected = NextCheckpoint(*patrol);
  if (!expected.ok()) return expected.status();
  if (!CodeMatches(store, *expected, code)) {
    const auto route = Strings(patrol->fields, "checkpoints");
    for (std::size_t i = static_cast<std::size_t>(Int(patrol->fields, "next")) + 1; i < route.size(); ++i)
      if (CodeMatches(store, route[i], code))
        return No("code", "checkpoint " + route[i] + " comes later: scan " + *expected + " first, or skip it with a reason",
                  "巡查点 " + route[i] + " 在后面: 请先到 " + *expected + " 打卡, 或说明理由后跳过");
    return No("code", "this code is not checkpoint " + *expected + " (the next on the route)",
              "该识别码不是路线上下一个巡查点 " + *expected);
  }
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kPatrol), patrol_id, std::string(kind::kCheckpointScanned),
                        Json{{"checkpoint", *expected}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> SkipCheckpoint(Store& store, const Author& actor, const std::string& patrol_id, const std::string& reason,
                               LocalTime now) {
  auto patrol = LoadPatrol(store, patrol_id);
  if (!patrol.ok()) return patrol.status();
  if (Status s = CheckPatrolStep(store, *patrol, kind::kCheckpointSkipped, actor); !s.ok()) return s;
  auto expected = NextCheckpoint(*patrol);
  if (!expected.ok()) return expected.status();
  if (Trim(reason).empty()) return Missing("reason", "why the checkpoint was not reached", "未到达该巡查点的理由");
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kPatrol), patrol_id, std::string(kind::kCheckpointSkipped),
                        Json{{"checkpoint", *expected}, {"reason", Trim(reason)}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> RecordFinding(Store& store, const Author& actor, const FindingInput& in, LocalTime now) {
  auto patrol = LoadPatrol(store, in.patrol);
  if (!patrol.ok()) return patrol.status();
  if (Status s = CheckPatrolStep(store, *patrol, kind::kFindingRecorded, actor); !s.ok()) return s;
  if (in.finding_id.empty()) return Missing("finding_id", "a finding id", "巡查发现编号");
  if (auto it = patrol->fields.find("findings"); it != patrol->fields.end() && it->is_array())
    for (const auto& f : *it)
      if (Str(f, "id") == in.finding_id)
        return No("finding_id", "finding " + in.finding_id + " exists already", "巡查发现 " + in.finding_id + " 已存在");
  if (!KnownCategory(in.category)) return Bad("category", "unknown category " + in.category, "未知的类别 " + in.category);
  const std::string description = Trim(in.description);
  if (description.empty()) return Missing("description", "what was found", "发现的问题");
  std::string checkpoint = in.checkpoint;
  if (checkpoint.empty()) {
    if (auto scans = patrol->fields.find("scans"); scans != patrol->fields.end() && scans->is_array() && !scans->empty())
      checkpoint = Str(scans->back(), "checkpoint");
  } else if (!Contains(Strings(patrol->fields, "checkpoints"), checkpoint)) {
    return Bad("checkpoint", "checkpoint " + checkpoint + " is not on this patrol's route",
               "巡查点 " + checkpoint + " 不在本次巡查路线上");
  }
  Command cmd;
  std::string repair_id;
  Command repair_cmd;
  if (in.repair) {
    repairs::RepairInput repair = *in.repair;
    if (Trim(repair.description).empty()) repair.description = description;
    auto made = repairs::ReportRepair(store, actor, repair, now);
    if (!made.ok()) return made.status();
    repair_id = repair.id;
    repair_cmd = std::move(*made);
  }
  cmd.drafts.push_back({std::string(entity::kPatrol), in.patrol, std::string(kind::kFindingRecorded),
                        Json{{"finding", in.finding_id},
                             {"checkpoint", checkpoint},
                             {"category", in.category},
                             {"description", description},
                             {"repair_request", repair_id},
                             {"at", now.ToString()}}});
  for (auto& d : repair_cmd.drafts) cmd.drafts.push_back(std::move(d));
  for (auto& w : repair_cmd.warnings) cmd.warnings.push_back(std::move(w));
  return cmd;
}

Result<Command> LinkFindingRepair(Store& store, const Author& actor, const std::string& patrol_id,
                                  const std::string& finding_id, const std::string& repair_request, LocalTime now) {
  auto patrol = LoadPatrol(store, patrol_id);
  if (!patrol.ok()) return patrol.status();
  // The coordinator links too, after the walk: the patroller rule does not apply here.
  if (Status s = CheckStep(store, PatrolWorkflow(), Str(patrol->fields, "status"), kind::kFindingLinked, actor); !s.ok())
    return s;
  bool found = false;
  if (auto it = patrol->fields.find("findings"); it != patrol->fields.end() && it->is_array())
    for (const auto& f : *it) found = found || Str(f, "id") == finding_id;
  if (!found)
    return Status::NotFound("finding_id", {"no finding " + finding_id + " in patrol " + patrol_id,
                                           "巡查记录 " + patrol_id + " 中没有发现 " + finding_id});
  if (repair_request.empty()) return Missing("repair_request", "the repair request", "维修单");
  if (!Load(store, repairs::entity::kRepair, repair_request))
    return Status::NotFound("repair_request", {"no repair request " + repair_request, "没有维修单 " + repair_request});
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kPatrol), patrol_id, std::string(kind::kFindingLinked),
                        Json{{"finding", finding_id}, {"repair_request", repair_request}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> FinishPatrol(Store& store, const Author& actor, const std::string& patrol_id, LocalTime now) {
  auto patrol = LoadPatrol(store, patrol_id);
  if (!patrol.ok()) return patrol.status();
  if (Status s = CheckPatrolStep(store, *patrol, kind::kPatrolFinished, actor); !s.ok()) return s;
  const auto route = Strings(patrol->fields, "checkpoints");
  const auto next = static_cast<std::size_t>(Int(patrol->fields, "next"));
  Command cmd;
  if (next < route.size()) {
    std::string missed;
    for (std::size_t i = next; i < route.size(); ++i) missed += (missed.empty() ? "" : ", ") + route[i];
    cmd.warnings.push_back({"skipped_checkpoints",
                            {"checkpoints not visited: " + missed, "未巡查的巡查点: " + missed}});
  }
  cmd.drafts.push_back(
      {std::string(entity::kPatrol), patrol_id, std::string(kind::kPatrolFinished), Json{{"at", now.ToString()}}});
  return cmd;
}

std::optional<PatrolInfo> FindPatrol(Store& store, const std::string& patrol_id) {
  auto v = Load(store, entity::kPatrol, patrol_id);
  if (!v) return std::nullopt;
  const Json& f = v->fields;
  PatrolInfo p;
  p.id = patrol_id;
  p.route = Str(f, "route");
  p.shift = Str(f, "shift");
  p.site = Str(f, "site");
  p.status = Str(f, "status");
  p.patroller = Str(f, "patroller");
  p.started_at = Str(f, "at");
  p.finished_at = Str(f, "finished_at");
  p.checkpoints = Strings(f, "checkpoints");
  p.missed = Strings(f, "missed");
  if (auto it = f.find("scans"); it != f.end() && it->is_array())
    for (const auto& s : *it) p.scans.push_back({Str(s, "checkpoint"), Str(s, "at"), Str(s, "reason"), Bool(s, "skipped")});
  if (auto it = f.find("findings"); it != f.end() && it->is_array())
    for (const auto& x : *it)
      p.findings.push_back({Str(x, "id"), Str(x, "checkpoint"), Str(x, "category"), Str(x, "description"),
                            Str(x, "repair_request"), Str(x, "at"), Str(x, "by")});
  return p;
}

}  // namespace houqin::duty
