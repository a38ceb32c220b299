#include "directory/directory.h"

#include <algorithm>

namespace houqin::directory {

bool UserInfo::HasRole(std::string_view r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

void Register(Domain& domain) {
  domain.Add(std::make_unique<FieldsFold>(std::string(entity::kUser)));
  domain.Add(std::make_unique<FieldsFold>(std::string(entity::kDepartment)));
  domain.Add(std::make_unique<FieldsFold>(std::string(entity::kSiteConfig)));
}

std::optional<UserInfo> FindUser(Store& store, const std::string& user_id) {
  auto r = store.Get(std::string(entity::kUser), user_id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  const Json& f = (*r)->fields;
  UserInfo u;
  u.id = user_id;
  u.name = f.value("name", "");
  u.department = f.value("department", "");
  u.roles = f.value("roles", std::vector<std::string>{});
  u.site = f.value("site", "");
  return u;
}

std::vector<std::string> Approvers(Store& store, const std::string& department_id) {
  auto r = store.Get(std::string(entity::kDepartment), department_id);
  if (!r.ok() || !r->has_value()) return {};
  return (*r)->fields.value("approvers", std::vector<std::string>{});
}

Draft UpsertUser(const UserInfo& u) {
  Draft d{std::string(entity::kUser), u.id, "user.upserted",
          Json{{"name", u.name}, {"department", u.department}, {"roles", u.roles}}};
  // Optional keys are left out when empty so that records written before they existed hash alike.
  if (!u.site.empty()) d.payload["site"] = u.site;
  if (!u.phone.empty()) d.personal = Json{{"phone", u.phone}};
  return d;
}

Draft UpsertDepartment(const std::string& id, const std::string& name, const std::vector<std::string>& approvers) {
  return {std::string(entity::kDepartment), id, "department.upserted", Json{{"name", name}, {"approvers", approvers}}};
}

Status ActorHolds(Store& store, const Author& actor) {
  auto user = FindUser(store, actor.user);
  if (!user) return Status::Refused("actor", {"unknown user " + actor.user, "用户 " + actor.user + " 不存在"});
  if (!user->HasRole(actor.role))
    return Status::Refused("role", {"user " + actor.user + " does not hold the role " + actor.role,
                                    "用户 " + actor.user + " 不具有角色 " + actor.role});
  return Status::Ok();
}

Status CheckStep(Store& store, const Workflow& wf, std::string_view status, std::string_view kind,
                 const Author& actor) {
  if (Status s = wf.Check(status, kind, actor.role); !s.ok()) return s;
  return ActorHolds(store, actor);
}

}  // namespace houqin::directory
