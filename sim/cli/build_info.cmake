# Writes build_info.h (COMMSIM_VERSION, COMMSIM_GIT_REVISION) at every build, touching it only when
# its content changes, so a new commit changes what `commsim --version` says without a reconfigure.
# Run as: cmake -DSOURCE_DIR=... -DOUTPUT=... -DCOMMSIM_VERSION=... -P build_info.cmake
find_package(Git QUIET)
set(COMMSIM_GIT_REVISION "unknown")
if(GIT_FOUND)
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
    WORKING_DIRECTORY "${SOURCE_DIR}"
    OUTPUT_VARIABLE described
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE status)
  if(status EQUAL 0 AND NOT described STREQUAL "")
    set(COMMSIM_GIT_REVISION "${described}")
  endif()
endif()
configure_file("${SOURCE_DIR}/sim/cli/build_info.h.in" "${OUTPUT}" @ONLY)
