# Runs one libFuzzer target (tests/fuzz) for SECONDS seconds, or RUNS
# executions, on a copy of its seed corpus (the repository is never
# written), with a fixed seed and a 10 s per-input timeout. A crash, leak,
# timeout, sanitizer report or broken invariant fails it; the input that
# did it is left in WORK (its path is printed).
# OPTIONS names the target's <name>.options file (libFuzzer flags, one per
# line, '#' comment lines), when it has one.
#   cmake -DEXE=... -DCORPUS=dir -DWORK=dir [-DDICT=file] [-DOPTIONS=file] (-DSECONDS=n | -DRUNS=n) [-DSEED=n]
#         -P run_fuzz.cmake
if(NOT EXISTS ${EXE})
  message(FATAL_ERROR "${EXE} is missing: the fixture fuzz.build (scripts/fuzz-build) did not build it")
endif()
if(NOT DEFINED SEED)
  set(SEED 1)
endif()
file(REMOVE_RECURSE ${WORK}/corpus)
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
file(GLOB _seeds ${CORPUS}/*)
if(_seeds)
  file(COPY ${_seeds} DESTINATION ${WORK}/corpus)
endif()
set(_args -seed=${SEED} -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/)
if(DEFINED RUNS)
  list(APPEND _args -runs=${RUNS})
else()
  list(APPEND _args -max_total_time=${SECONDS})
endif()
if(DICT AND EXISTS ${DICT})
  list(APPEND _args -dict=${DICT})
endif()
if(OPTIONS AND EXISTS ${OPTIONS})
  file(STRINGS ${OPTIONS} _opts REGEX "^-")
  list(APPEND _args ${_opts})
endif()
execute_process(COMMAND ${EXE} ${_args} ${WORK}/corpus
  WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(WRITE ${WORK}/fuzz.log "${err}")
string(REGEX MATCH "#[0-9]+[ \t]+DONE[^\n]*" done "${err}")
string(REGEX MATCH "stat::number_of_executed_units: [0-9]+" units "${err}")
message("${done}\n${units}\nlog: ${WORK}/fuzz.log")
if(NOT rc EQUAL 0)
  string(REGEX MATCHALL "(Test unit written to|artifact_prefix)[^\n]*" _written "${err}")
  string(LENGTH "${err}" _len)
  if(_len GREATER 8000)
    math(EXPR _from "${_len} - 8000")
    string(SUBSTRING "${err}" ${_from} -1 err)
  endif()
  message(FATAL_ERROR "fuzzing found a problem (exit ${rc}); the input is kept:\n${_written}\n\n...${err}")
endif()
