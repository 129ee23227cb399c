# Builds host/shard_sync.cc + tests/host/tsan/shard_sync_stress.cc with
# ThreadSanitizer and runs the stress program (any race report fails it).
file(MAKE_DIRECTORY ${BIN})
set(_out ${BIN}/shard_sync_stress_tsan)
execute_process(
  COMMAND ${CXX} -std=c++20 -O1 -g -fsanitize=thread -Wall -Wextra
          -I${SRC}/include
          ${SRC}/host/shard_sync.cc ${SRC}/tests/host/tsan/shard_sync_stress.cc
          -o ${_out} -pthread
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "TSan build failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env TSAN_OPTIONS=halt_on_error=1:exitcode=66 ${_out}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "TSan stress failed (exit ${rc}):\n${err}")
endif()
