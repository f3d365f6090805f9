# The CMake pieces the native @gmeta packages share. @gmeta/tensor ships this file; @gmeta/collectives
# and @gmeta/embedding include it from there, as they take the shared error style (gmeta/check.h),
# so a package built alone from its tarball needs nothing of the repository.

# Standard C++17 without GNU extensions, position-independent (the core links into a shared
# addon), Release unless told otherwise.
macro(gmeta_cxx_defaults)
  set(CMAKE_CXX_STANDARD 17)
  set(CMAKE_CXX_STANDARD_REQUIRED ON)
  set(CMAKE_CXX_EXTENSIONS OFF)
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  if(NOT CMAKE_BUILD_TYPE)
    set(CMAKE_BUILD_TYPE Release)
  endif()
endmacro()

# CUDA defaults on where nvcc exists (GMETA_WITH_CUDA=OFF, as a -D define or an environment
# variable, builds CPU-only). cudart is linked statically (gmeta_cuda_sources) so an addon loads on
# machines without CUDA libraries and reports "no CUDA device". A macro: the language and the
# option belong to the calling project.
macro(gmeta_cuda_option project_name)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(GMETA_CUDA_DEFAULT ON)
  else()
    set(GMETA_CUDA_DEFAULT OFF)
  endif()
  option(GMETA_WITH_CUDA "Build CUDA kernels" ${GMETA_CUDA_DEFAULT})
  # The environment variable wins over a cached value, so turbo's env key and the build agree;
  # once it is unset again, a value it set goes back to the default (a -D value stays).
  if(DEFINED ENV{GMETA_WITH_CUDA} AND NOT "$ENV{GMETA_WITH_CUDA}" STREQUAL "")
    set(GMETA_WITH_CUDA $ENV{GMETA_WITH_CUDA} CACHE BOOL "Build CUDA kernels" FORCE)
    set(GMETA_WITH_CUDA_FROM_ENV ON CACHE INTERNAL "")
  elseif(GMETA_WITH_CUDA_FROM_ENV)
    set(GMETA_WITH_CUDA ${GMETA_CUDA_DEFAULT} CACHE BOOL "Build CUDA kernels" FORCE)
    set(GMETA_WITH_CUDA_FROM_ENV OFF CACHE INTERNAL "")
  endif()
  if(GMETA_WITH_CUDA AND NOT CMAKE_CUDA_COMPILER)
    message(FATAL_ERROR "GMETA_WITH_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
  if(GMETA_WITH_CUDA)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # A100 and H100 machine code, plus PTX that newer GPUs compile at load time.
      set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
  endif()
  message(STATUS "${project_name}: GMETA_WITH_CUDA=${GMETA_WITH_CUDA}")
endmacro()

# GMETA_OPT_FLAGS: -O3, the caller's extra flags, and a baseline portable across x86-64 machines
# from about 2009 on: never -march=native, so a prebuilt addon runs wherever it is copied.
macro(gmeta_opt_flags)
  set(GMETA_OPT_FLAGS -O3 ${ARGN})
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    list(APPEND GMETA_OPT_FLAGS -march=x86-64-v2)
  endif()
endmacro()

# The CUDA sources of a kernel library, compiled in when GMETA_WITH_CUDA is on.
function(gmeta_cuda_sources target)
  if(GMETA_WITH_CUDA)
    target_sources(${target} PRIVATE ${ARGN})
    target_compile_definitions(${target} PUBLIC GMETA_WITH_CUDA=1)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-O3 --Werror=all-warnings>)
    target_link_libraries(${target} PUBLIC CUDA::cudart_static)
  endif()
endfunction()

# Node-API headers come from npm (cmake-js reads package.json "binary.napi_versions");
# node-addon-api from its package, located by asking node so hoisting does not matter. The
# install-time build of a published package passes NODE_ADDON_API_DIR (node-addon-api is a
# build tool, not a dependency).
if(NOT NODE_ADDON_API_DIR)
  execute_process(
    COMMAND node -p "require('node-addon-api').include"
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    OUTPUT_VARIABLE NODE_ADDON_API_DIR
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REPLACE "\"" "" NODE_ADDON_API_DIR "${NODE_ADDON_API_DIR}")
endif()

# One .node addon built from the given sources: Node-API 8, C++ exceptions through the binding.
function(gmeta_addon name)
  add_library(${name} SHARED ${ARGN} ${CMAKE_JS_SRC})
  set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX ".node")
  target_include_directories(${name} PRIVATE ${CMAKE_JS_INC} ${NODE_ADDON_API_DIR})
  target_compile_definitions(${name} PRIVATE
    NAPI_VERSION=8
    NODE_ADDON_API_CPP_EXCEPTIONS
    NODE_ADDON_API_CPP_EXCEPTIONS_ALL)
  target_link_libraries(${name} PRIVATE ${CMAKE_JS_LIB})
  if(MSVC AND CMAKE_JS_NODELIB_DEF AND CMAKE_JS_NODELIB_TARGET)
    execute_process(COMMAND ${CMAKE_AR} /def:${CMAKE_JS_NODELIB_DEF} /out:${CMAKE_JS_NODELIB_TARGET} ${CMAKE_STATIC_LINKER_FLAGS})
  endif()
endfunction()

# A native test or benchmark program of the repository, built when GMETA_BUILD_TOOLS is on and its
# source is there: the published packages ship neither bench/ nor native/test/, and their
# install-time build passes GMETA_BUILD_TOOLS=OFF. Linked against the given libraries.
function(gmeta_tool name source)
  if(GMETA_BUILD_TOOLS AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${source})
    add_executable(${name} ${source})
    target_compile_options(${name} PRIVATE ${GMETA_OPT_FLAGS})
    target_link_libraries(${name} PRIVATE ${ARGN})
  endif()
endfunction()
