// Helpers shared by the unit tests: temporary database files, stores opened with the
// full domain, the authors' commands run on them, and replicas exchanging their events.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.h"
#include "engine/command.h"
#include "engine/store.h"
#include "util/civil_time.h"

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

// Parse a literal the test wrote; a typo fails the test instead of yielding a default.
LocalTime T(const char* text);
Date D(const char* text);

// The command was refused (or invalid) naming `field`, with both English and Chinese text.
void ExpectRefused(const Result<Command>& r, const std::string& field);
// The command carries the warning `code`, with both English and Chinese text.
bool HasWarning(const Command& c, const std::string& code);
// The open conflicts of kind `kind` on one record (none when the record is absent).
std::vector<Conflict> ConflictsOf(Store& s, std::string_view type, const std::string& id, const std::string& kind);

// Every event the store holds, in position order.
std::vector<Event> AllEvents(Store& s);
// Both replicas receive every event the other holds (a full sync without a server).
void ExchangeAll(Store& a, Store& b);
// Every store receives every event any of them holds.
void ExchangeAll(const std::vector<Store*>& stores);
// The same state hash, and each materialized state matches a fold from the log.
void ExpectConverged(Store& a, Store& b);
void ExpectConverged(const std::vector<Store*>& stores);

// A test on real stores in a temp dir with the full domain (MakeDomain) and a manual clock.
class DomainTest : public ::testing::Test {
 protected:
  DomainTest();

  std::unique_ptr<Store> Open(const std::string& name, const std::string& device);
  // Runs a command that must pass on `s` a second after the previous one; returns it (for its warnings).
  Command Do(Store& s, const Author& actor, const Result<Command>& cmd);

  std::unique_ptr<Domain> domain;
  ManualClock clock;
  TempDir dir;
};

}  // namespace houqin::testing
