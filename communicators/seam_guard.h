// Forced into every translation unit of the seam-only libraries (communicators, kernels,
// workloads) by CMake (-include). Any use of SimGrid or of POSIX shared memory or mapping
// calls after this point is a compile error, so code on this side of the RankEnv seam cannot
// reach the world except through RankEnv.
#pragma once

#pragma GCC poison simgrid sg4 shm_open shm_unlink mmap munmap
