// Small helpers the sync integration and fault tests share: a bounded poll
// (never a fixed sleep), the wall clock, a repair report to write, and counts
// of a store's events.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>

#include "engine/store.h"
#include "repairs/repairs.h"
#include "util/civil_time.h"

namespace houqin::testing {

inline std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls `done` until it holds or `bound` passes; true when it held.
template <typename F>
bool Eventually(F&& done, std::chrono::milliseconds bound = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

inline LocalTime At(const char* text) { return LocalTime::Parse(text).value_or(LocalTime{}); }

// A leaking tap in one room of the office building: a repair report any staff member may make.
inline repairs::RepairInput Leak(const std::string& id, const std::string& room) {
  repairs::RepairInput in;
  in.id = id;
  in.category = std::string(repairs::category::kWater);
  in.location = {"office", "1号楼", "3", room};
  in.description = "水龙头漏水 " + room;
  return in;
}

inline std::int64_t EventCount(Store& store) {
  std::int64_t n = 0;
  EXPECT_TRUE(store.ForEachEvent(0, [&](std::int64_t, const Event&) {
                     ++n;
                     return true;
                   }).ok());
  return n;
}

// The ids of the store's events, of one entity type when `type` is given.
inline std::set<std::string> EventIds(Store& store, const std::string& type = {}) {
  std::set<std::string> ids;
  EXPECT_TRUE(store.ForEachEvent(0, [&](std::int64_t, const Event& e) {
                     if (type.empty() || e.entity_type == type) ids.insert(e.id);
                     return true;
                   }).ok());
  return ids;
}

}  // namespace houqin::testing
