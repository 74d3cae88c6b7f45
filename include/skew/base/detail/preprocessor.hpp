// Internal preprocessor helpers: a comma-separated FOR_EACH built on __VA_OPT__.
#pragma once

// Each EXPAND level rescans its argument; 4^4 = 256 rescans allow up to 256 members.
#define SKEW_DETAIL_PARENS ()
#define SKEW_DETAIL_EXPAND(...) \
  SKEW_DETAIL_EXPAND4(SKEW_DETAIL_EXPAND4(SKEW_DETAIL_EXPAND4(SKEW_DETAIL_EXPAND4(__VA_ARGS__))))
#define SKEW_DETAIL_EXPAND4(...) \
  SKEW_DETAIL_EXPAND3(SKEW_DETAIL_EXPAND3(SKEW_DETAIL_EXPAND3(SKEW_DETAIL_EXPAND3(__VA_ARGS__))))
#define SKEW_DETAIL_EXPAND3(...) \
  SKEW_DETAIL_EXPAND2(SKEW_DETAIL_EXPAND2(SKEW_DETAIL_EXPAND2(SKEW_DETAIL_EXPAND2(__VA_ARGS__))))
#define SKEW_DETAIL_EXPAND2(...) \
  SKEW_DETAIL_EXPAND1(SKEW_DETAIL_EXPAND1(SKEW_DETAIL_EXPAND1(SKEW_DETAIL_EXPAND1(__VA_ARGS__))))
#define SKEW_DETAIL_EXPAND1(...) __VA_ARGS__

// SKEW_DETAIL_FOR_EACH(m, data, a, b, c) -> m(data, a), m(data, b), m(data, c)
#define SKEW_DETAIL_FOR_EACH(macro, data, ...) \
  __VA_OPT__(SKEW_DETAIL_EXPAND(SKEW_DETAIL_FOR_EACH_HELPER(macro, data, __VA_ARGS__)))
#define SKEW_DETAIL_FOR_EACH_HELPER(macro, data, first, ...) \
  macro(data, first)                                         \
      __VA_OPT__(, SKEW_DETAIL_FOR_EACH_AGAIN SKEW_DETAIL_PARENS(macro, data, __VA_ARGS__))
#define SKEW_DETAIL_FOR_EACH_AGAIN() SKEW_DETAIL_FOR_EACH_HELPER
