# Runs one fuzzer: first every kept regression input (each must pass), then SECONDS of fuzzing from
# a seed corpus (fixtures, regressions, tests/fuzz/seeds for shapes the fixtures lack). Prints libFuzzer's final stats (executions, executions per second).
file(MAKE_DIRECTORY ${CORPUS})
file(GLOB_RECURSE seeds ${SOURCE_DIR}/tests/fixtures/*.json ${SOURCE_DIR}/tests/fuzz/regressions/*.json
     ${SOURCE_DIR}/tests/fuzz/seeds/*.json ${SOURCE_DIR}/../shared/corpora/cloudevents/*.json)
file(GLOB suite ${SOURCE_DIR}/../shared/corpora/JSONTestSuite/test_parsing/*.json)
list(APPEND seeds ${suite})
foreach(seed ${seeds})
  file(COPY ${seed} DESTINATION ${CORPUS})
endforeach()

file(GLOB regressions ${SOURCE_DIR}/tests/fuzz/regressions/*.json)
if(regressions)
  execute_process(COMMAND ${FUZZER} ${regressions} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "a kept regression input fails again")
  endif()
endif()

execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -print_final_stats=1 -max_len=8192
                        -rss_limit_mb=4096 -timeout=10 ${CORPUS}
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a failing input (see crash-* in the test's directory)")
endif()
