#include "event_text_cache.h"

namespace houqin::server {

EventTextCache::EventTextCache(std::size_t budget_bytes) : generation_budget_(budget_bytes / kShards / 2) {}

void EventTextCache::AddYoung(Shard& shard, std::int64_t position, std::shared_ptr<const std::string> text) {
  const std::size_t size = text->size();
  if (shard.young_bytes + size > generation_budget_ && !shard.young.empty()) {
    shard.old = std::move(shard.young);
    shard.old_bytes = shard.young_bytes;
    shard.young.clear();
    shard.young_bytes = 0;
  }
  if (shard.young.insert_or_assign(position, std::move(text)).second) shard.young_bytes += size;
}

std::shared_ptr<const std::string> EventTextCache::TakeOld(Shard& shard, std::int64_t position) {
  auto it = shard.old.find(position);
  if (it == shard.old.end()) return nullptr;
  std::shared_ptr<const std::string> text = std::move(it->second);
  shard.old_bytes -= text->size();
  shard.old.erase(it);
  return text;
}

std::shared_ptr<const std::string> EventTextCache::Find(std::int64_t position) {
  Shard& shard = ShardOf(position);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.young.find(position); it != shard.young.end()) return it->second;
  std::shared_ptr<const std::string> text = TakeOld(shard, position);
  if (text) AddYoung(shard, position, text);
  return text;
}

void EventTextCache::Insert(std::int64_t position, std::shared_ptr<const std::string> text) {
  if (!text) return;
  Shard& shard = ShardOf(position);
  std::lock_guard lock(shard.mutex);
  if (shard.young.contains(position)) return;
  TakeOld(shard, position);
  AddYoung(shard, position, std::move(text));
}

std::size_t EventTextCache::held_bytes() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.young_bytes + shard.old_bytes;
  }
  return total;
}

}  // namespace houqin::server
