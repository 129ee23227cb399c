# Builds the host simulator (sim/hostsim, host/ without the driver, model/)
# and tests/sim/tsan/sweep_tsan.cc with ThreadSanitizer and runs a parallel
# sweep: any race report fails it.
file(MAKE_DIRECTORY ${BIN})
set(_out ${BIN}/sweep_tsan)
# every source of the three libraries but benchmarks and the device engine
# (the driver: not part of a --jobs run)
file(GLOB _srcs ${SRC}/model/*.cc ${SRC}/host/*.cc ${SRC}/sim/hostsim/*.cc ${SRC}/sim/hostsim/peers/*.cc)
list(FILTER _srcs EXCLUDE REGEX "/bench_[^/]*$|/device_engine.cc$")
list(APPEND _srcs ${SRC}/tests/sim/tsan/sweep_tsan.cc)
execute_process(
  COMMAND ${CXX} -std=c++20 -O1 -g -fsanitize=thread -w
          -I${SRC}/include -I${TOMLPP}
          ${_srcs} -o ${_out} -pthread
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "TSan build failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env TSAN_OPTIONS=halt_on_error=1:exitcode=66 ${_out} ${SRC}/scenarios
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "TSan sweep failed (exit ${rc}):\n${err}")
endif()
