#include "engine/workflow.h"

#include <algorithm>

namespace houqin {

Workflow::Workflow(std::string_view entity, std::vector<StatusLabel> statuses, std::vector<WorkflowStep> steps)
    : entity_(entity), statuses_(std::move(statuses)), steps_(std::move(steps)) {}

const WorkflowStep* Workflow::Find(std::string_view kind) const {
  for (const auto& s : steps_)
    if (s.kind == kind) return &s;
  return nullptr;
}

Text Workflow::StatusText(std::string_view status) const {
  if (status.empty()) return {"not yet created", "尚未创建"};
  for (const auto& s : statuses_)
    if (s.name == status) return s.label;
  return {std::string(status), std::string(status)};
}

namespace {
bool Contains(const std::vector<std::string_view>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

Status Workflow::Check(std::string_view status, std::string_view kind, std::string_view role) const {
  const WorkflowStep* step = Find(kind);
  if (step == nullptr)
    return Status::Invalid("kind", {"unknown step " + std::string(kind) + " for " + entity_,
                                    entity_ + " 没有步骤 " + std::string(kind)});
  if (!Contains(step->from, status)) {
    const Text st = StatusText(status);
    return Status::Refused("status", {"cannot " + step->label.en + " when the " + entity_ + " is " + st.en,
                                      "当前状态为“" + st.zh + "”，不能" + step->label.zh});
  }
  if (!step->roles.empty() && !Contains(step->roles, role))
    return Status::Refused("role", {"the role " + std::string(role) + " may not " + step->label.en,
                                    "角色 " + std::string(role) + " 无权" + step->label.zh});
  return Status::Ok();
}

bool Workflow::Advance(RecordState& r, const Event& e) const {
  const WorkflowStep* step = Find(e.kind);
  const std::string status = r.fields.value("status", "");
  if (step == nullptr || !Contains(step->from, status)) {
    const Text st = StatusText(status);
    const Text verb = step ? step->label : Text{e.kind, e.kind};
    std::vector<std::string> ids{e.id};
    if (auto it = r.fields.find("status_event"); it != r.fields.end() && it->is_string())
      ids.push_back(it->get<std::string>());
    r.AddConflict({"workflow", std::move(ids),
                   {"'" + verb.en + "' by " + e.author.user + " arrived when the " + entity_ + " was already " +
                        st.en + "; kept, not applied",
                    e.author.user + " 的“" + verb.zh + "”到达时已是“" + st.zh + "”状态; 已保留, 未生效"}});
    return false;
  }
  if (!step->to.empty()) {
    r.fields["status"] = std::string(step->to);
    r.fields["status_event"] = e.id;
  }
  return true;
}

}  // namespace houqin
