#include "cars/cars.h"

namespace houqin::cars {

// Each part adds its call here once its Register function exists.
void Register(Domain& domain) {
  RegisterFleet(domain);
  RegisterTrips(domain);
  RegisterUpkeep(domain);
  (void)domain;
}

}  // namespace houqin::cars
