// The delivery index: which events each scope key carries, in one global
// delivery sequence (dseq) that pull cursors count in.
//
// Cursors count deliveries, not event positions, so that a device that gains
// sight of a record late (a request moved into its department) still receives
// the record's history: when a record gains a scope key, every one of its
// events is delivered again under that key, with new dseqs past any cursor.
// Records whose keys read a changed record (sync::ScopeDependents: a trip's
// requests follow its driver) are re-evaluated in the same pass. A key a
// record loses gets the new events of that pass (the change that took it
// away), then is forgotten, so that regaining it delivers the history again.
//
// Tables (in the server's database file, beside the Store's):
//   srv_deliveries(scope, dseq, pos, last_day)  one row per (key, event) delivery
//   srv_record_keys(type, id, keys)             the keys a record already has, a JSON array
//                                               (until schema 5's server, a row per key: merged on open)
//   srv_meta(key, value)                        indexed_through, next_dseq
// The rows and indexed_through commit in one transaction; an index lost to a
// crash is rebuilt from the events past indexed_through on the next start.
//
// Thread safety: the DeliveryIndex belongs to one thread (the server's
// indexer), which reads through a Store of its own. ReadPage runs on any
// thread with its own read connection.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/sqlite.h"
#include "engine/store.h"
#include "sync/access.h"

namespace houqin::server {

class DeliveryIndex {
 public:
  static Result<std::unique_ptr<DeliveryIndex>> Open(const std::string& db_path);
  ~DeliveryIndex();

  // Indexes every stored event past indexed_through. Returns how many events it indexed.
  // The reads see one snapshot of `store`, which may be another thread's to
  // write; the index's short write transaction holds `write_lock` (the same
  // lock the Store's writer holds around its commits, so that neither waits
  // out SQLite's busy timeout).
  Result<std::size_t> IndexNew(Store& store, std::mutex* write_lock = nullptr);
  std::int64_t indexed_through() const { return indexed_through_; }
  // PRAGMA wal_checkpoint(TRUNCATE), for a clean shutdown.
  Status Checkpoint();

 private:
  // What one pass writes, planned from the reads before the write lock is taken.
  struct Pass {
    struct Row {
      std::string scope;
      std::int64_t dseq, pos;
      std::optional<std::int64_t> last_day;
    };
    std::vector<Row> rows;
    std::vector<std::pair<RecordKey, std::string>> keys;  // records whose keys changed, as JSON arrays
    std::int64_t through = 0, next_dseq = 0;
    std::size_t events = 0;
  };
  DeliveryIndex() = default;
  Status Plan(Store& store, Pass& pass);
  Status Write(const Pass& pass);
  sql::Db db_;
  std::int64_t indexed_through_ = 0;
  std::int64_t next_dseq_ = 1;
};

struct PullPage {
  std::vector<std::int64_t> positions;  // event positions in delivery order, no repeats
  std::int64_t cursor = 0;              // the last dseq this page covers (the request's when none)
  bool more = false;                    // more deliveries wait past `cursor`
};

// The deliveries after `after` under `scopes`, at most `limit` rows. Rows of
// a bounded scope whose last_day < today - 1 are skipped but still covered by
// the cursor, so that a kiosk's cursor moves past yesterday's visitors.
Result<PullPage> ReadPage(sql::Db& db, const std::vector<sync::ReadScope>& scopes, std::int64_t after, int limit,
                          std::int64_t today_days);

// Opens a read connection for ReadPage (creating the tables if the writer has not yet).
Status OpenReadConnection(sql::Db& db, const std::string& db_path);

}  // namespace houqin::server
