#include "domain.h"

#include "cars/cars.h"
#include "directory/directory.h"
#include "duty/duty.h"
#include "repairs/repairs.h"
#include "visitors/visitors.h"

namespace houqin {

std::unique_ptr<Domain> MakeDomain() {
  auto d = std::make_unique<Domain>();
  directory::Register(*d);
  cars::Register(*d);
  duty::Register(*d);
  repairs::Register(*d);
  visitors::Register(*d);
  return d;
}

}  // namespace houqin
