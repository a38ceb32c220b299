// A read-only view of a store's events from another thread or process: the
// server's pulls run on pool threads, each with its own reader, while one
// writer thread owns the Store. WAL readers never block the writer.
//
// Thread safety: one reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/event.h"

namespace houqin {

class EventReader {
 public:
  static Result<std::unique_ptr<EventReader>> Open(const std::string& path);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // The events at these positions, in the order given; positions not held are skipped.
  Result<std::vector<std::pair<std::int64_t, Event>>> ReadAt(const std::vector<std::int64_t>& positions);
  // The highest arrival position, 0 when empty.
  Result<std::int64_t> LastPosition();

 private:
  struct Impl;
  explicit EventReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace houqin
