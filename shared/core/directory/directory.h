// The people, departments and roles of a compound, as the rules need them.
//
// Users and departments are plain registers folded last-writer-wins
// (FieldsFold), created by the admin and synced like everything else:
//   department/<id>: {"name", "approvers": [user ids]}  (分管领导 of the department)
//   user/<id>:       {"name", "department", "roles": [role names], "site" (optional)}
//                    personal (Draft::personal, optional): {"phone"} — purgeable, and left out
//                    of what a kiosk receives (sync::ReceivesPersonal)
// Thread safety: free functions; the Store they read is single-threaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store.h"
#include "engine/workflow.h"

namespace houqin {

namespace role {
inline constexpr std::string_view kStaff = "staff";
inline constexpr std::string_view kApprover = "approver";          // 分管领导
inline constexpr std::string_view kDispatcher = "dispatcher";      // 车队队长 (fleet captain)
inline constexpr std::string_view kFleetClerk = "fleet_clerk";     // 车队内勤
inline constexpr std::string_view kDriver = "driver";              // 驾驶员
inline constexpr std::string_view kDirector = "director";          // 主管主任
inline constexpr std::string_view kOfficeDirector = "office_director";  // 办公室主任
inline constexpr std::string_view kFinance = "finance";
inline constexpr std::string_view kRepairCoordinator = "repair_coordinator";
inline constexpr std::string_view kTechnician = "technician";
inline constexpr std::string_view kGuard = "guard";
inline constexpr std::string_view kReception = "reception";        // 会议接待科
inline constexpr std::string_view kDutyOfficer = "duty_officer";
inline constexpr std::string_view kDutyLeader = "duty_leader";     // 带班领导
inline constexpr std::string_view kAdmin = "admin";
inline constexpr std::string_view kKiosk = "kiosk";
}  // namespace role

namespace entity {
inline constexpr std::string_view kUser = "user";
inline constexpr std::string_view kDepartment = "department";
inline constexpr std::string_view kSiteConfig = "site_config";
}  // namespace entity

namespace directory {

struct UserInfo {
  std::string id;
  std::string name;
  std::string department;
  std::vector<std::string> roles;
  // Default initializers keep the many {id, name, department, roles} initializers warning-free.
  std::string site{};   // the site the person works at (duty and visitors scopes); empty: unknown
  std::string phone{};  // personal data, written apart from the body; FindUser leaves it empty
  bool HasRole(std::string_view r) const;
};

void Register(Domain& domain);

std::optional<UserInfo> FindUser(Store& store, const std::string& user_id);
// The approvers (分管领导) of a department; empty when none is set.
std::vector<std::string> Approvers(Store& store, const std::string& department_id);

// The Author names a role; refused (field "actor" or "role") unless the directory says the user holds it.
Status ActorHolds(Store& store, const Author& actor);
// The workflow table allows `kind` from `status` to the actor's role, then ActorHolds.
Status CheckStep(Store& store, const Workflow& wf, std::string_view status, std::string_view kind,
                 const Author& actor);

// Drafts the admin writes.
Draft UpsertUser(const UserInfo& user);
Draft UpsertDepartment(const std::string& id, const std::string& name, const std::vector<std::string>& approvers);

}  // namespace directory
}  // namespace houqin
