// Must not compile: Opaque is neither described nor has a skew::codec.
#include <skew/payload/decoder.hpp>

namespace app {
struct Opaque {
  int secret = 0;
};
}  // namespace app

int main() {
  skew::decoder decoder;
  auto r = decoder.decode<app::Opaque>(std::string_view("{}"));
  return r ? 0 : 1;
}
