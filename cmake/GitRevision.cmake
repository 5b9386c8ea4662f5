# Writes OUTPUT, a header defining TCPSIGHT_GIT_REVISION: the commit of
# SOURCE_DIR, 12 hex digits and "-dirty" if the tree has changes ("" outside
# a git checkout, as when built from a release tarball or a Debian source
# package). Rewritten only when it changes, so
# that a build after no commit relinks nothing. Run at every build:
#   cmake -DSOURCE_DIR=... -DOUTPUT=... -P GitRevision.cmake
# Only SOURCE_DIR's own repository counts: a source tree unpacked inside
# another checkout (a packaging repository, say) has no revision of its own.
execute_process(
  COMMAND git -c "safe.directory=${SOURCE_DIR}" -C "${SOURCE_DIR}" rev-parse --show-toplevel
  OUTPUT_VARIABLE top_level
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
file(REAL_PATH "${SOURCE_DIR}" source_dir)
if(top_level)
  file(REAL_PATH "${top_level}" top_level)
endif()
execute_process(
  # The hash alone, whatever tags there are; a checkout another user owns
  # (built as root) is still read.
  COMMAND git -c "safe.directory=${SOURCE_DIR}" -C "${SOURCE_DIR}" describe --always --dirty
          --abbrev=12 --exclude=*
  OUTPUT_VARIABLE revision
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET
  RESULT_VARIABLE failed)
if(failed OR NOT top_level STREQUAL source_dir)
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
