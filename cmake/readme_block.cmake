# skew_readme_block(<first line> <output>): writes the C++ block of README.md whose first line is
# <first line> (empty: the first C++ block) to <output>, at configure time, touching it only when
# it changed; README.md becomes a configure dependency. The tests build README blocks as a reader
# copies them.
function(skew_readme_block first_line output)
  file(READ "${PROJECT_SOURCE_DIR}/README.md" readme)
  if(NOT readme MATCHES "```cpp\n(${first_line}[^`]*)```")
    message(FATAL_ERROR "README.md has no C++ block starting with '${first_line}'")
  endif()
  file(WRITE "${output}.new" "${CMAKE_MATCH_1}")
  configure_file("${output}.new" "${output}" COPYONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/README.md")
endfunction()
