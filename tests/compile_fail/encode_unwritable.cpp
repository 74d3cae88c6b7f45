// Must not compile: Opaque is neither described nor has a skew::codec.
#include <skew/envelope/encode.hpp>

namespace app {
struct Opaque {
  int secret = 0;
};
}  // namespace app

int main() {
  auto json = skew::encode(app::Opaque{});
  return json ? 0 : 1;
}
