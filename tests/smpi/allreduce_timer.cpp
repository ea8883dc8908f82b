// Times MPI_Allreduce (sum, in place) under SMPI, as a reference for commsim's collectives.
//
// Rank r fills element i with (r % 3 + 1) * ((i % 17) - 8): small integers, so every partial sum
// is exact in float and the result can be checked element for element. After a barrier and one
// untimed all-reduce, each iteration refills the buffer and times one all-reduce on every rank;
// rank 0 prints the mean over iterations of the slowest rank's time and the number of wrong
// elements over all ranks and iterations.
//
// Against `commsim run` on the same scenario (data.collective_time_s), e.g. 8 nodes x 1 rank,
// 4 MiB per rank; the hostfile places ranks packed, as commsim does (rank = node * R + local: one
// line `nodeK` per rank, or `nodeK:R` per node):
//   build/commsim platform ring.yaml --xml ring.xml
//   smpicxx -O2 tests/smpi/allreduce_timer.cpp -o allreduce_timer
//   printf 'node%d\n' 0 1 2 3 4 5 6 7 > hosts
//   smpirun -np 8 -platform ring.xml -hostfile hosts ./allreduce_timer 1048576 3 \
//     --cfg=network/model:LV08 --cfg=smpi/allreduce:lr --cfg=smpi/simulate-computation:0 \
//     --cfg=smpi/host-speed:1Gf
//   -> time_s=8.177920351e-03 wrong=0   (commsim's ring: 8.177716e-03 s)
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

float value(int rank, long long i) {
  return static_cast<float>((rank % 3 + 1) * static_cast<int>((i % 17) - 8));
}

int usage(int rank, const char* program) {
  if (rank == 0) std::fprintf(stderr, "usage: %s COUNT ITERATIONS [f32]\n", program);
  MPI_Finalize();
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 3 || argc > 4) return usage(rank, argv[0]);
  const long long count = std::atoll(argv[1]);
  const int iterations = std::atoi(argv[2]);
  const std::string dtype = argc == 4 ? argv[3] : "f32";
  if (count < 1 || iterations < 1 || (dtype != "f32" && dtype != "float")) {
    return usage(rank, argv[0]);
  }

  // The exact sum over ranks of every element's value.
  int weight = 0;
  for (int r = 0; r < size; ++r) weight += r % 3 + 1;
  std::vector<float> buffer(static_cast<std::size_t>(count));
  auto fill = [&] {
    for (long long i = 0; i < count; ++i) buffer[i] = value(rank, i);
  };
  auto allreduce = [&] {
    MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(count), MPI_FLOAT, MPI_SUM,
                  MPI_COMM_WORLD);
  };
  // Ranks leave a barrier up to one message latency apart, and an early rank's timer would count
  // the wait for the late ones. One untimed all-reduce after the barrier absorbs that skew: a ring
  // ends on every rank at (nearly) the same instant, so the timed iterations start together. The
  // refill between iterations costs no simulated time (smpi/simulate-computation:0).
  fill();
  MPI_Barrier(MPI_COMM_WORLD);
  allreduce();
  std::vector<double> times(static_cast<std::size_t>(iterations));
  long long wrong = 0;
  for (int iteration = 0; iteration < iterations; ++iteration) {
    fill();
    const double t0 = MPI_Wtime();
    allreduce();
    times[iteration] = MPI_Wtime() - t0;
    for (long long i = 0; i < count; ++i) {
      const float expected = static_cast<float>(weight * static_cast<int>((i % 17) - 8));
      if (buffer[i] != expected) ++wrong;
    }
  }
  // After the loop, so that no reduction of the timings skews the iterations.
  std::vector<double> slowest(times.size());
  MPI_Reduce(times.data(), slowest.data(), iterations, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  long long wrong_total = 0;
  MPI_Reduce(&wrong, &wrong_total, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    double total = 0;
    for (double seconds : slowest) total += seconds;
    std::printf("time_s=%.9e wrong=%lld\n", total / iterations, wrong_total);
  }
  MPI_Finalize();
  return 0;
}
