// Compiler attributes and the SIMD switch, defined once for all of skew.
//
//   SKEW_ALWAYS_INLINE   a small step on a hot path, where a call would cost more than the step
//   SKEW_NOINLINE        kept out of line: a large or rare body that would bloat its callers
//   SKEW_COLD            out of line and laid out away from the hot code: error paths
//   SKEW_USE_SSE2        defined when the SSE2 code of json/detail/simd.hpp is compiled
//
// Opt-outs, defined before including skew: SKEW_DISABLE_ALWAYS_INLINE leaves inlining to the
// compiler (for debug builds and code size), SKEW_NO_SSE2 compiles the portable scalar code on x86
// too. The SSE2 and scalar paths give the same results; tests/structural_index.cpp compares both
// against a byte-by-byte reference.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#if defined(SKEW_DISABLE_ALWAYS_INLINE)
#define SKEW_ALWAYS_INLINE
#else
#define SKEW_ALWAYS_INLINE [[gnu::always_inline]]
#endif
#define SKEW_NOINLINE [[gnu::noinline]]
#define SKEW_COLD [[gnu::cold, gnu::noinline]]
#else
#define SKEW_ALWAYS_INLINE
#define SKEW_NOINLINE
#define SKEW_COLD
#endif

#if !defined(SKEW_USE_SSE2) && !defined(SKEW_NO_SSE2) && defined(__SSE2__)
#define SKEW_USE_SSE2
#endif
