# Installs the build in BUILD_DIR into WORK/prefix and builds the consumer
# program (SRC) against it: with CMake (find_package) and with pkg-config.
# Any failing step fails the test with its output.
function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_out "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK}/prefix)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f bin/vshard include/vshard/device.h include/vshard/model.h include/vshard/host/scheduler.h
          ${LIBDIR}/libvshard_model.a ${LIBDIR}/libvshard_driver.a
          ${LIBDIR}/cmake/vshard/vshardConfig.cmake ${LIBDIR}/cmake/vshard/vshardConfigVersion.cmake
          ${LIBDIR}/pkgconfig/vshard.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "the install has no ${f}")
  endif()
endforeach()
# Private headers stay private.
file(GLOB_RECURSE internal ${prefix}/include/*/internal/*)
if(internal)
  message(FATAL_ERROR "internal headers were installed: ${internal}")
endif()
step("installed vshard --help" ${prefix}/bin/vshard --help)

# 1. CMake: only the installed package may be found (not the build tree).
step("consumer configure" ${CMAKE_COMMAND} -S ${SRC} -B ${WORK}/build -G ${GENERATOR}
     -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
     -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DVSHARD_EXPECT_VERSION=${VERSION})
file(STRINGS ${WORK}/build/CMakeCache.txt dir REGEX "^vshard_DIR:")
string(FIND "${dir}" "${prefix}/" at)
if(NOT at GREATER -1)
  message(FATAL_ERROR "the consumer found vshard outside the install prefix: ${dir}")
endif()
step("consumer build" ${CMAKE_COMMAND} --build ${WORK}/build)
step("consumer run (CMake)" ${WORK}/build/vshard_consumer)
message("${step_out}")
if(NOT step_out MATCHES "vshard consumer: OK")
  message(FATAL_ERROR "the consumer (CMake) did not report OK")
endif()

# 2. pkg-config.
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "pkg-config not found: run scripts/install-deps")
endif()
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
set(ENV{PKG_CONFIG_LIBDIR} ${prefix}/${LIBDIR}/pkgconfig)
step("pkg-config --modversion" ${PKG_CONFIG} --modversion vshard)
string(STRIP "${step_out}" v)
if(NOT v STREQUAL VERSION)
  message(FATAL_ERROR "vshard.pc says version ${v}, the project ${VERSION}")
endif()
step("pkg-config --cflags" ${PKG_CONFIG} --cflags vshard)
separate_arguments(cflags UNIX_COMMAND "${step_out}")
step("pkg-config --libs" ${PKG_CONFIG} --libs vshard)
separate_arguments(libs UNIX_COMMAND "${step_out}")
step("consumer build (pkg-config)" ${CXX} -std=c++20 -O1 ${cflags} ${SRC}/consumer.cc ${libs}
     -o ${WORK}/vshard_consumer_pc)
step("consumer run (pkg-config)" ${WORK}/vshard_consumer_pc)
message("${step_out}")
if(NOT step_out MATCHES "vshard consumer: OK")
  message(FATAL_ERROR "the consumer (pkg-config) did not report OK")
endif()
