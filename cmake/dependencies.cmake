# simdjson and fmt: the installed packages (find_package), or the releases in SKEW_DEPS_DIR (a
# folder laid out as ../shared/deps: simdjson-<v>/simdjson.{h,cpp} and fmt-<v>/{include,src}),
# each built here once into a static library. fmt is compiled rather than header-only because
# header-only fmt 12 includes format.h from base.h, which would hide a header that uses
# fmt::format without including fmt/format.h. The second form is how the
# portability workflow tests newer releases than the distribution's; skew is then not installable
# (its targets would name libraries that exist only in this build tree).
set(SKEW_DEPS_DIR "" CACHE PATH "Build against the simdjson and fmt releases in this folder")
option(SKEW_FMT_HEADER_ONLY "Use fmt header-only (fmt::fmt-header-only)" OFF)

if(SKEW_DEPS_DIR AND NOT IS_DIRECTORY "${SKEW_DEPS_DIR}")
  # The portability workflow on a machine without the folder: it builds nothing and its one
  # test reports itself skipped (tests/CMakeLists.txt).
  message(STATUS "skew: ${SKEW_DEPS_DIR} is absent: the tests against its releases are skipped")
  set(SKEW_DEPS_ABSENT TRUE)
  set(SKEW_DEPS_DIR "")
endif()

if(SKEW_DEPS_DIR)
  file(GLOB skew_simdjson_dir LIST_DIRECTORIES true "${SKEW_DEPS_DIR}/simdjson-*")
  file(GLOB skew_fmt_dir LIST_DIRECTORIES true "${SKEW_DEPS_DIR}/fmt-*")
  if(NOT EXISTS "${skew_simdjson_dir}/simdjson.cpp" OR NOT EXISTS "${skew_fmt_dir}/src/format.cc")
    message(FATAL_ERROR "SKEW_DEPS_DIR=${SKEW_DEPS_DIR} holds no simdjson-*/simdjson.cpp and "
                        "fmt-*/src/format.cc")
  endif()
  message(STATUS "skew: simdjson from ${skew_simdjson_dir}, fmt from ${skew_fmt_dir}")
  add_library(skew_deps_simdjson STATIC "${skew_simdjson_dir}/simdjson.cpp")
  target_include_directories(skew_deps_simdjson SYSTEM PUBLIC "${skew_simdjson_dir}")
  target_compile_features(skew_deps_simdjson PUBLIC cxx_std_17)
  # Third-party code: optimized whatever the build type, and its warnings are not ours.
  target_compile_options(skew_deps_simdjson PRIVATE -O2 -w)
  add_library(simdjson::simdjson ALIAS skew_deps_simdjson)
  add_library(skew_deps_fmt STATIC "${skew_fmt_dir}/src/format.cc")
  target_include_directories(skew_deps_fmt SYSTEM PUBLIC "${skew_fmt_dir}/include")
  target_compile_options(skew_deps_fmt PRIVATE -O2 -w)
  add_library(fmt::fmt ALIAS skew_deps_fmt)
  set(SKEW_INSTALL OFF)
  set(SKEW_CONSUMER_TESTS OFF)
  set(skew_fmt_target fmt::fmt)
else()
  find_package(simdjson REQUIRED)
  find_package(fmt REQUIRED)
  set(skew_fmt_target fmt::fmt)
  if(SKEW_FMT_HEADER_ONLY)
    # For a standard library other than the one the fmt package was built with (libc++).
    set(skew_fmt_target fmt::fmt-header-only)
  endif()
endif()
