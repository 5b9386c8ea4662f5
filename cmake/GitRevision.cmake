# Writes OUTPUT, a header defining TCPSIGHT_GIT_REVISION: `git describe` of
# SOURCE_DIR ("" outside a git checkout, as when built from a release
# tarball or a Debian source package). Rewritten only when it changes, so
# that a build after no commit relinks nothing. Run at every build:
#   cmake -DSOURCE_DIR=... -DOUTPUT=... -P GitRevision.cmake
execute_process(
  COMMAND git -C "${SOURCE_DIR}" describe --always --dirty --abbrev=12
  OUTPUT_VARIABLE revision
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET
  RESULT_VARIABLE failed)
if(failed)
  set(revision "")
endif()
set(content "#define TCPSIGHT_GIT_REVISION \"${revision}\"\n")
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL content)
  file(WRITE "${OUTPUT}" "${content}")
endif()
