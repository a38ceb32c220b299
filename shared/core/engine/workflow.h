// Workflow tables: for each entity with a lifecycle, which step may follow
// which status, and which roles may take it. The same table serves twice:
//  - before a person acts (Check): a step the table refuses is not written,
//    and the person reads why, in Chinese and English;
//  - in the fold (Advance): a step that arrives from another replica and no
//    longer fits (a request cancelled offline while another device started
//    its trip) is kept, changes nothing, and marks a "workflow" conflict
//    naming both events, for a person to resolve.
// Roles are judged before acting and, for pushed events, by the server's
// verdict events; the fold itself never reads roles, so every replica folds
// alike whatever it knows of people.
//
// Thread safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/fold.h"

namespace houqin {

struct StatusLabel {
  std::string_view name;  // stored in fields["status"]
  Text label;             // shown to people
};

struct WorkflowStep {
  std::string_view kind;                // the event kind
  Text label;                           // the verb people see: "approve" / "批准"
  std::vector<std::string_view> from;   // statuses it may follow; {""} = creates the record
  std::string_view to;                  // the status after it; "" = unchanged
  std::vector<std::string_view> roles;  // roles that may take it; empty = any role
};

class Workflow {
 public:
  Workflow(std::string_view entity, std::vector<StatusLabel> statuses, std::vector<WorkflowStep> steps);

  std::string_view entity() const { return entity_; }
  const WorkflowStep* Find(std::string_view kind) const;
  Text StatusText(std::string_view status) const;
  const std::vector<WorkflowStep>& steps() const { return steps_; }
  const std::vector<StatusLabel>& statuses() const { return statuses_; }

  // May `role` take step `kind` on a record in `status` ("" when the record
  // does not exist yet)? Refused with field "status" or "role" otherwise.
  Status Check(std::string_view status, std::string_view kind, std::string_view role) const;
  // Fold half: moves fields["status"] (and "status_event") when the step may
  // follow; otherwise adds a "workflow" conflict and returns false.
  bool Advance(RecordState& r, const Event& e) const;

 private:
  std::string entity_;
  std::vector<StatusLabel> statuses_;
  std::vector<WorkflowStep> steps_;
};

}  // namespace houqin
