// The server's log: one JSON object per line on stderr ({"ts", "level",
// "msg", "fields"}), so that journald and any log shipper read it as is.
//
// Thread safety: Log may be called from any thread; lines never interleave.
#pragma once

#include <string_view>

#include "engine/event.h"

namespace houqin::server {

void Log(std::string_view level, std::string_view msg, const Json& fields = Json::object());

// Milliseconds since the Unix epoch, the server's one clock for logs, rate limits and metrics.
std::int64_t NowMs();

}  // namespace houqin::server
