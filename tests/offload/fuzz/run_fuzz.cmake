# Builds tests/offload/offload_fuzz.cc with clang's libFuzzer and
# AddressSanitizer (the model and the driver's offload sources with it) and
# fuzzes the udp:// decoder for SECONDS seconds: a crash, a leak or an ASan
# report fails it, and the reproducer is left in BIN.
file(MAKE_DIRECTORY ${BIN})
set(_out ${BIN}/offload_fuzz)
file(GLOB _srcs ${SRC}/model/*.cc)
list(FILTER _srcs EXCLUDE REGEX "/bench_[^/]*$")
list(APPEND _srcs ${SRC}/driver/device.cc ${SRC}/driver/spec.cc ${SRC}/driver/ring_frontend.cc
     ${SRC}/driver/mover_core.cc ${SRC}/driver/backend_model.cc ${SRC}/driver/failover.cc
     ${SRC}/driver/offload/proto.cc ${SRC}/driver/offload/backend_shm.cc ${SRC}/driver/offload/backend_udp.cc
     ${SRC}/driver/offload/server.cc ${SRC}/driver/offload/relay.cc ${SRC}/driver/offload/testnet.cc
     ${SRC}/tests/offload/offload_fuzz.cc)
execute_process(
  COMMAND ${CLANG} -std=c++20 -O1 -g -fsanitize=fuzzer,address -w
          -I${SRC}/include ${_srcs} -o ${_out} -lcrypto -pthread
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "libFuzzer build failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${_out} -max_total_time=${SECONDS} -seed=1 -max_len=1600 -artifact_prefix=${BIN}/
  WORKING_DIRECTORY ${BIN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "Done [0-9]+ runs[^\n]*" done "${err}")
message("${done}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzzing found a problem (exit ${rc}):\n${err}")
endif()
