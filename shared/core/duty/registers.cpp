// The admin's registers of the duty area: checkpoints (duty rooms and patrol
// points), patrol routes and emergency plans (预案).
#include <set>

#include "duty/duty.h"
#include "duty/internal.h"
#include "validation/validate.h"

namespace houqin::duty {

using namespace internal;

namespace {

// Codes are printed in QR codes and NFC tags; a short one is guessed (our decision).
constexpr std::size_t kMinCodeLength = 6;

Status AdminOnly(Store& store, const Author& actor, const std::string& what_en, const std::string& what_zh) {
  if (actor.role != role::kAdmin)
    return No("role", "only the admin may " + what_en, "只有管理员可以" + what_zh);
  return ActorHolds(store, actor);
}

// A plan lists mobiles, desk lines and short emergency numbers (119, 120): digits with
// separators, 3 to 15 digits; what looks like a mobile number must be a valid one.
Result<std::string> ContactPhone(const std::string& value, const std::string& field) {
  const std::string text = Trim(value);
  std::string digits;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') digits += c;
    else if (c == '-' || c == ' ' || (c == '+' && i == 0)) continue;
    else return Bad(field, "a phone number holds digits only", "电话号码只能包含数字");
  }
  if (digits.size() < 3 || digits.size() > 15)
    return Bad(field, "a phone number has 3 to 15 digits", "电话号码应为3至15位数字");
  const bool mobile = (digits.size() == 11 && digits[0] == '1') || (digits.size() == 13 && digits.rfind("861", 0) == 0);
  if (mobile) {
    if (Status s = validation::MobilePhone(text, field); !s.ok()) return s;
    return validation::NormalizeMobilePhone(text);
  }
  return text;
}

}  // namespace

Result<Command> SaveCheckpoint(Store& store, const Author& actor, const CheckpointInput& in, LocalTime now) {
  if (Status s = AdminOnly(store, actor, "register checkpoints", "登记巡查点"); !s.ok()) return s;
  if (in.id.empty()) return Missing("id", "a checkpoint id", "巡查点编号");
  const auto existing = Load(store, entity::kCheckpoint, in.id);
  const std::string site = Trim(in.site), name = Trim(in.name);
  if (site.empty()) return Missing("site", "the site", "院区");
  if (name.empty()) return Missing("name", "the checkpoint's name", "巡查点名称");
  if (in.kind != checkpoint_kind::kDutyRoom && in.kind != checkpoint_kind::kPatrol)
    return Bad("kind", "unknown checkpoint kind " + in.kind + " (duty_room, patrol)",
               "未知的巡查点类型 " + in.kind + "(值班室、巡查点)");
  if (existing && Str(existing->fields, "kind") != in.kind)
    return No("kind", "checkpoint " + in.id + " is a " + Str(existing->fields, "kind") + "; its kind cannot change",
              "巡查点 " + in.id + " 的类型不能更改");
  Json payload{{"site", site}, {"name", name}, {"kind", in.kind}, {"location", Trim(in.location)},
               {"at", now.ToString()}};
  if (in.code.empty()) {
    if (!existing) return Missing("code", "the checkpoint's code", "巡查点识别码");
  } else {
    if (in.code.size() < kMinCodeLength)
      return Bad("code", "the code must have at least " + std::to_string(kMinCodeLength) + " characters",
                 "识别码至少 " + std::to_string(kMinCodeLength) + " 个字符");
    payload["code_hash"] = CodeHash(in.id, in.code);
  }
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kCheckpoint), in.id, std::string(kind::kCheckpointSaved), payload});
  return cmd;
}

std::optional<CheckpointInfo> FindCheckpoint(Store& store, const std::string& checkpoint_id) {
  auto v = Load(store, entity::kCheckpoint, checkpoint_id);
  if (!v) return std::nullopt;
  const Json& f = v->fields;
  return CheckpointInfo{checkpoint_id, Str(f, "site"), Str(f, "name"), Str(f, "kind"), Str(f, "location")};
}

bool CodeMatches(Store& store, const std::string& checkpoint_id, const std::string& code) {
  auto v = Load(store, entity::kCheckpoint, checkpoint_id);
  if (!v || code.empty()) return false;
  const std::string want = Str(v->fields, "code_hash");
  return !want.empty() && want == CodeHash(checkpoint_id, code);
}

Result<Command> SaveRoute(Store& store, const Author& actor, const RouteInput& in, LocalTime now) {
  if (Status s = AdminOnly(store, actor, "register patrol routes", "登记巡查路线"); !s.ok()) return s;
  if (in.id.empty()) return Missing("id", "a route id", "路线编号");
  const std::string site = Trim(in.site), name = Trim(in.name);
  if (site.empty()) return Missing("site", "the site", "院区");
  if (name.empty()) return Missing("name", "the route's name", "路线名称");
  if (in.checkpoints.empty()) return Missing("checkpoints", "at least one checkpoint", "至少一个巡查点");
  std::set<std::string> seen;
  for (const auto& id : in.checkpoints) {
    if (!seen.insert(id).second)
      return Bad("checkpoints", "checkpoint " + id + " is listed twice", "巡查点 " + id + " 重复");
    auto cp = FindCheckpoint(store, id);
    if (!cp) return Status::NotFound("checkpoints", {"no checkpoint " + id, "没有巡查点 " + id});
    if (cp->kind != checkpoint_kind::kPatrol || cp->site != site)
      return Bad("checkpoints", "checkpoint " + id + " is not a patrol checkpoint of site " + site,
                 "巡查点 " + id + " 不是院区 " + site + " 的巡查点");
  }
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kRoute), in.id, std::string(kind::kRouteSaved),
                        Json{{"site", site}, {"name", name}, {"checkpoints", in.checkpoints}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> SavePlan(Store& store, const Author& actor, const PlanInput& in, LocalTime now) {
  if (Status s = AdminOnly(store, actor, "register emergency plans", "登记应急预案"); !s.ok()) return s;
  if (in.id.empty()) return Missing("id", "a plan id", "预案编号");
  if (!KnownCategory(in.category) || in.category == category::kRoutine)
    return Bad("category", "unknown emergency category " + in.category, "未知的突发事件类别 " + in.category);
  const std::string title = Trim(in.title);
  if (title.empty()) return Missing("title", "the plan's title", "预案名称");
  if (in.contacts.empty()) return Missing("contacts", "at least one contact", "至少一名联系人");
  Json contacts = Json::array();
  for (std::size_t i = 0; i < in.contacts.size(); ++i) {
    const Contact& c = in.contacts[i];
    const std::string field = "contacts[" + std::to_string(i) + "]";
    if (Trim(c.name).empty()) return Missing(field + ".name", "the contact's name", "联系人姓名");
    auto phone = ContactPhone(c.phone, field + ".phone");
    if (!phone.ok()) return phone.status();
    contacts.push_back(Json{{"name", Trim(c.name)}, {"phone", *phone}, {"role", Trim(c.role)}});
  }
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kPlan), in.id, std::string(kind::kPlanSaved),
                        Json{{"site", Trim(in.site)},
                             {"category", in.category},
                             {"title", title},
                             {"summary", Trim(in.summary)},
                             {"contacts", contacts},
                             {"at", now.ToString()}}});
  return cmd;
}

std::vector<PlanInfo> MatchingPlans(Store& store, const std::string& site, const std::string& category) {
  std::vector<PlanInfo> out;
  // Plans are few (a dozen per compound): a scan is cheaper than an index kept on every write.
  (void)store.ForEachRecord(std::string(entity::kPlan), [&](const RecordView& v) {
    PlanInfo p = ToPlanInfo(v);
    if (p.category == category && (p.site.empty() || p.site == site)) out.push_back(std::move(p));
  });
  return out;
}

}  // namespace houqin::duty
