// Compiler attributes and the SIMD switch, defined once for all of skew.
//
//   SKEW_ALWAYS_INLINE   a small step on a hot path, where a call would cost more than the step
//   SKEW_NOINLINE        kept out of line: a large or rare body that would bloat its callers
//   SKEW_COLD            out of line and laid out away from the hot code: error paths
//   SKEW_USE_SSE2        defined when the SSE2 code of json/detail/simd.hpp is compiled
//   SKEW_AVX2_KERNEL     defined when stage 1 also has an AVX2 kernel, chosen at run time by the
//                        processor (x86-64 with GCC or Clang); SKEW_TARGET_AVX2 compiles a
//                        function for it whatever -march says, SKEW_VECTOR_SIZE(n) declares
//                        an n-byte vector type for it
//   SKEW_AVX512_KERNEL   likewise, a third kernel for processors with AVX-512 VBMI2
//                        (SKEW_TARGET_AVX512; json/detail/simd_avx512.hpp)
//
// Opt-outs, defined before including skew: SKEW_DISABLE_ALWAYS_INLINE leaves inlining to the
// compiler (for debug builds and code size), SKEW_NO_SSE2 compiles the portable scalar code on x86
// too (and no AVX2 kernel). The SSE2, AVX2 and scalar paths give the same results;
// tests/structural_index.cpp compares them against a byte-by-byte reference.
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

#if defined(SKEW_USE_SSE2) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SKEW_AVX2_KERNEL
#define SKEW_TARGET_AVX2 [[gnu::target("avx2,bmi,bmi2,pclmul,popcnt")]]
#define SKEW_VECTOR_SIZE(bytes) __attribute__((vector_size(bytes)))
#define SKEW_AVX512_KERNEL
#define SKEW_TARGET_AVX512 \
  [[gnu::target("avx2,bmi,bmi2,pclmul,popcnt,avx512f,avx512bw,avx512vbmi2")]]
#endif
