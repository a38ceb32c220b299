#include "visitors/internal.h"

namespace houqin::visitors::internal {

bool PersonalOf(const Event& e, Json& out) {
  if (e.personal_purged) {
    out = Json{{"purged", true}};
    return true;
  }
  if (e.personal.is_object()) {
    out = e.personal;
    return true;
  }
  return false;
}

Result<Command> StepWithReason(const Workflow& table, std::string_view entity, const std::string& id,
                               const Json& current, std::string_view kind, const Author& actor,
                               const std::string& reason, const char* what_zh, LocalTime now) {
  if (Status s = table.Check(Str(current, "status"), kind, actor.role); !s.ok()) return s;
  if (Trim(reason).empty()) return Missing("reason", "the reason", what_zh);
  Command c;
  c.drafts.push_back({std::string(entity), id, std::string(kind), Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  return c;
}

}  // namespace houqin::visitors::internal
