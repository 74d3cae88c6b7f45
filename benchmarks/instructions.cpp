// Instructions per call, for comparing two builds of skew under callgrind (wall-clock A/B runs on
// these shared machines differ by more than the changes being compared). Runs N calls of one
// operation on the job envelope; the per-call count is the difference between a run of 2N and a
// run of N calls, divided by N, so that setup and the first calls' warm-up cancel out:
//
//   valgrind --tool=callgrind --callgrind-out-file=a bench_instructions dispatch-first 1000
//   valgrind --tool=callgrind --callgrind-out-file=b bench_instructions dispatch-first 2000
//   (Ir of b - Ir of a) / 1000
//
// benchmarks/instructions.py does that for every operation. Operations: decode-first,
// decode-last, dispatch-first, dispatch-last (the header first or last in the envelope).
#include <skew/skew.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "job_envelope.hpp"
#include "job_family.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s decode-first|decode-last|dispatch-first|dispatch-last N\n",
                 argv[0]);
    return 2;
  }
  const std::string operation = argv[1];
  const long count = std::atol(argv[2]);
  const std::string_view json =
      operation.ends_with("-first") ? bench::job_json : bench::header_last;
  skew::decoder decoder;
  long checksum = 0;
  if (operation.starts_with("decode")) {
    jobs::RenderV2 out;
    for (long i = 0; i < count; ++i) {
      if (!decoder.decode_into(out, json)) return 1;
      checksum += out.priority;
    }
  } else {
    skew::router<Render> router;
    router.on<Render>([&](const jobs::RenderV2& m) { checksum += m.priority; });
    for (long i = 0; i < count; ++i) {
      if (router.dispatch(decoder, json).action != skew::action::ack) return 1;
    }
  }
  std::printf("%ld\n", checksum);
  return checksum == 5 * count ? 0 : 1;
}
