# Compiles SOURCE, which must fail, and checks the diagnostic: it matches EXPECT (a regular
# expression; EXPECT2 too when given) and is at most MAX_LINES lines long, with the compiler's
# default macro-expansion tracking.
#   cmake -DCXX=... -DSOURCE=... -DINCLUDES="a;b" -DEXPECT=... [-DEXPECT2=...] -DMAX_LINES=N -P check.cmake
set(include_flags "")
foreach(dir IN LISTS INCLUDES)
  list(APPEND include_flags "-I${dir}")
endforeach()
execute_process(COMMAND "${CXX}" -std=c++20 -fsyntax-only ${include_flags} "${SOURCE}"
                RESULT_VARIABLE status ERROR_VARIABLE diagnostic OUTPUT_VARIABLE output)
if(status EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must not")
endif()
foreach(pattern IN ITEMS "${EXPECT}" "${EXPECT2}")
  if(NOT pattern STREQUAL "" AND NOT diagnostic MATCHES "${pattern}")
    message(FATAL_ERROR "the diagnostic does not match '${pattern}':\n${diagnostic}")
  endif()
endforeach()
string(REGEX MATCHALL "\n" newlines "${diagnostic}")
list(LENGTH newlines lines)
if(lines GREATER MAX_LINES)
  message(FATAL_ERROR "the diagnostic has ${lines} lines, more than ${MAX_LINES}:\n${diagnostic}")
endif()
message(STATUS "${SOURCE}: failed as expected, ${lines} lines of diagnostic")
