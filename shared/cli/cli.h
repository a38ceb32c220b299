// The houqin ops tool: one function per subcommand. Each returns the process
// exit code: 0 done, 1 a negative answer (invalid value, failed check), 2 a
// usage error or a failure, explained on stderr.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/store.h"

namespace houqin::cli {

// Arguments after the subcommand: "--name value" options and positionals.
class Args {
 public:
  Args(int argc, char** argv, int first);
  std::optional<std::string> Option(const std::string& name) const;
  bool Flag(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::vector<std::pair<std::string, std::string>> options_;
  std::vector<std::string> flags_;
  std::vector<std::string> positional_;
};

int Usage(std::ostream& out);
int Fail(const std::string& message);
int Fail(const Status& status);

// Opens (creating if needed) a store with the full domain.
Result<std::unique_ptr<Store>> OpenStore(const std::string& path);

int Demo(const Args& args);
int Validate(const Args& args);
int Restricted(const Args& args);
int Apply(const Args& args);
int State(const Args& args);
int Merge(const Args& args);
int Events(const Args& args);
int Verify(const Args& args);
int VerifyDuty(const Args& args);
int Deadline(const Args& args);
int Calendar(const Args& args);
// houqin admin --data DIR ...: the sync server's administration (admin_commands.cpp).
int Admin(const Args& args);
// houqin device ...: enroll, sync and inspect a device store over the sync client (device_commands.cpp).
int Device(const Args& args);

}  // namespace houqin::cli
