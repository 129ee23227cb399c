# Included by CTest after the tests catch_discover_tests found in one
# directory (TEST_INCLUDE_FILES, see vshard_catch_labels in VshardHelpers):
# Catch2 2.13 writes PROPERTIES LABELS "unit;threads" as `LABELS unit
# threads`, i.e. label unit and a stray property "threads". This sets the
# whole list again. Keep LABELS the last property in those calls.
file(GLOB _vshard_files "${CMAKE_CURRENT_LIST_DIR}/*_tests-*.cmake")
foreach(_vshard_f IN LISTS _vshard_files)
  file(STRINGS "${_vshard_f}" _vshard_lines REGEX "^set_tests_properties\\( \\[==\\[.*\\]==\\] PROPERTIES .* LABELS [a-z]+ [a-z ]+\\)$")
  foreach(_vshard_l IN LISTS _vshard_lines)
    string(REGEX MATCH "^set_tests_properties\\( \\[==\\[(.*)\\]==\\] PROPERTIES .* LABELS ([a-z ]+)\\)$" _m "${_vshard_l}")
    set(_vshard_name "${CMAKE_MATCH_1}")
    string(REPLACE " " ";" _vshard_labels "${CMAKE_MATCH_2}")
    set_tests_properties("${_vshard_name}" PROPERTIES LABELS "${_vshard_labels}")
  endforeach()
endforeach()
