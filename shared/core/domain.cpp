#include "domain.h"

#include "cars/cars.h"
#include "directory/directory.h"

namespace houqin {

std::unique_ptr<Domain> MakeDomain() {
  auto d = std::make_unique<Domain>();
  directory::Register(*d);
  cars::Register(*d);
  return d;
}

}  // namespace houqin
