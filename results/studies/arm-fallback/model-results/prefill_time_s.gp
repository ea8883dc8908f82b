set datafile missing 'NaN'
set title 'model-decode-arm: prefill_time_s' noenhanced
set xlabel 'workload.batch' noenhanced
set ylabel 'prefill_time_s' noenhanced
set key below noenhanced
set grid
set format y '%g'
set terminal svg size 900,540 dynamic
set output 'results/studies/arm-fallback/model-results/prefill_time_s.svg'
plot 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:2:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=1 parallel.pipeline=1', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:3:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=2 parallel.pipeline=2', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:4:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=4 parallel.pipeline=4', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:5:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=1 parallel.pipeline=1', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:6:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=2 parallel.pipeline=2', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:7:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=4 parallel.pipeline=4'
set terminal pngcairo size 900,540
set output 'results/studies/arm-fallback/model-results/prefill_time_s.png'
plot 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:2:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=1 parallel.pipeline=1', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:3:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=2 parallel.pipeline=2', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:4:xtic(1) with linespoints title 'vllm-pr40150 topology.nodes=4 parallel.pipeline=4', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:5:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=1 parallel.pipeline=1', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:6:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=2 parallel.pipeline=2', 'results/studies/arm-fallback/model-results/prefill_time_s.dat' using 0:7:xtic(1) with linespoints title 'vllm-pr40150-arm topology.nodes=4 parallel.pipeline=4'
