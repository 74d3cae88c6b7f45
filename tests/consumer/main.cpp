// A downstream program: proves the installed or embedded skew target carries everything needed.
#include <skew/skew.hpp>

#include <cstdio>
#include <string>

struct Ping {
  std::string from;
  int seq = 0;
};
SKEW_DESCRIBE(Ping, from, seq)

int main() {
  skew::decoder decoder;
  auto ping = decoder.decode<Ping>(R"({"from":"consumer","seq":7,"newField":true})");
  if (!ping || ping->from != "consumer" || ping->seq != 7) {
    std::puts("decode failed");
    return 1;
  }
  auto bad = decoder.decode<Ping>(R"({"from":"consumer"})");
  if (bad || bad.error().code != skew::errc::missing_field) {
    std::puts("missing field not reported");
    return 1;
  }
  std::puts("consumer ok");
  return 0;
}
