// The complete domain every Houqin program runs: the directory and each
// area's folds and constraints, registered once here.
#pragma once

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/fold.h"
#include "engine/workflow.h"

namespace houqin {

std::unique_ptr<Domain> MakeDomain();

// Every entity type with a lifecycle, and its workflow table: what the server
// judges pushed events against, and what the authorization tests walk.
const std::vector<std::pair<std::string_view, const Workflow*>>& AllWorkflows();

}  // namespace houqin
