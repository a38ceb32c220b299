#include "sync/client.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <random>
#include <set>
#include <utility>

namespace houqin::sync {

namespace {

// Meta keys in the device's store. Each is written after the data it covers.
constexpr const char* kPushPosKey = "sync.push_pos";        // last own position acknowledged by the server
constexpr const char* kPullCursorKey = "sync.pull_cursor";  // the server's opaque pull cursor
constexpr const char* kRefusedIdsKey = "sync.refused_ids";  // JSON array of own event ids the server refused

// A response larger than this is not a sync server talking: stop reading.
constexpr std::size_t kMaxResponseBytes = 512u * 1024u * 1024u;
// Slack over a long poll's own wait before the request counts as hung.
constexpr int kRequestSlackMs = 30000;
// How often a transfer blocked in curl_multi_poll looks at its abort flags even without a wakeup.
constexpr int kPollSliceMs = 1000;

std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// "AB:CD:..." and "abcd..." name the same fingerprint.
std::string NormalizePin(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    out.push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c));
  }
  return out;
}

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// What the verify callback needs; lives as long as the Http object that owns the connections.
struct PinCheck {
  std::string expected;  // normalized hex
  bool mismatch = false;
  std::string seen;  // the leaf fingerprint of the last mismatch
};

int PinExDataIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Accepts the chain iff the leaf certificate's SHA-256 equals the pin. The
// leaf is looked at on every call (whatever the depth), so a chain signed by
// any CA still fails unless its leaf is the pinned certificate.
int VerifyPinned(int /*preverify_ok*/, X509_STORE_CTX* store_ctx) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) return 0;
  auto* pin = static_cast<PinCheck*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), PinExDataIndex()));
  X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);
  if (pin == nullptr || leaf == nullptr) return 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(leaf, EVP_sha256(), md, &md_len) != 1) return 0;
  std::string hex = ToHex(md, md_len);
  if (hex != pin->expected) {
    pin->mismatch = true;
    pin->seen = hex;
    return 0;
  }
  // A self-signed leaf leaves an error in the context even when we accept
  // it; clear it so nothing downstream reads the handshake as unverified.
  X509_STORE_CTX_set_error(store_ctx, X509_V_OK);
  return 1;
}

CURLcode InstallPin(CURL* /*curl*/, void* ssl_ctx, void* user) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  if (SSL_CTX_set_ex_data(ctx, PinExDataIndex(), user) != 1) return CURLE_SSL_CERTPROBLEM;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, VerifyPinned);
  return CURLE_OK;
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (body->size() + n > kMaxResponseBytes) return 0;  // curl reports a write error
  body->append(data, n);
  return n;
}

Status NetworkError(const std::string& detail) {
  return Status::Network(Text{"cannot reach the sync server: " + detail, "无法连接同步服务器：" + detail});
}

Status PinMismatch(const std::string& expected, const std::string& seen) {
  return Status::Refused("server_certificate",
                         Text{"server certificate does not match the pinned fingerprint (pinned " + expected +
                                  ", server presented " + seen + "); sync stopped",
                              "服务器证书与登记时固定的指纹不符（固定为 " + expected + "，服务器出示 " + seen +
                                  "），同步已停止"});
}

Status BadResponse(const std::string& field, const std::string& why) {
  return Status::Invalid("response." + field, Text{"the sync server sent an unexpected response: " + field + " " + why,
                                                   "同步服务器的响应不符合协议：" + field + " " + why});
}

// How the sync loop treats a failure: retry later, or stop and show it.
enum class Severity { kTransient, kFatal };

struct Outcome {
  Status status;
  Severity severity = Severity::kTransient;
  bool ok() const { return status.ok(); }
  static Outcome Ok() { return {}; }
  static Outcome Transient(Status s) { return {std::move(s), Severity::kTransient}; }
  static Outcome Fatal(Status s) { return {std::move(s), Severity::kFatal}; }
};

struct HttpReply {
  long status = 0;
  std::string body;
};

// The server's {"error": {"code", "message", "message_zh", "field"}} as a Status.
Status StatusFromErrorReply(const HttpReply& reply, std::string* code_out) {
  std::string code, en, zh, field;
  Json j = Json::parse(reply.body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_object()) {
    const Json& e = j["error"];
    auto text = [&](const char* key) {
      return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
    };
    code = text("code");
    en = text("message");
    zh = text("message_zh");
    field = text("field");
  }
  if (code_out != nullptr) *code_out = code;
  const std::string tag = "HTTP " + std::to_string(reply.status) + (code.empty() ? "" : " " + code);
  if (en.empty()) en = "the sync server refused the request";
  if (zh.empty()) zh = "同步服务器拒绝了请求";
  Text msg{en + " (" + tag + ")", zh + "（" + tag + "）"};
  if (reply.status == 400) return Status::Invalid(field, std::move(msg));
  if (reply.status == 404) return Status::NotFound(field, std::move(msg));
  if (reply.status == 409) return Status::Conflict(field, std::move(msg));
  if (reply.status == 401 || reply.status == 403) return Status::Refused(field, std::move(msg));
  return Status::Network(std::move(msg));
}

// Throttling and server-side trouble pass; anything else the server
// refuses (a revoked token, a batch claiming someone else) will be refused
// again, so retrying would only hide it.
Severity SeverityOfHttpStatus(long status) {
  if (status == 408 || status == 429 || status >= 500) return Severity::kTransient;
  return Severity::kFatal;
}

// One libcurl easy handle driven through a multi handle, so that another
// thread can end a waiting request at once (curl_multi_wakeup) instead of at
// the next progress tick. The easy handle keeps its connection between
// requests (keep-alive); the pin is checked on every new connection.
class Http {
 public:
  enum class Result { kDone, kAborted, kPinMismatch, kFailed };

  Http(std::string base_url, const std::string& pinned_sha256, bool allow_plain_http, int connect_timeout_ms)
      : base_url_(std::move(base_url)), allow_plain_http_(allow_plain_http), connect_timeout_ms_(connect_timeout_ms) {
    GlobalInit();
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
    pin_.expected = NormalizePin(pinned_sha256);
    multi_ = curl_multi_init();
    easy_ = curl_easy_init();
  }
  ~Http() {
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
  }
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  bool https() const { return base_url_.rfind("https://", 0) == 0; }

  // Refuses a configuration that could not talk safely to the server.
  Status Validate() const {
    if (multi_ == nullptr || easy_ == nullptr) return NetworkError("libcurl could not be initialised");
    if (https()) {
      if (!IsSha256Hex(pin_.expected)) {
        return Status::Invalid("pinned_sha256",
                               Text{"the server fingerprint must be 64 hexadecimal digits (colons allowed)",
                                    "服务器指纹须为 64 位十六进制数字（可含冒号）"});
      }
      return Status::Ok();
    }
    if (base_url_.rfind("http://", 0) == 0) {
      if (allow_plain_http_) return Status::Ok();
      return Status::Invalid("base_url", Text{"plain http:// is refused: the sync server must be reached over https://",
                                              "拒绝明文 http://：必须通过 https:// 连接同步服务器"});
    }
    return Status::Invalid("base_url", Text{"the server address must start with https://",
                                            "服务器地址必须以 https:// 开头"});
  }

  // `should_abort` is polled while the request runs; Wake() makes it look at once.
  Result Request(const char* method, const std::string& path, const std::string* body, const std::string& bearer,
                 long timeout_ms, const std::function<bool()>& should_abort, HttpReply* reply, Status* error) {
    reply->status = 0;
    reply->body.clear();
    pin_.mismatch = false;
    pin_.seen.clear();
    error_buffer_[0] = '\0';

    const std::string url = base_url_ + path;
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, allow_plain_http_ ? "http,https" : "https");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_ms_));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &reply->body);
    if (https()) {
      // The pin replaces both chain and name checks: a CA-signed certificate
      // for the right name is still refused unless it is the pinned one.
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 0L);
      // A resumed TLS session skips certificate verification: every new connection does the full check.
      curl_easy_setopt(easy_, CURLOPT_SSL_SESSIONID_CACHE, 0L);
      curl_easy_setopt(easy_, CURLOPT_SSL_CTX_DATA, &pin_);
      if (curl_easy_setopt(easy_, CURLOPT_SSL_CTX_FUNCTION, InstallPin) != CURLE_OK) {
        *error = NetworkError("this libcurl cannot pin certificates (it is not built with OpenSSL)");
        return Result::kFailed;
      }
    }

    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large pushes
    std::string auth;
    if (!bearer.empty()) {
      auth = "Authorization: Bearer " + bearer;
      headers = curl_slist_append(headers, auth.c_str());
    }
    if (body != nullptr) {
      headers = curl_slist_append(headers, "Content-Type: application/json");
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, nullptr);
      curl_easy_setopt(easy_, CURLOPT_POST, 1L);
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    } else {
      curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, std::string_view(method) == "GET" ? nullptr : method);
    }
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers);

    bool aborted = false;
    CURLcode result = CURLE_OK;
    CURLMcode mc = curl_multi_add_handle(multi_, easy_);
    if (mc == CURLM_OK) {
      for (;;) {
        int running = 0;
        mc = curl_multi_perform(multi_, &running);
        if (mc != CURLM_OK || running == 0) break;
        if (should_abort && should_abort()) {
          aborted = true;
          break;
        }
        mc = curl_multi_poll(multi_, nullptr, 0, kPollSliceMs, nullptr);
        if (mc != CURLM_OK) break;
      }
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy_) result = msg->data.result;
      }
      // Removing a handle mid-transfer closes its connection; the next request opens a fresh one.
      curl_multi_remove_handle(multi_, easy_);
    }
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);

    if (pin_.mismatch) {
      *error = PinMismatch(pin_.expected, pin_.seen);
      return Result::kPinMismatch;
    }
    if (aborted) return Result::kAborted;
    if (mc != CURLM_OK) {
      *error = NetworkError(curl_multi_strerror(mc));
      return Result::kFailed;
    }
    if (result != CURLE_OK) {
      std::string detail = error_buffer_[0] != '\0' ? std::string(error_buffer_) : curl_easy_strerror(result);
      *error = NetworkError(detail);
      return Result::kFailed;
    }
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &reply->status);
    return Result::kDone;
  }

  // Ends the current curl_multi_poll early; safe from any thread.
  void Wake() {
    if (multi_ != nullptr) curl_multi_wakeup(multi_);
  }

 private:
  std::string base_url_;
  bool allow_plain_http_;
  int connect_timeout_ms_;
  PinCheck pin_;
  CURLM* multi_ = nullptr;
  CURL* easy_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

// One JSON request for the code paths with no loop around them (enroll, sign-in).
Outcome JsonCall(Http& http, const char* method, const std::string& path, const Json& request,
                 const std::string& bearer, Json* response) {
  if (Status s = http.Validate(); !s.ok()) return Outcome::Fatal(s);
  const std::string body = request.dump();
  HttpReply reply;
  Status error;
  switch (http.Request(method, path, &body, bearer, kRequestSlackMs, nullptr, &reply, &error)) {
    case Http::Result::kPinMismatch:
      return Outcome::Fatal(error);
    case Http::Result::kFailed:
    case Http::Result::kAborted:
      return Outcome::Transient(error);
    case Http::Result::kDone:
      break;
  }
  if (reply.status < 200 || reply.status >= 300) {
    return {StatusFromErrorReply(reply, nullptr), SeverityOfHttpStatus(reply.status)};
  }
  *response = Json::parse(reply.body, nullptr, false);
  if (response->is_discarded() || !response->is_object()) {
    return Outcome::Transient(BadResponse("body", "is not a JSON object"));
  }
  return Outcome::Ok();
}

Status ReadString(const Json& j, const char* key, bool required, std::string* out) {
  if (!j.contains(key) || j[key].is_null()) {
    if (required) return BadResponse(key, "is missing");
    return Status::Ok();
  }
  if (!j[key].is_string()) return BadResponse(key, "is not a string");
  *out = j[key].get<std::string>();
  return Status::Ok();
}

}  // namespace

std::string_view SyncStateName(SyncState s) {
  switch (s) {
    case SyncState::kIdle:
      return "idle";
    case SyncState::kSyncing:
      return "syncing";
    case SyncState::kOffline:
      return "offline";
    case SyncState::kError:
      return "error";
  }
  return "idle";
}

Result<EnrollResult> Enroll(const std::string& base_url, const std::string& pinned_sha256, const std::string& code,
                            const std::string& proposed_device_id, bool allow_plain_http) {
  Http http(base_url, pinned_sha256, allow_plain_http, 5000);
  Json request = {{"code", code}};
  if (!proposed_device_id.empty()) request["device_id"] = proposed_device_id;
  Json response;
  if (Outcome o = JsonCall(http, "POST", std::string(kApiPrefix) + "/enroll", request, {}, &response); !o.ok()) {
    return o.status;
  }
  EnrollResult r;
  for (Status s : {ReadString(response, "device_id", true, &r.device_id), ReadString(response, "token", true, &r.token),
                   ReadString(response, "kind", false, &r.kind), ReadString(response, "user", false, &r.user),
                   ReadString(response, "site", false, &r.site),
                   ReadString(response, "server_sha256", false, &r.server_sha256)}) {
    if (!s.ok()) return s;
  }
  r.server_sha256 = NormalizePin(r.server_sha256.empty() ? pinned_sha256 : r.server_sha256);
  return r;
}

Result<SignInResult> SignIn(const ClientConfig& config, const std::string& user, const std::string& password) {
  Http http(config.base_url, config.pinned_sha256, config.allow_plain_http, config.connect_timeout_ms);
  Json response;
  if (Outcome o = JsonCall(http, "POST", std::string(kApiPrefix) + "/login", {{"user", user}, {"password", password}},
                           config.device_token, &response);
      !o.ok()) {
    return o.status;
  }
  SignInResult r;
  if (Status s = ReadString(response, "user", true, &r.user); !s.ok()) return s;
  if (Status s = ReadString(response, "department", false, &r.department); !s.ok()) return s;
  if (response.contains("roles")) {
    if (!response["roles"].is_array()) return BadResponse("roles", "is not an array");
    for (const Json& role : response["roles"]) {
      if (!role.is_string()) return BadResponse("roles", "holds a value that is not a string");
      r.roles.push_back(role.get<std::string>());
    }
  }
  if (!response.contains("offline_unlock") || !response["offline_unlock"].is_object()) {
    return BadResponse("offline_unlock", "is missing or not an object");
  }
  r.offline_unlock = response["offline_unlock"];
  return r;
}

struct SyncClient::Impl {
  Impl(Store& s, ClientConfig c)
      : store(s),
        config(std::move(c)),
        http(config.base_url, config.pinned_sha256, config.allow_plain_http, config.connect_timeout_ms),
        batch(std::clamp<std::size_t>(config.push_batch, 1, kMaxPushEvents)),
        rng(std::random_device{}()) {
    config.pull_limit = std::clamp(config.pull_limit, 1, kMaxPullLimit);
    config.wait_seconds = std::clamp(config.wait_seconds, 0, kMaxWaitSeconds);
    config.min_backoff_ms = std::max(config.min_backoff_ms, 1);
    config.max_backoff_ms = std::max(config.max_backoff_ms, config.min_backoff_ms);
  }

  Store& store;
  ClientConfig config;
  Http http;
  std::size_t batch;  // shrinks when the server finds a push body too large
  std::mt19937_64 rng;

  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> nudges{0};
  std::mutex sleep_mu;
  std::condition_variable sleep_cv;

  mutable std::mutex status_mu;
  SyncStatus current;
  std::function<void(const SyncStatus&)> listener;

  bool more = false;         // the last pull said the server holds more for us
  bool interrupted = false;  // the last pull was ended early by a nudge

  template <typename F>
  auto WithStore(F&& f) {
    if (config.store_mutex == nullptr) return f();
    std::lock_guard lock(*config.store_mutex);
    return f();
  }

  // Applies `change` and tells the listener when anything it can see differs.
  template <typename F>
  void Publish(F&& change) {
    SyncStatus snapshot;
    std::function<void(const SyncStatus&)> notify;
    {
      std::lock_guard lock(status_mu);
      SyncStatus before = current;
      change(current);
      if (before.state == current.state && before.last_synced_ms == current.last_synced_ms &&
          before.pending == current.pending && before.refused == current.refused && before.error == current.error) {
        return;
      }
      snapshot = current;
      notify = listener;
    }
    if (notify) notify(snapshot);
  }

  void SetState(SyncState state, Text error = {}) {
    Publish([&](SyncStatus& s) {
      s.state = state;
      s.error = std::move(error);
    });
  }

  Result<std::int64_t> MetaInt(const char* key) {
    auto value = store.GetMeta(key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) return std::int64_t{0};
    try {
      return static_cast<std::int64_t>(std::stoll(**value));
    } catch (...) {
      return Status::Corruption(Text{std::string("the sync bookmark ") + key + " is damaged: " + **value,
                                     std::string("同步书签 ") + key + " 已损坏：" + **value});
    }
  }

  Result<std::set<std::string>> RefusedIds() {
    auto value = store.GetMeta(kRefusedIdsKey);
    if (!value.ok()) return value.status();
    std::set<std::string> ids;
    if (!value->has_value()) return ids;
    Json j = Json::parse(**value, nullptr, false);
    if (j.is_array()) {
      for (const Json& id : j) {
        if (id.is_string()) ids.insert(id.get<std::string>());
      }
    }
    return ids;
  }

  // Remembers own events the server refused; a set, so a re-sent push or a
  // re-pulled verdict never counts twice. Call with the store held.
  Result<std::int64_t> AddRefused(const std::vector<std::string>& new_ids) {
    auto ids = RefusedIds();
    if (!ids.ok()) return ids.status();
    const std::size_t before = ids->size();
    ids->insert(new_ids.begin(), new_ids.end());
    if (ids->size() != before) {
      if (Status s = store.SetMeta(kRefusedIdsKey, Json(*ids).dump()); !s.ok()) return s;
    }
    return static_cast<std::int64_t>(ids->size());
  }

  // Own events behind the server's verdicts among `events` (a pulled page).
  Result<std::vector<std::string>> OwnRefusals(const std::vector<Event>& events) {
    std::vector<std::string> own;
    for (const Event& e : events) {
      std::optional<Refusal> refusal = RefusalOf(e);
      if (!refusal || e.author.role != kServerRole) continue;
      auto history = store.EventsOf(e.entity_type, e.entity_id);
      if (!history.ok()) return history.status();
      for (const Event& h : *history) {
        if (h.id == refusal->event && h.author.device == store.device_id()) own.push_back(h.id);
      }
    }
    return own;
  }

  void RefreshCounts() {
    struct Counts {
      Status status;
      std::int64_t pending = 0;
      std::int64_t refused = 0;
    };
    Counts c = WithStore([&] {
      Counts out;
      auto push_pos = MetaInt(kPushPosKey);
      if (!push_pos.ok()) return Counts{push_pos.status()};
      auto pending = store.CountOwnEventsAfter(*push_pos);
      if (!pending.ok()) return Counts{pending.status()};
      auto refused = RefusedIds();
      if (!refused.ok()) return Counts{refused.status()};
      out.pending = *pending;
      out.refused = static_cast<std::int64_t>(refused->size());
      return out;
    });
    if (!c.status.ok()) return;
    Publish([&](SyncStatus& s) {
      s.pending = c.pending;
      s.refused = c.refused;
    });
  }

  bool Aborting() const { return stop.load(); }

  Status Stopped() const {
    return Status::Network(Text{"sync was stopped", "同步已停止"});
  }

  // One HTTP exchange with the JSON body parsed; abort ends it early.
  Outcome Exchange(const char* method, const std::string& path, const std::string* body, long timeout_ms,
                   const std::function<bool()>& abort, Json* response, long* http_status, std::string* error_code,
                   bool* aborted) {
    if (Status s = http.Validate(); !s.ok()) return Outcome::Fatal(s);
    HttpReply reply;
    Status error;
    *aborted = false;
    switch (http.Request(method, path, body, config.device_token, timeout_ms, abort, &reply, &error)) {
      case Http::Result::kPinMismatch:
        return Outcome::Fatal(error);
      case Http::Result::kFailed:
        return Outcome::Transient(error);
      case Http::Result::kAborted:
        *aborted = true;
        return Outcome::Ok();
      case Http::Result::kDone:
        break;
    }
    *http_status = reply.status;
    if (reply.status < 200 || reply.status >= 300) {
      return {StatusFromErrorReply(reply, error_code), SeverityOfHttpStatus(reply.status)};
    }
    *response = Json::parse(reply.body, nullptr, false);
    if (response->is_discarded() || !response->is_object()) {
      // A proxy page or a cut-off body: the server itself will answer properly later.
      return Outcome::Transient(BadResponse("body", "is not a JSON object"));
    }
    return Outcome::Ok();
  }

  Outcome Push() {
    for (;;) {
      if (stop.load()) return Outcome::Transient(Stopped());
      struct Outbox {
        Status status;
        std::int64_t push_pos = 0;
        std::int64_t scanned_to = 0;
        std::vector<std::pair<std::int64_t, Event>> events{};
      };
      const std::size_t limit = batch;
      Outbox box = WithStore([&] {
        Outbox out;
        auto push_pos = MetaInt(kPushPosKey);
        if (!push_pos.ok()) return Outbox{push_pos.status()};
        out.push_pos = *push_pos;
        out.scanned_to = out.push_pos;
        auto events = store.OwnEventsAfter(out.push_pos, limit, &out.scanned_to);
        if (!events.ok()) return Outbox{events.status()};
        out.events = std::move(*events);
        // Pulled events between own ones need not be scanned again.
        if (out.events.empty() && out.scanned_to > out.push_pos) {
          if (Status s = store.SetMeta(kPushPosKey, std::to_string(out.scanned_to)); !s.ok()) return Outbox{s};
        }
        return out;
      });
      if (!box.status.ok()) return Outcome::Fatal(box.status);
      if (box.events.empty()) {
        RefreshCounts();
        return Outcome::Ok();
      }
      // A full batch may end before the scan did; never skip past the last event sent.
      const std::int64_t acked_through =
          box.events.size() >= limit ? box.events.back().first : std::max(box.scanned_to, box.events.back().first);

      RefreshCounts();  // the owner sees new local writes as pending even if this push fails
      std::vector<Event> events;
      events.reserve(box.events.size());
      for (auto& [pos, e] : box.events) events.push_back(std::move(e));
      const std::string body = EventsToJson(events).dump();
      if (body.size() > kMaxBodyBytes && batch > 1) {
        batch = std::max<std::size_t>(1, batch / 2);
        continue;
      }

      Json response;
      long http_status = 0;
      std::string code;
      bool aborted = false;
      Outcome o = Exchange("POST", std::string(kApiPrefix) + "/push", &body, kRequestSlackMs,
                           [this] { return Aborting(); }, &response, &http_status, &code, &aborted);
      if (aborted) return Outcome::Transient(Stopped());
      if (!o.ok()) {
        if (http_status == 413 && batch > 1) {
          batch = std::max<std::size_t>(1, batch / 2);
          continue;
        }
        return o;
      }

      if (!response.contains("acks") || !response["acks"].is_array()) {
        return Outcome::Transient(BadResponse("acks", "is missing or not an array"));
      }
      const Json& acks = response["acks"];
      std::set<std::string> acked;
      std::vector<std::string> refused;
      for (const Json& ack : acks) {
        if (!ack.is_object() || !ack.contains("id") || !ack["id"].is_string()) {
          return Outcome::Transient(BadResponse("acks", "holds an entry without an id"));
        }
        std::string id = ack["id"].get<std::string>();
        if (ack.contains("refused") && !ack["refused"].is_null()) refused.push_back(id);
        acked.insert(std::move(id));
      }
      for (const Event& e : events) {
        if (acked.count(e.id) == 0) {
          return Outcome::Transient(BadResponse("acks", "does not acknowledge event " + e.id));
        }
      }

      Status saved = WithStore([&] {
        if (!refused.empty()) {
          if (auto r = AddRefused(refused); !r.ok()) return r.status();
        }
        return store.SetMeta(kPushPosKey, std::to_string(acked_through));
      });
      if (!saved.ok()) return Outcome::Fatal(saved);
      RefreshCounts();
    }
  }

  // One page as the server sent it, parsed but not yet applied.
  struct Page {
    Outcome outcome;
    bool aborted = false;
    std::vector<Event> events;
    std::string cursor;
    bool more = false;
  };

  Result<std::string> PullBookmark() {
    return WithStore([&]() -> Result<std::string> {
      auto value = store.GetMeta(kPullCursorKey);
      if (!value.ok()) return value.status();
      return value->has_value() ? **value : std::string("0");
    });
  }

  // Fetches and parses the page after `after`; touches no store, so it may
  // run on another thread while the previous page is being applied.
  Page FetchPage(const std::string& after, int wait_seconds, const std::function<bool()>& abort) {
    Page page;
    char* escaped = curl_easy_escape(nullptr, after.c_str(), static_cast<int>(after.size()));
    const std::string path = std::string(kApiPrefix) + "/pull?after=" + (escaped != nullptr ? escaped : "0") +
                             "&limit=" + std::to_string(config.pull_limit) + "&wait=" + std::to_string(wait_seconds);
    curl_free(escaped);

    Json response;
    long http_status = 0;
    std::string code;
    page.outcome = Exchange("GET", path, nullptr, wait_seconds * 1000L + kRequestSlackMs, abort, &response,
                            &http_status, &code, &page.aborted);
    if (page.aborted || !page.outcome.ok()) return page;

    if (Status s = ReadString(response, "cursor", true, &page.cursor); !s.ok()) {
      page.outcome = Outcome::Transient(s);
      return page;
    }
    std::int64_t cursor_value = 0;
    if (!CursorFromString(page.cursor, &cursor_value)) {
      page.outcome = Outcome::Transient(BadResponse("cursor", "is not a valid cursor"));
      return page;
    }
    if (response.contains("more")) {
      if (!response["more"].is_boolean()) {
        page.outcome = Outcome::Transient(BadResponse("more", "is not a boolean"));
        return page;
      }
      page.more = response["more"].get<bool>();
    }
    auto events = EventsFromJson(std::move(response));
    if (!events.ok()) {
      page.outcome = Outcome::Transient(events.status());
      return page;
    }
    page.events = std::move(*events);
    return page;
  }

  // The cursor is saved only after the events it covers are committed:
  // a crash in between re-pulls this page, which Ingest takes as duplicates.
  Outcome ApplyPage(const Page& page, const std::string& after) {
    Status applied = WithStore([&] {
      if (!page.events.empty()) {
        auto changes = store.Ingest(page.events);
        if (!changes.ok()) return changes.status();
        auto own = OwnRefusals(page.events);
        if (!own.ok()) return own.status();
        if (!own->empty()) {
          if (auto r = AddRefused(*own); !r.ok()) return r.status();
        }
      }
      if (page.cursor != after) return store.SetMeta(kPullCursorKey, page.cursor);
      return Status::Ok();
    });
    // A page the store will not take is not fixed by asking again at once; the owner must see it.
    if (!applied.ok()) return Outcome::Fatal(applied);
    if (!page.events.empty()) RefreshCounts();
    return Outcome::Ok();
  }

  // One pull; `nudge_mark` is the nudge count the caller has acted on: a
  // later nudge ends a waiting pull so that the new local write goes out.
  Outcome Pull(int wait_seconds, std::size_t* got, std::uint64_t nudge_mark) {
    if (got != nullptr) *got = 0;
    interrupted = false;
    if (stop.load()) return Outcome::Transient(Stopped());
    wait_seconds = std::clamp(wait_seconds, 0, kMaxWaitSeconds);
    auto after = PullBookmark();
    if (!after.ok()) return Outcome::Fatal(after.status());

    auto abort = [this, wait_seconds, nudge_mark] {
      return stop.load() || (wait_seconds > 0 && nudges.load() != nudge_mark);
    };
    Page page = FetchPage(*after, wait_seconds, abort);
    interrupted = page.aborted;
    if (page.aborted) {
      more = false;
      return stop.load() ? Outcome::Transient(Stopped()) : Outcome::Ok();
    }
    if (!page.outcome.ok()) return page.outcome;
    if (Outcome o = ApplyPage(page, *after); !o.ok()) return o;
    if (got != nullptr) *got = page.events.size();
    more = page.more;
    return Outcome::Ok();
  }

  // Pulls until the server has nothing more, fetching the next page while
  // this thread applies the current one: on a multi-core device the server's
  // rendering, the transfer and the parse overlap the store's ingest. Each
  // page's cursor is still saved after that page's events, in order, so an
  // interruption re-pulls at most the one page fetched ahead. A nudge after
  // `nudge_mark` ends it early (more stays true) so that the write goes out.
  Outcome PullUntilCaughtUp(std::uint64_t nudge_mark) {
    more = false;
    interrupted = false;
    if (stop.load()) return Outcome::Transient(Stopped());
    auto after = PullBookmark();
    if (!after.ok()) return Outcome::Fatal(after.status());
    std::atomic<bool> abandon{false};
    auto abort = [this, &abandon] { return stop.load() || abandon.load(); };
    auto fetch_after = [this, &abort](std::string cursor) {
      return std::async(std::launch::async,
                        [this, &abort, cursor = std::move(cursor)] { return FetchPage(cursor, 0, abort); });
    };
    std::future<Page> next = fetch_after(*after);
    for (;;) {
      Page page = next.get();
      if (page.aborted) return Outcome::Transient(Stopped());
      if (!page.outcome.ok()) return page.outcome;
      const bool ahead = page.more && !stop.load() && nudges.load() == nudge_mark;
      if (ahead) next = fetch_after(page.cursor);
      Outcome o = ApplyPage(page, *after);
      if (!o.ok()) {
        if (ahead) {
          abandon = true;
          http.Wake();
          (void)next.get();
        }
        return o;
      }
      more = page.more;
      if (!ahead) return Outcome::Ok();
      *after = page.cursor;
    }
  }

  void MarkSynced() {
    const std::int64_t now = WallMs();
    Publish([&](SyncStatus& s) {
      s.last_synced_ms = now;
      s.state = SyncState::kIdle;
      s.error = {};
    });
  }

  // Full jitter: a random wait up to the current bound, so that devices
  // cut off together do not return together.
  int BackoffMs(int attempt) {
    std::int64_t bound = config.min_backoff_ms;
    for (int i = 0; i < attempt && bound < config.max_backoff_ms; ++i) bound *= 2;
    bound = std::min<std::int64_t>(bound, config.max_backoff_ms);
    std::uniform_int_distribution<std::int64_t> pick(config.min_backoff_ms, std::max<std::int64_t>(bound, config.min_backoff_ms));
    return static_cast<int>(pick(rng));
  }

  void SleepUnlessStopped(int ms) {
    std::unique_lock lock(sleep_mu);
    sleep_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop.load(); });
  }

  void Run() {
    int failures = 0;
    bool caught_up = false;
    while (!stop.load()) {
      const std::uint64_t nudge_mark = nudges.load();
      Outcome o;
      {
        std::int64_t pending = 0;
        {
          std::lock_guard lock(status_mu);
          pending = current.pending;
        }
        // Pending may be stale after a local write; a nudge or the first round means look.
        if (!caught_up || pending > 0) SetState(SyncState::kSyncing);
        o = Push();
      }
      if (o.ok()) {
        // Caught up: wait on the server (at least a second, so a zero setting cannot spin).
        const int wait = caught_up ? std::max(1, config.wait_seconds) : 0;
        if (wait == 0) SetState(SyncState::kSyncing);
        o = wait == 0 ? PullUntilCaughtUp(nudge_mark) : Pull(wait, nullptr, nudge_mark);
        if (o.ok()) {
          failures = 0;
          if (interrupted) continue;  // a nudge: push the new write, then wait again
          caught_up = !more;
          if (caught_up) MarkSynced();
          continue;
        }
      }
      if (stop.load()) break;
      if (o.severity == Severity::kFatal) {
        SetState(SyncState::kError, o.status.message());
        break;
      }
      SetState(SyncState::kOffline, o.status.message());
      caught_up = false;
      SleepUnlessStopped(BackoffMs(failures));
      ++failures;
    }
    // A Stop() ends this Run (or the next, if it came first); the client may run again afterwards.
    stop.store(false);
  }
};

SyncClient::SyncClient(Store& store, ClientConfig config) : impl_(std::make_unique<Impl>(store, std::move(config))) {
  impl_->RefreshCounts();
}

SyncClient::~SyncClient() = default;

Status SyncClient::SyncOnce() {
  impl_->SetState(SyncState::kSyncing);
  Outcome o = impl_->Push();
  if (o.ok()) o = impl_->PullUntilCaughtUp(impl_->nudges.load());
  if (o.ok()) {
    impl_->MarkSynced();
    return Status::Ok();
  }
  impl_->SetState(o.severity == Severity::kFatal ? SyncState::kError : SyncState::kOffline, o.status.message());
  return o.status;
}

Status SyncClient::PushPending() {
  Outcome o = impl_->Push();
  if (!o.ok()) {
    impl_->SetState(o.severity == Severity::kFatal ? SyncState::kError : SyncState::kOffline, o.status.message());
  }
  return o.status;
}

Status SyncClient::PullOnce(int wait_seconds, std::size_t* got) {
  Outcome o = impl_->Pull(wait_seconds, got, impl_->nudges.load());
  if (!o.ok()) {
    impl_->SetState(o.severity == Severity::kFatal ? SyncState::kError : SyncState::kOffline, o.status.message());
  }
  return o.status;
}

void SyncClient::Run() { impl_->Run(); }

void SyncClient::Stop() {
  {
    std::lock_guard lock(impl_->sleep_mu);
    impl_->stop.store(true);
  }
  impl_->sleep_cv.notify_all();
  impl_->http.Wake();
}

void SyncClient::Nudge() {
  impl_->nudges.fetch_add(1);
  impl_->http.Wake();
}

SyncStatus SyncClient::status() const {
  std::lock_guard lock(impl_->status_mu);
  return impl_->current;
}

void SyncClient::SetStatusListener(std::function<void(const SyncStatus&)> listener) {
  std::lock_guard lock(impl_->status_mu);
  impl_->listener = std::move(listener);
}

}  // namespace houqin::sync
