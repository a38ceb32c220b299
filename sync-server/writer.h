// The two threads that own the server's Store: the writer and the indexer.
//
// Push handlers hand their checked batches to Submit() and wait for the
// outcome. The writer drains every queued batch into one group (up to
// kMaxGroupEvents events) and commits the group in one durable transaction:
// one fsync for many pushes. Per group it refreshes the Store (the admin tool
// writes the same file), judges each new event with sync::AuthorizeEvent
// (refused events are stored all the same, with a server.refused verdict in
// the same transaction), commits, refreshes the directory snapshot when users
// or departments changed, and hands the group's answers to the indexer.
//
// The indexer reads what was committed through a Store of its own (one
// snapshot per pass, while the writer goes on with the next group), indexes
// the deliveries, wakes long polls, and only then answers the pushes: a
// device that pulls once its push is answered finds its events. The two
// threads take one in-process lock around their write transactions, so that
// neither waits out SQLite's busy timeout behind the other.
//
// Thread safety: Submit, last_position and Stop may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "deliveries.h"
#include "directory/directory.h"
#include "engine/store.h"
#include "metrics.h"
#include "sync/protocol.h"

namespace houqin::server {

// Long polls wait on this; the writer bumps it after every commit it indexed.
class Notifier {
 public:
  std::uint64_t generation() const;
  void Bump();
  // Wakes every waiter for good (shutdown).
  void Shutdown();
  // Waits until the generation differs from `seen`, the deadline passes, or
  // shutdown. True when the generation moved.
  bool WaitChange(std::uint64_t seen, std::chrono::steady_clock::time_point deadline);
  bool shut_down() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;
  bool shutdown_ = false;
};

// The users as the writer last read them, for the handler threads, which must
// not touch the Store: a phone acts with its signed-in user's roles.
class DirectorySnapshot {
 public:
  std::optional<directory::UserInfo> Find(const std::string& user) const;
  std::optional<std::string> SiteOf(const std::string& user) const;
  void Replace(std::map<std::string, directory::UserInfo> users, std::map<std::string, std::string> sites);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, directory::UserInfo> users_;
  std::map<std::string, std::string> sites_;
};

struct PushAck {
  std::string id;
  std::int64_t position = 0;
  bool duplicate = false;
  std::optional<Refusal> refused;
};

struct PushOutcome {
  Status status;  // not ok: nothing of the batch was stored (the storage failed)
  std::vector<PushAck> acks;
};

class Writer {
 public:
  static constexpr std::size_t kMaxGroupEvents = 10000;

  struct Dependencies {
    Notifier* notifier = nullptr;
    DirectorySnapshot* directory = nullptr;
    Metrics* metrics = nullptr;
  };
  // Opens the Store and the delivery index, reads the directory, indexes any
  // events not yet indexed, and starts the thread.
  static Result<std::unique_ptr<Writer>> Start(const std::string& db_path, const Domain* domain,
                                               Dependencies deps);
  ~Writer();

  // The events have passed CheckAuthorClaim for `identity`.
  std::future<PushOutcome> Submit(sync::DeviceIdentity identity, std::vector<Event> events,
                                  std::chrono::steady_clock::time_point received);
  // Finishes every queued batch, then stops the thread and checkpoints the WAL.
  void Stop();
  std::int64_t last_position() const { return last_position_.load(); }

 private:
  struct Batch {
    sync::DeviceIdentity identity;
    std::vector<Event> events;
    std::chrono::steady_clock::time_point received;
    std::promise<PushOutcome> promise;
  };

  // A committed batch's answer, given once its events are indexed.
  struct Answer {
    std::chrono::steady_clock::time_point received;
    std::promise<PushOutcome> promise;
    std::vector<PushAck> acks;
  };

  Writer() = default;
  void Run();
  void ProcessGroup(std::vector<Batch>& group);
  Status ReloadDirectory();
  // Asks the indexer for a pass, after which it gives these answers.
  void HandToIndexer(std::vector<Answer> answers);
  void RunIndexer();

  // The writer thread's.
  std::unique_ptr<Store> store_;
  // The indexer thread's: its own reads of the same file, and the index.
  std::unique_ptr<Store> index_store_;
  std::unique_ptr<DeliveryIndex> index_;
  std::mutex file_write_;  // held around either thread's write transaction
  Dependencies deps_;
  std::atomic<std::int64_t> last_position_{0};

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::mutex index_mutex_;
  std::condition_variable index_cv_;
  std::vector<Answer> index_answers_;
  bool index_requested_ = false;
  bool index_stopping_ = false;
  std::thread index_thread_;
};

}  // namespace houqin::server
