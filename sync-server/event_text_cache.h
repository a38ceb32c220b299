// Recent events as the text a pull response carries, shared by the request
// threads: every device of a scope (a user's phones, a department's
// approvers, every dispatcher) pulls the same new events, and reading and
// rendering each one again per device was most of a pull's cost.
//
// Only events without personal data are kept: their text is the same for
// every reader and never changes (events are append-only; a purge only
// touches personal data). The cache holds about `budget_bytes` of text in
// two generations per shard: a lookup that hits the older one moves the
// entry forward, and when the newer fills, the older is dropped whole.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace houqin::server {

class EventTextCache {
 public:
  explicit EventTextCache(std::size_t budget_bytes);

  // The text of the event at `position`, or null when it is not held.
  std::shared_ptr<const std::string> Find(std::int64_t position);
  void Insert(std::int64_t position, std::shared_ptr<const std::string> text);

  std::size_t held_bytes() const;

 private:
  using Generation = std::unordered_map<std::int64_t, std::shared_ptr<const std::string>>;
  struct Shard {
    mutable std::mutex mutex;
    Generation young, old;
    std::size_t young_bytes = 0, old_bytes = 0;
  };
  static constexpr std::size_t kShards = 16;
  Shard& ShardOf(std::int64_t position) { return shards_[static_cast<std::size_t>(position) % kShards]; }
  // Removes and returns the old generation's text of `position`. Holds the shard's mutex.
  static std::shared_ptr<const std::string> TakeOld(Shard& shard, std::int64_t position);
  // Adds to the young generation, retiring it first if it is full. Holds the shard's mutex.
  void AddYoung(Shard& shard, std::int64_t position, std::shared_ptr<const std::string> text);

  std::size_t generation_budget_;
  std::array<Shard, kShards> shards_;
};

}  // namespace houqin::server
