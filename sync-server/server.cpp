#include "server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "domain.h"
#include "engine/event_reader.h"
#include "log.h"
#include "registry.h"
#include "sync/access.h"
#include "sync/protocol.h"
#include "tls.h"
#include "util/civil_time.h"

namespace houqin::server {
namespace {

namespace fs = std::filesystem;

// cpp-httplib keeps the listening socket protected and listens with a
// backlog of 5, far too few for hundreds of devices reconnecting at once;
// a subclass may reach the socket to raise it.
template <class Base>
class ListeningServer : public Base {
 public:
  using Base::Base;
  void RaiseBacklog(int backlog) {
    const auto sock = this->svr_sock_.load();
    if (sock != INVALID_SOCKET) ::listen(sock, backlog);
  }
};

constexpr int kListenBacklog = 1024;
constexpr std::int64_t kAuthWindowMs = 60'000;

// What one pool thread keeps open across the requests it serves: SQLite
// connections are per thread (WAL readers never block the writer).
struct ThreadResources {
  std::string db_path;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<EventReader> reader;
  std::unique_ptr<sql::Db> deliveries;
};
thread_local ThreadResources tl_resources;

// Per request, for the access log: set by the pre-routing handler and the handlers.
thread_local std::chrono::steady_clock::time_point tl_request_start;
thread_local std::string tl_request_device;

ThreadResources& Resources(const std::string& db_path) {
  if (tl_resources.db_path != db_path) {
    tl_resources = ThreadResources{};
    tl_resources.db_path = db_path;
  }
  return tl_resources;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(Dump(body), "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, int status, std::string_view code, const Text& message,
               std::string_view field = {}) {
  SendJson(res, status, sync::ErrorBody(code, message, field));
}

void SendStatusError(httplib::Response& res, const Status& s) {
  Log("error", "storage error", {{"error", s.ToString()}});
  SendError(res, 503, sync::error::kUnavailable,
            {"the server cannot reach its storage; retry later", "服务器存储暂不可用，请稍后重试"});
}

// Failed enroll/login attempts per client address: past the limit within a
// minute, every attempt from that address is answered 429 until the window passes.
// Successes do not count, so a site enrolling many kiosks from one address is not throttled.
class FailureLimiter {
 public:
  bool Blocked(const std::string& who, std::int64_t now_ms, int limit) {
    std::lock_guard lock(mutex_);
    auto& times = failures_[who];
    while (!times.empty() && times.front() <= now_ms - kAuthWindowMs) times.pop_front();
    return static_cast<int>(times.size()) >= limit;
  }
  void Failed(const std::string& who, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    failures_[who].push_back(now_ms);
    if (failures_.size() > 100000) failures_.clear();  // a flood of addresses must not grow memory without bound
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<std::int64_t>> failures_;
};

std::optional<Json> ParseBody(const httplib::Request& req, httplib::Response& res) {
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    SendError(res, 400, sync::error::kBadJson, {"the body is not valid JSON", "请求体不是有效的JSON"}, "body");
    return std::nullopt;
  }
  if (!body.is_object()) {
    SendError(res, 400, sync::error::kBadField, {"the body must be a JSON object", "请求体必须是JSON对象"}, "body");
    return std::nullopt;
  }
  return body;
}

// A string member; absent or of another type -> 400 naming it (unless optional and absent).
bool StringField(const Json& body, const char* name, bool required, std::string* out, httplib::Response& res) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (!required) return true;
    SendError(res, 400, sync::error::kBadField,
              {std::string("\"") + name + "\" is required", std::string("缺少 \"") + name + "\""}, name);
    return false;
  }
  if (!it->is_string()) {
    SendError(res, 400, sync::error::kBadField,
              {std::string("\"") + name + "\" must be a string", std::string("\"") + name + "\" 必须是字符串"}, name);
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

bool IntParam(const httplib::Request& req, const char* name, int fallback, int min, int max, int* out,
              httplib::Response& res) {
  if (!req.has_param(name)) {
    *out = fallback;
    return true;
  }
  const std::string text = req.get_param_value(name);
  long long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min) {
    SendError(res, 400, sync::error::kBadField,
              {std::string(name) + " must be an integer >= " + std::to_string(min),
               std::string(name) + " 必须是不小于 " + std::to_string(min) + " 的整数"},
              name);
    return false;
  }
  *out = static_cast<int>(std::min<long long>(v, max));
  return true;
}

std::string RouteLabel(const std::string& path) {
  for (const char* known : {"/v1/enroll", "/v1/login", "/v1/push", "/v1/pull", "/healthz", "/metrics"})
    if (path == known) return path;
  return "other";
}

}  // namespace

struct SyncServer::Handlers {
  SyncServer& server;
  FailureLimiter limiter;

  Registry* OpenRegistry(httplib::Response& res) {
    ThreadResources& r = Resources(server.db_path_);
    if (!r.registry) {
      auto opened = Registry::Open(server.db_path_);
      if (!opened) {
        SendStatusError(res, opened.status());
        return nullptr;
      }
      r.registry = std::move(*opened);
    }
    return r.registry.get();
  }

  // The device of the bearer token, or an error response already sent.
  std::optional<DeviceRecord> Authenticate(const httplib::Request& req, httplib::Response& res) {
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
      SendError(res, 401, sync::error::kUnauthenticated,
                {"a device token is required (Authorization: Bearer <token>)", "需要设备令牌（Authorization: Bearer <令牌>）"},
                "Authorization");
      return std::nullopt;
    }
    Registry* registry = OpenRegistry(res);
    if (!registry) return std::nullopt;
    auto device = registry->Authenticate(header.substr(kBearer.size()), NowMs());
    if (!device) {
      if (device.status().IsRefused() || device.status().IsNotFound()) {
        SendError(res, 401, sync::error::kUnauthenticated, device.status().message(), "Authorization");
      } else {
        SendStatusError(res, device.status());
      }
      return std::nullopt;
    }
    tl_request_device = device->id;
    server.metrics_.SeenDevice(device->id, NowMs());
    return std::move(*device);
  }

  sync::DeviceIdentity IdentityOf(const DeviceRecord& d) {
    sync::DeviceIdentity id;
    id.device_id = d.id;
    id.kind = d.kind;
    if (d.kind == sync::kKiosk) {
      id.site = d.site;
      id.user = "kiosk:" + d.site;
      id.roles = {std::string(role::kKiosk)};
      return id;
    }
    if (!d.signed_in) return id;
    id.user = d.user;
    if (auto u = server.directory_.Find(d.user)) {
      id.roles = u->roles;
      id.department = u->department;
    }
    if (auto site = server.directory_.SiteOf(d.user)) id.site = *site;
    return id;
  }

  bool RequireSignedIn(const DeviceRecord& d, httplib::Response& res) {
    if (d.kind == sync::kPhone && !d.signed_in) {
      SendError(res, 403, sync::error::kNotSignedIn,
                {"a user must sign in on this phone first", "请先在此手机上登录"}, "Authorization");
      return false;
    }
    return true;
  }

  void Enroll(const httplib::Request& req, httplib::Response& res) {
    const std::int64_t now = NowMs();
    if (limiter.Blocked("enroll|" + req.remote_addr, now, server.options_.auth_attempts_per_minute))
      return SendError(res, 429, sync::error::kRateLimited,
                       {"too many failed enrollment attempts; wait a minute", "注册失败次数过多，请一分钟后再试"});
    auto body = ParseBody(req, res);
    if (!body) return;
    std::string code, device_id;
    if (!StringField(*body, "code", true, &code, res) || !StringField(*body, "device_id", false, &device_id, res))
      return;
    Registry* registry = OpenRegistry(res);
    if (!registry) return;
    auto enrolled = registry->Enroll(code, device_id, now);
    if (!enrolled) {
      if (!enrolled.status().IsRefused()) return SendStatusError(res, enrolled.status());
      limiter.Failed("enroll|" + req.remote_addr, now);
      return SendError(res, 401, sync::error::kBadCode, enrolled.status().message(), "code");
    }
    tl_request_device = enrolled->device_id;
    Log("info", "device enrolled",
        {{"device", enrolled->device_id}, {"kind", enrolled->device.kind}, {"user", enrolled->device.user},
         {"site", enrolled->device.site}});
    SendJson(res, 200,
             {{"device_id", enrolled->device_id},
              {"token", enrolled->token},
              {"kind", enrolled->device.kind},
              {"user", enrolled->device.user},
              {"site", enrolled->device.site},
              {"server_sha256", server.fingerprint_}});
  }

  void Login(const httplib::Request& req, httplib::Response& res) {
    const std::int64_t now = NowMs();
    if (limiter.Blocked("login|" + req.remote_addr, now, server.options_.auth_attempts_per_minute))
      return SendError(res, 429, sync::error::kRateLimited,
                       {"too many failed sign-in attempts; wait a minute", "登录失败次数过多，请一分钟后再试"});
    auto device = Authenticate(req, res);
    if (!device) return;
    auto body = ParseBody(req, res);
    if (!body) return;
    std::string user, password;
    if (!StringField(*body, "user", true, &user, res) || !StringField(*body, "password", true, &password, res)) return;
    Registry* registry = OpenRegistry(res);
    if (!registry) return;
    auto unlock = registry->SignIn(device->id, user, password);
    if (!unlock) {
      if (!unlock.status().IsRefused()) return SendStatusError(res, unlock.status());
      limiter.Failed("login|" + req.remote_addr, now);
      return SendError(res, 401, sync::error::kBadPassword, unlock.status().message(), unlock.status().field());
    }
    Json roles = Json::array();
    std::string department;
    if (auto u = server.directory_.Find(user)) {
      roles = u->roles;
      department = u->department;
    }
    Log("info", "user signed in", {{"device", device->id}, {"user", user}});
    SendJson(res, 200,
             {{"user", user},
              {"roles", roles},
              {"department", department},
              {"offline_unlock",
               {{"salt", unlock->salt}, {"hash", unlock->hash}, {"n", unlock->n}, {"r", unlock->r}, {"p", unlock->p}}}});
  }

  void Push(const httplib::Request& req, httplib::Response& res) {
    const auto received = std::chrono::steady_clock::now();
    auto device = Authenticate(req, res);
    if (!device || !RequireSignedIn(*device, res)) return;
    auto body = ParseBody(req, res);
    if (!body) return;
    if (auto it = body->find("events"); it != body->end() && it->is_array() && it->size() > sync::kMaxPushEvents)
      return SendError(res, 413, sync::error::kBatchTooLarge,
                       {"at most " + std::to_string(sync::kMaxPushEvents) + " events per push",
                        "每次推送最多 " + std::to_string(sync::kMaxPushEvents) + " 个事件"},
                       "events");
    auto events = sync::EventsFromJson(std::move(*body));
    if (!events) {
      const Status why = events.status();
      const std::string& field = why.field();
      const bool shape = field.empty() || field == "body" || field == "events";
      return SendError(res, 400, shape ? sync::error::kBadField : sync::error::kBadEvent, why.message(),
                       field.empty() ? "events" : field);
    }
    const sync::DeviceIdentity identity = IdentityOf(*device);
    for (std::size_t i = 0; i < events->size(); ++i) {
      Status claim = sync::CheckAuthorClaim(identity, (*events)[i]);
      if (!claim.ok()) {
        Log("warn", "push refused whole: foreign author",
            {{"device", device->id}, {"event", (*events)[i].id}, {"field", claim.field()}});
        // The core names the author's parts "author.user"...; on the wire they are the event's "user"...
        std::string field = claim.field();
        if (field.rfind("author.", 0) == 0) field = field.substr(7);
        return SendError(res, 403, sync::error::kForeignAuthor, claim.message(),
                         "events[" + std::to_string(i) + "]" + (field.empty() ? "" : "." + field));
      }
    }
    if (events->empty()) return SendJson(res, 200, {{"acks", Json::array()}});
    // Rendered here, on the request's own thread, for the devices that will pull these events: an event is
    // stored exactly as it was pushed, and one without personal data reads the same for every device.
    std::vector<std::shared_ptr<const std::string>> texts;
    texts.reserve(events->size());
    for (const Event& e : *events)
      texts.push_back(e.personal_digest.empty() ? std::make_shared<const std::string>(sync::EventText(e)) : nullptr);
    PushOutcome outcome = server.writer_->Submit(identity, std::move(*events), received).get();
    if (!outcome.status.ok()) return SendStatusError(res, outcome.status);
    for (std::size_t i = 0; i < outcome.acks.size() && i < texts.size(); ++i)
      if (!outcome.acks[i].duplicate && outcome.acks[i].position > 0)
        server.event_texts_->Insert(outcome.acks[i].position, std::move(texts[i]));
    Json acks = Json::array();
    for (const PushAck& a : outcome.acks) {
      Json ack{{"id", a.id}, {"seq", a.position}, {"duplicate", a.duplicate}};
      if (a.refused) ack["refused"] = {{"field", a.refused->field}, {"en", a.refused->reason.en}, {"zh", a.refused->reason.zh}};
      acks.push_back(std::move(ack));
    }
    SendJson(res, 200, {{"acks", std::move(acks)}});
  }

  void Pull(const httplib::Request& req, httplib::Response& res) {
    auto device = Authenticate(req, res);
    if (!device || !RequireSignedIn(*device, res)) return;
    std::int64_t after = 0;
    if (req.has_param("after") && !sync::CursorFromString(req.get_param_value("after"), &after))
      return SendError(res, 400, sync::error::kBadField,
                       {"after must be a cursor this server returned", "after 必须是服务器返回的游标"}, "after");
    int limit = 0, wait = 0;
    if (!IntParam(req, "limit", sync::kDefaultPullLimit, 1, sync::kMaxPullLimit, &limit, res) ||
        !IntParam(req, "wait", 0, 0, sync::kMaxWaitSeconds, &wait, res))
      return;
    const sync::DeviceIdentity identity = IdentityOf(*device);
    const std::vector<sync::ReadScope> scopes = sync::DeviceScopes(identity);

    ThreadResources& r = Resources(server.db_path_);
    if (!r.deliveries) {
      auto db = std::make_unique<sql::Db>();
      if (Status s = OpenReadConnection(*db, server.db_path_); !s.ok()) return SendStatusError(res, s);
      r.deliveries = std::move(db);
    }
    if (!r.reader) {
      auto reader = EventReader::Open(server.db_path_);
      if (!reader) return SendStatusError(res, reader.status());
      r.reader = std::move(*reader);
    }

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
    bool waiting = false;
    PullPage page;
    for (;;) {
      const std::uint64_t generation = server.notifier_.generation();
      const std::int64_t today = LocalTime::FromUnixMs(NowMs()).date.DaysSinceEpoch();
      auto read = ReadPage(*r.deliveries, scopes, after, limit, today);
      if (!read) {
        if (waiting) server.metrics_.WaitEnded();
        return SendStatusError(res, read.status());
      }
      page = std::move(*read);
      if (!page.positions.empty() || page.more || page.cursor != after || wait == 0 ||
          server.notifier_.shut_down() || std::chrono::steady_clock::now() >= deadline)
        break;
      if (!waiting) {
        if (!server.metrics_.TryStartWait(server.options_.max_waits))
          return SendError(res, 503, sync::error::kTooManyWaits,
                           {"too many devices are waiting; retry shortly", "等待中的设备过多，请稍后重试"});
        waiting = true;
      }
      server.notifier_.WaitChange(generation, deadline);
    }
    if (waiting) server.metrics_.WaitEnded();

    // Every device of a scope pulls the same new events: most are rendered already.
    std::vector<std::shared_ptr<const std::string>> texts(page.positions.size());
    std::vector<std::int64_t> missing;
    for (std::size_t i = 0; i < page.positions.size(); ++i)
      if (!(texts[i] = server.event_texts_->Find(page.positions[i]))) missing.push_back(page.positions[i]);
    server.metrics_.ObservePullEvents(page.positions.size() - missing.size(), missing.size());
    if (!missing.empty()) {
      auto read = r.reader->ReadAt(missing);
      if (!read) return SendStatusError(res, read.status());
      std::unordered_map<std::int64_t, std::shared_ptr<const std::string>> rendered;
      rendered.reserve(read->size());
      for (auto& [pos, e] : *read) {
        // Personal data depends on who reads it (and a purge removes it): rendered per request, never kept.
        const bool personal = !e.personal_digest.empty();
        if (personal && !sync::ReceivesPersonal(identity, e)) ForgetPersonal(e);
        auto text = std::make_shared<const std::string>(sync::EventText(e));
        if (!personal) server.event_texts_->Insert(pos, text);
        rendered.emplace(pos, std::move(text));
      }
      for (std::size_t i = 0; i < texts.size(); ++i)
        if (!texts[i])
          if (auto it = rendered.find(page.positions[i]); it != rendered.end()) texts[i] = it->second;
    }
    std::vector<std::string_view> views;
    views.reserve(texts.size());
    for (const auto& t : texts)
      if (t) views.push_back(*t);
    res.status = 200;
    res.set_content(sync::PullResponseFromTexts(views, page.cursor, page.more), "application/json; charset=utf-8");
  }

  void Healthz(const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200,
             {{"ok", !server.stopping_.load()},
              {"position", server.writer_->last_position()},
              {"server_sha256", server.fingerprint_},
              {"waits", server.metrics_.waits()}});
  }

  void MetricsText(const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(server.metrics_.Render(NowMs()), "text/plain; version=0.0.4; charset=utf-8");
  }
};

bool ParseListen(const std::string& text, std::string* host, int* port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string p = text.substr(colon + 1);
  int v = -1;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || v < 0 || v > 65535) return false;
  *host = h;
  *port = v;
  return true;
}

Status ApplyConfigFile(ServerOptions& options) {
  const fs::path path = fs::path(options.data_dir) / "server.json";
  if (!fs::exists(path)) return Status::Ok();
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json j = Json::parse(text, nullptr, false);
  auto bad = [&](const std::string& field, const std::string& why) {
    return Status::Invalid(field, {path.string() + ": " + field + ": " + why, path.string() + "：" + field + "：" + why});
  };
  if (j.is_discarded() || !j.is_object()) return bad("server.json", "not a JSON object");
  if (auto it = j.find("listen"); it != j.end()) {
    if (!it->is_string() || !ParseListen(it->get<std::string>(), &options.listen_host, &options.listen_port))
      return bad("listen", "must be \"HOST:PORT\"");
  }
  for (auto [name, target] : {std::pair{"workers", &options.workers}, std::pair{"max_waits", &options.max_waits},
                              std::pair{"auth_attempts_per_minute", &options.auth_attempts_per_minute},
                              std::pair{"keep_alive_seconds", &options.keep_alive_seconds},
                              std::pair{"event_cache_mb", &options.event_cache_mb}}) {
    auto it = j.find(name);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > 100000)
      return bad(name, "must be an integer from 1 to 100000");
    *target = it->get<int>();
  }
  if (auto it = j.find("log_requests"); it != j.end()) {
    if (!it->is_boolean()) return bad("log_requests", "must be true or false");
    options.log_requests = it->get<bool>();
  }
  return Status::Ok();
}

SyncServer::SyncServer(ServerOptions options) : options_(std::move(options)) {}

SyncServer::~SyncServer() {
  Stop();
  (void)Wait();
}

Status SyncServer::Start() {
  std::error_code ec;
  fs::create_directories(options_.data_dir, ec);
  if (ec)
    return Status::Io({"cannot create " + options_.data_dir + ": " + ec.message(),
                       "无法创建 " + options_.data_dir + "：" + ec.message()});
  auto fingerprint = EnsureCertificate(options_.data_dir);
  if (!fingerprint) return fingerprint.status();
  fingerprint_ = *fingerprint;
  db_path_ = (fs::path(options_.data_dir) / "houqin.db").string();
  domain_ = MakeDomain();
  {
    // Creates the registry's tables before any request thread races to.
    auto registry = Registry::Open(db_path_);
    if (!registry) return registry.status();
  }
  event_texts_ = std::make_unique<EventTextCache>(static_cast<std::size_t>(options_.event_cache_mb) << 20);
  auto writer = Writer::Start(db_path_, domain_.get(), {&notifier_, &directory_, &metrics_});
  if (!writer) return writer.status();
  writer_ = std::move(*writer);

  const std::string cert = (fs::path(options_.data_dir) / "tls" / "cert.pem").string();
  const std::string key = (fs::path(options_.data_dir) / "tls" / "key.pem").string();
  if (options_.plain_http) {
    http_ = std::make_unique<ListeningServer<httplib::Server>>();
  } else {
    http_ = std::make_unique<ListeningServer<httplib::SSLServer>>(cert.c_str(), key.c_str());
  }
  if (!http_->is_valid())
    return Status::Io({"cannot load the TLS certificate from " + cert, "无法加载TLS证书 " + cert});

  handlers_.reset(new Handlers{*this, {}});
  Handlers* h = handlers_.get();
  const std::size_t threads = static_cast<std::size_t>(options_.max_waits + options_.workers);
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_payload_max_length(sync::kMaxBodyBytes);
  http_->set_keep_alive_timeout(options_.keep_alive_seconds);
  http_->set_keep_alive_max_count(100000);
  http_->set_read_timeout(10);
  http_->set_write_timeout(10);
  http_->set_tcp_nodelay(true);
  http_->Post("/v1/enroll", [h](const httplib::Request& q, httplib::Response& r) { h->Enroll(q, r); });
  http_->Post("/v1/login", [h](const httplib::Request& q, httplib::Response& r) { h->Login(q, r); });
  http_->Post("/v1/push", [h](const httplib::Request& q, httplib::Response& r) { h->Push(q, r); });
  http_->Get("/v1/pull", [h](const httplib::Request& q, httplib::Response& r) { h->Pull(q, r); });
  http_->Get("/healthz", [h](const httplib::Request& q, httplib::Response& r) { h->Healthz(q, r); });
  http_->Get("/metrics", [h](const httplib::Request& q, httplib::Response& r) { h->MetricsText(q, r); });
  http_->set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    tl_request_start = std::chrono::steady_clock::now();
    tl_request_device.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Fills the JSON error of responses the library makes itself (unknown path, body over the limit).
  http_->set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404) {
      SendError(res, 404, sync::error::kNotFound, {"no such endpoint", "没有此接口"}, "path");
    } else if (res.status == 413) {
      SendError(res, 413, sync::error::kTooLarge,
                {"the body is larger than " + std::to_string(sync::kMaxBodyBytes) + " bytes",
                 "请求体超过 " + std::to_string(sync::kMaxBodyBytes) + " 字节"},
                "body");
    } else if (res.status == 400) {
      SendError(res, 400, sync::error::kBadJson, {"malformed HTTP request", "HTTP请求格式错误"});
    } else if (res.status < 500) {
      SendError(res, res.status, sync::error::kBadField, {"request refused", "请求被拒绝"});
    } else {
      SendError(res, res.status, sync::error::kUnavailable, {"server error", "服务器错误"});
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  http_->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Log("error", "handler threw", {{"path", req.path}, {"error", what}});
    SendError(res, 500, sync::error::kUnavailable, {"internal server error", "服务器内部错误"});
  });
  http_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    metrics_.CountRequest(RouteLabel(req.path), res.status);
    if (!options_.log_requests) return;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - tl_request_start).count();
    Log("info", "request",
        {{"method", req.method}, {"path", req.path}, {"status", res.status}, {"ms", std::round(ms * 10) / 10},
         {"device", tl_request_device}, {"remote", req.remote_addr}});
  });

  if (options_.listen_port == 0) {
    port_ = http_->bind_to_any_port(options_.listen_host);
  } else {
    port_ = http_->bind_to_port(options_.listen_host, options_.listen_port) ? options_.listen_port : -1;
  }
  if (port_ <= 0) {
    const std::string where = options_.listen_host + ":" + std::to_string(options_.listen_port);
    return Status::Io({"cannot listen on " + where, "无法监听 " + where});
  }
  if (options_.plain_http) {
    static_cast<ListeningServer<httplib::Server>*>(http_.get())->RaiseBacklog(kListenBacklog);
  } else {
    static_cast<ListeningServer<httplib::SSLServer>*>(http_.get())->RaiseBacklog(kListenBacklog);
  }

  listener_ = std::thread([this] {
    if (!http_->listen_after_bind() && !stopping_) listen_failed_ = true;
  });
  // Stop() must find the server running, or it would not stop it.
  for (int i = 0; i < 500 && !http_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  {
    const fs::path port_file = fs::path(options_.data_dir) / "port";
    const fs::path tmp = port_file.string() + ".tmp";
    std::ofstream(tmp) << port_ << "\n";
    fs::rename(tmp, port_file, ec);
  }
  Log("info", "houqin-server listening",
      {{"listen", options_.listen_host + ":" + std::to_string(port_)},
       {"scheme", options_.plain_http ? "http" : "https"},
       {"server_sha256", fingerprint_},
       {"data", options_.data_dir},
       {"threads", threads},
       {"max_waits", options_.max_waits},
       {"position", writer_->last_position()}});
  if (options_.plain_http) Log("warn", "plain HTTP: development only, never on a network");
  return Status::Ok();
}

void SyncServer::Stop() {
  if (stopping_.exchange(true)) return;
  notifier_.Shutdown();
  if (http_) http_->stop();
}

Status SyncServer::Wait() {
  if (listener_.joinable()) listener_.join();
  if (writer_) {
    writer_->Stop();
    writer_.reset();
    Log("info", "houqin-server stopped", {{"data", options_.data_dir}});
  }
  if (listen_failed_)
    return Status::Io({"the listener failed", "监听失败"});
  return Status::Ok();
}

}  // namespace houqin::server
