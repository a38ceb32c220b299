// Helpers shared by the unit tests: temporary database files and a small
// stand-alone domain for engine tests that must not depend on the cars rules.
#pragma once

#include <filesystem>
#include <string>

namespace houqin::testing {

// A fresh directory under the system temp dir, removed when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace houqin::testing
