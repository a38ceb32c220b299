// houqin: the ops tool over the shared core, for scripting and support.
#include <exception>
#include <iostream>
#include <map>

#include "cli.h"

int main(int argc, char** argv) {
  using namespace houqin::cli;
  if (argc < 2) return Usage(std::cerr);
  const std::string command = argv[1];
  static const std::map<std::string, int (*)(const Args&)> kCommands = {
      {"demo", Demo},   {"validate", Validate}, {"restricted", Restricted}, {"apply", Apply},
      {"state", State}, {"merge", Merge},       {"events", Events},         {"verify", Verify},
      {"verify-duty", VerifyDuty},
      {"deadline", Deadline}, {"device", Device}, {"calendar", Calendar},
      {"admin", Admin},
  };
  if (command == "help" || command == "--help" || command == "-h") return Usage(std::cout), 0;
  auto it = kCommands.find(command);
  if (it == kCommands.end()) {
    std::cerr << "houqin: unknown command '" << command << "'\n";
    return Usage(std::cerr);
  }
  try {
    return it->second(Args(argc, argv, 2));
  } catch (const std::exception& e) {
    return Fail(std::string("unexpected error: ") + e.what());
  }
}
