# Small helpers so a new unit is a few lines (Abseil-style).
#
#   vshard_cc_library(NAME name SRCS a.cc b.cc [DEPS x y])   installed as vshard::<name>
#   vshard_cc_test(NAME name SRCS a_test.cc [DEPS x y] [LABELS unit rtl ...])
#   vshard_cc_binary(NAME name SRCS main.cc [DEPS x y])
#
# Every target gets the one include root, include/ (headers are named by
# their layer: <vshard/device.h>, "vshard/host/scheduler.h",
# "vshard/sim/harness.h"); no source folder is an include path. Tests link
# the shared Catch2 main (tests/catch_main.cc, compiled once) and are
# discovered per test case.

set(VSHARD_INCLUDE_DIR ${CMAKE_SOURCE_DIR}/include)

# vshard_export(target): the library is installed (cmake/VshardInstall.cmake)
# and known as vshard::<name without "vshard_">, in the build tree (an
# alias) and to find_package(vshard) users (the exported name).
function(vshard_export target)
  string(REGEX REPLACE "^vshard_" "" _name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${_name})
  add_library(vshard::${_name} ALIAS ${target})
  set_property(GLOBAL APPEND PROPERTY VSHARD_EXPORTED_TARGETS ${target})
endfunction()

function(vshard_cc_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(${A_NAME} STATIC ${A_SRCS})
  target_include_directories(${A_NAME} PUBLIC $<BUILD_INTERFACE:${VSHARD_INCLUDE_DIR}>)
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS})
  set_target_properties(${A_NAME} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  vshard_export(${A_NAME})
endfunction()

function(vshard_cc_binary)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_include_directories(${A_NAME} PRIVATE ${VSHARD_INCLUDE_DIR})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
endfunction()

function(vshard_cc_test)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_include_directories(${A_NAME} PRIVATE ${VSHARD_INCLUDE_DIR})
  target_link_libraries(${A_NAME} PRIVATE vshard_catch_main ${A_DEPS})
  if(NOT A_LABELS)
    set(A_LABELS unit)
  endif()
  # -w NoTests: a name CTest cannot pass through (e.g. one with a ";", which
  # CTest splits) matches no test case and fails instead of passing empty.
  catch_discover_tests(${A_NAME} EXTRA_ARGS -w NoTests PROPERTIES LABELS "${A_LABELS}")
  vshard_catch_labels()
endfunction()

# After catch_discover_tests(... PROPERTIES ... LABELS "a;b") in a directory
# (LABELS last): makes CTest see both labels (cmake/catch_labels.cmake).
function(vshard_catch_labels)
  get_property(_inc DIRECTORY PROPERTY TEST_INCLUDE_FILES)
  set(_f ${CMAKE_CURRENT_BINARY_DIR}/vshard_catch_labels.cmake)
  if(NOT _f IN_LIST _inc)
    configure_file(${CMAKE_SOURCE_DIR}/cmake/catch_labels.cmake ${_f} COPYONLY)
  endif()
  # last, after every catch include of this directory
  list(REMOVE_ITEM _inc ${_f})
  list(APPEND _inc ${_f})
  set_property(DIRECTORY PROPERTY TEST_INCLUDE_FILES ${_inc})
endfunction()
