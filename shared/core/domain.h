// The complete domain every Houqin program runs: the directory and each
// area's folds and constraints, registered once here.
#pragma once

#include <memory>

#include "engine/fold.h"

namespace houqin {

std::unique_ptr<Domain> MakeDomain();

}  // namespace houqin
