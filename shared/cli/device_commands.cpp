// houqin device ...: a device from the command line, on the same sync client
// the apps run — for support staff, scripts, and a newcomer's first look at a
// living server before the apps are installed.
#include <pthread.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli.h"
#include "domain.h"
#include "sync/client.h"
#include "util/uuid.h"

namespace houqin::cli {

namespace {

constexpr const char* kServerKey = "device.server";
constexpr const char* kPinKey = "device.fingerprint";
constexpr const char* kTokenKey = "device.token";

int DeviceUsage() {
  std::cerr << "usage: houqin device <command>\n"
               "  enroll --db FILE --server https://HOST:PORT --fingerprint AB:CD:.. --code CODE\n"
               "         [--user U --password P]   spend an enrollment code (and sign in a phone's user)\n"
               "  sync --db FILE [--watch]            push and pull once; --watch keeps syncing until Ctrl-C\n"
               "  status --db FILE                    pending events, refusals, the server it syncs with\n";
  return 2;
}

Result<sync::ClientConfig> ConfigOf(Store& store) {
  sync::ClientConfig c;
  for (auto [key, dst] : {std::pair{kServerKey, &c.base_url}, {kPinKey, &c.pinned_sha256}, {kTokenKey, &c.device_token}}) {
    auto v = store.GetMeta(key);
    if (!v) return v.status();
    if (!v->has_value())
      return Status::NotFound("db", {"this database is not an enrolled device: run `houqin device enroll` first",
                                     "该数据库尚未登记为设备:请先运行 `houqin device enroll`"});
    *dst = **v;
  }
  c.allow_plain_http = c.base_url.rfind("http://", 0) == 0;
  return c;
}

void PrintStatus(const sync::SyncStatus& s) {
  std::cout << "sync " << sync::SyncStateName(s.state) << " pending " << s.pending << " refused " << s.refused;
  if (!s.error.en.empty()) std::cout << " error " << s.error.en << " / " << s.error.zh;
  std::cout << "\n" << std::flush;
}

int Enroll(const Args& args) {
  auto db = args.Option("db");
  auto server = args.Option("server");
  auto pin = args.Option("fingerprint");
  auto code = args.Option("code");
  if (!db || !server || !pin || !code) return DeviceUsage();
  if (std::filesystem::exists(*db)) return Fail("--db: " + *db + " exists; a device enrolls into a new database");
  const bool plain = server->rfind("http://", 0) == 0;
  auto enrolled = sync::Enroll(*server, *pin, *code, NewUuidV7(SystemClock::Instance().NowMs()), plain);
  if (!enrolled) return Fail(enrolled.status());
  static const auto domain = MakeDomain();
  StoreOptions o;
  o.domain = domain.get();
  o.device_id = enrolled->device_id;
  auto store = Store::Open(*db, o);
  if (!store) return Fail(store.status());
  const std::pair<const char*, std::string> keep[] = {
      {kServerKey, *server}, {kPinKey, enrolled->server_sha256}, {kTokenKey, enrolled->token}};
  for (const auto& [key, value] : keep)
    if (Status s = (*store)->SetMeta(key, value); !s.ok()) return Fail(s);
  std::cout << "enrolled " << enrolled->kind << " device " << enrolled->device_id
            << (enrolled->user.empty() ? "" : " for " + enrolled->user)
            << (enrolled->site.empty() ? "" : " at site " + enrolled->site) << "\n";
  if (auto user = args.Option("user")) {
    auto cfg = ConfigOf(**store);
    if (!cfg) return Fail(cfg.status());
    auto signed_in = sync::SignIn(*cfg, *user, args.Option("password").value_or(""));
    if (!signed_in) return Fail(signed_in.status());
    std::cout << "signed in " << signed_in->user << " (";
    for (std::size_t i = 0; i < signed_in->roles.size(); ++i) std::cout << (i ? ", " : "") << signed_in->roles[i];
    std::cout << ")\n";
    // What unlocks the phone offline later; kept with the data, as the app does.
    if (Status s = (*store)->SetMeta("device.offline_unlock", signed_in->offline_unlock.dump()); !s.ok()) return Fail(s);
  }
  return 0;
}

int SyncCommand(const Args& args) {
  auto db = args.Option("db");
  if (!db) return DeviceUsage();
  if (!std::filesystem::exists(*db)) return Fail("--db: " + *db + " does not exist");
  auto store = OpenStore(*db);
  if (!store) return Fail(store.status());
  auto cfg = ConfigOf(**store);
  if (!cfg) return Fail(cfg.status());
  sync::SyncClient client(**store, *cfg);
  if (!args.Flag("watch")) {
    Status s = client.SyncOnce();
    PrintStatus(client.status());
    auto stats = (*store)->Stats();
    if (stats) std::cout << "events " << stats->events << " records " << stats->records << "\n";
    return s.ok() ? 0 : Fail(s);
  }
  client.SetStatusListener(PrintStatus);
  // Ctrl-C or SIGTERM stops the loop: taken by sigwait on this thread, never in a handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread runner([&] { client.Run(); });
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    client.Stop();
  });
  runner.join();
  // Run() may also end by itself (a revoked device, a pin mismatch): release the waiter.
  if (waiter.joinable()) {
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  }
  return client.status().state == sync::SyncState::kError ? 2 : 0;
}

int StatusCommand(const Args& args) {
  auto db = args.Option("db");
  if (!db || !std::filesystem::exists(*db)) return DeviceUsage();
  auto store = OpenStore(*db);
  if (!store) return Fail(store.status());
  auto cfg = ConfigOf(**store);
  if (!cfg) return Fail(cfg.status());
  sync::SyncClient client(**store, *cfg);
  std::cout << "device " << (*store)->device_id() << " server " << cfg->base_url << "\n";
  PrintStatus(client.status());
  return 0;
}

}  // namespace

int Device(const Args& args) {
  if (args.positional().empty()) return DeviceUsage();
  const std::string& sub = args.positional()[0];
  if (sub == "enroll") return Enroll(args);
  if (sub == "sync") return SyncCommand(args);
  if (sub == "status") return StatusCommand(args);
  return DeviceUsage();
}

}  // namespace houqin::cli
