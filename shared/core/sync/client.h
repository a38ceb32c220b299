// The sync client every device runs (libcurl over HTTPS): pushes this
// device's pending events in batches and pulls its scopes after a cursor,
// in a loop with backoff and jitter. Cursors live in the store's meta
// table, written after the data they cover, so any interruption resumes
// without loss; re-sent pushes and re-pulled pages are idempotent.
//
// The server certificate is pinned: its SHA-256 fingerprint, learned at
// enrollment from the admin's code sheet, is checked on every handshake;
// a mismatch stops sync with a clear error (state kError), never a retry loop.
//
// The owner (the Qt layer, the CLI, the tests) learns what it needs from a
// small SyncStatus through one callback: state, last synced time, pending
// count, refusals, and the error in both languages.
//
// Thread safety: Run() owns the calling thread; Stop() and Nudge() may be
// called from any thread. The Store is touched only under the mutex given in
// ClientConfig::store_mutex (when set), so an app may share it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/store.h"
#include "sync/protocol.h"

namespace houqin::sync {

enum class SyncState { kIdle, kSyncing, kOffline, kError };
std::string_view SyncStateName(SyncState s);  // "idle", "syncing", "offline", "error"

struct SyncStatus {
  SyncState state = SyncState::kIdle;
  std::int64_t last_synced_ms = 0;  // last time push and pull both completed; 0 = never
  std::int64_t pending = 0;         // this device's events not yet acknowledged
  std::int64_t refused = 0;         // this device's events the server refused (see RecordView::refusals)
  Text error;                       // set in kOffline / kError
};

struct ClientConfig {
  std::string base_url;              // "https://127.0.0.1:8443"
  std::string pinned_sha256;         // the server certificate's SHA-256, hex (colons and case ignored)
  std::string device_token;          // from enrollment
  bool allow_plain_http = false;     // development only: base_url may be http://
  std::size_t push_batch = 500;
  int pull_limit = 2500;             // bigger pages: fewer round trips, bigger ingest batches (see PullUntilCaughtUp)
  int wait_seconds = 25;             // long poll in Run()
  int connect_timeout_ms = 5000;
  int min_backoff_ms = 200;
  int max_backoff_ms = 30000;
  std::mutex* store_mutex = nullptr;
};

// Enrollment and sign-in, before a SyncClient exists.
struct EnrollResult {
  std::string device_id;
  std::string token;
  std::string server_sha256;
  std::string kind;  // phone / kiosk
  std::string user;
  std::string site;
};
// `pinned_sha256` comes with the code (the admin prints both); the handshake must match it.
Result<EnrollResult> Enroll(const std::string& base_url, const std::string& pinned_sha256, const std::string& code,
                            const std::string& proposed_device_id, bool allow_plain_http = false);
struct SignInResult {
  std::string user;
  std::vector<std::string> roles;
  std::string department;
  Json offline_unlock;  // {"salt","hash","n","r","p"}: verify a PIN/password offline later
};
Result<SignInResult> SignIn(const ClientConfig& config, const std::string& user, const std::string& password);

class SyncClient {
 public:
  SyncClient(Store& store, ClientConfig config);
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // One round without waiting: push everything pending, then pull until caught up.
  Status SyncOnce();
  // Push everything pending (in batches); the acknowledged part is remembered even if a later batch fails.
  Status PushPending();
  // One pull request; waits up to `wait_seconds` for news when there is none. *got = events received.
  Status PullOnce(int wait_seconds, std::size_t* got = nullptr);

  // Loops until Stop(): push, long-poll pull, backoff with jitter on failure.
  // Returns at once (state kError) on a pin mismatch or a revoked token.
  void Run();
  void Stop();
  // A local write happened: push soon (ends a long poll early).
  void Nudge();

  SyncStatus status() const;
  void SetStatusListener(std::function<void(const SyncStatus&)> listener);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace houqin::sync
