# One sanitizer suite (tests/sanitize/CMakeLists.txt): configure the sub-build
# BIN of the tree SRC with CACHE_ARGS (below), build it, run its
# ctest on the labels INCLUDE_LABELS minus EXCLUDE_LABELS (regexes, either
# may be empty) with the sanitizer's options, and fail with the names of the
# inner tests that failed, every sanitizer report (also those of child
# processes, e.g. `vshard serve` started by a test) and the inner output.
#
#   cmake -DSRC=... -DBIN=... -DGENERATOR=Ninja -DSANITIZER=address|thread
#         -DCACHE_ARGS=... [-DINCLUDE_LABELS=re] [-DEXCLUDE_LABELS=re]
#         [-DJOBS_DEFAULT=n] -P run_suite.cmake
# Jobs: $VSHARD_JOBS, else JOBS_DEFAULT. Extra ctest arguments (e.g. -R x):
# $VSHARD_SANITIZE_CTEST_ARGS (';'-separated).
cmake_minimum_required(VERSION 3.25)
foreach(v SRC BIN GENERATOR SANITIZER CACHE_ARGS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_suite.cmake: -D${v}=... missing")
  endif()
endforeach()
if(DEFINED ENV{VSHARD_JOBS} AND NOT "$ENV{VSHARD_JOBS}" STREQUAL "")
  set(jobs $ENV{VSHARD_JOBS})
elseif(JOBS_DEFAULT)
  set(jobs ${JOBS_DEFAULT})
else()
  set(jobs 2)
endif()
get_filename_component(name ${BIN} NAME)

# Every report goes to a file in BIN/reports (log_path): a report in a
# process whose exit status no test looks at (a server the test kills, a
# child of a Python test) still fails the suite. halt_on_error stops the
# process at the first report with exit code 66.
set(reports ${BIN}/reports)
file(REMOVE_RECURSE ${reports})
file(MAKE_DIRECTORY ${reports})
set(log "log_path=${reports}/report:log_exe_name=1")
if(SANITIZER STREQUAL "address")
  set(env
    "ASAN_OPTIONS=${log}:halt_on_error=1:exitcode=66:detect_leaks=1:print_stacktrace=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
    "UBSAN_OPTIONS=${log}:halt_on_error=1:exitcode=66:print_stacktrace=1"
    "LSAN_OPTIONS=${log}:exitcode=66")
elseif(SANITIZER STREQUAL "thread")
  set(env "TSAN_OPTIONS=${log}:halt_on_error=1:exitcode=66:second_deadlock_stack=1")
else()
  message(FATAL_ERROR "run_suite.cmake: SANITIZER=${SANITIZER}: address or thread")
endif()

function(step what)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP t1 "%s")
  math(EXPR dt "${t1} - ${t0}")
  message("${name}: ${what}: ${dt} s")
  set(rc ${rc} PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
endfunction()

# CACHE_ARGS: -DNAME=VALUE items separated by '|', ',' in a VALUE for ';'
# (a ';' cannot cross execute_process): written as an initial cache file.
string(REPLACE "|" ";" cache_args "${CACHE_ARGS}")
set(init "# written by tests/sanitize/run_suite.cmake\n")
foreach(a IN LISTS cache_args)
  if(NOT a MATCHES "^-D([A-Za-z0-9_]+)=(.*)$")
    message(FATAL_ERROR "run_suite.cmake: CACHE_ARGS item '${a}' is not -DNAME=VALUE")
  endif()
  string(REPLACE "," ";" value "${CMAKE_MATCH_2}")
  string(APPEND init "set(${CMAKE_MATCH_1} \"${value}\" CACHE STRING \"\" FORCE)\n")
endforeach()
file(MAKE_DIRECTORY ${BIN})
file(WRITE ${BIN}/sanitize-cache.cmake "${init}")
step(configure ${CMAKE_COMMAND} -S ${SRC} -B ${BIN} -G ${GENERATOR} -C ${BIN}/sanitize-cache.cmake)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${name}: configuring ${BIN} failed:\n${out}")
endif()
step(build ${CMAKE_COMMAND} --build ${BIN} -j ${jobs})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${name}: building ${BIN} failed:\n${out}")
endif()

set(select)
if(INCLUDE_LABELS)
  list(APPEND select -L ${INCLUDE_LABELS})
endif()
if(EXCLUDE_LABELS)
  list(APPEND select -LE ${EXCLUDE_LABELS})
endif()
set(extra "$ENV{VSHARD_SANITIZE_CTEST_ARGS}")
step(test ${CMAKE_COMMAND} -E env ${env}
     ${CMAKE_CTEST_COMMAND} --test-dir ${BIN} --output-on-failure --no-tests=error -j ${jobs} ${select} ${extra})
set(test_rc ${rc})
set(test_out "${out}")

file(GLOB report_files ${reports}/report*)
set(report_text "")
foreach(f IN LISTS report_files)
  file(READ ${f} t)
  string(APPEND report_text "---- ${f}\n${t}\n")
endforeach()
list(LENGTH report_files n_reports)

# The summary line ("100% tests passed, 0 tests failed out of 412") and the
# names of the failed tests first: CTest cuts a long failed output at its end.
string(REPLACE ";" " " env_words "${env}")
string(REGEX MATCH "[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+" summary "${test_out}")
string(REGEX MATCH "The following tests FAILED:.*$" failed "${test_out}")
if(NOT test_rc EQUAL 0 OR n_reports GREATER 0)
  message(FATAL_ERROR
    "${name}: ${summary}; ${n_reports} sanitizer report file(s) in ${reports}\n${failed}\n"
    "Replay one: cd ${BIN} && ${env_words} ctest --output-on-failure -R '<name>'\n"
    "==== sanitizer reports\n${report_text}"
    "==== inner ctest output\n${test_out}")
endif()
message("${name}: ${summary}, no sanitizer report")
