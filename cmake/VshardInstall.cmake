# Installation. `cmake --install build --prefix P` (or scripts/install) puts
#   P/bin/vshard                       the CLI
#   P/lib/libvshard_*.a                the libraries (static; vshard_export() in VshardHelpers)
#   P/include/vshard/...               the public headers (not the */internal/ ones)
#   P/lib/cmake/vshard/                find_package(vshard): vshard::model, vshard::driver, ...
#   P/lib/pkgconfig/vshard.pc          the model and the driver for pkg-config
# (lib/ is CMAKE_INSTALL_LIBDIR). The libraries are static, so the package
# carries what they link: find_dependency() for each imported target they
# name, and vshard.pc's Libs their whole link closure. tests/install builds
# a small program against an installed tree both ways.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(VSHARD_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/vshard)
get_property(_vshard_libs GLOBAL PROPERTY VSHARD_EXPORTED_TARGETS)

install(TARGETS ${_vshard_libs} EXPORT vshardTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${VSHARD_INCLUDE_DIR}/vshard DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  PATTERN internal EXCLUDE)
install(EXPORT vshardTargets NAMESPACE vshard:: DESTINATION ${VSHARD_INSTALL_CMAKEDIR})

# ---- the link closure of the exported libraries ------------------------------------
# _vshard_closure(<item>): every library <item> links, itself last (post-order),
# into _vshard_order; imported targets and plain paths/flags included.
function(_vshard_closure item)
  if(item IN_LIST _vshard_seen)
    return()
  endif()
  list(APPEND _vshard_seen ${item})
  if(TARGET ${item})
    get_target_property(_deps ${item} INTERFACE_LINK_LIBRARIES)
    if(_deps)
      foreach(_d IN LISTS _deps)
        _vshard_closure(${_d})
      endforeach()
    endif()
  endif()
  list(APPEND _vshard_order ${item})
  set(_vshard_seen ${_vshard_seen} PARENT_SCOPE)
  set(_vshard_order ${_vshard_order} PARENT_SCOPE)
endfunction()

# find_dependency() arguments of the imported targets the libraries may link.
set(_vshard_pkg_Threads::Threads "Threads")
set(_vshard_pkg_OpenSSL::Crypto "OpenSSL COMPONENTS Crypto")
set(_vshard_pkg_ZLIB::ZLIB "ZLIB")
set(_vshard_pkg_OpenCL::OpenCL "OpenCL")
set(_vshard_pkg_nlohmann_json::nlohmann_json "nlohmann_json 3")

set(_vshard_seen)
set(_vshard_order)
foreach(_t IN LISTS _vshard_libs)
  _vshard_closure(${_t})
endforeach()
# An imported target (Pkg::Name) found in a subfolder is visible there only:
# find its package here too, for vshard.pc's library paths.
set(VSHARD_FIND_DEPENDENCIES "")
foreach(_item IN LISTS _vshard_order)
  if(_item MATCHES "::" AND NOT _item IN_LIST _vshard_libs)
    if(NOT DEFINED _vshard_pkg_${_item})
      message(FATAL_ERROR "vShard: an installed library links the imported target ${_item}: "
                          "name its package in cmake/VshardInstall.cmake (_vshard_pkg_${_item})")
    endif()
    string(APPEND VSHARD_FIND_DEPENDENCIES "find_dependency(${_vshard_pkg_${_item}})\n")
    if(NOT TARGET ${_item})
      separate_arguments(_args UNIX_COMMAND "${_vshard_pkg_${_item}}")
      find_package(${_args} REQUIRED)
    endif()
  endif()
endforeach()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/vshardConfig.cmake.in
  ${CMAKE_BINARY_DIR}/vshardConfig.cmake INSTALL_DESTINATION ${VSHARD_INSTALL_CMAKEDIR})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/vshardConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/vshardConfig.cmake ${CMAKE_BINARY_DIR}/vshardConfigVersion.cmake
  DESTINATION ${VSHARD_INSTALL_CMAKEDIR})

# ---- vshard.pc: the driver and the model ----------------------------------------
# Libs lists the libraries in link order (a library before what it links),
# imported ones by their file, Threads as -pthread.
set(_vshard_seen)
set(_vshard_order)
if(TARGET vshard_driver)
  _vshard_closure(vshard_driver)
else()
  _vshard_closure(vshard_model)
endif()
list(REVERSE _vshard_order)
set(_libs "-L\${libdir}")
foreach(_item IN LISTS _vshard_order)
  if(_item IN_LIST _vshard_libs)
    list(APPEND _libs "-l${_item}")
  elseif(_item STREQUAL "Threads::Threads")
    list(APPEND _libs "-pthread")
  elseif(TARGET ${_item})
    get_target_property(_type ${_item} TYPE)
    if(NOT _type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(_loc ${_item} IMPORTED_LOCATION)
      if(NOT _loc)
        get_target_property(_loc ${_item} IMPORTED_LOCATION_RELEASE)
      endif()
      if(NOT _loc)
        message(FATAL_ERROR "vShard: vshard.pc: no library file for the imported target ${_item}")
      endif()
      list(APPEND _libs "${_loc}")
    endif()
  elseif(IS_ABSOLUTE "${_item}" OR _item MATCHES "^-")
    list(APPEND _libs "${_item}")
  endif()
endforeach()
list(JOIN _libs " " VSHARD_PC_LIBS)
file(RELATIVE_PATH VSHARD_PC_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" VSHARD_PC_PREFIX "${VSHARD_PC_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/vshard.pc.in ${CMAKE_BINARY_DIR}/vshard.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/vshard.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
