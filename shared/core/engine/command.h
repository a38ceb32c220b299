// A command is what a person's action becomes after the core has checked it:
// the drafts to append (one action may write several records in one batch,
// e.g. a trip's start and the car's odometer) and any soft warnings to show.
// A refused action is a Status naming the field and the reason instead.
#pragma once

#include <string>
#include <vector>

#include "engine/store.h"

namespace houqin {

struct Warning {
  std::string code;  // "short_trip", "due_soon", ...
  Text text;
  bool operator==(const Warning&) const = default;
};

struct Command {
  std::vector<Draft> drafts;
  std::vector<Warning> warnings;
};

// Appends a checked command; passes a refusal through unchanged.
inline Result<AppendResult> Execute(Store& store, const Author& author, const Result<Command>& command) {
  if (!command.ok()) return command.status();
  return store.Append(author, command->drafts);
}

}  // namespace houqin
