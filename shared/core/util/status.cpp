#include "util/status.h"

namespace houqin {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not_found";
    case Code::kInvalid: return "invalid";
    case Code::kRefused: return "refused";
    case Code::kConflict: return "conflict";
    case Code::kCorruption: return "corruption";
    case Code::kIo: return "io";
    case Code::kNetwork: return "network";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s = CodeName(code_);
  if (!field_.empty()) s += ": " + field_;
  s += ": " + message_.en;
  if (!message_.zh.empty()) s += " / " + message_.zh;
  return s;
}

}  // namespace houqin
