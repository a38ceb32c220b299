// The server's cache of rendered pull texts: what it keeps, what it drops
// when full, and that concurrent readers and writers see whole texts.
#include "event_text_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace houqin::server {
namespace {

std::shared_ptr<const std::string> Text(std::int64_t pos, std::size_t size = 100) {
  std::string t(size, 'x');
  t.replace(0, std::to_string(pos).size(), std::to_string(pos));
  return std::make_shared<const std::string>(std::move(t));
}

TEST(EventTextCache, FindsWhatWasInsertedAndNothingElse) {
  EventTextCache cache(1 << 20);
  EXPECT_EQ(cache.Find(1), nullptr);
  cache.Insert(1, Text(1));
  cache.Insert(17, Text(17));  // the same shard as 1
  ASSERT_NE(cache.Find(1), nullptr);
  EXPECT_EQ(*cache.Find(1), *Text(1));
  EXPECT_EQ(*cache.Find(17), *Text(17));
  EXPECT_EQ(cache.Find(2), nullptr);
  cache.Insert(1, Text(1, 50));  // already held: the first text stays
  EXPECT_EQ(cache.Find(1)->size(), 100u);
  EXPECT_EQ(cache.held_bytes(), 200u);
  cache.Insert(3, nullptr);
  EXPECT_EQ(cache.Find(3), nullptr);
}

TEST(EventTextCache, StaysWithinItsBudgetAndKeepsWhatIsRead) {
  // 16 shards of two generations: 32 KiB gives each generation 1 KiB, ten texts of 100 bytes.
  EventTextCache cache(32 << 10);
  // Shard 0 only: positions 0, 16, 32, ...
  for (std::int64_t i = 0; i < 10; ++i) cache.Insert(i * 16, Text(i * 16));
  ASSERT_NE(cache.Find(0), nullptr);  // read while young
  for (std::int64_t i = 10; i < 20; ++i) cache.Insert(i * 16, Text(i * 16));
  // The first ten are the old generation now; reading one moves it into the young.
  ASSERT_NE(cache.Find(16), nullptr);
  for (std::int64_t i = 20; i < 40; ++i) cache.Insert(i * 16, Text(i * 16));
  EXPECT_EQ(cache.Find(32), nullptr) << "an old text never read again is dropped";
  EXPECT_LE(cache.held_bytes(), 2048u);
  EXPECT_NE(cache.Find(39 * 16), nullptr) << "the newest are kept";
}

TEST(EventTextCache, ConcurrentReadersAndWritersSeeWholeTexts) {
  EventTextCache cache(64 << 10);
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::int64_t i = 0; i < 5000; ++i) {
        const std::int64_t pos = (i * 7 + t) % 2000;
        if (auto found = cache.Find(pos)) {
          if (*found != *Text(pos)) bad = true;
        } else {
          cache.Insert(pos, Text(pos));
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_FALSE(bad);
  EXPECT_LE(cache.held_bytes(), std::size_t{64 << 10} + 16 * 100);
}

}  // namespace
}  // namespace houqin::server
