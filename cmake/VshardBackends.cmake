# Auto-detection of the optional backends. Each option is ON, OFF or AUTO;
# AUTO turns it on when its tools are found. The configure output says which
# are on and, when off, why.
#
#   vshard_backend(<name> <probe>)
#
# sets VSHARD_HAVE_<NAME> from VSHARD_WITH_<NAME>: OFF skips the probe; else
# the macro <probe> runs (in this scope, so what it finds stays visible) and
# sets _vshard_found (ON or OFF) and _vshard_why (what it found, or what is
# missing and how to get it); ON with nothing found stops the configure.
macro(vshard_backend name probe)
  string(TOUPPER ${name} _vshard_n)
  set(VSHARD_HAVE_${_vshard_n} OFF)
  if(VSHARD_WITH_${_vshard_n} STREQUAL "OFF")
    message(STATUS "vShard: ${name} backend: OFF (disabled by VSHARD_WITH_${_vshard_n}=OFF)")
  else()
    set(_vshard_found OFF)
    set(_vshard_why "")
    cmake_language(CALL ${probe})
    if(_vshard_found)
      set(VSHARD_HAVE_${_vshard_n} ON)
      message(STATUS "vShard: ${name} backend: ON (${_vshard_why})")
    elseif(VSHARD_WITH_${_vshard_n} STREQUAL "ON")
      message(FATAL_ERROR "VSHARD_WITH_${_vshard_n}=ON but ${_vshard_why}")
    else()
      message(STATUS "vShard: ${name} backend: OFF (${_vshard_why})")
    endif()
  endif()
endmacro()

macro(_vshard_probe_verilator)
  find_package(verilator HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator QUIET)
  if(verilator_FOUND)
    set(_vshard_found ON)
    set(_vshard_why "verilator ${verilator_VERSION}")
  else()
    set(_vshard_why "Verilator was not found; run scripts/install-deps")
  endif()
endmacro()

# XRT (Debian libxrt-dev: no CMake config and a broken xrt.pc, so look ourselves)
macro(_vshard_probe_xrt)
  find_path(XRT_INCLUDE_DIR xrt/xrt_device.h PATHS /usr/include/xrt /opt/xilinx/xrt/include NO_DEFAULT_PATH)
  find_library(XRT_COREUTIL_LIB xrt_coreutil PATHS /usr/lib/x86_64-linux-gnu /opt/xilinx/xrt/lib)
  find_library(UUID_LIB uuid)
  if(XRT_INCLUDE_DIR AND XRT_COREUTIL_LIB AND UUID_LIB)
    set(_vshard_found ON)
    set(_vshard_why "${XRT_COREUTIL_LIB}")
  else()
    set(_vshard_why "XRT headers/libs were not found: install libxrt-dev and uuid-dev")
  endif()
endmacro()

macro(_vshard_probe_opencl)
  find_package(OpenCL QUIET)
  find_path(OPENCL_HPP_DIR CL/opencl.hpp)
  if(OpenCL_FOUND AND OPENCL_HPP_DIR)
    set(_vshard_found ON)
    set(_vshard_why "OpenCL ${OpenCL_VERSION_STRING}")
  else()
    set(_vshard_why "OpenCL was not found: install ocl-icd-opencl-dev and opencl-clhpp-headers")
  endif()
endmacro()

vshard_backend(verilator _vshard_probe_verilator)
vshard_backend(xrt _vshard_probe_xrt)
vshard_backend(opencl _vshard_probe_opencl)
