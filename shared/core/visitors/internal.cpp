#include "visitors/internal.h"

namespace houqin::visitors::internal {

bool PersonalOf(const Event& e, Json& out) {
  if (e.personal_purged) {
    out = Json{{"purged", true}};
    return true;
  }
  if (e.personal.is_object()) {
    out = e.personal;
    return true;
  }
  return false;
}

}  // namespace houqin::visitors::internal
